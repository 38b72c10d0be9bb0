/**
 * The shape of every message the rules write, over every fixture finding: one sentence of
 * at most 160 characters that says what leaks and why (the fix and the detail are in
 * `explain` and SARIF help), naming other files by a path that holds from any directory.
 * A chain of calls is named by its ends at most, however long (fixtures with chains of
 * three calls check it); its every call is a related location.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseGoVersion } from '../src/gomod.js';
import { lint } from '../src/lint.js';
import { lines, repoRoot, runCli } from './helpers.js';

const fixtures = path.join(repoRoot, 'fixtures');
const MAX = 160;
/** A sentence ends at `.`, `!` or `?` before a space (not an ellipsis `...`), or a `;` joins two. */
const SENTENCE_BREAK = /(?<!\.\.)[.!?](\s|$)|;\s/;
/** A file and line inside a message: `handler.go:11`, `../x/handler.go:11`. */
const FILE_IN_MESSAGE = /([^\s(]+\.go):\d+/g;

describe('messages', () => {
  const dirs = readdirSync(fixtures, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${e.name}/...`);
  // The opt-in rules too: --enable all.
  const linted = lint({ patterns: dirs, cwd: fixtures, jobs: 1, enable: ['all'], goVersion: parseGoVersion('1.21')! });

  it(`every fixture finding's message is one sentence of at most ${MAX} characters`, async () => {
    const result = await linted;
    assert.deepEqual(result.internalErrors, []);
    const rules = new Set(result.findings.map((f) => f.ruleId));
    // Every rule is represented (a fixture per rule, timers included at go 1.21).
    assert.deepEqual([...result.rules.map((r) => r.meta.id)].filter((id) => !rules.has(id)), []);
    const bad = result.findings
      .filter((f) => f.message.length > MAX || SENTENCE_BREAK.test(f.message))
      .map((f) => `${f.file}:${f.startLine} (${f.message.length}) ${f.message}`);
    assert.deepEqual(bad, []);
  });

  it('names a chain of calls by its first and last call, and relates each call', async () => {
    const { findings } = await linted;
    // `a`, `a → b` or `a → ... → d`: never a third call, nor a list of all.
    const listed = findings.filter((f) => (f.message.match(/→/g) ?? []).length > 2 || /→ (?!\.\.\. →)[^→]+→/.test(f.message));
    assert.deepEqual(listed.map((f) => f.message), []);
    const at = (where: string) => findings.find((f) => `${f.file}:${f.startLine}` === where)!;
    const relock = at('double-lock/long_chain.go:20');
    assert.match(relock.message, /\(through j\.flush → \.\.\. → l\.recount\)/);
    assert.deepEqual(
      relock.related.filter((r) => r.message.startsWith('call ')).map((r) => `${r.startLine} ${r.message}`),
      ['23 call 1 of 3 to where l.mu is locked again: j.flush', '25 call 2 of 3 to where l.mu is locked again: reconcileAllOpenBalances', '27 call 3 of 3 to where l.mu is locked again: l.recount'],
    );
    // A loop three calls away from the insert: the message names the loop, the related locations the calls.
    const grows = at('unbounded-map-cache/chains/index.go:5');
    assert.match(grows.message, /an entry is added per iteration of the loop at line 8 of Rebuild \(index\.go:17\)$/);
    assert.deepEqual(
      grows.related.filter((r) => r.message.startsWith('call ')).map((r) => `${r.startLine} ${r.message}`),
      ['9 call 1 of 3 from the loop: indexOneDocumentWithAllFields', '13 call 2 of 3 from the loop: recordTermPositionsForDocument', '15 call 3 of 3 from the loop: remember'],
    );
  });

  it('names other files of the package by base name, whatever the working directory', () => {
    // Linted from another fixture's folder: the findings' paths start with ../, the messages' never do.
    const r = runCli(['--jobs', '1', '--no-cache', '--go', '1.21', '--enable', 'all', '--format', 'json', '../unbounded-map-cache/...', '../append-only-slice/...'], {
      cwd: path.join(fixtures, 'lost-cancel'),
    });
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { findings: { file: string; message: string }[] };
    let named = 0;
    for (const f of doc.findings) {
      assert.ok(f.file.startsWith('../'), f.file);
      assert.ok(!f.message.includes('../'), f.message);
      for (const [, file] of f.message.matchAll(FILE_IN_MESSAGE)) {
        assert.ok(!file.includes('/'), `${f.file}: ${f.message}`);
        assert.ok(existsSync(path.join(fixtures, 'lost-cancel', path.dirname(f.file), file)), `${f.file}: ${file}`);
        named++;
      }
    }
    // Some messages do name a file (the insert sites of a cache declared in another file among them).
    assert.ok(named > 10, `${named}`);
    assert.ok(doc.findings.some((f) => f.file.endsWith('sessions/store.go') && /\(?handler\.go:\d+/.test(f.message)));
    assert.ok(lines(r.stderr).every((l) => !l.includes('internal error')));
  });
});
