import type { Tree } from '../go/tree.js';

export type ParserKind = 'native' | 'wasm';

/** One way to parse Go: the native tree-sitter module or its WebAssembly build. */
export interface GoParser {
  kind: ParserKind;
  /** For `--version`: which parser, and its version. */
  description: string;
  parse(source: string): Tree;
}
