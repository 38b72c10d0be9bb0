import type { SyntaxNode } from 'tree-sitter';
import type { GoFile, Package } from '../engine/types.js';
import { assignedValue } from './escape.js';
import { nodesOfType } from './nodes.js';

/** Per-package indexes, built on first use and shared by all rules. */
interface PackageIndex {
  varNames: Set<string>;
  channelFieldNames: Set<string>;
  functions: Map<string, SyntaxNode>;
  methods: Map<string, SyntaxNode[]>;
  selectorsByField: Map<string, SyntaxNode[]>;
}

const indexes = new WeakMap<Package, PackageIndex>();

function indexOf(pkg: Package): PackageIndex {
  let index = indexes.get(pkg);
  if (index) return index;
  const varNames = new Set<string>();
  const channelFieldNames = new Set<string>();
  const functions = new Map<string, SyntaxNode>();
  const methods = new Map<string, SyntaxNode[]>();
  const selectorsByField = new Map<string, SyntaxNode[]>();
  for (const file of pkg.files) {
    const root = file.tree.rootNode;
    for (const decl of root.namedChildren) {
      const name = decl.childForFieldName('name')?.text;
      if (decl.type === 'function_declaration' && name) functions.set(name, decl);
      if (decl.type === 'method_declaration' && name) methods.set(name, [...(methods.get(name) ?? []), decl]);
      if (decl.type !== 'var_declaration') continue;
      for (const spec of decl.descendantsOfType('var_spec')) {
        for (const name of spec.childrenForFieldName('name')) varNames.add(name.text);
      }
    }
    for (const field of nodesOfType(file, 'field_declaration')) {
      if (field.childForFieldName('type')?.type !== 'channel_type') continue;
      for (const name of field.childrenForFieldName('name')) channelFieldNames.add(name.text);
    }
    for (const sel of nodesOfType(file, 'selector_expression')) {
      const field = sel.childForFieldName('field')?.text;
      if (!field) continue;
      const list = selectorsByField.get(field);
      if (list) list.push(sel);
      else selectorsByField.set(field, [sel]);
    }
  }
  index = { varNames, channelFieldNames, functions, methods, selectorsByField };
  indexes.set(pkg, index);
  return index;
}

/** Names of the package-level variables declared in any file of the package. */
export function packageVarNames(pkg: Package): Set<string> {
  return indexOf(pkg).varNames;
}

/** Every `x.field` selector in the package, whatever `x` is. */
export function selectorsOfField(pkg: Package, field: string): SyntaxNode[] {
  return indexOf(pkg).selectorsByField.get(field) ?? [];
}

/**
 * Every value the package puts in a field of that name, on any type: `x.field = v` and
 * `T{field: v}`.
 */
export function fieldValues(pkg: Package, field: string): SyntaxNode[] {
  const values = selectorsOfField(pkg, field).flatMap((sel) => assignedValue(sel) ?? []);
  for (const file of pkg.files) {
    for (const keyed of nodesOfType(file, 'keyed_element')) {
      const value = keyed.childForFieldName('value');
      if (keyed.childForFieldName('key')?.text !== field || !value) continue;
      // A value is wrapped in a literal_element node.
      values.push(value.type === 'literal_element' ? (value.namedChildren.find((c) => c.type !== 'comment') ?? value) : value);
    }
  }
  return values;
}

/** Names of struct fields of channel type declared in the package. */
export function channelFieldNames(pkg: Package): Set<string> {
  return indexOf(pkg).channelFieldNames;
}

/** The package-level function of that name, in any file of the package. */
export function packageFunction(pkg: Package, name: string): SyntaxNode | null {
  return indexOf(pkg).functions.get(name) ?? null;
}

/** The methods of that name declared in the package, on any receiver type. */
export function packageMethods(pkg: Package, name: string): SyntaxNode[] {
  return indexOf(pkg).methods.get(name) ?? [];
}

/** The file of the package that holds a node. */
export function fileOf(pkg: Package, node: SyntaxNode): GoFile {
  const file = pkg.files.find((f) => f.tree === node.tree);
  if (!file) throw new Error('node is not from this package');
  return file;
}
