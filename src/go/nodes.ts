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
