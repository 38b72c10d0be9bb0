import type { SyntaxNode, Tree } from 'tree-sitter';
import type { GoFile } from '../engine/types.js';

const byTree = new WeakMap<Tree, Map<string, SyntaxNode[]>>();

/**
 * Every node of a type in a file, found once per file and type and shared by all rules
 * (a walk of the whole tree costs more than most rules' own work). Do not modify the array.
 */
export function nodesOfType(file: GoFile, type: string): readonly SyntaxNode[] {
  return nodesOfTypeIn(file.tree, type);
}

function nodesOfTypeIn(tree: Tree, type: string): readonly SyntaxNode[] {
  let cache = byTree.get(tree);
  if (!cache) byTree.set(tree, (cache = new Map()));
  let nodes = cache.get(type);
  if (!nodes) cache.set(type, (nodes = tree.rootNode.descendantsOfType(type)));
  return nodes;
}

const identifiersByTree = new WeakMap<Tree, Map<string, SyntaxNode[]>>();

/**
 * Identifiers named `name` within `scope` (a function body, a file's root), in source
 * order. The file's identifiers are indexed by name once, so many lookups cost one walk.
 */
export function identifierUses(scope: SyntaxNode, name: string): SyntaxNode[] {
  let byName = identifiersByTree.get(scope.tree);
  if (!byName) {
    byName = new Map();
    for (const id of nodesOfTypeIn(scope.tree, 'identifier')) {
      const list = byName.get(id.text);
      if (list) list.push(id);
      else byName.set(id.text, [id]);
    }
    identifiersByTree.set(scope.tree, byName);
  }
  return (byName.get(name) ?? []).filter((n) => n.startIndex >= scope.startIndex && n.endIndex <= scope.endIndex);
}
