/** The "one per ..." of a goroutine finding says how many goroutines pile up, not how many start. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { lint } from '../src/lint.js';
import { tempTree } from './helpers.js';

const source = [
  'package svc', //                                                      1
  '',
  'import "time"',
  '',
  '// Spin starts a worker per round and stops at the first timeout: one is left behind per call.',
  'func Spin(d time.Duration) {',
  '\tt := time.After(d)',
  '\tc := make(chan bool)',
  '\tfor {',
  '\t\tgo func() { c <- work() }()', //                                  10
  '\t\tselect {',
  '\t\tcase <-t:',
  '\t\t\treturn',
  '\t\tcase <-c:',
  '\t\t}',
  '\t}',
  '}',
  '',
  '// First starts one sender per URL and takes only the first answer: all but one stay blocked.',
  'func First(urls []string) bool {', //                                 20
  '\tch := make(chan bool)',
  '\tfor range urls {',
  '\t\tgo func() { ch <- work() }()',
  '\t}',
  '\treturn <-ch',
  '}',
  '',
  'func work() bool { return true }',
  '',
].join('\n');

it('a loop that starts one goroutine per iteration and stops at the first give-up leaks one per call', async (t) => {
  const tree = tempTree(t);
  tree.goMod('.', '1.21');
  tree.write('svc/svc.go', source);
  const { findings } = await lint({ patterns: ['./...'], cwd: tree.dir, jobs: 1 });
  const sends = findings.filter((f) => f.ruleId === 'goroutine-abandoned-send').map((f) => [f.startLine, f.message]);
  assert.equal(sends.length, 2, JSON.stringify(sends));
  assert.equal(sends[0][0], 10);
  assert.match(sends[0][1] as string, /, one per call of Spin: the select at line 11 can take another case/);
  assert.equal(sends[1][0], 23);
  assert.match(sends[1][1] as string, /, one per iteration of the loop at line 22 of First: it is received from only once/);
});
