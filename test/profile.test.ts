/**
 * Profile ranking (--profile): attribution checked to the byte against `go tool pprof`
 * on the committed profiles of fixtures/programs, the ranking on those programs and the
 * example, profiles fetched over HTTP, and one-line errors for bad profiles.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Profile, StringTable, ValueType } from 'pprof-format';
import type { Finding } from '../src/engine/types.js';
import type { LintResult } from '../src/lint.js';
import { loadProfiles } from '../src/profile/load.js';
import { rankWithProfiles } from '../src/profile/rank.js';
import type { ProfileImpact } from '../src/profile/types.js';
import { CLI, git, goBuildEnv, hasGo, lines, repoRoot, startServer, tempTree, validateSarif, type JsonFinding, type RunResult } from './helpers.js';

const programs = path.join(repoRoot, 'fixtures/programs');
const example = path.join(repoRoot, 'examples/leakysvc');
const NO_GO = 'go is not on PATH: the pprof oracle and the live pprof server need it (CI installs Go)';

/** Runs the CLI without blocking this process's event loop (an HTTP server in the test must answer). */
function runAsync(args: string[], cwd: string, timeout = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: undefined } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), timeout);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

function run(args: string[], cwd: string): RunResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

function assertOneLineError(r: RunResult, want: RegExp): void {
  assert.equal(r.status, 2, `exit ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.equal(r.stdout, '');
  const err = lines(r.stderr);
  assert.equal(err.length, 1, r.stderr);
  assert.match(err[0], want);
}


function json(r: RunResult): { findings: JsonFinding[]; profiles: { kind: string; total: number; inTree: number }[] } {
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The parts of a SARIF log these tests read. */
interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string }[] } };
    results: { ruleId: string; level: string; ruleIndex: number; rank: number; properties?: { profile: ProfileImpact[] } }[];
    properties: { profiles: unknown[] };
  }[];
}

// ---------------------------------------------------------------------------------------
// The oracle: go tool pprof -top -lines, every node, in bytes.

interface PprofRow {
  func: string;
  file: string;
  line: number;
  flat: number;
  cum: number;
}

function pprofTop(args: string[], cwd: string): PprofRow[] {
  const r = spawnSync('go', ['tool', 'pprof', '-top', '-lines', '-nodefraction=0', '-nodecount=1000000', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PPROF_TMPDIR: path.join(cwd, '.pprof-tmp-unused') },
  });
  assert.equal(r.status, 0, r.stderr);
  const rows: PprofRow[] = [];
  for (const l of r.stdout.split('\n')) {
    const m = /^\s*(-?\d+)B?\s+\S+\s+\S+\s+(-?\d+)B?\s+\S+\s+(\S+) (\S+):(\d+)(?: \(inline\))?$/.exec(l);
    if (m) rows.push({ flat: Number(m[1]), cum: Number(m[2]), func: m[3], file: m[4], line: Number(m[5]) });
  }
  assert.ok(rows.length > 0, `no rows parsed from:\n${r.stdout}`);
  return rows;
}

/** `go tool pprof -traces -lines`: each sample's value and frames, leaf first. */
function pprofTraces(args: string[], cwd: string): { value: number; frames: { file: string; line: number }[] }[] {
  const r = spawnSync('go', ['tool', 'pprof', '-traces', '-lines', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PPROF_TMPDIR: path.join(cwd, '.pprof-tmp-unused') },
  });
  assert.equal(r.status, 0, r.stderr);
  const traces: { value: number; frames: { file: string; line: number }[] }[] = [];
  for (const block of r.stdout.split(/^-+\+-+$/m).slice(1)) {
    let value: number | null = null;
    const frames: { file: string; line: number }[] = [];
    for (const l of block.split('\n')) {
      const m = /^\s*(?:(-?\d+)B)?\s+\S+ (\S+):(\d+)(?: \(inline\))?$/.exec(l);
      if (!m) continue;
      if (m[1] !== undefined) value = Number(m[1]);
      frames.push({ file: m[2], line: Number(m[3]) });
    }
    if (value !== null) traces.push({ value, frames });
  }
  assert.ok(traces.length > 0, `no traces parsed from:\n${r.stdout}`);
  return traces;
}

/** The profile file name as a path relative to the program directory, or null for other code. */
function programFile(name: string, programDir: string, modulePath: string): string | null {
  const abs = `${programDir}/`;
  if (name.startsWith(`${modulePath}/`)) return name.slice(modulePath.length + 1);
  // The committed profiles were built in another checkout: match on the repository-relative
  // directory (fixtures/programs/<name>/, examples/leakysvc/).
  const marker = `/${path.relative(repoRoot, programDir)}/`;
  const at = name.indexOf(marker);
  if (at >= 0) return name.slice(at + marker.length);
  return name.startsWith(abs) ? name.slice(abs.length) : null;
}

/** Per `file:line` of the program's own code: pprof's flat, and its cum when one function has that line. */
function oracleByLine(rows: PprofRow[], programDir: string): Map<string, { flat: number; cum: number | null }> {
  const modulePath = /^module\s+(\S+)/m.exec(readFileSync(path.join(programDir, 'go.mod'), 'utf8'))?.[1] ?? '';
  const out = new Map<string, { flat: number; cum: number | null }>();
  for (const row of rows) {
    const file = programFile(row.file, programDir, modulePath);
    if (file === null) continue;
    const key = `${file}:${row.line}`;
    const seen = out.get(key);
    // Two functions on one line (a func literal): flat adds up, cum cannot be compared.
    out.set(key, seen ? { flat: seen.flat + row.flat, cum: null } : { flat: row.flat, cum: row.cum });
  }
  return out;
}

/** One synthetic finding per site, ranked through the real code path (library call). */
async function attributeSites(programDir: string, sources: string[], sites: string[], base?: string): Promise<Map<string, ProfileImpact | undefined>> {
  const profiles = await loadProfiles(sources.map((s) => path.join(programDir, s)), base && path.join(programDir, base));
  const findings: Finding[] = sites.map((site) => {
    const [file, line] = site.split(':');
    return {
      ruleId: 'test-site',
      severity: 'warning',
      message: site,
      file,
      startLine: Number(line),
      startColumn: 1,
      endLine: Number(line),
      endColumn: 1,
      fingerprint: site,
      related: [],
      evidence: [{ file, line: Number(line) }],
    };
  });
  const result: LintResult = { findings, warnings: [], internalErrors: [], rules: [], stats: { packages: 0, files: 0, lines: 0, skipped: {} } };
  rankWithProfiles(result, profiles, {
    cwd: programDir,
    patterns: ['./...'],
    tests: true,
    threshold: 0.01,
    hotspots: { heap: false, goroutine: false },
  });
  return new Map(result.findings.map((f) => [f.message.split(' ')[0], f.profile?.[0]]));
}

async function compareWithPprof(programDir: string, profileDir: string, kind: 'heap' | 'goroutine', base?: string): Promise<number> {
  const profile = path.join(profileDir, `${kind}.pb.gz`);
  const args = kind === 'heap' ? ['-unit=B', '-sample_index=inuse_space'] : [];
  if (base) args.push('-base', path.join(profileDir, base));
  // Flat from `-top -lines`, cum from `-top -lines -cum` (the same nodes, sorted by cum).
  const oracle = oracleByLine(pprofTop([...args, profile], programDir), programDir);
  for (const [site, byCum] of oracleByLine(pprofTop(['-cum', ...args, profile], programDir), programDir)) {
    const entry = oracle.get(site);
    assert.ok(entry && entry.flat === byCum.flat, `${site}: -cum lists other nodes`);
    entry.cum = byCum.cum;
  }
  const sites = [...oracle.keys()];
  const got = await attributeSites(
    programDir,
    [path.relative(programDir, profile)],
    sites,
    base && path.relative(programDir, path.join(profileDir, base)),
  );
  let compared = 0;
  for (const [site, want] of oracle) {
    const imp = got.get(site);
    assert.ok(imp, `${site}: pprof has flat ${want.flat}, cum ${want.cum}; goleak-lint attributes nothing`);
    assert.equal(imp.flat, want.flat, `${site}: flat`);
    if (want.cum !== null) assert.equal(imp.value, want.cum, `${site}: cum`);
    compared++;
  }
  return compared;
}

describe('attribution matches go tool pprof -top -lines to the byte', { skip: hasGo ? false : NO_GO }, () => {
  const cases: [string, string, string][] = [
    ['mapcache heap', 'mapcache', 'mapcache'],
    ['mapcache heap, -trimpath build', 'mapcache', 'mapcache/trimpath'],
    ['sender heap', 'sender', 'sender'],
    ['ticker heap', 'ticker', 'ticker'],
    ['weakref heap', 'weakref', 'weakref'],
    ['doccache heap', 'doccache', 'doccache'],
    ['loginsvc heap', 'loginsvc', 'loginsvc'],
    ['lrucache heap', 'lrucache', 'lrucache'],
  ];
  for (const [name, program, profiles] of cases) {
    it(name, async () => {
      const n = await compareWithPprof(path.join(programs, program), path.join(programs, profiles), 'heap');
      assert.ok(n >= 2, `only ${n} lines compared`);
    });
  }

  it('example service heap and goroutines', async () => {
    assert.ok((await compareWithPprof(example, path.join(example, 'profiles'), 'heap')) >= 5);
    assert.ok((await compareWithPprof(example, path.join(example, 'profiles'), 'goroutine')) >= 1);
  });

  it('sender goroutines: 100 parked at the abandoned send', async () => {
    const dir = path.join(programs, 'sender');
    assert.ok((await compareWithPprof(dir, dir, 'goroutine')) >= 1);
    const got = await attributeSites(dir, ['goroutine.pb.gz'], ['quotes/quotes.go:31']);
    assert.equal(got.get('quotes/quotes.go:31')?.value, 100);
  });

  it('what a holder keeps is the bytes of the traces through its allocations and its inserts (-traces -lines)', () => {
    // Per program: the holder, the lines whose values it keeps (the programs' LEAK lines
    // and the literals beside them) and the insert whose buckets or backing array are its own.
    const cases: [string, string, string[], string][] = [
      ['doccache', 'Cache.data', ['store/load.go:13', 'store/load.go:17'], 'store/cache.go:33'],
      ['doccache', 'Journal.entries', ['store/load.go:28', 'store/load.go:30'], 'store/cache.go:53'],
      ['loginsvc', 'sessions', ['main.go:57', 'main.go:59'], 'main.go:65'],
    ];
    for (const [program, holder, allocated, stored] of cases) {
      const dir = path.join(programs, program);
      const modulePath = /^module\s+(\S+)/m.exec(readFileSync(path.join(dir, 'go.mod'), 'utf8'))![1];
      let want = 0;
      for (const trace of pprofTraces(['-unit=B', '-sample_index=inuse_space', 'heap.pb.gz'], dir)) {
        const own = trace.frames.map((f) => programFile(f.file, dir, modulePath)).map((f, i) => (f === null ? null : `${f}:${trace.frames[i].line}`));
        const leaf = own.find((site) => site !== null);
        if ((leaf && allocated.includes(leaf)) || own.includes(stored)) want += trace.value;
      }
      const doc = json(run(['--jobs', '1', '-f', 'json', '--profile', 'heap.pb.gz', './...'], dir));
      const imp = doc.findings.flatMap((f) => f.profile ?? []).find((p) => p.holder?.name === holder);
      assert.ok(imp?.holder, `${program}: no finding charged to ${holder}`);
      assert.deepEqual(imp.holder.allocated.filter((s) => s !== stored).sort(), allocated);
      assert.equal(imp.holder.stored, stored);
      assert.ok(want > 0);
      assert.equal(imp.value, want, `${program} ${holder}`);
    }
  });

  it('growth over a base (-base), plain and -trimpath', async () => {
    const dir = path.join(programs, 'mapcache');
    assert.ok((await compareWithPprof(dir, dir, 'heap', 'heap-base.pb.gz')) >= 2);
    assert.ok((await compareWithPprof(dir, path.join(dir, 'trimpath'), 'heap', 'heap-base.pb.gz')) >= 2);
  });
});

// ---------------------------------------------------------------------------------------
// Ranking on the committed profiles (no Go needed).

describe('ranking with the committed profiles', () => {
  it('mapcache: the leaking map insert ranks first; the scratch buffer that is freed is not reported', () => {
    const dir = path.join(programs, 'mapcache');
    const r = run(['--jobs', '1', '--profile', 'heap.pb.gz', '--profile', 'goroutine.pb.gz', './...'], dir);
    assert.equal(r.stderr, '');
    const out = lines(r.stdout);
    // The map rule reports the declaration; the bytes are those the map keeps, allocated at its insert (line 10).
    assert.match(out[0], /^sessions\/sessions\.go:5:\d+: error: map cache in package var sessions .* — sessions holds [\d.]+ MiB \(9\d(\.\d)?% of heap\): values allocated and stored at sessions\.go:10 \(unbounded-map-cache\)$/);
    assert.ok(!out.some((l) => l.startsWith('sessions/sessions.go:20:')), r.stdout);
    assert.match(r.stdout, /^profile heap\.pb\.gz: heap: [\d.]+ MiB in use; /m);
  });

  it('mapcache with --profile-base ranks by growth', () => {
    const dir = path.join(programs, 'mapcache');
    const r = run(['--jobs', '1', '--profile', 'heap.pb.gz', '--profile-base', 'heap-base.pb.gz', './...'], dir);
    assert.equal(r.stderr, '');
    const out = lines(r.stdout);
    assert.match(out[0], /^sessions\/sessions\.go:5:\d+: .* — sessions grew by 3\.\d MiB \(\d+(\.\d)?% of growth\)/);
    assert.match(r.stdout, /^profile heap\.pb\.gz: heap growth over heap-base\.pb\.gz: \+/m);
  });

  it('mapcache -trimpath profile maps module paths to the tree', () => {
    const dir = path.join(programs, 'mapcache');
    const doc = json(run(['--jobs', '1', '-f', 'json', '--profile', 'trimpath/heap.pb.gz', './...'], dir));
    assert.equal(`${doc.findings[0].file}:${doc.findings[0].line} ${doc.findings[0].ruleId}`, 'sessions/sessions.go:5 unbounded-map-cache');
    assert.ok((doc.findings[0].profile?.[0].share ?? 0) > 0.9);
    assert.ok(doc.profiles[0].inTree / doc.profiles[0].total > 0.99);
  });

  it('ticker: the unstopped ticker ranks first and is raised to error; the stopped one stays silent', () => {
    const dir = path.join(programs, 'ticker');
    const doc = json(run(['--jobs', '1', '-f', 'json', '--profile', 'heap.pb.gz', './...'], dir));
    const first = doc.findings[0];
    assert.equal(`${first.file}:${first.line} ${first.ruleId} ${first.severity}`, 'poller/poller.go:8 unstopped-ticker error');
    const heap = first.profile?.[0];
    assert.ok(heap && heap.kind === 'heap' && heap.share > 0.9 && heap.flat === 0 && heap.value > 0, JSON.stringify(heap));
    assert.ok(!doc.findings.some((f) => f.file === 'poller/poller.go' && (f.line === 19 || f.line === 31)));
  });

  it('sender: the abandoned send ranks first with the goroutines parked at it', () => {
    const dir = path.join(programs, 'sender');
    const r = run(['--jobs', '1', '--profile', 'goroutine.pb.gz', '--profile', 'heap.pb.gz', './...'], dir);
    const out = lines(r.stdout);
    assert.match(out[0], /^quotes\/quotes\.go:31:3: error: goroutine blocks forever sending on unbuffered ch, one per call of Quote: .* — goroutines: 100 blocked here — heap: 83\.7 KiB in use \(41% of heap\) allocated by these goroutines and the calls that start them, most at quotes\.go:23 \(goroutine-abandoned-send\)$/);
    assert.equal(r.status, 1);
  });

  it('sender: the leaked goroutines are charged the heap their functions and their starter allocated, to the byte of pprof -focus', () => {
    const dir = path.join(programs, 'sender');
    const doc = json(run(['--jobs', '1', '-f', 'json', '--profile', 'heap.pb.gz', './...'], dir));
    const send = doc.findings.find((f) => f.ruleId === 'goroutine-abandoned-send');
    const heap = send?.profile?.find((p) => p.kind === 'heap');
    // heap.focus.txt: go tool pprof -top -sample_index=inuse_space -unit=B -focus='quotes\.Quote' heap.pb.gz
    const oracle = (args: string[]) => Number(/accounting for (\d+)B/.exec(args.join('\n'))?.[1]);
    const focused = oracle([readFileSync(path.join(dir, 'heap.focus.txt'), 'utf8')]);
    assert.equal(focused, 85664);
    assert.equal(heap?.value, focused);
    assert.equal(heap?.keptByGoroutines, true);
    assert.equal(heap?.site, 'quotes/quotes.go:23');
    assert.match(send?.message ?? '', / — heap: 83\.7 KiB in use \(41% of heap\) allocated by these goroutines and the calls that start them, most at quotes\.go:23$/);
    assert.equal(send?.severity, 'error');
    if (hasGo) {
      const live = spawnSync('go', ['tool', 'pprof', '-top', '-sample_index=inuse_space', '-unit=B', '-focus=quotes\\.Quote', 'heap.pb.gz'], { cwd: dir, encoding: 'utf8' });
      assert.equal(oracle([live.stdout]), focused);
    }
  });

  it('example: ranked by impact, raised above the threshold, "not seen in profile" for the rest; JSON and SARIF carry the numbers', () => {
    // --enable all: the opt-in defer-in-loop finding is the one no profile sample reaches.
    const args = ['--jobs', '1', '--enable', 'all', '--profile', 'profiles/heap.pb.gz', '--profile', 'profiles/goroutine.pb.gz', './...'];
    const doc = json(run(['-f', 'json', ...args], example));
    const shares = doc.findings.map((f) => Math.max(-1, ...(f.profile ?? []).map((p) => p.share)));
    assert.deepEqual([...shares].sort((a, b) => b - a), shares, 'ordered by share');
    const byRule = new Map(doc.findings.map((f) => [f.ruleId, f]));
    assert.equal(doc.findings[0].ruleId, 'goroutine-abandoned-send');
    assert.equal(doc.findings[0].severity, 'error');
    assert.match(byRule.get('defer-in-loop')?.message ?? '', / — not seen in profile$/);
    assert.equal(byRule.get('defer-in-loop')?.severity, 'warning');
    // Above 1% (the default threshold) a finding is an error; below, it keeps its warning.
    for (const f of doc.findings) {
      const share = Math.max(0, ...(f.profile ?? []).map((p) => p.share));
      assert.equal(f.severity, share > 0.01 ? 'error' : 'warning', `${f.ruleId}: share ${share}`);
    }
    assert.equal(byRule.get('time-tick-leak')?.severity, 'warning', 'time-tick-leak holds 0.9% of the heap');

    // A higher threshold leaves the smaller ones at their static severity.
    const high = json(run(['-f', 'json', '--profile-threshold', '30%', ...args], example));
    assert.deepEqual(
      high.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId),
      ['goroutine-abandoned-send'],
    );

    // Unnamed, an opt-in rule runs on the profile's evidence only: Archive's defer holds nothing the profile sees.
    const unnamed = json(run(['-f', 'json', ...args.filter((a) => a !== '--enable' && a !== 'all')], example));
    assert.deepEqual(
      unnamed.findings.map((f) => f.ruleId).filter((id) => id === 'defer-in-loop'),
      [],
    );
    assert.equal(unnamed.findings.length, doc.findings.length - 1);

    const sarifRun = run(['-f', 'sarif', ...args], example);
    const sarif = validateSarif(sarifRun.stdout) as SarifLog;
    const results = sarif.runs[0].results;
    assert.equal(results[0].ruleId, 'goroutine-abandoned-send');
    assert.ok(results[0].rank > 50 && results[0].rank <= 100);
    assert.equal(results.find((x) => x.ruleId === 'defer-in-loop')?.rank, 0);
    assert.ok(results[0].properties?.profile.find((p: { kind: string }) => p.kind === 'goroutine')?.value === 40);
    assert.ok(sarif.runs[0].properties.profiles.length === 2);
  });

  it('doccache: the map and the slice that keep values allocated in load and newEntry rank first, raised to error', () => {
    const dir = path.join(programs, 'doccache');
    const r = run(['--jobs', '1', '--profile', 'heap.pb.gz', './...'], dir);
    assert.equal(r.stderr, '');
    const out = lines(r.stdout);
    assert.match(out[0], /^store\/cache\.go:8:2: error: map cache in field Cache\.data only grows: .* — Cache\.data holds 15\.8 MiB \(84% of heap\): values allocated at load\.go:13 and load\.go:17, stored at cache\.go:33 \(unbounded-map-cache\)$/);
    assert.match(out[1], /^store\/cache\.go:46:2: error: slice in field Journal\.entries only grows: .* — Journal\.entries holds 2\.0 MiB \(11% of heap\): values allocated at load\.go:28 and load\.go:30, stored at cache\.go:53 \(append-only-slice\)$/);
    // The snapshot is kept by a field, one at a time: a hot spot that names its holder.
    assert.match(out[2], /^store\/load\.go:41:2: note: heap: 1\.0 MiB in use \(5% of heap\) allocated here by store\.buildSnapshot, held by field Index\.snapshot \(cache\.go:66\): check that it should keep this much, and for how long \(heap-hotspot\)$/);
    assert.ok(!r.stdout.includes('no rule explains it'), r.stdout);
    assert.match(r.stdout, /^profile heap\.pb\.gz: .*, 17\.8 MiB \(95%\) explained by the findings;/m);
  });

  it('loginsvc: the package-main map that holds the heap is reported on the evidence, naming the heuristic it overrules', () => {
    const dir = path.join(programs, 'loginsvc');
    const r = run(['--jobs', '1', '--profile', 'heap.pb.gz', './...'], dir);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout).slice(0, 1), [
      'main.go:27:5: error: map cache in package var sessions gains entries (main.go:65) that nothing removes; reported on the profile\'s evidence, ' +
        'which overrules a heuristic (package main that imports no network package was taken for a one-shot command) — ' +
        'sessions holds 47.1 MiB (99.9% of heap): values allocated at main.go:57 and main.go:59, stored at main.go:65 (unbounded-map-cache)',
    ]);
    assert.ok(!r.stdout.includes('heap-hotspot'), r.stdout);
    assert.equal(r.status, 1);
    // Without a profile the heuristic stands: nothing to report.
    const plain = run(['--jobs', '1', '--enable', 'unbounded-map-cache', './...'], dir);
    assert.equal(plain.stdout, 'no findings in 1 package (1 file)\n');
    // A finding of its own is suppressed like the rule's; with the rule off, the hot spot names the map.
    const off = run(['--jobs', '1', '--disable', 'unbounded-map-cache', '--profile', 'heap.pb.gz', './...'], dir);
    assert.match(off.stdout, /^main\.go:57:2: note: heap: 46\.9 MiB in use \(99% of heap\) allocated here by main\.newSession, held by package var sessions \(main\.go:27\), which only grows: enable unbounded-map-cache to report it \(heap-hotspot\)$/m);
  });

  it('loginsvc: an ignore comment on the map silences the finding the profile makes', (t) => {
    const src = path.join(programs, 'loginsvc');
    const tree = tempTree(t);
    // In a directory named as the program's: the profile's file names match by path suffix.
    for (const f of ['go.mod', 'heap.pb.gz']) tree.write(`loginsvc/${f}`, readFileSync(path.join(src, f)));
    const main = readFileSync(path.join(src, 'main.go'), 'utf8').split('\n');
    assert.match(main[26], /^var sessions = /);
    main[25] = '//goleak-lint:ignore unbounded-map-cache sessions live as long as the service';
    tree.write('loginsvc/main.go', main.join('\n'));
    const r = tree.run(['--jobs', '1', '--profile', 'heap.pb.gz', './...'], { cwd: 'loginsvc' });
    assert.equal(r.stderr, '');
    assert.ok(!r.stdout.includes('(unbounded-map-cache)'), r.stdout);
    assert.match(r.stdout, /, 1 suppressed\n$/);
  });

  it('lrucache: a large but bounded cache is no error; its hot spot says it is bounded', () => {
    const dir = path.join(programs, 'lrucache');
    for (const extra of [[], ['--enable', 'unbounded-map-cache']]) {
      const doc = json(run(['--jobs', '1', '-f', 'json', ...extra, '--profile', 'heap.pb.gz', './...'], dir));
      assert.deepEqual(
        doc.findings.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.severity}`),
        ['lru/lru.go:53 heap-hotspot note'],
      );
      assert.match(doc.findings[0].message, /^heap: 15\.6 MiB in use \(99% of heap\) allocated here by lru\.fetch, held by field Cache\.items \(lru\.go:20\), which is bounded: /);
    }
  });

  it('--new-from-rev and --baseline filter what the profile makes too', (t) => {
    const tree = tempTree(t);
    for (const f of ['go.mod', 'heap.pb.gz', 'main.go', 'store/cache.go', 'store/load.go']) tree.write(f, readFileSync(path.join(programs, 'doccache', f)));
    git(tree.dir, 'init', '-q');
    git(tree.dir, 'add', '.');
    git(tree.dir, 'commit', '-q', '-m', 'old');
    tree.write('main.go', readFileSync(path.join(programs, 'doccache', 'main.go'), 'utf8') + '// touched\n');
    // Before: the findings on unchanged lines left first, and their bytes came back as hot spots.
    const fresh = tree.run(['--jobs', '1', '--profile', 'heap.pb.gz', '--new-from-rev', 'HEAD', './...']);
    assert.equal(fresh.status, 0, fresh.stdout);
    assert.match(fresh.stdout, /^no findings in 2 packages \(3 files\), 3 on unchanged lines$/m);
    // A finding the profile's evidence brings back (an opt-in rule's) is the baseline's when the baseline has it.
    assert.equal(tree.run(['--jobs', '1', '--enable', 'unbounded-map-cache', '--write-baseline', 'b.json', './...']).status, 0);
    const doc = json(tree.run(['--jobs', '1', '-f', 'json', '--profile', 'heap.pb.gz', '--baseline', 'b.json', './...']));
    assert.deepEqual(
      doc.findings.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.suppressed ? 'baseline' : 'open'}`),
      ['store/cache.go:8 unbounded-map-cache baseline', 'store/cache.go:46 append-only-slice open', 'store/load.go:41 heap-hotspot open'],
    );
  });

  it("the config's severity applies to hot spots too", (t) => {
    const tree = tempTree(t);
    for (const f of ['go.mod', 'heap.pb.gz', 'main.go', 'lru/lru.go']) tree.write(`lrucache/${f}`, readFileSync(path.join(programs, 'lrucache', f)));
    tree.write('.goleak-lint.yml', 'severity:\n  heap-hotspot: warning\n');
    const doc = json(tree.run(['--jobs', '1', '-f', 'json', '--profile', 'heap.pb.gz', './...'], { cwd: 'lrucache' }));
    assert.deepEqual(doc.findings.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.severity}`), ['lru/lru.go:53 heap-hotspot warning']);
  });

  it('a hot spot is silenced by //goleak-lint:ignore heap-hotspot on its line', (t) => {
    // weakref's cached documents are allocated in load (docs.go:64) and kept by Cache.data:
    // with the rules that report it off, the heap's biggest hot spot.
    const src = path.join(programs, 'weakref');
    const tree = tempTree(t);
    for (const f of ['go.mod', 'main.go', 'heap.pb.gz']) tree.write(f, readFileSync(path.join(src, f)));
    const docs = readFileSync(path.join(src, 'docs/docs.go'), 'utf8').split('\n');
    assert.match(docs[63], /doc := make/);
    const hotspot = ['--jobs', '1', '--disable', 'fake-weak-ref,unbounded-map-cache', '--profile', 'heap.pb.gz', './...'];
    tree.write('docs/docs.go', docs.join('\n'));
    assert.match(tree.run(hotspot).stdout, /^docs\/docs\.go:64:\d+: note: heap: .* \(heap-hotspot\)$/m);
    // In place of the line's own comment (one comment holds one directive).
    docs[63] = docs[63].replace(/\/\/.*$/, '//goleak-lint:ignore heap-hotspot bounded: documents are few');
    tree.write('docs/docs.go', docs.join('\n'));
    const r = tree.run(hotspot);
    assert.equal(r.stderr, '');
    assert.ok(!r.stdout.includes('docs/docs.go:64:'), r.stdout);
    assert.match(r.stdout, /, 1 suppressed\n$/);
    const doc = JSON.parse(tree.run([...hotspot.slice(0, -1), '-f', 'json', './...']).stdout) as {
      findings: { file: string; line: number; ruleId: string; suppressed: { justification: string } | null }[];
    };
    const hot = doc.findings.find((f) => f.file === 'docs/docs.go' && f.line === 64);
    assert.deepEqual(hot && [hot.ruleId, hot.suppressed], ['heap-hotspot', { kind: 'inSource', justification: 'bounded: documents are few' }]);
  });

  it('a Go 1.26 goroutine leak profile (goroutineleak/count) counts leaked goroutines', (t) => {
    const dir = path.join(programs, 'sender');
    const p = Profile.decode(gunzipSync(readFileSync(path.join(dir, 'goroutine.pb.gz'))));
    // The same stacks under the leak profile's sample type: rebuild the string table renamed.
    const strings = new StringTable();
    for (const str of p.stringTable.strings.slice(1)) strings.dedup(str === 'goroutine' ? 'goroutineleak' : str);
    p.stringTable = strings;
    const tree = tempTree(t);
    const file = tree.write('goroutineleak.pb', Buffer.from(p.encode()));
    const r = run(['--jobs', '1', '--profile', file, './...'], dir);
    assert.match(lines(r.stdout)[0], /^quotes\/quotes\.go:31:3: error: .* — goroutine leak profile: 100 leaked here \(goroutine-abandoned-send\)$/);
  });

  it('bigint sample values and negative values (a saved diff profile) are read as numbers', async (t) => {
    const dir = path.join(programs, 'sender');
    const p = Profile.decode(gunzipSync(readFileSync(path.join(dir, 'goroutine.pb.gz'))));
    // Past 2^53 pprof-format hands back bigints; a -base diff saved with -proto has negative values.
    for (const sample of p.sample) sample.value = sample.value.map((v) => -BigInt(v) * 3n);
    const tree = tempTree(t);
    const file = tree.write('diff.pb', Buffer.from(p.encode()));
    const [loaded] = await loadProfiles([file], undefined);
    assert.equal(loaded.kind, 'goroutine');
    assert.equal(loaded.stacks.reduce((sum, s) => sum + s.value, 0), -303);
  });

  it('hot spots are notes with their own rule ids, in SARIF rules[], and --disable turns them off', () => {
    // doccache's snapshot, kept by the field Index.snapshot, is a hot spot no finding reports.
    const dir = path.join(programs, 'doccache');
    const sarif = validateSarif(run(['-f', 'sarif', '--profile', 'heap.pb.gz', './...'], dir).stdout) as SarifLog;
    const results = sarif.runs[0].results;
    const hot = results.find((x) => x.ruleId === 'heap-hotspot');
    assert.ok(hot && hot.level === 'note');
    assert.equal(sarif.runs[0].tool.driver.rules[hot.ruleIndex].id, 'heap-hotspot');
    const off = run(['--disable', 'heap-hotspot', '--profile', 'heap.pb.gz', './...'], dir);
    assert.ok(!off.stdout.includes('heap-hotspot'), off.stdout);
    assert.equal(off.stderr, '');
  });
});

it('the README shows what the example prints with its profiles', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const m = /```console\n\$ goleak-lint (--profile examples\/leakysvc\/[^\n]*)\n([^`]*)```/.exec(readme);
  assert.ok(m, 'README lacks the ranked example');
  const r = run(['--jobs', '1', ...m[1].split(' ')], repoRoot);
  const want = lines(m[2]);
  const got = lines(r.stdout);
  assert.equal(got.length, want.length, r.stdout);
  // `[...]` in the README stands for the part of a long message it leaves out.
  want.forEach((w, i) => {
    const pattern = w.split('[...]').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    assert.match(got[i], new RegExp(`^${pattern}$`));
  });
});

it('the README shows what the holder programs print with their profiles', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^( *)```console\n *\$ cd (fixtures\/programs\/\w+)\n *\$ goleak-lint ([^\n]*)\n([^`]*?) *```/gm)];
  assert.deepEqual(
    blocks.map((m) => m[2]),
    ['fixtures/programs/doccache', 'fixtures/programs/loginsvc'],
  );
  for (const [, indent, dir, args, out] of blocks) {
    const r = run(['--jobs', '1', ...args.split(' ')], path.join(repoRoot, dir));
    assert.deepEqual(lines(r.stdout), lines(out).map((l) => l.slice(indent.length)), dir);
  }
});

// ---------------------------------------------------------------------------------------
// Profiles fetched over HTTP.

/** Serves `answer` on loopback and records the URLs asked for. */
async function serve(t: TestContext, answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ base: string; asked: string[] }> {
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    asked.push(req.url ?? '');
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

/** Listens on loopback on the first of `ports` that is free; null when none is. */
async function listenOnFirstFree(server: http.Server, ports: number[]): Promise<number | null> {
  for (const port of ports) {
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return port;
  }
  return null;
}

describe('profiles from a live service', () => {
  it('fetches a profile by URL, asks for debug=0, and ranks as from the file', async (t) => {
    const dir = path.join(programs, 'sender');
    const bytes = readFileSync(path.join(dir, 'goroutine.pb.gz'));
    const { base, asked } = await serve(t, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(bytes);
    });
    const url = `${base}/debug/pprof/goroutine`;
    const r = await runAsync(['--jobs', '1', '--profile', url, './...'], dir);
    assert.equal(r.stderr, '');
    assert.deepEqual(asked, ['/debug/pprof/goroutine?debug=0']);
    const fromFile = run(['--jobs', '1', '--profile', 'goroutine.pb.gz', './...'], dir);
    assert.equal(r.stdout.replaceAll(url, 'goroutine.pb.gz'), fromFile.stdout);
    // debug=1 (text) is replaced by debug=0.
    await runAsync(['--jobs', '1', '--profile', `${url}?debug=1`, './...'], dir);
    assert.equal(asked[1], '/debug/pprof/goroutine?debug=0');
  });

  it('reads a profile from a port that fetch() refuses (6666 and the other WHATWG "bad ports")', async (t) => {
    const dir = path.join(programs, 'sender');
    const bytes = readFileSync(path.join(dir, 'goroutine.pb.gz'));
    const asked: string[] = [];
    const server = http.createServer((req, res) => {
      asked.push(req.url ?? '');
      // Through a redirect, as a proxy in front of the service may answer.
      if (req.url?.startsWith('/old')) {
        res.writeHead(302, { Location: '/debug/pprof/goroutine?debug=0' });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(bytes);
    });
    const port = await listenOnFirstFree(server, [6666, 6665, 6667, 6668, 6669, 6000]);
    if (port === null) return t.skip('every bad port is taken on this machine');
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`), /fetch failed/, 'fetch() refuses this port: the test would prove nothing');
    const r = await runAsync(['--jobs', '1', '--profile', `http://127.0.0.1:${port}/old`, './...'], dir);
    assert.equal(r.stderr, '');
    assert.deepEqual(asked, ['/old?debug=0', '/debug/pprof/goroutine?debug=0']);
    const fromFile = run(['--jobs', '1', '--profile', 'goroutine.pb.gz', './...'], dir);
    assert.equal(r.stdout.replaceAll(`http://127.0.0.1:${port}/old`, 'goroutine.pb.gz'), fromFile.stdout);
  });

  it('a service that is down is one line, exit 2', async (t) => {
    // A port that was free a moment ago, no longer listened on.
    const closed = await new Promise<string>((resolve) => {
      const s = http.createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(`http://127.0.0.1:${port}/debug/pprof/heap`));
      });
    });
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('a.go', 'package a\n');
    const r = await runAsync(['--profile', closed, '.'], tree.dir);
    assertOneLineError(r, /^goleak-lint: profile http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/heap\?debug=0: cannot fetch: connection refused/);
  });

  it('an HTML page or an HTTP error instead of a profile is one line, exit 2', async (t) => {
    const { base } = await serve(t, (req, res) => {
      if (req.url?.startsWith('/debug/pprof/heap')) {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<!DOCTYPE html>\n<html><body>login required</body></html>\n');
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('404 page not found\n');
      }
    });
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('a.go', 'package a\n');
    assertOneLineError(await runAsync(['--profile', `${base}/debug/pprof/heap`, '.'], tree.dir), /: an HTML page, not a profile/);
    assertOneLineError(await runAsync(['--profile', `${base}/nope`, '.'], tree.dir), /: HTTP 404 Not Found: 404 page not found$/);
  });

  it('a service that does not answer in time is one line, exit 2 (--profile-timeout)', async (t) => {
    const { base } = await serve(t, (_req, res) => {
      // Answers only after the client has given up.
      setTimeout(() => res.end(), 5_000).unref();
    });
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('a.go', 'package a\n');
    const r = await runAsync(['--profile-timeout', '0.3', '--profile', `${base}/debug/pprof/heap`, '.'], tree.dir);
    assertOneLineError(r, /^goleak-lint: profile http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/heap\?debug=0: cannot fetch: no answer within 0\.3 s$/);
  });

  it('a live net/http/pprof server (fixtures/programs/pprofserver)', { skip: hasGo ? false : NO_GO, timeout: 180_000 }, async (t) => {
    const dir = path.join(programs, 'pprofserver');
    const tree = tempTree(t);
    const bin = tree.path('pprofserver');
    const build = spawnSync('go', ['build', '-o', bin, '.'], { cwd: dir, encoding: 'utf8', env: goBuildEnv(tree.path('gocache')) });
    assert.equal(build.status, 0, build.stderr);
    const addr = await startServer(t, bin);
    const r = await runAsync(
      ['--jobs', '1', '-f', 'json', '--profile', `http://${addr}/debug/pprof/goroutine`, '--profile', `http://${addr}/debug/pprof/heap`, './...'],
      dir,
      60_000,
    );
    const doc = json(r);
    const send = doc.findings.find((f) => f.ruleId === 'goroutine-abandoned-send');
    assert.equal(`${send?.file}:${send?.line}`, 'app/app.go:47');
    assert.equal(send?.profile?.find((p) => p.kind === 'goroutine')?.value, 20);
    const cache = doc.findings.find((f) => f.ruleId === 'unbounded-map-cache');
    assert.equal(`${cache?.file}:${cache?.line}`, 'app/app.go:10');
    assert.ok(cache?.profile?.some((p) => p.kind === 'heap' && p.share > 0.5), JSON.stringify(cache));
  });
});

// ---------------------------------------------------------------------------------------
// Bad profiles: one line on stderr, exit 2, nothing on stdout, nothing linted.


/** A valid pprof protobuf of the given sample types (a mutex profile, say). */
function encodeProfile(types: [string, string][]): Buffer {
  const strings = new StringTable();
  const sampleType = types.map(([t, u]) => new ValueType({ type: strings.dedup(t), unit: strings.dedup(u) }));
  return Buffer.from(new Profile({ sampleType, stringTable: strings }).encode());
}

describe('bad profiles', () => {
  it('missing, empty, corrupt, truncated, text, HTML and wrong-kind profiles are one-line errors', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('a.go', 'package a\n\nimport "time"\n\nfunc F() { time.Tick(time.Second) }\n');
    const heap = readFileSync(path.join(programs, 'mapcache/heap.pb.gz'));
    const plain = gunzipSync(heap);
    tree.write('empty.pb.gz', '');
    tree.write('random.pb', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 251)));
    tree.write('truncated.pb.gz', heap.subarray(0, Math.floor(heap.length / 2)));
    tree.write('truncated.pb', plain.subarray(0, Math.floor(plain.length / 3)));
    tree.write('bad-gzip.pb.gz', Buffer.concat([heap.subarray(0, 20), Buffer.alloc(200, 0x55)]));
    tree.write('text.prof', 'heap profile: 3: 12288 [5: 20480] @ heap/1\n');
    tree.write('page.html', '<html><body>pprof</body></html>\n');
    tree.write('mutex.pb.gz', gzipSync(encodeProfile([['contentions', 'count'], ['delay', 'nanoseconds']])));
    tree.write('cpu.pb', encodeProfile([['samples', 'count'], ['cpu', 'nanoseconds']]));
    const cases: [string, RegExp][] = [
      ['missing.pb.gz', /^goleak-lint: profile missing\.pb\.gz: cannot read: no such file or directory$/],
      ['empty.pb.gz', /^goleak-lint: profile empty\.pb\.gz: empty file, not a profile$/],
      ['random.pb', /^goleak-lint: profile random\.pb: corrupt or truncated profile: /],
      ['truncated.pb.gz', /^goleak-lint: profile truncated\.pb\.gz: corrupt or truncated gzip data/],
      ['truncated.pb', /^goleak-lint: profile truncated\.pb: corrupt or truncated profile: /],
      ['bad-gzip.pb.gz', /^goleak-lint: profile bad-gzip\.pb\.gz: corrupt or truncated gzip data/],
      ['text.prof', /^goleak-lint: profile text\.prof: a text profile \(debug=1 or 2\); take it with debug=0/],
      ['page.html', /^goleak-lint: profile page\.html: an HTML page, not a profile/],
      ['mutex.pb.gz', /^goleak-lint: profile mutex\.pb\.gz: a contentions\/delay profile, not a heap or goroutine profile/],
      ['cpu.pb', /^goleak-lint: profile cpu\.pb: a samples\/cpu profile, not a heap or goroutine profile/],
    ];
    for (const [file, want] of cases) assertOneLineError(tree.run(['--profile', file, '.']), want);
    // A good profile beside a bad one still fails before anything is printed.
    tree.write('heap.pb.gz', heap);
    assertOneLineError(tree.run(['--profile', 'heap.pb.gz', '--profile', 'page.html', '.']), /page\.html: an HTML page/);
  });

  it('a base without a heap profile, a goroutine base and a bad threshold are usage errors', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('a.go', 'package a\n');
    tree.write('heap.pb.gz', readFileSync(path.join(programs, 'mapcache/heap.pb.gz')));
    tree.write('goroutine.pb.gz', readFileSync(path.join(programs, 'mapcache/goroutine.pb.gz')));
    assertOneLineError(tree.run(['--profile-base', 'heap.pb.gz', '.']), /^goleak-lint: --profile-base needs a --profile/);
    assertOneLineError(tree.run(['--profile', 'goroutine.pb.gz', '--profile-base', 'heap.pb.gz', '.']), /--profile-base heap\.pb\.gz: a heap profile, and no --profile is a heap profile to subtract it from$/);
    assertOneLineError(tree.run(['--profile', 'heap.pb.gz', '--profile-base', 'goroutine.pb.gz', '.']), /--profile-base goroutine\.pb\.gz: a goroutine profile, and no --profile is a goroutine profile to subtract it from$/);
    assertOneLineError(tree.run(['--profile', 'heap.pb.gz', '--profile-threshold', 'lots', '.']), /--profile-threshold .* must be a percentage/);
  });
});
