import type { SyntaxNode, Tree } from './tree.js';
import type { GoFile } from '../engine/types.js';

const byTree = new WeakMap<Tree, Map<string, SyntaxNode[]>>();

/**
 * The types rules have asked nodesOfType for in this thread. Each walk of a tree costs
 * about as much whatever it looks for, so the first request on a tree fetches every
 * type asked for so far in one walk: after the first few files, one walk per file
 * serves all rules (over net/http, go/types, runtime and ssagen: 1.2 s instead of 2.8 s
 * for five types).
 */
const wanted = new Set<string>();

/**
 * Every node of a type in a file, found once per file and type and shared by all rules
 * (a walk of the whole tree costs more than most rules' own work). Do not modify the array.
 */
export function nodesOfType(file: GoFile, type: string): readonly SyntaxNode[] {
  let cache = byTree.get(file.tree);
  if (!cache) byTree.set(file.tree, (cache = new Map()));
  const found = cache.get(type);
  if (found) return found;
  wanted.add(type);
  const types = [...wanted].filter((t) => !cache.has(t));
  for (const t of types) cache.set(t, []);
  for (const node of file.tree.rootNode.descendantsOfType(types)) cache.get(typeOf(node))?.push(node);
  return cache.get(type) as SyntaxNode[];
}

/**
 * The native parser gives nodes of a named type a class of their own: its type is found
 * once per class, not once per node. The class that defines the node methods is shared
 * (by the types without a class of their own, and by every node of the WebAssembly parser).
 */
const typeByClass = new Map<unknown, string>();

function typeOf(node: SyntaxNode): string {
  let type = typeByClass.get(node.constructor);
  if (type === undefined) {
    type = node.type;
    if (!Object.prototype.hasOwnProperty.call(node.constructor.prototype, 'childForFieldName')) typeByClass.set(node.constructor, type);
  }
  return type;
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
    // Not through nodesOfType: identifiers are many, and wanted in fewer files than not.
    for (const id of scope.tree.rootNode.descendantsOfType('identifier')) {
      const list = byName.get(id.text);
      if (list) list.push(id);
      else byName.set(id.text, [id]);
    }
    identifiersByTree.set(scope.tree, byName);
  }
  return (byName.get(name) ?? []).filter((n) => n.startIndex >= scope.startIndex && n.endIndex <= scope.endIndex);
}
