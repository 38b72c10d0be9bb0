import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allRules } from '../rules/index.js';
import { defaultRules, selectRules } from '../src/engine/registry.js';
import { lint } from '../src/lint.js';
import { renderExplain, renderRuleList } from '../src/report/rules.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = path.join(repo, 'fixtures/defer-in-loop');
const ids = (rules: readonly { meta: { id: string } }[]) => rules.map((r) => r.meta.id);
const optIn = ids(allRules.filter((r) => r.meta.optIn));

describe('opt-in rules', () => {
  it('are goroutine-no-exit, defer-in-loop, lock-order and the container rules, left out of a default run', () => {
    assert.deepEqual(optIn.sort(), ['append-only-slice', 'defer-in-loop', 'goroutine-no-exit', 'lock-order', 'unbounded-map-cache']);
    assert.deepEqual(ids(selectRules()), ids(defaultRules));
    for (const id of optIn) assert.ok(!ids(selectRules()).includes(id), id);
  });

  it('run when named by --enable, by --enable all, or by the config', () => {
    assert.ok(ids(selectRules(['defer-in-loop'])).includes('defer-in-loop'));
    assert.deepEqual(ids(selectRules(['all'])), ids(allRules));
    assert.deepEqual(ids(selectRules(['all'], ['defer-in-loop'])), ids(allRules).filter((id) => id !== 'defer-in-loop'));
    const configured = selectRules(['goroutine-no-exit']);
    assert.ok(ids(selectRules([], [], configured)).includes('goroutine-no-exit'));
  });

  it('find nothing by default and their findings when enabled', async () => {
    const by = async (enable: string[]) =>
      (await lint({ patterns: ['./...'], cwd: fixture, jobs: 1, enable })).findings.filter((f) => f.ruleId === 'defer-in-loop').length;
    assert.equal(await by([]), 0);
    const enabled = await by(['defer-in-loop']);
    assert.ok(enabled > 5, `defer-in-loop fixture findings when enabled: ${enabled}`);
    assert.equal(await by(['all']), enabled);
  });

  it('say so in `rules` and `explain`', () => {
    const list = renderRuleList(allRules);
    for (const id of optIn) assert.match(list, new RegExp(`^${id} .*\\(opt-in\\)$`, 'm'));
    assert.doesNotMatch(list, /^unstopped-ticker .*opt-in/m);
    const rule = allRules.find((r) => r.meta.id === 'goroutine-no-exit')!;
    assert.match(renderExplain(rule), /Opt-in: runs only when named \(--enable goroutine-no-exit/);
  });
});
