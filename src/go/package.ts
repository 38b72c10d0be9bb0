import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { nodesOfType } from './nodes.js';

/** Per-package indexes, built on first use and shared by all rules. */
interface PackageIndex {
  selectorsByField: Map<string, SyntaxNode[]>;
}

const indexes = new WeakMap<Package, PackageIndex>();

function indexOf(pkg: Package): PackageIndex {
  let index = indexes.get(pkg);
  if (index) return index;
  const selectorsByField = new Map<string, SyntaxNode[]>();
  for (const file of pkg.files) {
    for (const sel of nodesOfType(file, 'selector_expression')) {
      const field = sel.childForFieldName('field')?.text;
      if (!field) continue;
      const list = selectorsByField.get(field);
      if (list) list.push(sel);
      else selectorsByField.set(field, [sel]);
    }
  }
  index = { selectorsByField };
  indexes.set(pkg, index);
  return index;
}

/** Every `x.field` selector in the package, whatever `x` is. */
export function selectorsOfField(pkg: Package, field: string): SyntaxNode[] {
  return indexOf(pkg).selectorsByField.get(field) ?? [];
}

/** The file of the package that holds a node. */
export function fileOf(pkg: Package, node: SyntaxNode): GoFile {
  const file = pkg.files.find((f) => f.tree === node.tree);
  if (!file) throw new Error('node is not from this package');
  return file;
}
