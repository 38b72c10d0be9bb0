import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allRules } from '../rules/index.js';
import { lint } from '../src/lint.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixturesDir = path.join(repo, 'fixtures');
const WANT = /\/\/ want((?:\s+"[\w-]+")+)\s*$/;

/** Every directory under `dir` that holds .go files (nested fixture modules included). */
function goDirs(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && e.name.endsWith('.go'))) out.push(dir);
  for (const e of entries) if (e.isDirectory()) out.push(...goDirs(path.join(dir, e.name)));
  return out;
}

/** `file:line rule` for each `// want "rule"` comment in the fixture's Go files. */
function expectations(dirs: string[]): string[] {
  const want: string[] = [];
  for (const dir of dirs) {
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.go'))) {
      const file = path.join(dir, name);
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const m = WANT.exec(line);
          if (!m) return;
          for (const id of m[1].match(/[\w-]+/g) ?? []) {
            want.push(`${path.relative(fixturesDir, file)}:${i + 1} ${id}`);
          }
        });
    }
  }
  return want.sort();
}

describe('fixtures', () => {
  // fixtures/programs holds the Go programs that make the real profiles, not rule fixtures.
  const ruleDirs = readdirSync(fixturesDir).filter((d) => d !== 'programs' && statSync(path.join(fixturesDir, d)).isDirectory());

  it('has a fixture folder for every rule', () => {
    assert.deepEqual(allRules.map((r) => r.meta.id).filter((id) => !ruleDirs.includes(id)), []);
  });

  for (const ruleDir of ruleDirs) {
    it(`${ruleDir}: reports exactly the lines marked // want`, async () => {
      const dirs = goDirs(path.join(fixturesDir, ruleDir));
      const result = await lint({ patterns: dirs, cwd: fixturesDir, jobs: 1, enable: ['all'] });
      assert.deepEqual(result.internalErrors, []);
      const got = result.findings
        .filter((f) => !f.suppression)
        .map((f) => `${f.file}:${f.startLine} ${f.ruleId}`)
        .sort();
      const want = expectations(dirs);
      assert.ok(want.length > 0, 'a fixture with no // want expectations tests nothing');
      assert.deepEqual(got, want);
    });
  }
});
