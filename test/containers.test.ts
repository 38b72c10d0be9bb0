import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lint } from '../src/lint.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

/** The message of each finding of `rule` in a fixture directory, by `file:line`. */
async function messages(dir: string, rule: string): Promise<Map<string, string>> {
  const result = await lint({ patterns: [path.join(fixtures, dir)], cwd: fixtures, jobs: 1, enable: [rule], disable: ['all'] });
  return new Map(result.findings.filter((f) => f.ruleId === rule).map((f) => [`${f.file}:${f.startLine}`, f.message]));
}

describe('container rules: how often, in the message', () => {
  it('names the call an entry is added per, across files', async () => {
    const got = await messages('unbounded-map-cache/sessions', 'unbounded-map-cache');
    assert.match(got.get('unbounded-map-cache/sessions/store.go:16') ?? '', /an entry is added per call of \(\*Store\)\.Login \(handler\.go:11\)/);
  });

  it('names the loop an element is appended in', async () => {
    const got = await messages('append-only-slice', 'append-only-slice');
    assert.match(got.get('append-only-slice/events.go:95') ?? '', /an element is appended in the loop at line \d+ of \(\*recorder\)\.run/);
  });

  it('names the caller of a method of the named type that fills it', async () => {
    const got = await messages('unbounded-map-cache', 'unbounded-map-cache');
    assert.match(got.get('unbounded-map-cache/model.go:95') ?? '', /an entry is added per call of \(\*Tagger\)\.Tag \(model\.go:98\)/);
  });
});
