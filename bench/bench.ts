// goleak-lint benchmark: `goleak-lint ./... cmd/...` over a real Go tree (default: the Go 1.19
// standard library and cmd, /usr/share/go-1.19/src) against `gofmt -l .` over the same tree,
// a reference for "read, parse and re-print every Go file" (gofmt 1.19 uses every core too).
// Usage: npm run bench [-- DIR]   (or GOLEAK_BENCH_CORPUS=DIR; GOLEAK_BENCH_RUNS=N, default 3;
// GOLEAK_BENCH_STATICCHECK=0 skips staticcheck)
//
// How to read it: one warm-up run of each command (warm file cache), then N interleaved
// timed runs (fewer if a run would end past GOLEAK_BENCH_BUDGET seconds, default 170).
// Wall times include node's start-up: the median and the best run. CPU is the command's
// user + system time (median; Linux), which other load disturbs less than wall time. "vs
// gofmt" (wall time over gofmt's; under 1 is faster) and files/s use the medians; gofmt
// reads more files (testdata/, vendor/, generated code), so compare files/s too. Peak RSS
// is the largest max RSS of the goleak-lint process over its runs, worker threads included.
// The findings count shows changes in the rules' reach. The timed runs above are cold
// (--no-cache). Then: the corpus copied 1x, 2x and 4x side by side (hard links) and linted
// cold with a fresh result cache each, to show how time grows with size; warm runs over
// the 1x copy (cache filled, nothing changed; then one file changed, which re-lints its
// directory); staticcheck once, with a fresh cache, where installed. "Other processes" is the largest
// share of all cores the rest of the machine used during a timed run (Linux): above 10%,
// wall times are inflated. Last, each parser (GOLEAK_LINT_PARSER=native, then wasm) once: CPU
// of parsing every .go file alone (bench/parse-speed.ts) and of a cold lint, as wasm/native
// ratios. The figures also go to bench/results/latest.json. Exit 2 when
// the bench cannot run (no corpus, no gofmt, goleak-lint not built or exiting with 2).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const repoRoot = path.resolve(here, '../..');
const PRELOAD = path.join(here, 'peak-rss.js');
const RESULTS = path.join(repoRoot, 'bench/results/latest.json');
const DEFAULT_CORPUS = '/usr/share/go-1.19/src';
const MB = 1e6;
/** Linux's USER_HZ: /proc reports CPU times in these ticks per second. */
const CLOCK_TICKS = 100;

/** A reason the bench cannot run: printed as one line (after `detail`, if any), exit 2. */
class BenchError extends Error {
  constructor(message: string, readonly detail = '') {
    super(message);
  }
}

interface Corpus {
  root: string;
  patterns: string[];
}

/** What a lint run executes: the CLI of a private copy of the build, and where to put files. */
interface LintSetup {
  cli: string;
  tmp: string;
}

interface Sample {
  ms: number;
  /** CPU time (user + system) of the measured command, when the platform tells (Linux). */
  cpuMs?: number;
  /** Share of all cores that other processes used during the run (Linux). */
  otherCpu?: number;
  rssKb?: number;
}

interface LintReport {
  stats: { packages: number; files: number; lines: number };
  findings: { ruleId: string; suppressed: unknown }[];
  warnings: string[];
}

interface LintVariant {
  jobs: number;
  isDefault: boolean;
  samples: Sample[];
  report?: LintReport;
}

interface Plan {
  runs: number;
  /** Stop starting rounds when the next one would end after this many ms of measuring. */
  budgetMs: number;
}

interface Measurement {
  gofmt: Sample[];
  rounds: number;
}

/** Above this share of all cores used by other processes during a run, timings are flagged. */
const BUSY = 0.1;

interface FileSet {
  files: number;
  bytes: number;
}

// ---- setup -------------------------------------------------------------------------

function findCorpus(): Corpus {
  const arg = process.argv[2];
  const env = process.env.GOLEAK_BENCH_CORPUS;
  const [dir, from] = arg ? [arg, 'the argument'] : env ? [env, 'GOLEAK_BENCH_CORPUS'] : [DEFAULT_CORPUS, ''];
  if (!isDirectory(dir)) {
    if (from) throw new BenchError(`corpus directory ${dir} (from ${from}) does not exist or is not a directory`);
    throw new BenchError(
      `no corpus at ${DEFAULT_CORPUS}: run \`apt-get install -y golang-1.19-src\` as root, ` +
        'or pass a Go source tree (npm run bench -- DIR, or GOLEAK_BENCH_CORPUS=DIR)',
    );
  }
  const root = path.resolve(dir);
  // cmd/ has its own go.mod, so ./... stops at it: name it too when it is there.
  const patterns = isDirectory(path.join(root, 'cmd')) ? ['./...', 'cmd/...'] : ['./...'];
  return { root, patterns };
}

function findGofmt(): string {
  if (existsSync('/usr/bin/gofmt')) return '/usr/bin/gofmt';
  const goenv = spawnSync('go', ['env', 'GOROOT'], { encoding: 'utf8' });
  const gofmt = goenv.status === 0 ? path.join(goenv.stdout.trim(), 'bin', 'gofmt') : '';
  if (gofmt && existsSync(gofmt)) return gofmt;
  throw new BenchError('gofmt not found at /usr/bin/gofmt nor in $(go env GOROOT)/bin: install Go (apt-get install -y golang-go)');
}

function plan(): Plan {
  return { runs: envInt('GOLEAK_BENCH_RUNS', 3), budgetMs: envInt('GOLEAK_BENCH_BUDGET', 170) * 1000 };
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new BenchError(`${name}=${raw}: must be a whole number of at least 1`);
  return n;
}

/**
 * Copies the built linter (dist/src, dist/rules, package.json; node_modules linked) into
 * `tmp`, so that a rebuild while the bench runs cannot change what it measures halfway.
 * Returns the copy's CLI.
 */
function snapshotBuild(tmp: string): string {
  const dist = path.join(repoRoot, 'dist');
  for (const p of [path.join(dist, 'src/cli.js'), path.join(dist, 'rules'), PRELOAD]) {
    if (!existsSync(p)) throw new BenchError(`${p} is missing: run npm run build`);
  }
  const snap = path.join(tmp, 'build');
  cpSync(path.join(dist, 'src'), path.join(snap, 'dist/src'), { recursive: true });
  cpSync(path.join(dist, 'rules'), path.join(snap, 'dist/rules'), { recursive: true });
  cpSync(path.join(repoRoot, 'package.json'), path.join(snap, 'package.json'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(snap, 'node_modules'), 'dir');
  return path.join(snap, 'dist/src/cli.js');
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

// ---- measuring ---------------------------------------------------------------------

/**
 * Runs `run` (a spawnSync) and measures its wall time, the child's CPU time and what the
 * rest of the machine used meanwhile. The bench itself is blocked in spawnSync, so
 * machine-wide busy time minus the child's CPU time is other processes' work.
 */
function timed<T>(run: () => T): { result: T; sample: Sample } {
  const cpu0 = cpuTimes();
  const child0 = childCpuMs();
  const start = performance.now();
  const result = run();
  const ms = performance.now() - start;
  const child1 = childCpuMs();
  const cpu1 = cpuTimes();
  if (child0 === null || child1 === null) return { result, sample: { ms } };
  const cpuMs = child1 - child0;
  const otherCpu = Math.max(0, cpu1.busy - cpu0.busy - cpuMs) / (ms * os.cpus().length);
  return { result, sample: { ms, cpuMs, otherCpu: Math.min(1, otherCpu) } };
}

/** User + system time of this process's reaped children (Linux's /proc/self/stat cutime + cstime), or null. */
function childCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3, state
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? ticks * (1000 / CLOCK_TICKS) : null;
  } catch {
    return null;
  }
}

/** Busy and total CPU time of the machine, summed over cores, in ms. */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

function timeGofmt(gofmt: string, cwd: string): Sample {
  // gofmt exits non-zero on the deliberately broken files under testdata/: only the time matters.
  const { result: r, sample } = timed(() => spawnSync(gofmt, ['-l', '.'], { cwd, stdio: 'ignore' }));
  if (r.error) throw new BenchError(`cannot run ${gofmt}: ${r.error.message}`);
  if (r.signal) throw new BenchError(`${gofmt} was killed by ${r.signal}`);
  return sample;
}

function timeLint(
  corpus: Corpus,
  jobs: number,
  setup: LintSetup,
  cache: string[] = ['--no-cache'],
  env: Record<string, string> = {},
): { sample: Sample; report: LintReport } {
  const out = path.join(setup.tmp, 'report.json');
  const rssFile = path.join(setup.tmp, 'rss');
  rmSync(out, { force: true });
  rmSync(rssFile, { force: true });
  const args = ['--import', pathToFileURL(PRELOAD).href, setup.cli, ...corpus.patterns];
  args.push('--jobs', String(jobs), '--format', 'json', '-o', out, ...cache);
  const { result: r, sample } = timed(() =>
    spawnSync(process.execPath, args, {
      cwd: corpus.root,
      env: { ...process.env, ...env, GOLEAK_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
  if (r.error) throw new BenchError(`cannot run goleak-lint: ${r.error.message}`);
  if (r.status !== 0 && r.status !== 1) {
    const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.status}`;
    throw new BenchError(`goleak-lint --jobs ${jobs} ${how}`, r.stderr);
  }
  return { sample: { ...sample, rssKb: readRss(rssFile) }, report: readReport(out) };
}

function readRss(file: string): number | undefined {
  try {
    const kb = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(kb) && kb > 0 ? kb : undefined;
  } catch {
    return undefined;
  }
}

function readReport(file: string): LintReport {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Partial<LintReport>;
    if (!doc.stats || !Array.isArray(doc.findings)) throw new Error('no stats or findings field');
    return { stats: doc.stats, findings: doc.findings, warnings: doc.warnings ?? [] };
  } catch (err) {
    throw new BenchError(`cannot read goleak-lint's JSON report: ${(err as Error).message}`);
  }
}

function progress(label: string, sample: Sample): void {
  const cpu = sample.cpuMs === undefined ? '' : `  CPU ${seconds(sample.cpuMs)}`;
  const other = sample.otherCpu === undefined ? '' : `  other processes ${percent(sample.otherCpu)}`;
  process.stderr.write(`  ${label.padEnd(32)} ${seconds(sample.ms).padStart(8)}${cpu}${other}\n`);
}

/** One warm-up of each command, then up to `wanted.runs` rounds that run every command once. */
function measure(corpus: Corpus, gofmt: string, variants: LintVariant[], wanted: Plan, setup: LintSetup): Measurement {
  const m: Measurement = { gofmt: [], rounds: 0 };
  const start = performance.now();
  process.stderr.write(`warm-up (${corpus.root})\n`);
  progress('gofmt -l .', timeGofmt(gofmt, corpus.root));
  progress(lintLabel(variants[0]), timeLint(corpus, variants[0].jobs, setup).sample);
  let longest = 0;
  for (let round = 1; round <= wanted.runs; round++) {
    if (round > 1 && performance.now() - start + longest > wanted.budgetMs) {
      process.stderr.write(`time budget of ${wanted.budgetMs / 1000} s reached: stopping after ${round - 1} run(s)\n`);
      break;
    }
    const roundStart = performance.now();
    process.stderr.write(`run ${round}/${wanted.runs}\n`);
    m.gofmt.push(timeGofmt(gofmt, corpus.root));
    progress('gofmt -l .', m.gofmt[round - 1]);
    for (const v of variants) runVariant(corpus, v, setup, variants[0].report);
    m.rounds = round;
    longest = Math.max(longest, performance.now() - roundStart);
  }
  return m;
}

/** Runs one variant once; every run is checked against the first run of the first variant. */
function runVariant(corpus: Corpus, v: LintVariant, setup: LintSetup, first: LintReport | undefined): void {
  const { sample, report } = timeLint(corpus, v.jobs, setup);
  if (first) checkSameResult(first, report, v.jobs);
  v.samples.push(sample);
  v.report ??= report;
  progress(lintLabel(v), sample);
}

/** Every run must lint the same files and find the same things: anything else is a bug. */
function checkSameResult(first: LintReport, report: LintReport, jobs: number): void {
  const was = `${JSON.stringify(first.stats)}, ${first.findings.length} findings`;
  const now = `${JSON.stringify(report.stats)}, ${report.findings.length} findings`;
  if (was !== now) process.stderr.write(`goleak-lint bench: warning: a --jobs ${jobs} run disagrees with the first run: ${was}, then ${now}\n`);
}

// ---- warm runs, scaling, staticcheck -------------------------------------------------

interface Timing {
  label: string;
  wallMs: number;
  cpuMs: number | null;
  vsGofmt: number;
  files?: number;
  filesPerSec?: number;
  peakRssMiB?: number | null;
  note?: string;
}

function timing(label: string, samples: Sample[], gofmtMs: number, files?: number, note?: string): Timing {
  const ms = median(samples.map((s) => s.ms));
  return {
    label,
    wallMs: Math.round(ms),
    cpuMs: medianCpuMs(samples),
    vsGofmt: Number((ms / gofmtMs).toFixed(3)),
    ...(files === undefined ? {} : { files, filesPerSec: Math.round(files / (ms / 1000)) }),
    peakRssMiB: peakRssMiB(samples),
    ...(note ? { note } : {}),
  };
}

/**
 * Copies of the corpus side by side in `dir` (c1 ... cN), as hard links where the file
 * system allows (cp -al), else as copies that keep mtimes (cp -a, so that the cache's
 * stat stamps are trusted as on a real checkout). Returns the copies' roots.
 */
function corpusCopies(corpus: Corpus, dir: string, n: number): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: n }, (_, i) => {
    const dest = path.join(dir, `c${i + 1}`);
    const linked = spawnSync('cp', ['-al', corpus.root, dest]);
    if (linked.status !== 0) {
      rmSync(dest, { recursive: true, force: true });
      const copied = spawnSync('cp', ['-a', corpus.root, dest], { encoding: 'utf8' });
      if (copied.status !== 0) throw new BenchError(`cannot copy the corpus to ${dest}`, copied.stderr);
    }
    return dest;
  });
}

/** The corpus's patterns, for each copy (relative to their parent directory). */
function copiesCorpus(corpus: Corpus, copies: string[]): Corpus {
  const root = path.dirname(copies[0]);
  const patterns = copies.flatMap((c) => corpus.patterns.map((p) => `${path.basename(c)}/${p}`));
  return { root, patterns };
}

/**
 * Replaces a file with a copy that has one more line: a new inode, so that a hard-linked
 * original stays as it was.
 */
function editOneFile(file: string): void {
  const tmp = `${file}.bench-edit`;
  writeFileSync(tmp, readFileSync(file, 'utf8') + '\n// edited by the goleak-lint bench\n');
  renameSync(tmp, file);
}

/** The file the one-file-changed run edits: net/http/server.go in Go's tree, else the first .go file found. */
function editTarget(root: string): string {
  if (existsSync(path.join(root, 'net/http/server.go'))) return 'net/http/server.go';
  const seen = new Set<string>();
  walkPackages(root, true, seen);
  const first = [...seen].sort()[0];
  if (!first) throw new BenchError(`no Go file to edit in ${root}`);
  return path.relative(root, first);
}

function staticcheckBinary(): string | null {
  if (process.env.GOLEAK_BENCH_STATICCHECK === '0') return null;
  for (const name of ['staticcheck', 'go-staticcheck']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

/**
 * After the cold runs: the warm runs (nothing changed, then one file changed), time
 * against corpus size (1x, 2x, 4x copies; cold, default jobs, each with a fresh cache),
 * and staticcheck once with a fresh cache of its own.
 */
function measureExtras(corpus: Corpus, setup: LintSetup, jobs: number, gofmtMs: number, first: LintReport, wanted: Plan) {
  const scaleDir = path.join(setup.tmp, 'scale');
  const copies = corpusCopies(corpus, scaleDir, 4);
  const cacheOf = (n: number) => ['--cache-dir', path.join(setup.tmp, `cache-${n}x`)];
  const files = first.stats.files;
  process.stderr.write(`scaling (copies in ${scaleDir})\n`);
  const scaling: Timing[] = [];
  for (const n of [1, 2, 4]) {
    const { sample, report } = timeLint(copiesCorpus(corpus, copies.slice(0, n)), jobs, setup, cacheOf(n));
    if (report.stats.files !== files * n) process.stderr.write(`goleak-lint bench: warning: ${n}x copy linted ${report.stats.files} files, not ${files * n}\n`);
    progress(`goleak-lint ${n}x corpus (cold)`, sample);
    scaling.push(timing(`${n}x corpus, cold, --jobs ${jobs}`, [sample], gofmtMs, report.stats.files));
  }
  // Warm: the 1x copy's cache was filled by its cold run above.
  process.stderr.write('warm runs (result cache filled, nothing changed)\n');
  const one = copiesCorpus(corpus, copies.slice(0, 1));
  const warm: Sample[] = [];
  for (let i = 0; i < wanted.runs; i++) {
    const { sample, report } = timeLint(one, jobs, setup, cacheOf(1));
    checkSameResult(first, report, jobs);
    warm.push(sample);
    progress('goleak-lint warm', sample);
  }
  const edited = editTarget(copies[0]);
  editOneFile(path.join(copies[0], edited));
  const changed = timeLint(one, jobs, setup, cacheOf(1));
  progress('goleak-lint warm, 1 file changed', changed.sample);
  const warmRuns = [
    timing(`warm, nothing changed, --jobs ${jobs}`, warm, gofmtMs),
    timing(`warm, ${edited} changed`, [changed.sample], gofmtMs, undefined, `re-lints ${path.dirname(edited)}/ only`),
  ];
  return { corpusSize: { runs: scaling, linear: linearity(scaling) }, warm: warmRuns, staticcheck: measureStaticcheck(corpus, setup, gofmtMs) };
}

/** Time per 1x of corpus at 2x and 4x, over that at 1x: 1.00 is linear growth. */
function linearity(runs: Timing[]): { at2x: number; at4x: number } {
  const per = (i: number, n: number) => runs[i].wallMs / n / runs[0].wallMs;
  return { at2x: Number(per(1, 2).toFixed(2)), at4x: Number(per(2, 4).toFixed(2)) };
}

function measureStaticcheck(corpus: Corpus, setup: LintSetup, gofmtMs: number): Timing | { missing: string } {
  const bin = staticcheckBinary();
  if (!bin) {
    return { missing: process.env.GOLEAK_BENCH_STATICCHECK === '0' ? 'skipped (GOLEAK_BENCH_STATICCHECK=0)' : 'not installed (apt-get install -y go-staticcheck)' };
  }
  process.stderr.write(`staticcheck (${bin}, once, fresh cache)\n`);
  const cacheHome = path.join(setup.tmp, 'staticcheck-cache');
  const { result: r, sample } = timed(() =>
    spawnSync(bin, corpus.patterns, { cwd: corpus.root, env: { ...process.env, XDG_CACHE_HOME: cacheHome }, stdio: 'ignore' }),
  );
  if (r.error) return { missing: `cannot run ${bin}: ${r.error.message}` };
  progress('staticcheck', sample);
  // Exit 1 means findings; anything else is reported with the time.
  return timing(`${path.basename(bin)} ${corpus.patterns.join(' ')}`, [sample], gofmtMs, undefined, r.status === 0 || r.status === 1 ? undefined : `exit ${r.status ?? r.signal}`);
}

function renderExtras(x: ReturnType<typeof measureExtras>): string {
  const cpu = (ms: number | null) => (ms === null ? 'n/a' : seconds(ms));
  const row = (t: Timing) => [t.label, seconds(t.wallMs), cpu(t.cpuMs), `${t.vsGofmt.toFixed(2)}x`, t.filesPerSec === undefined ? '' : int(t.filesPerSec), t.peakRssMiB ? `${int(t.peakRssMiB)} MiB` : '', t.note ?? ''];
  const head = ['run', 'wall', 'CPU', 'vs gofmt', 'files/s', 'peak RSS', ''];
  const out = ['', 'Warm runs (result cache)', table([head, ...x.warm.map(row)])];
  out.push('', 'Corpus size (cold, fresh cache)', table([head, ...x.corpusSize.runs.map(row)]));
  out.push(`  time per 1x of corpus, over 1x: ${x.corpusSize.linear.at2x.toFixed(2)} at 2x, ${x.corpusSize.linear.at4x.toFixed(2)} at 4x (1.00 is linear)`);
  out.push('', 'staticcheck');
  out.push('missing' in x.staticcheck ? `  ${x.staticcheck.missing}` : table([head, row(x.staticcheck)]));
  return out.join('\n') + '\n';
}

// ---- the two parsers ----------------------------------------------------------------

type ParserKind = 'native' | 'wasm';

interface ParserRun {
  parser: ParserKind;
  /** Why this parser could not be measured (the native module does not load here). */
  missing?: string;
  parseCpuMs?: number;
  parsedFiles?: number;
  lintCpuMs?: number | null;
  lintMs?: number;
  findings?: number;
}

/**
 * Each parser (GOLEAK_LINT_PARSER) once: parsing alone (bench/parse-speed.ts, every .go file
 * of the corpus) and a whole cold lint with the default jobs, both as CPU time.
 */
function measureParsers(corpus: Corpus, setup: LintSetup, jobs: number): ParserRun[] {
  const speed = path.join(here, 'parse-speed.js');
  return (['native', 'wasm'] as const).map((parser): ParserRun => {
    const r = spawnSync(process.execPath, [speed, corpus.root], { env: { ...process.env, GOLEAK_LINT_PARSER: parser }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (r.status !== 0) return { parser, missing: (r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr).trim() };
    const parsed = JSON.parse(r.stdout) as { files: number; cpuMs: number };
    const lint = timeLint(corpus, jobs, setup, ['--no-cache'], { GOLEAK_LINT_PARSER: parser });
    progress(`parser ${parser}`, lint.sample);
    return { parser, parseCpuMs: parsed.cpuMs, parsedFiles: parsed.files, lintCpuMs: lint.sample.cpuMs ?? null, lintMs: Math.round(lint.sample.ms), findings: lint.report.findings.length };
  });
}

function renderParsers(runs: ParserRun[], jobs: number): string {
  const out = ['', 'Parsers (GOLEAK_LINT_PARSER; one run each, CPU time)'];
  const [native, wasm] = runs;
  for (const r of runs) {
    if (r.missing) out.push(`  ${r.parser}: not measured: ${r.missing}`);
    else out.push(`  ${r.parser.padEnd(6)}  parse only ${seconds(r.parseCpuMs ?? 0)} (${int(r.parsedFiles ?? 0)} files)   whole lint --jobs ${jobs}: ${r.lintCpuMs == null ? 'n/a' : seconds(r.lintCpuMs)} CPU, ${seconds(r.lintMs ?? 0)} wall, ${r.findings} findings`);
  }
  if (!native.missing && !wasm.missing) {
    const ratio = (a?: number | null, b?: number | null) => (a && b ? `${(a / b).toFixed(2)}x` : 'n/a');
    out.push(`  wasm/native CPU: parse only ${ratio(wasm.parseCpuMs, native.parseCpuMs)}, whole lint ${ratio(wasm.lintCpuMs, native.lintCpuMs)}`);
    if (wasm.findings !== native.findings) out.push(`  WARNING: the parsers disagree: ${native.findings} findings native, ${wasm.findings} wasm`);
  }
  return out.join('\n') + '\n';
}

// ---- the corpus on disk ------------------------------------------------------------

const GENERATED = /^\/\/ Code generated .* DO NOT EDIT\.$/m;

/**
 * The files the patterns select, by the go command's rules as goleak-lint applies them
 * (skips vendor/, testdata/, dot and underscore names, nested modules, generated files):
 * an independent count, checked against goleak-lint's own, for the corpus's size in bytes.
 */
function lintedFiles(corpus: Corpus): FileSet {
  const seen = new Set<string>();
  for (const pattern of corpus.patterns) {
    const base = path.resolve(corpus.root, pattern.slice(0, -'...'.length));
    walkPackages(base, insideModule(base), seen);
  }
  let bytes = 0;
  let files = 0;
  for (const file of seen) {
    const source = readFileSync(file);
    if (isGenerated(source.toString('utf8'))) continue;
    files++;
    bytes += source.length;
  }
  return { files, bytes };
}

function walkPackages(dir: string, stopAtModules: boolean, seen: Set<string>): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'vendor' || e.name === 'testdata') continue;
      if (stopAtModules && existsSync(path.join(p, 'go.mod'))) continue;
      walkPackages(p, stopAtModules, seen);
    } else if (e.name.endsWith('.go') && (e.isFile() || (e.isSymbolicLink() && isFile(p)))) {
      seen.add(p);
    }
  }
}

function insideModule(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'go.mod'))) return true;
    if (path.dirname(d) === d) return false;
  }
}

function isGenerated(source: string): boolean {
  const clause = /^package\s/m.exec(source);
  return GENERATED.test(clause ? source.slice(0, clause.index) : source);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** What `gofmt -l .` reads: every regular .go file not named .*, in every directory. */
function gofmtFiles(dir: string, acc: FileSet = { files: 0, bytes: 0 }): FileSet {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) gofmtFiles(p, acc);
    else if (e.isFile() && e.name.endsWith('.go') && !e.name.startsWith('.')) {
      acc.files++;
      acc.bytes += statSync(p).size;
    }
  }
  return acc;
}

// ---- figures -----------------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function medianCpuMs(samples: Sample[]): number | null {
  const ms = samples.map((s) => s.cpuMs).filter((x): x is number => x !== undefined);
  return ms.length ? Math.round(median(ms)) : null;
}

function otherCpuMax(samples: Sample[]): number | null {
  const xs = samples.map((s) => s.otherCpu).filter((x): x is number => x !== undefined);
  return xs.length ? Number(Math.max(...xs).toFixed(3)) : null;
}

function peakRssMiB(samples: Sample[]): number | null {
  const kbs = samples.map((s) => s.rssKb).filter((kb): kb is number => kb !== undefined);
  return kbs.length ? Math.max(...kbs) / 1024 : null;
}

function byRule(report: LintReport): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of report.findings) counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1;
  return counts;
}

function lintLabel(v: LintVariant): string {
  return `goleak-lint --jobs ${v.jobs}${v.isDefault ? ' (default)' : ''}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Columns padded to their widest cell; every column but the first right-aligned. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ');
  return rows.map((r, i) => '  ' + line(r).trimEnd() + (i === 0 ? '\n  ' + '-'.repeat(line(r).length) : '')).join('\n');
}

// ---- main --------------------------------------------------------------------------

function main(): void {
  const corpus = findCorpus();
  const gofmt = findGofmt();
  const wanted = plan();
  const cores = os.availableParallelism();
  const jobs = [...new Set([cores, 1, 2])];
  const variants: LintVariant[] = jobs.map((j) => ({ jobs: j, isDefault: j === cores, samples: [] }));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'goleak-bench-'));
  try {
    const setup = { cli: snapshotBuild(tmp), tmp };
    const measured = measure(corpus, gofmt, variants, wanted, setup);
    const gofmtMs = median(measured.gofmt.map((s) => s.ms));
    const extra = measureExtras(corpus, setup, cores, gofmtMs, variants[0].report as LintReport, wanted);
    const parsers = measureParsers(corpus, setup, cores);
    const results = { ...summarize(corpus, gofmt, wanted, measured, variants), ...extra, parsers };
    process.stdout.write(render(results) + renderExtras(extra) + renderParsers(parsers, cores));
    mkdirSync(path.dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(`\nJSON: ${path.relative(process.cwd(), RESULTS) || RESULTS}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

type Results = ReturnType<typeof summarize>;

function summarize(corpus: Corpus, gofmt: string, wanted: Plan, measured: Measurement, variants: LintVariant[]) {
  const gofmtSamples = measured.gofmt;
  const report = variants[0].report as LintReport;
  const linted = lintedFiles(corpus);
  const onDisk = gofmtFiles(corpus.root);
  const gofmtMs = median(gofmtSamples.map((s) => s.ms));
  const lint = variants.map((v) => lintFigures(v, report, gofmtMs));
  const ms = (j: number) => lint.find((l) => l.jobs === j)?.medianMs ?? NaN;
  const speedup = ms(1) / ms(2);
  return {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: os.cpus()[0]?.model ?? '?',
      cores: os.availableParallelism(),
      /** Largest share of all cores that other processes used during a timed run (null: not measurable here). */
      otherCpuMax: otherCpuMax([measured.gofmt, ...variants.map((v) => v.samples)].flat()),
    },
    corpus: {
      root: corpus.root,
      patterns: corpus.patterns,
      ...report.stats,
      mb: Number((linted.bytes / MB).toFixed(2)),
      /** Set when the bench's own walk disagrees with goleak-lint's file count: mb is then approximate. */
      mbApproximate: linted.files !== report.stats.files,
      gofmtFiles: onDisk.files,
      gofmtMb: Number((onDisk.bytes / MB).toFixed(2)),
    },
    runs: measured.rounds,
    runsPlanned: wanted.runs,
    budgetSeconds: wanted.budgetMs / 1000,
    gofmt: {
      path: gofmt,
      medianMs: Math.round(gofmtMs),
      bestMs: Math.round(Math.min(...gofmtSamples.map((s) => s.ms))),
      cpuMs: medianCpuMs(gofmtSamples),
      samplesMs: gofmtSamples.map((s) => Math.round(s.ms)),
      filesPerSec: Math.round(onDisk.files / (gofmtMs / 1000)),
    },
    goleakLint: lint,
    scaling: { speedupJobs1To2: Number(speedup.toFixed(2)), efficiency: Number((speedup / 2).toFixed(2)) },
    findings: {
      total: report.findings.length,
      suppressed: report.findings.filter((f) => f.suppressed).length,
      byRule: byRule(report),
    },
    warnings: report.warnings.length,
  };
}

function lintFigures(v: LintVariant, report: LintReport, gofmtMs: number) {
  const ms = median(v.samples.map((s) => s.ms));
  return {
    jobs: v.jobs,
    default: v.isDefault,
    medianMs: Math.round(ms),
    bestMs: Math.round(Math.min(...v.samples.map((s) => s.ms))),
    cpuMs: medianCpuMs(v.samples),
    samplesMs: v.samples.map((s) => Math.round(s.ms)),
    filesPerSec: Math.round(report.stats.files / (ms / 1000)),
    linesPerSec: Math.round(report.stats.lines / (ms / 1000)),
    peakRssMiB: peakRssMiB(v.samples),
    vsGofmt: Number((ms / gofmtMs).toFixed(3)),
  };
}

function render(r: Results): string {
  return [renderHeader(r), 'Corpus', renderCorpus(r), '', 'Time', renderTimes(r), '', 'Scaling', renderScaling(r), '', 'Findings', renderFindings(r)].join('\n') + '\n';
}

function renderHeader(r: Results): string {
  const c = r.corpus;
  const m = r.machine;
  const out: string[] = [];
  out.push(`goleak-lint bench  ${r.date}`);
  const other = m.otherCpuMax === null ? 'not measurable here' : `up to ${percent(m.otherCpuMax)} of all cores`;
  const busy = (m.otherCpuMax ?? 0) > BUSY ? '  WARNING: timings inflated' : '';
  out.push(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}, ${m.platform}`);
  out.push(`         other processes during the timed runs: ${other}${busy}`);
  out.push(`corpus:  ${c.root}   patterns: ${c.patterns.join(' ')}`);
  const cut = r.runs < r.runsPlanned ? ` (of ${r.runsPlanned} planned: stopped at the ${r.budgetSeconds} s time budget)` : '';
  out.push(`timing:  median wall time of ${r.runs} run(s) each${cut}, after one warm-up run of gofmt and goleak-lint`);
  return out.join('\n') + '\n';
}

function renderCorpus(r: Results): string {
  const c = r.corpus;
  return table([
    ['', 'packages', 'files', 'lines', 'MB'],
    ['linted by goleak-lint', int(c.packages), int(c.files), int(c.lines), `${c.mbApproximate ? '~' : ''}${c.mb.toFixed(1)}`],
    ['read by gofmt -l .', '', int(c.gofmtFiles), '', c.gofmtMb.toFixed(1)],
  ]);
}

function renderTimes(r: Results): string {
  const cpu = (ms: number | null) => (ms === null ? 'n/a' : seconds(ms));
  const rows = [['command', 'wall (median)', 'best', 'CPU', 'vs gofmt', 'files/s', 'lines/s', 'peak RSS']];
  const g = r.gofmt;
  rows.push([`gofmt -l .  (${g.path})`, seconds(g.medianMs), seconds(g.bestMs), cpu(g.cpuMs), '1.00x', int(g.filesPerSec), '', '']);
  for (const l of r.goleakLint) {
    const rss = l.peakRssMiB === null ? 'n/a' : `${int(l.peakRssMiB)} MiB`;
    rows.push([lintLabel({ jobs: l.jobs, isDefault: l.default, samples: [] }), seconds(l.medianMs), seconds(l.bestMs), cpu(l.cpuMs), `${l.vsGofmt.toFixed(2)}x`, int(l.filesPerSec), int(l.linesPerSec), rss]);
  }
  return table(rows);
}

function renderScaling(r: Results): string {
  const { speedupJobs1To2: speedup, efficiency } = r.scaling;
  return `  --jobs 1 -> --jobs 2: speed-up ${speedup.toFixed(2)}x, parallel efficiency ${Math.round(efficiency * 100)}%`;
}

function renderFindings(r: Results): string {
  const rules = Object.entries(r.findings.byRule).map(([id, n]) => `${id} ${n}`).join(', ');
  return `  ${r.findings.total} (${r.findings.suppressed} suppressed)${rules ? `: ${rules}` : ''}; ${r.warnings} warning(s)`;
}

try {
  main();
} catch (err) {
  if (!(err instanceof BenchError)) throw err;
  if (err.detail) process.stderr.write(err.detail.endsWith('\n') ? err.detail : `${err.detail}\n`);
  process.stderr.write(`goleak-lint bench: ${err.message}\n`);
  process.exitCode = 2;
}
