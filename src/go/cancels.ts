import type { Package } from '../engine/types.js';
import { fieldOfSelector, fileOfNode } from './model/types.js';
import { handedOff, releasedBy, type Flow } from './model/values.js';
import { selectorsOfField } from './package.js';

/** What becomes of a context's cancel function: whether anything calls it */

/**
 * Whether some code the cancel function flows to calls it, or hands it where the model
 * cannot see: another package, an interface, a container, a caller outside the package,
 * an exported field or variable, or a package caller (judged at its call).
 */
export function eventuallyCalled(pkg: Package, flow: Flow): boolean {
  if (releasedBy(flow, [], true).length > 0 || handedOff(flow).length > 0) return true;
  if (flow.returned || flow.results.length > 0) return true;
  const visibleOutside = (name: string) => pkg.name !== 'main' && /^[A-Z]/.test(name);
  return flow.holders.some((h) => {
    if (h.kind === 'element') return true;
    if (h.kind === 'object') return h.obj.kind === 'result' || (!h.obj.fn && visibleOutside(h.obj.name));
    if (h.kind !== 'field') return false;
    return visibleOutside(h.field.name) || calledWhereUnknown(pkg, h.field.name);
  });
}

/**
 * A heuristic, named as one: a call `x.name()` where the model cannot tell which field
 * `x.name` is (x's type is unknown and several types have such a field) may call this one.
 */
function calledWhereUnknown(pkg: Package, name: string): boolean {
  return selectorsOfField(pkg, name).some((sel) => {
    const call = sel.parent;
    if (call?.type !== 'call_expression' || call.childForFieldName('function')?.id !== sel.id) return false;
    return fieldOfSelector(pkg, fileOfNode(pkg, sel), sel) === null;
  });
}
