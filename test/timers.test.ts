import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SyntaxNode } from '../src/go/tree.js';
import type { GoFile, Package } from '../src/engine/types.js';
import { durationOf, formatDuration } from '../src/go/duration.js';
import { readImports } from '../src/go/imports.js';
import { howOftenPhrase, timeCall } from '../src/go/timers.js';
import { initParser, parseGo } from '../src/parser/index.js';

await initParser();

function pkgOf(source: string): { pkg: Package; file: GoFile } {
  const tree = parseGo(source);
  const file: GoFile = { path: 'a.go', source, tree, imports: readImports(tree.rootNode), isTest: false };
  const pkg = { dir: '.', name: 'p', files: [file], module: { modulePath: null, goVersion: { major: 1, minor: 19, patch: 0 }, godebug: {} } } as never;
  return { pkg, file };
}

describe('durationOf', () => {
  const { pkg, file } = pkgOf(`package p
import (
	"time"
	t "time"
)
const base = 2 * time.Second
var fixed = time.Minute
var moved = time.Minute
func f(n int) {
	local := base / 4
	bumped := time.Second
	bumped += time.Second
	_ = []any{
		100 * time.Millisecond,
		time.Second / 2,
		time.Duration(3) * time.Minute,
		t.Hour + 30*t.Minute,
		local,
		fixed,
		moved,
		bumped,
		time.Duration(n) * time.Second,
	}
}
func g() { moved = time.Hour }
`);
  const values = (): SyntaxNode[] => {
    const literal = file.tree.rootNode.descendantsOfType('literal_value')[0];
    return literal.namedChildren.map((e) => e.namedChildren[0]);
  };

  it('evaluates literals, units, constants and variables bound once; gives up on the rest', () => {
    assert.deepEqual(
      values().map((e) => durationOf(pkg, file, e)),
      [1e8, 5e8, 180e9, 5400e9, 5e8, 60e9, null, null, null],
    );
  });

  it('prints durations as Go does', () => {
    assert.deepEqual([0, 1500, 5e8, 1e9, 30e9, 60e9, 90e9, 5400e9, 1.5e9].map(formatDuration), [
      '0s',
      '1.5µs',
      '500ms',
      '1s',
      '30s',
      '1m0s',
      '1m30s',
      '1h30m0s',
      '1.5s',
    ]);
  });
});

describe('timeCall', () => {
  it('finds package time under any name, not a local that shadows it', () => {
    const { pkg, file } = pkgOf(`package p
import (
	tm "time"
	"time"
	. "time"
)
func f() {
	tm.NewTicker(1)
	time.NewTimer(2)
	Tick(3)
	{
		time := clock{}
		time.NewTicker(4)
	}
}
type clock struct{}
func (clock) NewTicker(int) {}
`);
    const calls = file.tree.rootNode.descendantsOfType('call_expression');
    assert.deepEqual(
      calls.map((c) => timeCall(pkg, file, c, ['NewTicker', 'NewTimer', 'Tick'])),
      ['NewTicker', 'NewTimer', 'Tick', null],
    );
  });
});

describe('howOftenPhrase', () => {
  it('reads after a noun', () => {
    assert.equal(howOftenPhrase({ kind: 'per-call', reason: 'per call of (*Conn).Read' }), 'per call of (*Conn).Read');
    assert.equal(howOftenPhrase({ kind: 'per-iteration', reason: 'in the loop at line 3 of f' }), 'made in the loop at line 3 of f');
    assert.equal(
      howOftenPhrase({ kind: 'per-iteration', reason: 'per iteration of the loop at line 3 of f' }),
      'per iteration of the loop at line 3 of f',
    );
    assert.equal(howOftenPhrase({ kind: 'once-per-value', reason: 'once per value built by NewT' }), 'once per value built by NewT');
  });
});
