import { createRequire } from 'node:module';
import type { SyntaxNode, Tree } from '../go/tree.js';
import type { GoParser } from './types.js';
import { installedVersion } from './versions.js';

/** Node members that return nodes: wrapped so that each node has one JS object per tree. */
const NODE_GETTERS = [
  'parent', 'children', 'namedChildren', 'firstChild', 'lastChild', 'firstNamedChild', 'lastNamedChild',
  'nextSibling', 'previousSibling', 'nextNamedSibling', 'previousNamedSibling',
];
/** Node members that return plain values, fixed for the life of a tree. */
const NODE_VALUES = ['type', 'typeId', 'endIndex', 'endPosition', 'text', 'childCount', 'namedChildCount', 'isNamed', 'hasError', 'isMissing'];
const NODE_METHODS = [
  'child', 'namedChild', 'childForFieldName', 'childForFieldId', 'childrenForFieldName', 'childrenForFieldId',
  'descendantsOfType', 'descendantForIndex', 'namedDescendantForIndex', 'descendantForPosition',
  'namedDescendantForPosition', 'firstChildForIndex', 'firstNamedChildForIndex', 'childWithDescendant',
];

/**
 * tree-sitter and tree-sitter-go built to WebAssembly (web-tree-sitter, and the
 * tree-sitter-go.wasm that the tree-sitter-go package ships): no native code, so it runs
 * wherever Node does. Loading is asynchronous; parsing then is not.
 */
export async function loadWasm(): Promise<GoParser> {
  const { Parser, Language, Node, Tree: WasmTree } = await import('web-tree-sitter');
  const require = createRequire(import.meta.url);
  await Parser.init();
  const go = await Language.load(require.resolve('tree-sitter-go/tree-sitter-go.wasm'));
  const parser = new Parser();
  parser.setLanguage(go);
  internNodes(Node.prototype, WasmTree.prototype);
  return {
    kind: 'wasm',
    description: `wasm (web-tree-sitter ${installedVersion('web-tree-sitter')})`,
    parse(source) {
      const tree = parser.parse(source);
      if (!tree) throw new Error('the WebAssembly parser returned no tree');
      // Its node type differs from SyntaxNode only in typing child lists (Node | null)[]:
      // the lists it returns never hold null.
      return tree as unknown as Tree;
    },
    // WebAssembly memory is not garbage-collected: a tree lives until deleted.
    release: (tree) => (tree as unknown as { delete(): void }).delete(),
  };
}

type Interned = Map<number, SyntaxNode>;
const internedByTree = new WeakMap<object, Interned>();

/**
 * web-tree-sitter makes a new JS object each time a node is reached; the native module
 * keeps one per node, and the rules rely on that (=== and Sets of nodes). This wraps every
 * member that returns nodes so that it returns the first object made for each node id.
 */
function internNodes(nodeProto: object, treeProto: object): void {
  const intern = (node: SyntaxNode | null): SyntaxNode | null => {
    if (!node) return node;
    let table = internedByTree.get(node.tree);
    if (!table) internedByTree.set(node.tree, (table = new Map()));
    const known = table.get(node.id);
    if (known) return known;
    table.set(node.id, node);
    return node;
  };
  const internAny = (value: unknown): unknown =>
    Array.isArray(value) ? value.map((n) => intern(n as SyntaxNode | null)) : intern(value as SyntaxNode | null);
  // Each getter's answer is kept on the (interned) node: trees are never edited, and every
  // uncached read crosses into WebAssembly (and, for lists, maps a fresh array).
  const wrapGetter = (proto: object, name: string, wrap: (value: unknown) => unknown, memo: boolean) => {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (!desc?.get) throw new Error(`web-tree-sitter: no getter ${name}`);
    const get = desc.get;
    const slot = Symbol(name);
    const getter = memo
      ? function (this: Record<symbol, unknown>) {
          if (slot in this) return this[slot];
          return (this[slot] = wrap(get.call(this)));
        }
      : function (this: unknown) {
          return wrap(get.call(this));
        };
    Object.defineProperty(proto, name, { ...desc, get: getter });
  };
  for (const name of NODE_GETTERS) wrapGetter(nodeProto, name, internAny, true);
  for (const name of NODE_VALUES) wrapGetter(nodeProto, name, (v) => v, true);
  wrapGetter(treeProto, 'rootNode', internAny, false);
  const methods = nodeProto as Record<string, (...args: unknown[]) => unknown>;
  for (const name of NODE_METHODS) {
    const method = methods[name];
    if (typeof method !== 'function') throw new Error(`web-tree-sitter: no method ${name}`);
    methods[name] = function (this: unknown, ...args: unknown[]) {
      return internAny(method.apply(this, args));
    };
  }
}
