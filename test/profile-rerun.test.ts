/**
 * With Go present (CI installs it), rebuild and rerun the programs of fixtures/programs/
 * and rank against the profiles they write now: the committed profiles must not be the
 * only ones the ranking works on. Each leak line is marked `// LEAK: rule-id`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { goBuildEnv, hasGo, repoRoot, tempTree } from './helpers.js';

const programs = path.join(repoRoot, 'fixtures/programs');

interface RankedFinding {
  ruleId: string;
  severity: string;
  file: string;
  line: number;
  evidence: { file: string; line: number }[];
  profile?: { share: number }[];
}

/** `file:line` of every `// LEAK:` comment under `dir`, relative to it. */
function leakLines(dir: string, rel = ''): Set<string> {
  const out = new Set<string>();
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const name = path.posix.join(rel, e.name);
    if (e.isDirectory()) for (const l of leakLines(dir, name)) out.add(l);
    else if (e.name.endsWith('.go')) {
      readFileSync(path.join(dir, name), 'utf8')
        .split('\n')
        .forEach((text, i) => text.includes('// LEAK:') && out.add(`${name}:${i + 1}`));
    }
  }
  return out;
}

describe('programs rebuilt and rerun with Go', { skip: hasGo ? false : 'go is not on PATH (CI installs Go)' }, () => {
  for (const name of ['mapcache', 'sender', 'ticker', 'weakref']) {
    it(`${name}: the fresh profiles rank a leak line first and raise nothing else`, { timeout: 300_000 }, (t) => {
      const tree = tempTree(t);
      const dir = tree.path(name);
      cpSync(path.join(programs, name), dir, { recursive: true, filter: (src) => !/\.(pb\.gz|txt)$/.test(src) && !src.endsWith('/trimpath') });
      const build = spawnSync('go', ['build', '-o', tree.path('program'), '.'], { cwd: dir, env: goBuildEnv(tree.path('gocache')), encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
      const out = tree.path('profiles');
      mkdirSync(out);
      const ran = spawnSync(tree.path('program'), ['-out', out], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(ran.status, 0, ran.stderr);

      const lint = spawnSync(
        process.execPath,
        [path.join(repoRoot, 'dist/src/cli.js'), '--jobs', '1', '--format', 'json', '--profile', `${out}/heap.pb.gz`, '--profile', `${out}/goroutine.pb.gz`, './...'],
        { cwd: dir, encoding: 'utf8' },
      );
      assert.ok(lint.status === 0 || lint.status === 1, lint.stderr);
      const findings: RankedFinding[] = JSON.parse(lint.stdout).findings;
      const leaks = leakLines(dir);
      const touchesLeak = (f: RankedFinding) => [{ file: f.file, line: f.line }, ...f.evidence].some((s) => leaks.has(`${s.file}:${s.line}`));
      assert.ok(findings.length > 0 && touchesLeak(findings[0]), `first: ${JSON.stringify(findings[0])}; leaks: ${[...leaks]}`);
      // The leak dominates its program's heap or goroutines: the profile must say so.
      const share = Math.max(0, ...(findings[0].profile ?? []).map((p) => p.share));
      assert.ok(share > 0.5, `the first finding holds only ${share} of its profile`);
      const raisedElsewhere = findings.filter((f) => f.severity === 'error' && !touchesLeak(f));
      assert.deepEqual(raisedElsewhere, []);
    });
  }
});
