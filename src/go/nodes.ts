import type { SyntaxNode } from 'tree-sitter';
import type { GoFile } from '../engine/types.js';

const byFile = new WeakMap<GoFile, Map<string, SyntaxNode[]>>();

/**
 * Every node of a type in a file, found once per file and type and shared by all rules
 * (a walk of the whole tree costs more than most rules' own work). Do not modify the array.
 */
export function nodesOfType(file: GoFile, type: string): readonly SyntaxNode[] {
  let cache = byFile.get(file);
  if (!cache) byFile.set(file, (cache = new Map()));
  let nodes = cache.get(type);
  if (!nodes) cache.set(type, (nodes = file.tree.rootNode.descendantsOfType(type)));
  return nodes;
}

const identifiersByFile = new WeakMap<GoFile, Map<string, SyntaxNode[]>>();

/**
 * The identifiers named `name` in a file, optionally only those within `scope`; indexed
 * once per file, so looking up many names costs one walk.
 */
export function identifiersNamed(file: GoFile, name: string, scope?: SyntaxNode): readonly SyntaxNode[] {
  let byName = identifiersByFile.get(file);
  if (!byName) {
    byName = new Map();
    for (const id of nodesOfType(file, 'identifier')) {
      const list = byName.get(id.text);
      if (list) list.push(id);
      else byName.set(id.text, [id]);
    }
    identifiersByFile.set(file, byName);
  }
  const all = byName.get(name) ?? [];
  return scope ? all.filter((n) => n.startIndex >= scope.startIndex && n.endIndex <= scope.endIndex) : all;
}
