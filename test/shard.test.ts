/** `--shard i/n`: n CI jobs lint disjoint parts of the packages that together make the whole run. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { parseShard, shardOf } from '../src/shard.js';
import { assertExit, assertUsageError, pollSource, repoRoot, runCli, tempTree, validateSarif, type GoTree } from './helpers.js';

interface JsonReport {
  findings: { ruleId: string; file: string; line: number; column: number; severity: string; message: string }[];
  stats: { packages: number; files: number };
}

const PACKAGES = ['api', 'api/v2', 'auth', 'billing', 'cmd/server', 'cmd/worker', 'internal/cache', 'internal/db', 'queue', 'search', 'store', 'web'];

/** A repository with a module of twelve packages, each with one leak. */
function monorepo(t: Parameters<typeof tempTree>[0]): GoTree {
  const tree = tempTree(t);
  spawnSync('git', ['init', '-q', tree.dir]);
  tree.goMod('.', '1.21');
  for (const p of PACKAGES) tree.write(`${p}/poll.go`, pollSource(p.replace(/\W/g, '')));
  return tree;
}

function lintJson(tree: GoTree, args: string[], cwd?: string): JsonReport {
  const r = tree.run(['--jobs', '1', '--no-cache', '-f', 'json', ...args], { cwd });
  const report: JsonReport = JSON.parse(r.stdout);
  assertExit(r, report.findings.length ? 1 : 0);
  return report;
}

const key = (f: JsonReport['findings'][number]) => `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} (${f.ruleId})`;
const dirs = (r: JsonReport) => new Set(r.findings.map((f) => f.file.replace(/\/[^/]*$/, '')));

describe('--shard', () => {
  it('splits the packages into disjoint shards whose findings together are the whole run', (t) => {
    const tree = monorepo(t);
    const whole = lintJson(tree, ['./...']);
    assert.equal(whole.findings.length, PACKAGES.length);
    const shards = [1, 2, 3].map((i) => lintJson(tree, ['--shard', `${i}/3`, './...']));
    // Every shard has work here, and the packages and findings add up with none twice.
    assert.deepEqual(shards.map((s) => s.findings.length > 0), [true, true, true]);
    assert.equal(shards.reduce((n, s) => n + s.stats.packages, 0), whole.stats.packages);
    assert.equal(shards.reduce((n, s) => n + s.stats.files, 0), whole.stats.files);
    const union = shards.flatMap((s) => s.findings.map(key));
    assert.equal(new Set(union).size, union.length, 'shards overlap');
    assert.deepEqual(union.sort(), whole.findings.map(key).sort());
    // Whole packages go to one shard: each directory's findings are in exactly one.
    for (const d of dirs(whole)) assert.equal(shards.filter((s) => dirs(s).has(d)).length, 1, d);
  });

  it('an added package moves no other; the shard of a package does not depend on the directory the job runs in', (t) => {
    const tree = monorepo(t);
    const before = [1, 2, 3].map((i) => dirs(lintJson(tree, ['--shard', `${i}/3`, './...'])));
    tree.write('zz/new/poll.go', pollSource('newpkg'));
    const after = [1, 2, 3].map((i) => dirs(lintJson(tree, ['--shard', `${i}/3`, './...'])));
    assert.equal(after.filter((s) => s.has('zz/new')).length, 1);
    assert.deepEqual(after.map((s) => [...s].filter((d) => d !== 'zz/new').sort()), before.map((s) => [...s].sort()));
    // From a subdirectory, paths print relative to it, but packages are named from the repository root.
    const inCmd = [1, 2, 3].map((i) => [...dirs(lintJson(tree, ['--shard', `${i}/3`, './...'], 'cmd'))].map((d) => `cmd/${d}`).sort());
    assert.deepEqual(inCmd, after.map((s) => [...s].filter((d) => d.startsWith('cmd/')).sort()));
  });

  it('gives each shard its own SARIF category, so that code scanning keeps every shard', (t) => {
    const tree = monorepo(t);
    const ids = ['--shard=2/3', '--shard=3/3', ''].map((flag) => {
      const r = tree.run(['--jobs', '1', '-f', 'sarif', ...(flag ? [flag] : []), './...']);
      assertExit(r, 1);
      return validateSarif(r.stdout).runs[0].automationDetails.id;
    });
    assert.deepEqual(ids, ['goleak-lint/shard-2-of-3/', 'goleak-lint/shard-3-of-3/', 'goleak-lint/']);
  });

  it('with profiles, each shard ranks its own findings and reports the hot spots of its own packages', () => {
    const args = ['--jobs', '1', '--no-cache', '-f', 'json', '--profile-threshold', '0.1'];
    for (const p of ['heap', 'goroutine']) args.push('--profile', `examples/leakysvc/profiles/${p}.pb.gz`);
    const run = (extra: string[]): JsonReport => {
      const r = runCli([...args, ...extra, './examples/...'], { cwd: repoRoot });
      assertExit(r, 1);
      return JSON.parse(r.stdout);
    };
    const whole = run([]);
    const shards = [1, 2].map((i) => run(['--shard', `${i}/2`]));
    // The example's two packages (the service and its load test, where the hot spots are) fall in different shards.
    assert.ok(whole.findings.some((f) => f.ruleId === 'heap-hotspot'));
    assert.deepEqual(shards.map((s) => s.stats.packages), [1, 1]);
    assert.deepEqual(shards.flatMap((s) => s.findings.map(key)).sort(), whole.findings.map(key).sort());
  });

  it('a malformed or out-of-range shard is a usage error with one line', (t) => {
    const tree = monorepo(t);
    for (const bad of ['0/3', '4/3', '1/0', '0/0', 'a/b', '3', '1/3/4', '-1/3', '1.5/3', '', '1/99999999999999999999']) {
      assertUsageError(
        tree.run(['--shard', bad, '.']),
        `goleak-lint: option '--shard <i/n>' argument '${bad}' is invalid. must be I/N with 1 <= I <= N, such as 2/3`,
      );
    }
  });
});

describe('shard assignment', () => {
  it('parses I/N with 1 <= I <= N', () => {
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
    assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 });
    assert.deepEqual(parseShard('10/10'), { index: 10, count: 10 });
    for (const bad of ['0/1', '2/1', '1', '1/', '/1', 'x/2', '1/2/3', '+1/2', '1e0/2']) assert.equal(parseShard(bad), null, bad);
  });

  it('spreads packages evenly: 300 paths over 3 shards, 80 to 120 each', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 300; i++) counts[shardOf(`internal/pkg${i}/sub`, 3) - 1]++;
    for (const c of counts) assert.ok(c >= 80 && c <= 120, `uneven: ${counts}`);
    assert.equal(shardOf('anything', 1), 1);
  });
});
