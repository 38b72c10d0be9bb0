/**
 * Go 1.26's goroutine leak profile (fixtures/programs/leaks, built with
 * GOEXPERIMENT=goroutineleakprofile): counts checked against the committed `go tool pprof`
 * outputs, goroutine findings proved by it (by their blocking line or their `go` statement),
 * leaks no rule explains as goroutine-leak-hotspot, growth over a base, and, with Go 1.26 on
 * PATH, the same on freshly taken profiles and on a live /debug/pprof/goroutineleak.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Finding } from '../src/engine/types.js';
import type { LintResult } from '../src/lint.js';
import { loadProfiles } from '../src/profile/load.js';
import { rankWithProfiles } from '../src/profile/rank.js';
import type { ProfileImpact } from '../src/profile/types.js';
import { CLI, goBuildEnv, hasGo, lines, repoRoot, runCli, startServer, tempTree, validateSarif, type JsonFinding } from './helpers.js';

const dir = path.join(repoRoot, 'fixtures/programs/leaks');
const goVersion = hasGo ? spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).stdout.trim() : '';
const hasGo126 = /^go1\.(2[6-9]|[3-9]\d)/.test(goVersion);
const NO_GO126 = `the goroutine leak profile needs Go 1.26 or later (have ${goVersion || 'no Go'})`;

function run(args: string[], cwd = dir) {
  return runCli(['--jobs', '1', ...args], { cwd, timeout: 60_000 });
}


function findings(args: string[]): JsonFinding[] {
  const r = run(['-f', 'json', ...args]);
  assert.equal(r.status, 1, r.stderr);
  return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
}

/** pprof's rows for the program's own lines: `jobs/jobs.go:27` → cum (and flat). */
function pprofRows(text: string): Map<string, { flat: number; cum: number }> {
  const rows = new Map<string, { flat: number; cum: number }>();
  for (const l of text.split('\n')) {
    const m = /^\s*(-?\d+)\s+\S+\s+\S+\s+(-?\d+)\s+\S+\s+\S+ \S*\/fixtures\/programs\/leaks\/(\S+):(\d+)$/.exec(l);
    if (m) rows.set(`${m[3]}:${m[4]}`, { flat: Number(m[1]), cum: Number(m[2]) });
  }
  return rows;
}

/** pprof's total: `Showing nodes accounting for 88, 100% of 88 total`. */
function pprofTotal(text: string): number {
  const m = /of (-?\d+) total/.exec(text);
  assert.ok(m, text);
  return Number(m[1]);
}

/** One synthetic finding per site, ranked through the real code path: the goroutines attributed to each. */
async function attribute(profile: string, sites: string[], base?: string): Promise<Map<string, ProfileImpact | undefined>> {
  const profiles = await loadProfiles([path.join(dir, profile)], base && path.join(dir, base));
  const sited: Finding[] = sites.map((site) => {
    const [file, line] = site.split(':');
    return {
      ruleId: 'test-site', severity: 'warning', message: site, file, startLine: Number(line), startColumn: 1, endLine: Number(line), endColumn: 1,
      fingerprint: site, related: [], evidence: [{ file, line: Number(line) }],
    };
  });
  const result: LintResult = { findings: sited, warnings: [], internalErrors: [], rules: [], stats: { packages: 0, files: 0, lines: 0, skipped: {} } };
  rankWithProfiles(result, profiles, { cwd: dir, patterns: ['./...'], tests: true, threshold: 0.01, hotspots: { heap: false, goroutine: false } });
  return new Map(result.findings.map((f) => [f.message.split(' ')[0], f.profile?.[0]]));
}

/** Each leak's growth over the base and its count in the final profile, as go tool pprof gives them (goroutineleak.diff.txt, .top.txt). */
const GROWTH = [
  '27 goroutine-abandoned-send error +30 of 40',
  '41 goroutine-blocked-receive error +15 of 20',
  '53 goroutine-unclosed-range error +9 of 12',
  '67 goroutine-no-exit error +6 of 8',
  '70 goroutine-blocked-receive error +6 of 8',
  '82 goroutine-no-exit error +3 of 4',
  '88 goroutine-blocked-receive error +3 of 4',
];

describe('goroutine leak profile counts agree with go tool pprof (committed outputs)', () => {
  const cases: [string, string, string | undefined][] = [
    ['goroutineleak.pb.gz', 'goroutineleak.top.txt', undefined],
    ['goroutineleak-base.pb.gz', 'goroutineleak-base.top.txt', undefined],
    ['goroutineleak.pb.gz', 'goroutineleak.diff.txt', 'goroutineleak-base.pb.gz'],
    ['goroutine.pb.gz', 'goroutine.top.txt', undefined],
  ];
  for (const [profile, oracle, base] of cases) {
    it(`${oracle}${base ? ` (-diff_base ${base})` : ''}`, async () => {
      const text = readFileSync(path.join(dir, oracle), 'utf8');
      const want = pprofRows(text);
      assert.ok(want.size >= 3, text);
      const got = await attribute(profile, [...want.keys()], base);
      for (const [site, { flat, cum }] of want) {
        assert.equal(got.get(site)?.value, cum, `${site}: pprof cum ${cum}`);
        assert.equal(got.get(site)?.flat, flat, `${site}: pprof flat ${flat}`);
      }
      const [loaded] = await loadProfiles([path.join(dir, profile)], base && path.join(dir, base));
      assert.equal(loaded.kind, profile.startsWith('goroutineleak') ? 'goroutineleak' : 'goroutine');
      // pprof's -diff_base total is the base's; the sum over stacks is the net change.
      const net = loaded.stacks.reduce((sum, s) => sum + s.value, 0);
      const totalWant = base ? pprofTotal(readFileSync(path.join(dir, 'goroutineleak.top.txt'), 'utf8')) - pprofTotal(text) : pprofTotal(text);
      assert.equal(net, totalWant);
    });
  }

  it('the leaked stacks of goroutineleak.traces.txt, each with its count', async () => {
    const text = readFileSync(path.join(dir, 'goroutineleak.traces.txt'), 'utf8');
    // A trace: its count beside the leaf frame, then one function per line, the goroutine's own last.
    const traces = text.split(/^-+\+-+$/m).slice(1).map((t) => {
      const frames = t.trim().split('\n').map((l) => l.trim());
      const count = Number(/^(\d+)\s/.exec(frames[0])?.[1]);
      return { count, root: frames[frames.length - 1].replace(/^\d+\s+/, '') };
    }).filter((t) => t.root);
    const byRoot = new Map(traces.map((t) => [t.root, t.count]));
    assert.deepEqual(Object.fromEntries(byRoot), {
      'example.com/programs/leaks/jobs.Fetch.func1': 40,
      'example.com/programs/leaks/jobs.Watch.func1': 20,
      'example.com/programs/leaks/jobs.Sum.func1': 12,
      'example.com/programs/leaks/jobs.Pump.func1': 8,
      'example.com/programs/leaks/jobs.Subscribe.func1': 8,
      'example.com/programs/leaks/jobs.(*poller).loop': 4,
    });
    const [loaded] = await loadProfiles([path.join(dir, 'goroutineleak.pb.gz')], undefined);
    const ours = new Map<string, number>();
    for (const s of loaded.stacks) {
      const root = s.frames[s.frames.length - 1].function;
      ours.set(root, (ours.get(root) ?? 0) + s.value);
    }
    assert.deepEqual(ours, byRoot);
  });

  it('the committed outputs are what go tool pprof says now', { skip: hasGo ? false : 'go is not on PATH' }, () => {
    const tree = path.join(dir, '.pprof-tmp-unused');
    const pprof = (...args: string[]) => {
      const r = spawnSync('go', ['tool', 'pprof', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, PPROF_TMPDIR: tree } });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    assert.deepEqual(pprofRows(pprof('-top', '-lines', 'goroutineleak.pb.gz')), pprofRows(readFileSync(path.join(dir, 'goroutineleak.top.txt'), 'utf8')));
    assert.deepEqual(
      pprofRows(pprof('-top', '-lines', '-diff_base', 'goroutineleak-base.pb.gz', 'goroutineleak.pb.gz')),
      pprofRows(readFileSync(path.join(dir, 'goroutineleak.diff.txt'), 'utf8')),
    );
  });
});

describe('ranking with the goroutine leak profile', () => {
  it('proves the goroutine findings, raises them to error, and reports the leak no rule sees', () => {
    const r = run(['--profile', 'goroutineleak.pb.gz', './...']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, '');
    const leaked = (where: string, id: string) => new RegExp(`^${where}: error: .* — goroutine leak profile: (\\d+ leaked (here|at jobs\\.go:\\d+)) \\(${id}\\)$`);
    const out = lines(r.stdout);
    const want: [string, string, string][] = [
      ['jobs/jobs.go:27:3', 'goroutine-abandoned-send', '40 leaked here'],
      ['jobs/jobs.go:41:3', 'goroutine-blocked-receive', '20 leaked here'],
      ['jobs/jobs.go:53:7', 'goroutine-unclosed-range', '12 leaked here'],
      // goroutine-no-exit is opt-in, and its evidence is the pause at :69: the go statement ties the leak to it.
      ['jobs/jobs.go:67:2', 'goroutine-no-exit', '8 leaked at jobs.go:70'],
      ['jobs/jobs.go:70:9', 'goroutine-blocked-receive', '8 leaked here'],
      ['jobs/jobs.go:82:2', 'goroutine-no-exit', '4 leaked at jobs.go:88'], // go p.loop(): the method the stacks begin in
      ['jobs/jobs.go:88:11', 'goroutine-blocked-receive', '4 leaked here'],
    ];
    const rest = out.filter((l) => !l.includes('(goroutine-leak-hotspot)'));
    want.forEach(([where, id, count], i) => assert.equal(leaked(where, id).exec(rest[i])?.[1], count, rest[i]));
    assert.equal(
      out[5],
      'jobs/jobs.go:106:3: error: goroutine leak profile: 8 leaked here in jobs.Subscribe.func1: the GC found them blocked on what no running goroutine can reach, and no rule explains it (goroutine-leak-hotspot)',
    );
    assert.equal(
      out[8],
      'profile goroutineleak.pb.gz: leaked goroutines: 92; 92 (100%) on stacks through the linted code, 84 (91%) explained by the findings; 1 of 3 source files in the profile matched',
    );
    assert.equal(out.length, 10, r.stdout);
    // The workers parked on the package-level queue are not leaked: nothing about them.
    assert.ok(!r.stdout.includes('jobs.go:118'), r.stdout);
  });

  it('a plain goroutine profile shows parked goroutines, not proof: no go-statement match, the workers a hot-spot note', () => {
    const got = findings(['--profile', 'goroutine.pb.gz', './...']);
    const at = (line: number) => got.filter((f) => f.file === 'jobs/jobs.go' && f.line === line).map((f) => `${f.ruleId} ${f.severity} ${f.profile?.[0]?.value}`);
    assert.deepEqual(at(27), ['goroutine-abandoned-send error 40']);
    assert.deepEqual(at(118), ['goroutine-hotspot note 20']);
    // The opt-in goroutine-no-exit holds nothing the goroutine profile shows at its evidence line: dropped.
    assert.deepEqual([...at(67), ...at(82)], []);
    assert.ok(got.every((f) => f.ruleId !== 'goroutine-leak-hotspot'));
    assert.match(got.find((f) => f.line === 27)?.message ?? '', / — goroutines: 40 blocked here$/);
  });

  it('a go statement naming a method that two types declare ties no stack to its finding', (t) => {
    const tree = tempTree(t);
    cpSync(dir, tree.path('.'), { recursive: true });
    tree.write('jobs/other.go', 'package jobs\n\ntype other struct{}\n\nfunc (o *other) loop() {}\n');
    const r = tree.run(['--jobs', '1', '-f', 'json', '--profile', 'goroutineleak.pb.gz', './...']);
    const got = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.filter((f) => f.file === 'jobs/jobs.go' && f.line >= 82 && f.line <= 88);
    // Which loop `go p.loop()` runs is the model's question: the opt-in goroutine-no-exit, unproved, is dropped.
    assert.deepEqual(got.map((f) => `${f.line} ${f.ruleId} ${f.profile?.[0]?.value}`), ['88 goroutine-blocked-receive 4']);
  });

  it('the proof stands below the threshold; a plain profile share does not', () => {
    const high = findings(['--profile', 'goroutineleak.pb.gz', '--profile-threshold', '60%', './...']);
    assert.deepEqual(
      high.map((f) => `${f.line} ${f.ruleId} ${f.severity}`),
      [
        '27 goroutine-abandoned-send error',
        '41 goroutine-blocked-receive error',
        '53 goroutine-unclosed-range error',
        '67 goroutine-no-exit error',
        '70 goroutine-blocked-receive error',
        '82 goroutine-no-exit error',
        '88 goroutine-blocked-receive error',
      ],
    );
    const plain = findings(['--profile', 'goroutine.pb.gz', '--profile-threshold', '60%', './...']);
    assert.ok(plain.filter((f) => f.ruleId.startsWith('goroutine-') && f.ruleId !== 'goroutine-hotspot').every((f) => f.severity === 'warning'), JSON.stringify(plain));
  });

  it('with --profile-base, ranks by leaks since the base; the leak that did not grow is no hot spot', () => {
    const got = findings(['--profile', 'goroutineleak.pb.gz', '--profile-base', 'goroutineleak-base.pb.gz', './...']);
    const leak = (f: JsonFinding) => f.profile?.find((p) => p.kind === 'goroutineleak');
    assert.deepEqual(
      got.map((f) => `${f.line} ${f.ruleId} ${f.severity} +${leak(f)?.value} of ${leak(f)?.current}`),
      GROWTH,
    );
    assert.ok(got.every((f) => leak(f)?.growth === true));
    assert.equal(leak(got[0])?.share, 30 / 63);
    assert.match(got[0].message, / — goroutine leak profile: \+30 leaked since the base \(48% of growth; 40 in all\) here$/);
    const r = run(['--profile', 'goroutineleak.pb.gz', '--profile-base', 'goroutineleak-base.pb.gz', './...']);
    assert.match(r.stdout, /^profile goroutineleak\.pb\.gz: leaked goroutines grown over goroutineleak-base\.pb\.gz: \+63; /m);
  });

  it('a base is subtracted from the profiles of its kind, one base per kind', async (t) => {
    const mapcache = path.join(repoRoot, 'fixtures/programs/mapcache');
    const [heap, leak] = await loadProfiles(
      [path.join(mapcache, 'heap.pb.gz'), path.join(dir, 'goroutineleak.pb.gz')],
      [path.join(dir, 'goroutineleak-base.pb.gz'), path.join(mapcache, 'heap-base.pb.gz')],
    );
    assert.deepEqual([heap.base, leak.base], [path.join(mapcache, 'heap-base.pb.gz'), path.join(dir, 'goroutineleak-base.pb.gz')]);
    assert.equal(leak.stacks.reduce((sum, s) => sum + s.value, 0), 63);
    assert.equal(leak.stacks.filter((s) => s.fromBase).reduce((sum, s) => sum + s.value, 0), -29);
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('a.go', 'package a\n');
    for (const f of ['goroutineleak.pb.gz', 'goroutineleak-base.pb.gz', 'goroutine.pb.gz']) tree.write(f, readFileSync(path.join(dir, f)));
    const twice = tree.run(['--profile', 'goroutineleak.pb.gz', '--profile-base', 'goroutineleak-base.pb.gz', '--profile-base', 'goroutineleak.pb.gz', '.']);
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /^goleak-lint: --profile-base goroutineleak\.pb\.gz: a second goroutineleak profile as base \(goroutineleak-base\.pb\.gz is one already\)\n$/);
    const other = tree.run(['--profile', 'goroutine.pb.gz', '--profile-base', 'goroutineleak-base.pb.gz', '.']);
    assert.equal(other.status, 2);
    assert.match(other.stderr, /a goroutineleak profile, and no --profile is a goroutineleak profile to subtract it from\n$/);
  });

  it('goroutine-leak-hotspot: in SARIF rules[], off with --disable, silenced by a suppression comment', (t) => {
    const sarif = validateSarif(run(['-f', 'sarif', '--profile', 'goroutineleak.pb.gz', './...']).stdout) as {
      runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; ruleIndex: number }[] }[];
    };
    const hot = sarif.runs[0].results.find((x) => x.ruleId === 'goroutine-leak-hotspot');
    assert.ok(hot && hot.level === 'error');
    assert.equal(sarif.runs[0].tool.driver.rules[hot.ruleIndex].id, 'goroutine-leak-hotspot');
    const off = run(['--disable', 'goroutine-leak-hotspot', '--profile', 'goroutineleak.pb.gz', './...']);
    assert.ok(!off.stdout.includes('goroutine-leak-hotspot'), off.stdout);

    const tree = tempTree(t);
    cpSync(dir, tree.path('.'), { recursive: true });
    const file = tree.path('jobs/jobs.go');
    const src = readFileSync(file, 'utf8').split('\n');
    assert.match(src[105], /<-w\.Wait\(\)/);
    src[105] = src[105].replace(/\/\/.*$/, '//goleak-lint:ignore goroutine-leak-hotspot the gate opens at shutdown');
    tree.write('jobs/jobs.go', src.join('\n'));
    const quiet = tree.run(['--jobs', '1', '--profile', 'goroutineleak.pb.gz', './...']);
    assert.ok(!quiet.stdout.includes('jobs/jobs.go:106:'), quiet.stdout);
    assert.match(quiet.stdout, /, 1 suppressed\n$/);
  });
});

describe('fresh goroutine leak profiles (Go 1.26, GOEXPERIMENT=goroutineleakprofile)', { skip: hasGo126 ? false : NO_GO126 }, () => {
  const env = (cache: string) => ({ ...goBuildEnv(cache), GOEXPERIMENT: 'goroutineleakprofile' });

  it('the leaks program rebuilt and rerun: the same counts, proved the same way', { timeout: 300_000 }, (t) => {
    const tree = tempTree(t);
    const src = tree.path('leaks');
    cpSync(dir, src, { recursive: true, filter: (p) => !/\.(pb\.gz|txt)$/.test(p) });
    const build = spawnSync('go', ['build', '-o', tree.path('leaks-bin'), '.'], { cwd: src, env: env(tree.path('gocache')), encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const out = tree.path('profiles');
    mkdirSync(out);
    const ran = spawnSync(tree.path('leaks-bin'), ['-out', out], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(ran.status, 0, ran.stderr);
    const r = runCli(['--jobs', '1', '-f', 'json', '--profile', `${out}/goroutineleak.pb.gz`, '--profile-base', `${out}/goroutineleak-base.pb.gz`, './...'], { cwd: src, timeout: 60_000 });
    const got = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
    assert.deepEqual(
      got.map((f) => `${f.line} ${f.ruleId} ${f.severity} +${f.profile?.[0]?.value} of ${f.profile?.[0]?.current}`),
      GROWTH,
    );
  });

  it('a live service: /debug/pprof/goroutineleak of pprofserver built with the experiment', { timeout: 180_000 }, async (t) => {
    const server = path.join(repoRoot, 'fixtures/programs/pprofserver');
    const tree = tempTree(t);
    const bin = tree.path('pprofserver');
    const build = spawnSync('go', ['build', '-o', bin, '.'], { cwd: server, encoding: 'utf8', env: env(tree.path('gocache')) });
    assert.equal(build.status, 0, build.stderr);
    const addr = await startServer(t, bin);
    // Asynchronously: the server must be able to answer while the CLI waits.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const lint = spawn(process.execPath, [CLI, '--jobs', '1', '-f', 'json', '--profile', `http://${addr}/debug/pprof/goroutineleak`, './...'], { cwd: server });
      let stdout = '';
      let stderr = '';
      lint.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      lint.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      lint.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { findings: JsonFinding[]; profiles: { kind: string; total: number }[] };
    const send = doc.findings.find((f) => f.ruleId === 'goroutine-abandoned-send');
    assert.equal(`${send?.file}:${send?.line} ${send?.severity}`, 'app/app.go:47 error');
    assert.deepEqual(send?.profile?.map((p) => `${p.kind} ${p.value}`), ['goroutineleak 20']);
    assert.deepEqual(doc.profiles.map((p) => `${p.kind} ${p.total}`), ['goroutineleak 20']);
  });
});

it('the README shows what the leaks program prints with its leak profile', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const m = /```console\n\$ goleak-lint (--profile fixtures\/programs\/leaks\/[^\n]*)\n([^`]*)```/.exec(readme);
  assert.ok(m, 'README lacks the ranked leaks program');
  const r = run(m[1].split(' '), repoRoot);
  const want = lines(m[2]);
  const got = lines(r.stdout);
  assert.equal(got.length, want.length, r.stdout);
  // `[...]` in the README stands for the part of a rule's message it leaves out.
  want.forEach((w, i) => {
    const pattern = w.split('[...]').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    assert.match(got[i], new RegExp(`^${pattern}$`));
  });
});
