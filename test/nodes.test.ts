import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { callsNamed, nodesOfType, nodesWithin, wordsOf } from '../src/go/nodes.js';
import type { SyntaxNode } from '../src/go/tree.js';
import type { GoFile } from '../src/engine/types.js';
import { initParser, parseGo } from '../src/parser/index.js';
import { repoGoFiles, repoRoot } from './helpers.js';

await initParser();

/** nodesOfType and callsNamed read only a file's tree. */
const fileOf = (source: string) => ({ tree: parseGo(source) }) as unknown as GoFile;
const ids = (nodes: readonly SyntaxNode[]) => nodes.map((n) => `${n.type}@${n.startIndex}-${n.endIndex}`);

const FOUND_BY_TEXT = [
  'function_declaration', 'method_declaration', 'type_spec', 'go_statement', 'defer_statement', 'func_literal',
  'short_var_declaration', 'var_declaration', 'const_declaration', 'type_declaration', 'const_spec', 'var_spec', 'method_elem',
  'literal_value', 'composite_literal', 'keyed_element',
];

/** Every type found from the text is what a walk of the tree finds, in the walk's order. */
function assertSameAsWalk(source: string, label: string): void {
  for (const type of FOUND_BY_TEXT) {
    const file = fileOf(source);
    assert.deepEqual(ids(nodesOfType(file, type)), ids(file.tree.rootNode.descendantsOfType(type)), `${label}: ${type}`);
  }
}

const TRICKY = `package p

// A comment that spells func, go, defer, := and { T{} }.
import "time"

const one = 1
const (
	a = iota // const
	b
)

var x, y = T{A: 1}, [unsafe.Sizeof(T{})]byte{}
var (
	// var
	u int
	w = map[string]T{"k": {A: 2}, "l": {3}}
)

type T struct{ A int }
type I interface {
	fmt.Stringer
	M(func()) error
}

func (t *T) M(f func()) error { return nil }

func f() {
	type local struct{ b []int }
	s:="go {"
	v := local{b: []int{1, 2}}
	go func() { defer time.NewTimer(1).Stop() }()
	defer (func(){})()
	for i := range v.b { _ = i }
	select { case c := <-ch: _ = c }
	switch z := any(s).(type) { default: _ = z }
	_ = struct{ x int }{x: 1}
	(time.After)(1)
	g[int](1)
	time.After(2); After(3); t.After(4)
	var q = func() { var inner = 1; _ = inner }
	_ = q
}
`;

describe('nodesOfType from the text', () => {
  it('finds in a tricky file what a walk finds', () => assertSameAsWalk(TRICKY, 'tricky'));

  it('finds in every Go file of the fixtures and examples what a walk finds', () => {
    const files = repoGoFiles('fixtures', 'examples');
    for (const full of files) assertSameAsWalk(readFileSync(full, 'utf8'), path.relative(repoRoot, full));
    assert.ok(files.length > 100, `only ${files.length} Go files`);
  });
});

describe('nodesWithin', () => {
  it('gives what descendantsOfType gives, for every declaration and function of a file', () => {
    const file = fileOf(TRICKY);
    const scopes = ['function_declaration', 'func_literal', 'var_declaration', 'const_declaration'].flatMap((t) => nodesOfType(file, t));
    assert.ok(scopes.length > 5);
    for (const scope of scopes) {
      for (const type of ['var_spec', 'const_spec', 'call_expression', 'func_literal']) {
        assert.deepEqual(ids(nodesWithin(file, type, scope)), ids(scope.descendantsOfType(type)), `${type} in ${scope.type}@${scope.startIndex}`);
      }
    }
  });
});

describe('wordsOf', () => {
  it('splits at what is not a letter, digit or underscore, letters of any script included', () => {
    assert.deepEqual(wordsOf('map[string]*Größe, x_1 := a.b'), ['map', 'string', 'Größe', 'x_1', 'a', 'b']);
  });
});

describe('callsNamed', () => {
  const calls = (names: string[]) => callsNamed(fileOf(TRICKY), names).map((c) => c.text);
  it('finds calls of a name, as a function or a method, through parentheses', () => {
    assert.deepEqual(calls(['After']), ['(time.After)(1)', 'time.After(2)', 'After(3)', 't.After(4)']);
  });
  it('merges several names in source order and ignores other spellings', () => {
    assert.deepEqual(calls(['Stop', 'NewTimer']), ['time.NewTimer(1).Stop()', 'time.NewTimer(1)']);
    // `g[int](1)` calls an instantiation, not the name g; `M` is only declared.
    assert.deepEqual(calls(['g', 'M']), []);
  });
});
