import type { Tree } from '../go/tree.js';
import { memoizeFieldLookups } from '../go/memo.js';
import { loadNative } from './native.js';
import type { GoParser, ParserKind } from './types.js';
import { loadWasm } from './wasm.js';

/**
 * The Go parser: tree-sitter-go's WebAssembly build, or the native tree-sitter module when
 * GOLEAK_LINT_PARSER=native asks for it (or the WebAssembly one fails to load). The rules
 * run faster on the WebAssembly parser's trees, which are copied into JS arrays (every node
 * access into the native module crosses into C++ and back), with the same output. One
 * parser per thread, loaded on first use.
 */
let active: GoParser | null = null;
let loading: Promise<GoParser> | null = null;

/** The parser GOLEAK_LINT_PARSER asks for, or 'auto'. */
function requested(): ParserKind | 'auto' {
  const value = process.env.GOLEAK_LINT_PARSER ?? '';
  if (value === '' || value === 'auto') return 'auto';
  if (value === 'native' || value === 'wasm') return value;
  throw new Error(`GOLEAK_LINT_PARSER="${value}": expected native, wasm or auto`);
}

/** The native parser, or why it does not load. */
function tryNative(): GoParser | Error {
  try {
    return loadNative();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function activate(parser: GoParser): GoParser {
  active = parser;
  // Each field lookup on a native node crosses into C++; a FlatTree's is an array read.
  if (parser.kind === 'native') memoizeFieldLookups(parser.parse('package p').rootNode);
  return parser;
}

/**
 * Loads this thread's parser (once; later calls return the same). A thread that may need
 * the WebAssembly parser awaits this before parsing, since that one loads asynchronously.
 */
export function initParser(): Promise<GoParser> {
  if (active) return Promise.resolve(active);
  return (loading ??= (async () => {
    const want = requested();
    if (want !== 'native') {
      try {
        return activate(await loadWasm());
      } catch (err) {
        if (want === 'wasm') throw err;
      }
    }
    const native = tryNative();
    if (native instanceof Error) throw new Error(`the native tree-sitter module does not load: ${firstLine(native)}`);
    return activate(native);
  })());
}

/**
 * Parses Go source with this thread's parser. Without a prior initParser(), loads the
 * native parser synchronously, and fails if that one is not available.
 */
export function parseGo(source: string): Tree {
  if (!active) {
    if (requested() === 'wasm') throw new Error('the WebAssembly parser loads asynchronously: await initParser() before parsing');
    const native = tryNative();
    if (native instanceof Error) throw new Error(`the native tree-sitter module does not load (${firstLine(native)}): await initParser() to fall back to WebAssembly`);
    activate(native);
  }
  return (active as GoParser).parse(source);
}

function firstLine(err: Error): string {
  return err.message.split('\n')[0];
}

export type { GoParser, ParserKind } from './types.js';
