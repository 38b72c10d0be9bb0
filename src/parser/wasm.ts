import { createRequire } from 'node:module';
import { FlatNames, FlatTree, type CursorExports, type Names, type WasmTree } from './flat.js';
import type { GoParser } from './types.js';
import { installedVersion } from './versions.js';

/**
 * tree-sitter and tree-sitter-go built to WebAssembly (web-tree-sitter, and the
 * tree-sitter-go.wasm that the tree-sitter-go package ships): no native code, so it runs
 * wherever Node does. Loading is asynchronous; parsing then is not. Each tree is copied
 * out of WebAssembly into a FlatTree as soon as it is parsed, and freed there.
 */
export async function loadWasm(): Promise<GoParser> {
  const { Parser, Language } = await import('web-tree-sitter');
  const require = createRequire(import.meta.url);
  // Parser.init fills the object it is given with the WebAssembly module's exports.
  const module = {};
  await Parser.init(module);
  const raw = module as CursorExports;
  if (typeof raw._ts_tree_cursor_current_field_id_wasm !== 'function') throw new Error('web-tree-sitter: the module does not export its tree cursor');
  const go = await Language.load(require.resolve('tree-sitter-go/tree-sitter-go.wasm'));
  const names = new FlatNames(go as unknown as Names);
  const parser = new Parser();
  parser.setLanguage(go);
  return {
    kind: 'wasm',
    description: `wasm (web-tree-sitter ${installedVersion('web-tree-sitter')})`,
    parse(source) {
      const tree = parser.parse(source);
      if (!tree) throw new Error('the WebAssembly parser returned no tree');
      return new FlatTree(source, names, tree as unknown as WasmTree, raw);
    },
  };
}
