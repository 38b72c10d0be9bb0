/** Adopting goleak-lint on old code: --write-baseline / --baseline, and --new-from-rev. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { assertExit, assertUsageError, git, lines, pollSource, tempTree, tickerLine } from './helpers.js';

describe('baselines', () => {
  it('old findings are silenced even after lines move; a new one is reported', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('svc/poll.go', pollSource());
    const write = tree.run(['--jobs', '1', '--write-baseline', 'goleak-baseline.json', './...']);
    assertExit(write, 0);
    assert.equal(write.stderr, 'goleak-lint: wrote 1 finding to the baseline goleak-baseline.json\n');
    assert.deepEqual(lines(write.stdout), ['no findings in 1 package (1 file), 1 in the baseline']);
    const saved = JSON.parse(readFileSync(tree.path('goleak-baseline.json'), 'utf8'));
    assert.deepEqual(Object.keys(saved.findings[0]), ['ruleId', 'file', 'fingerprint', 'message']);
    assert.equal(saved.findings[0].file, 'svc/poll.go');

    // Code added above the old leak moves it; a second leak is new.
    tree.write('svc/poll.go', '// Package svc polls.\n\n' + pollSource() + pollSource('svc', 'Again').replace(/^package svc\n\nimport .*\n/, ''));
    const r = tree.run(['--jobs', '1', '--baseline', '../goleak-baseline.json', '.'], { cwd: 'svc' });
    assertExit(r, 1);
    assert.deepEqual(lines(r.stdout), [tickerLine('poll.go', 19, 7, 't', 'Again'), '1 finding (1 warning) in 1 package (1 file), 1 in the baseline']);
  });

  it('a baseline set in the config file applies; a broken one is a usage error', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('poll.go', pollSource());
    assertExit(tree.run(['--jobs', '1', '--write-baseline', 'ci/baseline.json', '.']), 0);
    tree.write('.goleak-lint.yml', 'baseline: ci/baseline.json\n');
    assertExit(tree.run(['--jobs', '1', '.']), 0);
    writeFileSync(tree.path('ci/baseline.json'), '{"version": 1, "findings": [{}]}');
    assertUsageError(tree.run(['--jobs', '1', '.']), 'goleak-lint: baseline ci/baseline.json: not a goleak-lint baseline (write one with --write-baseline)');
    assertUsageError(tree.run(['--jobs', '1', '--baseline', 'nope.json', '.']), 'goleak-lint: baseline nope.json: no such file or directory');
  });
});

describe('--new-from-rev', () => {
  it('reports only findings on lines changed since the revision, untracked files included', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('old.go', pollSource());
    git(tree.dir, 'init', '-q');
    git(tree.dir, 'add', '.');
    git(tree.dir, 'commit', '-q', '-m', 'old');
    tree.write('old.go', pollSource() + pollSource('svc', 'Edited').replace(/^package svc\n\nimport .*\n/, ''));
    tree.write('new.go', pollSource('svc', 'Fresh'));
    const r = tree.run(['--jobs', '1', '--new-from-rev', 'HEAD', '.']);
    assertExit(r, 1);
    // The old leak, on a line the revision has, is counted as the baseline's are.
    assert.deepEqual(lines(r.stdout), [
      tickerLine('new.go', 6, 7, 't', 'Fresh'),
      tickerLine('old.go', 17, 7, 't', 'Edited'),
      '2 findings (2 warnings) in 1 package (2 files), 1 on unchanged lines',
    ]);
    const json = JSON.parse(tree.run(['--jobs', '1', '--new-from-rev', 'HEAD', '--format', 'json', '.']).stdout);
    assert.equal(json.stats.unchanged, 1);
    // git's own reason, in one line.
    assertUsageError(tree.run(['--new-from-rev', 'no-such-rev', '.']), "goleak-lint: --new-from-rev no-such-rev: git: bad revision 'no-such-rev'");
    const outside = tempTree(t);
    outside.goMod('.', '1.21');
    assertUsageError(outside.run(['--new-from-rev', 'HEAD', '.']), /^goleak-lint: --new-from-rev HEAD: git: not a git repository/);
  });
});
