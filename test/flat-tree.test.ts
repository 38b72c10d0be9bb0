/**
 * The WebAssembly parser's trees are copied into JS arrays (src/parser/flat.ts). The copy
 * must answer every member the rules read as web-tree-sitter's own nodes do: this compares
 * the two, node by node, over every fixture, over inputs with syntax errors and non-ASCII
 * text, and over real files of the Go distribution when Go is installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Language, Parser, type Node } from 'web-tree-sitter';
import type { SyntaxNode } from '../src/go/tree.js';
import { initParser, parseGo } from '../src/parser/index.js';
import { hasGo, repoGoFiles, repoRoot } from './helpers.js';

await initParser();
const require = createRequire(import.meta.url);
const reference = new Parser();
reference.setLanguage(await Language.load(require.resolve('tree-sitter-go/tree-sitter-go.wasm')));

const point = (p: { row: number; column: number }) => `${p.row}:${p.column}`;

/** Asserts that the copy of `source` answers as web-tree-sitter's tree does. */
function compare(source: string, label: string): void {
  const wasmTree = reference.parse(source);
  assert.ok(wasmTree);
  const flat = parseGo(source).rootNode;
  try {
    const byId = new Map<number, SyntaxNode>();
    const pairs: [Node, SyntaxNode][] = [];
    const pair = (w: Node, f: SyntaxNode) => {
      const where = `${label} at ${w.startIndex} (${w.type})`;
      assert.equal(f.type, w.type, where);
      assert.equal(f.startIndex, w.startIndex, where);
      assert.equal(f.endIndex, w.endIndex, where);
      assert.equal(point(f.startPosition), point(w.startPosition), where);
      assert.equal(point(f.endPosition), point(w.endPosition), where);
      assert.equal(f.hasError, w.hasError, `${where}: hasError`);
      assert.equal(f.isMissing, w.isMissing, `${where}: isMissing`);
      assert.equal(f.childCount, w.childCount, `${where}: childCount`);
      assert.equal(f.namedChildCount, w.namedChildCount, `${where}: namedChildCount`);
      byId.set(w.id, f);
      pairs.push([w, f]);
      w.children.forEach((c, i) => pair(c!, f.children[i]));
    };
    pair(wasmTree.rootNode, flat);
    const mapped = (w: Node | null) => (w ? byId.get(w.id) : null);
    const ids = (ns: readonly (SyntaxNode | null | undefined)[]) => ns.map((n) => n?.id ?? null);
    for (const [w, f] of pairs) {
      const where = `${label} at ${w.startIndex} (${w.type})`;
      assert.equal(f.parent, mapped(w.parent), `${where}: parent`);
      assert.equal(f.previousNamedSibling, mapped(w.previousNamedSibling), `${where}: previousNamedSibling`);
      assert.equal(f.lastChild, mapped(w.lastChild), `${where}: lastChild`);
      assert.equal(f.firstNamedChild, mapped(w.firstNamedChild), `${where}: firstNamedChild`);
      assert.deepEqual(ids(f.namedChildren), ids(w.namedChildren.map(mapped)), `${where}: namedChildren`);
      const fields = new Set<string>(['name', 'body']);
      for (let i = 0; i < w.childCount; i++) {
        const name = w.fieldNameForChild(i);
        if (name) fields.add(name);
      }
      for (const name of fields) {
        assert.equal(f.childForFieldName(name), mapped(w.childForFieldName(name)), `${where}: childForFieldName(${name})`);
        assert.deepEqual(ids(f.childrenForFieldName(name)), ids(w.childrenForFieldName(name).map(mapped)), `${where}: childrenForFieldName(${name})`);
      }
      for (const [s, e] of [[w.startIndex, w.startIndex], [w.startIndex, w.endIndex], [w.endIndex, w.endIndex], [w.startIndex, w.startIndex + 1]]) {
        assert.equal(flat.descendantForIndex(s, e), mapped(wasmTree.rootNode.descendantForIndex(s, e)), `${label}: descendantForIndex(${s}, ${e})`);
        assert.equal(flat.namedDescendantForIndex(s, e), mapped(wasmTree.rootNode.namedDescendantForIndex(s, e)), `${label}: namedDescendantForIndex(${s}, ${e})`);
      }
    }
    for (const types of [['identifier'], ['call_expression', 'go_statement'], ['ERROR'], ['comment']]) {
      assert.deepEqual(ids(flat.descendantsOfType(types)), ids(wasmTree.rootNode.descendantsOfType(types).map(mapped)), `${label}: descendantsOfType(${types})`);
    }
    const rows = source.split('\n').length;
    for (let row = 0; row < rows; row++) {
      const at = { row, column: 0 };
      assert.equal(flat.descendantForPosition(at), mapped(wasmTree.rootNode.descendantForPosition(at)), `${label}: descendantForPosition(${row}:0)`);
    }
  } finally {
    wasmTree.delete();
  }
}

/** Inputs that are not well-formed Go, or not ASCII: errors, missing tokens, UTF-16 surrogates, CRLF. */
const odd: Record<string, string> = {
  'missing brace': 'package p\n\nfunc f() {\n\tif x {\n\t\tg()\n}\n',
  'stray tokens': 'package p\n\nfunc f() { ) ] }\nvar = 3\ntype T struct { a int; b }\n',
  'missing paren': 'package p\nfunc f() { g(1, 2\n}\n',
  'garbage': '@@@ package !!\n\x00\x01 func',
  'empty': '',
  'only a comment': '// hello\n',
  'non-ASCII': 'package p\n\n// 日本語 and 😀 in a comment\nvar s = "🚀 ünïcödé"\nfunc Größe(ä int) int { return ä + len("€") }\n',
  'CRLF': 'package p\r\n\r\nfunc f() {\r\n\tgo func() { <-ch }()\r\n}\r\n',
  'unterminated string': 'package p\nvar s = "abc\nfunc f() {}\n',
};

describe('the copied syntax tree', () => {
  it('answers as web-tree-sitter does on every fixture', () => {
    const files = repoGoFiles('fixtures');
    assert.ok(files.length > 100);
    for (const file of files) compare(readFileSync(file, 'utf8'), path.relative(repoRoot, file));
  });

  it('answers as web-tree-sitter does on syntax errors and non-ASCII text', () => {
    for (const [label, source] of Object.entries(odd)) compare(source, label);
  });

  const goroot = hasGo ? spawnSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).stdout.trim() : '';
  const real = ['net/http/server.go', 'go/types/expr.go', 'runtime/proc.go'].map((f) => path.join(goroot, 'src', f));
  it('answers as web-tree-sitter does on files of the Go distribution', { skip: goroot && real.every(existsSync) ? false : 'needs Go' }, () => {
    for (const file of real) compare(readFileSync(file, 'utf8'), path.relative(goroot, file));
  });

  it('gives every node of every tree alive at once its own id', () => {
    const a = parseGo('package p\nfunc f() {}\n').rootNode;
    const b = parseGo('package p\nfunc f() {}\n').rootNode;
    const all = [a, b].flatMap((r) => [r, ...r.descendantsOfType(['function_declaration', 'identifier', 'block'])]);
    assert.equal(new Set(all.map((n) => n.id)).size, all.length);
    assert.equal(a.descendantsOfType('identifier')[0], a.descendantsOfType('identifier')[0], 'a node is one object');
  });
});
