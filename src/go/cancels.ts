import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { calledPackageFunc, importsPackage } from './imports.js';
import { objectOf, type GoObject } from './model/names.js';
import { fieldOfSelector, fileOfNode } from './model/types.js';
import { flowOf, handedOff, releasedBy, writesOf, type Flow } from './model/values.js';
import { unparen } from './syntax.js';
import { selectorsOfField } from './package.js';

/** What becomes of a context's cancel function: whether anything calls it, and so whether its Done channel can close. */

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

/** golang.org/x/net/context forwards to the standard package. */
const CONTEXT_PACKAGES = ['context', 'golang.org/x/net/context'];

/**
 * Whether the context an expression denotes is never cancelled: `context.Background()` or
 * `TODO()`, a `context.WithCancel` child of such a context whose cancel function nothing
 * calls (by the value flow `eventuallyCalled` reads), or a variable or parameter every write
 * of which in the package is one of those. Its Done channel is never closed.
 */
export function neverDone(pkg: Package, file: GoFile, expr: SyntaxNode, visiting = new Set<GoObject>(), depth = 0): boolean {
  const e = unparen(expr);
  if (depth > 6) return false;
  if (e.type === 'call_expression') {
    const args = e.childForFieldName('arguments')?.namedChildren ?? [];
    const paths = CONTEXT_PACKAGES.filter((p) => importsPackage(file.imports, p));
    if (paths.some((p) => calledPackageFunc(e, file.imports, p, ['Background', 'TODO'])) && args.length === 0) return true;
    if (!paths.some((p) => calledPackageFunc(e, file.imports, p, ['WithCancel'])) || args.length !== 1) return false;
    return !eventuallyCalled(pkg, flowOf(pkg, file, e, 1)) && neverDone(pkg, file, args[0], visiting, depth + 1);
  }
  if (e.type !== 'identifier') return false;
  const obj = objectOf(pkg, file, e);
  if (!obj || (obj.kind !== 'var' && obj.kind !== 'param')) return false;
  if (visiting.has(obj)) return true; // a cycle adds no other source
  visiting.add(obj);
  const writes = writesOf(pkg, { kind: 'object', obj });
  const never = !writes.unseen && writes.values.length > 0 && writes.values.every((w) => !w.element && w.index === 0 && neverDone(pkg, w.file, w.node, visiting, depth + 1));
  visiting.delete(obj);
  return never;
}
