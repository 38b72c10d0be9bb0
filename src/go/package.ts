import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { spelledLeaves } from './nodes.js';

const selectorsByPackage = new WeakMap<Package, Map<string, SyntaxNode[]>>();

/** Every `x.field` selector in the package, whatever `x` is, in file and source order; once per package and name. */
export function selectorsOfField(pkg: Package, field: string): SyntaxNode[] {
  let byField = selectorsByPackage.get(pkg);
  if (!byField) selectorsByPackage.set(pkg, (byField = new Map()));
  let found = byField.get(field);
  if (found) return found;
  found = [];
  for (const file of pkg.files) {
    for (const leaf of spelledLeaves(file.tree.rootNode, field)) {
      const sel = leaf.type === 'field_identifier' ? leaf.parent : null;
      if (sel?.type === 'selector_expression' && sel.childForFieldName('field')?.id === leaf.id) found.push(sel);
    }
  }
  byField.set(field, found);
  return found;
}

/** The file of the package that holds a node. */
export function fileOf(pkg: Package, node: SyntaxNode): GoFile {
  const file = pkg.files.find((f) => f.tree === node.tree);
  if (!file) throw new Error('node is not from this package');
  return file;
}
