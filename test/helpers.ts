/**
 * Shared helpers for the end-to-end tests: run the built CLI as a child process against
 * throwaway Go trees in a fresh temporary directory.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ProfileImpact } from '../src/profile/types.js';
import AjvModule from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The compiled CLI: tests run from dist/test/, the CLI is dist/src/cli.js. */
export const CLI = path.resolve(here, '../src/cli.js');

/** The repository root (dist/test/ is two levels below it). */
export const repoRoot = path.resolve(here, '../..');

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when spawnSync gave up (a timeout, for instance). */
  error?: Error;
}

export interface RunOptions {
  cwd: string;
  /** Added to (or, with undefined, removed from) the child's environment. */
  env?: Record<string, string | undefined>;
  timeout?: number;
}

/** Runs `node dist/src/cli.js ...args` and returns its exit status and output. */
export function runCli(args: string[], options: RunOptions): RunResult {
  const env: Record<string, string | undefined> = { ...process.env };
  // Colour must not depend on the environment the tests happen to run in.
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env,
    encoding: 'utf8',
    timeout: options.timeout ?? 20_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** Every .go file under the repository's `dirs` (fixtures, examples), as full paths. */
export function repoGoFiles(...dirs: string[]): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.go'))
      .map((e) => path.join(e.parentPath, e.name)),
  );
}

/** The lines of an output, without the final newline's empty tail. */
export function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** A throwaway directory tree of Go files, removed when the test ends. */
export class GoTree {
  constructor(readonly dir: string) {}

  path(rel: string): string {
    return path.join(this.dir, rel);
  }

  write(rel: string, content: string | Buffer): string {
    const abs = this.path(rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    return abs;
  }

  /** Creates the symlink `rel` pointing at `target` (taken literally, usually relative). */
  symlink(target: string, rel: string): void {
    const abs = this.path(rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    symlinkSync(target, abs);
  }

  goMod(rel: string, goLine: string, extra = ''): void {
    const dir = rel === '.' ? '' : `${rel}/`;
    this.write(`${dir}go.mod`, `module example.com/${rel === '.' ? 'root' : rel.replace(/\W/g, '')}\n\ngo ${goLine}\n${extra}`);
  }

  run(args: string[], options: Omit<RunOptions, 'cwd'> & { cwd?: string } = {}): RunResult {
    return runCli(args, { ...options, cwd: options.cwd ? this.path(options.cwd) : this.dir });
  }
}

/** A fresh temporary tree for one test; deleted (permissions restored first) after it. */
export function tempTree(t: TestContext): GoTree {
  // The real path: the CLI prints paths relative to process.cwd(), which has symlinks resolved.
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'goleak-lint-test-')));
  t.after(() => {
    try {
      chmodAll(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return new GoTree(dir);
}

function chmodAll(dir: string): void {
  // A test may leave a mode-000 file behind; make sure the tree can be removed.
  spawnSync('chmod', ['-R', 'u+rwX', dir]);
}

/** True when some go.mod sits above `dir` (which would change what a tree without go.mod means). */
export function goModAbove(dir: string): boolean {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'go.mod'))) return true;
    if (path.dirname(d) === d) return false;
  }
}

/** The snippet from the brief: `time.NewTicker` on line 6, column 7 is never stopped. */
export function pollSource(pkg = 'svc', func = 'Poll', stop = false): string {
  return [
    `package ${pkg}`,
    '',
    'import ("context"; "time")',
    '',
    `func ${func}(ctx context.Context) {`,
    '\tt := time.NewTicker(time.Second)',
    ...(stop ? ['\tdefer t.Stop()'] : []),
    '\tfor {',
    '\t\tselect {',
    '\t\tcase <-ctx.Done():',
    '\t\t\treturn',
    '\t\tcase <-t.C:',
    '\t\t}',
    '\t}',
    '}',
    '',
  ].join('\n');
}

/** The text line the CLI prints for the leak in pollSource(pkg, func), at `file` (line 6, column 7). */
export function tickerLine(file: string, line = 6, col = 7, name = 't', func = 'Poll'): string {
  return (
    `${file}:${line}:${col}: warning: a ticker per call of ${func}, held in ${name}, is never stopped: ` +
    'before Go 1.23 each keeps firing and is never freed (unstopped-ticker)'
  );
}

/** The message for a `time.Tick` per call of `func`. */
export function tickMessage(func: string): string {
  return `a ticker from time.Tick per call of ${func} cannot be stopped: before Go 1.23 it is never freed`;
}

/** The message for a `time.After(d)` in the select of the loop at `line` of `func`. */
export function afterMessage(duration: string, line: number, func: string): string {
  return (
    `a ${duration} timer from time.After made in the loop at line ${line} of ${func} stays until it fires whenever another case wins ` +
    '(before Go 1.23)'
  );
}

export function assertExit(r: RunResult, code: number): void {
  assert.equal(r.error, undefined, `spawn failed: ${r.error}`);
  assert.equal(r.status, code, `exit status ${r.status}, want ${code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

/** Exit 2, nothing on stdout, exactly one stderr line equal to `want` (or matching it). */
export function assertUsageError(r: RunResult, want: string | RegExp): void {
  assertExit(r, 2);
  assert.equal(r.stdout, '');
  const err = lines(r.stderr);
  assert.equal(err.length, 1, `want one stderr line, got:\n${r.stderr}`);
  if (typeof want === 'string') assert.equal(err[0], want);
  else assert.match(err[0], want);
}

// Both packages are CommonJS with `exports.default`: under NodeNext the default import is
// module.exports, and `.default` is the class / plugin itself.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;
let sarifValidator: ReturnType<InstanceType<typeof Ajv>['compile']> | undefined;

/**
 * Parses a SARIF log and checks it against the OASIS SARIF 2.1.0 schema (test/schemas/,
 * with its notice) and against what GitHub code scanning accepts; returns the log.
 */
export function validateSarif(text: string) {
  if (!sarifValidator) {
    const schemaPath = path.resolve(repoRoot, 'test/schemas/sarif-schema-2.1.0.json');
    assert.ok(existsSync(schemaPath), `SARIF schema missing at ${schemaPath}`);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    sarifValidator = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
  }
  const log = JSON.parse(text);
  // (Through `as unknown`: the type guard would otherwise narrow `log` to unknown.)
  assert.ok(sarifValidator(log as unknown), JSON.stringify(sarifValidator.errors, null, 2));
  assert.equal(log.runs.length, 1, 'GitHub takes one run per tool');
  const run = log.runs[0];
  assert.ok(run.results.length <= 25_000, 'GitHub rejects more than 25,000 results per run');
  for (const rule of run.tool.driver.rules) {
    assert.ok(rule.shortDescription?.text && rule.fullDescription?.text && rule.help?.text, `rule ${rule.id} lacks descriptions`);
    assert.ok((rule.properties?.tags ?? []).length <= 20, `rule ${rule.id} has more than 20 tags`);
    assert.equal(rule.properties?.['security-severity'], undefined);
  }
  for (const result of run.results) {
    assert.ok(result.locations.length === 1 && (result.relatedLocations ?? []).length < 1000);
    const loc = result.locations[0].physicalLocation;
    assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.ok(!/^[a-z]+:|^\//.test(loc.artifactLocation.uri), `not repository-relative: ${loc.artifactLocation.uri}`);
    assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
  }
  assert.ok(run.automationDetails?.id, 'GitHub needs automationDetails.id to tell analyses apart');
  assert.equal(run.columnKind, 'utf16CodeUnits');
  return log;
}

/** Runs git in `cwd` as a throwaway committer; fails the test on an error; returns stdout. */
/** A copy of this working tree's files (tracked and new, not ignored) in `dir`; returns `dir`. */
export function copyOfWorkingTree(dir: string): string {
  for (const f of lines(git(repoRoot, 'ls-files', '--cached', '--others', '--exclude-standard'))) {
    const from = path.join(repoRoot, f);
    // Deleted but not yet staged, or the node_modules link of a worktree: not part of it.
    if (f === 'node_modules' || !lstatSync(from, { throwIfNoEntry: false })) continue;
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(from, path.join(dir, f), { verbatimSymlinks: true });
  }
  return dir;
}

export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Whether a Go toolchain is on PATH (CI installs Debian's golang-go). */
export const hasGo = spawnSync('go', ['version']).status === 0;

/** An environment in which `go build` works offline, even without a usable HOME (as in CI). */
export function goBuildEnv(fallbackCache: string): NodeJS.ProcessEnv {
  const cache = spawnSync('go', ['env', 'GOCACHE'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  return {
    ...process.env,
    GOCACHE: path.isAbsolute(cache) ? cache : fallbackCache,
    GOFLAGS: '',
    GOWORK: 'off',
    GOPROXY: 'off',
    CGO_ENABLED: '0',
  };
}

/** Starts a server that prints its address as its first line (fixtures/programs/pprofserver), killed after the test. */
export function startServer(t: TestContext, bin: string): Promise<string> {
  const child = spawn(bin, [], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => {
    child.kill();
  });
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl).trim());
    });
    child.on('exit', () => reject(new Error(`${path.basename(bin)} exited`)));
  });
}

/** A finding as `--format json` writes it (docs/json-format.md): the fields the tests read. */
export interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
  suppressed: unknown;
  profile?: ProfileImpact[];
}
