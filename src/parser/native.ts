import { createRequire } from 'node:module';
import type { Tree } from '../go/tree.js';
import type { GoParser } from './types.js';
import { installedVersion } from './versions.js';

/** The members of the native module's parser that are used here. */
interface NativeParser {
  setLanguage(language: unknown): void;
  parse(source: string, oldTree: undefined, options: { bufferSize: number }): Tree;
}

/**
 * The native tree-sitter module (an optional dependency: its prebuilt binary needs a recent
 * libstdc++, and without one npm compiles it, which needs a compiler). Throws when it is
 * not installed or does not load.
 */
export function loadNative(): GoParser {
  const require = createRequire(import.meta.url);
  const TreeSitter = require('tree-sitter') as new () => NativeParser;
  const parser = new TreeSitter();
  parser.setLanguage(require('tree-sitter-go'));
  return {
    kind: 'native',
    description: `native (tree-sitter ${installedVersion('tree-sitter')})`,
    // The default buffer is too small for long lines; a buffer of the source's size avoids re-reads.
    parse: (source) => parser.parse(source, undefined, { bufferSize: source.length * 2 + 1024 }),
  };
}
