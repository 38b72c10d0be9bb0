import type { Tree } from '../go/tree.js';

export type ParserKind = 'native' | 'wasm';

/** One way to parse Go: the native tree-sitter module or its WebAssembly build. */
export interface GoParser {
  kind: ParserKind;
  /** For `--version`: which parser, and its version. */
  description: string;
  parse(source: string): Tree;
  /** Frees the tree's memory; its nodes must not be used after. */
  release(tree: Tree): void;
}
