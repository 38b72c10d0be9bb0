import type { SyntaxNode } from './tree.js';

/** A file's imports: local name → import path, and the paths imported with `.`. */
export interface ImportTable {
  byName: Map<string, string>;
  dotImports: Set<string>;
}

/** The name a package is known by when imported without an alias ("math/rand/v2" → "rand"). */
export function defaultImportName(importPath: string): string {
  const parts = importPath.split('/');
  let last = parts[parts.length - 1];
  if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2];
  return last.replace(/^go-/, '').replace(/\.v\d+$/, '').replace(/[.-]/g, '_');
}

export function readImports(root: SyntaxNode): ImportTable {
  const table: ImportTable = { byName: new Map(), dotImports: new Set() };
  for (const decl of root.namedChildren) {
    if (decl.type !== 'import_declaration') continue;
    for (const spec of decl.descendantsOfType('import_spec')) {
      const pathNode = spec.childForFieldName('path');
      if (!pathNode) continue;
      const importPath = pathNode.text.slice(1, -1);
      const alias = spec.childForFieldName('name')?.text;
      if (alias === '.') table.dotImports.add(importPath);
      else if (alias !== '_') table.byName.set(alias ?? defaultImportName(importPath), importPath);
    }
  }
  return table;
}

/**
 * When `call` calls one of `names` from package `importPath` under whatever name the
 * file imports it (`time.NewTicker`, `t.NewTicker`, or `NewTicker` after a dot import),
 * returns that function name.
 */
export function calledPackageFunc(
  call: SyntaxNode,
  imports: ImportTable,
  importPath: string,
  names: readonly string[],
): string | null {
  const fn = call.childForFieldName('function');
  if (!fn) return null;
  if (fn.type === 'selector_expression') {
    const operand = fn.childForFieldName('operand');
    const field = fn.childForFieldName('field');
    if (operand?.type !== 'identifier' || !field) return null;
    if (imports.byName.get(operand.text) !== importPath) return null;
    return names.includes(field.text) ? field.text : null;
  }
  if (fn.type === 'identifier' && imports.dotImports.has(importPath)) {
    return names.includes(fn.text) ? fn.text : null;
  }
  return null;
}

/** Whether the file imports `importPath` at all (a cheap pre-check for rules). */
export function importsPackage(imports: ImportTable, importPath: string): boolean {
  if (imports.dotImports.has(importPath)) return true;
  for (const p of imports.byName.values()) if (p === importPath) return true;
  return false;
}

/** The import path when `sel` is `pkg.Name` for an imported package `pkg`, else null (a method, a field). */
export function importPathOf(sel: SyntaxNode, imports: ImportTable): string | null {
  const operand = sel.childForFieldName('operand');
  return operand?.type === 'identifier' ? (imports.byName.get(operand.text) ?? null) : null;
}

/** The names a file imports `importPath` under (`http`, or an alias). */
export function importNames(imports: ImportTable, importPath: string): string[] {
  return [...imports.byName].filter(([, path]) => path === importPath).map(([name]) => name);
}

/**
 * Whether a file's text spells one of `names` as a whole word: a cheap pre-check before a rule
 * asks every call of the file whether it is one of them (a call of `time.After` spells After).
 */
export function spellsAny(source: string, names: readonly string[]): boolean {
  return names.some((name) => new RegExp(`\\b${name}\\b`).test(source));
}
