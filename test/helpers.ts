/**
 * Shared helpers for the end-to-end tests: run the built CLI as a child process against
 * throwaway Go trees in a fresh temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

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

/** The text line the CLI prints for the leak in pollSource(), at `file` (line 6, column 7). */
export function tickerLine(file: string, line = 6, col = 7, name = 't'): string {
  return (
    `${file}:${line}:${col}: ticker ${name} is never stopped: before Go 1.23 it keeps firing and is never freed; ` +
    `call ${name}.Stop() when done (defer it) (unstopped-ticker)`
  );
}

export const TICK_MESSAGE =
  'time.Tick leaks its ticker once this function returns: before Go 1.23 it is never freed; use time.NewTicker with defer t.Stop()';

export const AFTER_MESSAGE =
  "time.After in this loop's select starts a new timer on every iteration, and before Go 1.23 each stays in memory until it fires; create one timer before the loop and Reset it";
