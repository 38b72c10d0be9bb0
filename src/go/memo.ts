import type { SyntaxNode } from './tree.js';

let installed = false;

/**
 * Makes `childForFieldName` and `childrenForFieldName` remember their answers on the node.
 * The rules ask the same node for the same field again and again (over net/ and go/, 61% of
 * 365,000 childForFieldName calls were repeats; name resolution reads the names of every
 * parameter and var spec on its way), and on the native parser's nodes each call crosses
 * into C++ and back even when the child's JS object exists already (a FlatTree's lookup is
 * an array scan, and needs no memo). Trees are never edited, so an
 * answer cannot go stale; callers only read the lists; the memo lives and dies with the
 * node's JS object.
 */
export function memoizeFieldLookups(sample: SyntaxNode): void {
  if (installed) return;
  installed = true;
  // The node classes (one per node type) share the base class that defines the methods.
  let proto = Object.getPrototypeOf(sample) as SyntaxNode;
  while (!Object.prototype.hasOwnProperty.call(proto, 'childForFieldName')) proto = Object.getPrototypeOf(proto) as SyntaxNode;
  memoizeByName(proto, 'childForFieldName');
  memoizeByName(proto, 'childrenForFieldName');
}

/** Replaces a node method of one string argument with one that keeps its answers per node and argument. */
function memoizeByName(proto: SyntaxNode, method: 'childForFieldName' | 'childrenForFieldName'): void {
  const slot = Symbol(`goleak-lint: ${method}`);
  const lookup = proto[method] as (this: SyntaxNode, name: string) => unknown;
  (proto as unknown as Record<string, unknown>)[method] = function (this: SyntaxNode & { [slot]?: Map<string, unknown> }, name: string) {
    const memo = (this[slot] ??= new Map());
    let answer = memo.get(name);
    if (answer === undefined) memo.set(name, (answer = lookup.call(this, name)));
    return answer;
  };
}
