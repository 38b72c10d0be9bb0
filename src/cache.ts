import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Outcome } from './pool.js';
import type { Task, TaskResult } from './task.js';
import { installedVersion } from './parser/versions.js';
import { TOOL_VERSION } from './version.js';
import type { Warning } from './warnings.js';

/**
 * The result cache: one entry per directory task, holding its result and, for each of its
 * files, the content hash and the stat stamp (size, mtime, ctime, inode) seen when the
 * entry was written.
 *
 * An entry's place is named by the hash of everything but the files that decides the
 * result (tool version and code, parser versions, the task's settings: module facts,
 * rules, options, root) plus the directory. It is valid when the directory holds the same
 * file names with the same contents. Proving "same contents" by stat first, as git,
 * gopls and golangci-lint do, lets a warm run skip reading every file it does not need:
 * a file whose stamp matches the stored one is taken as unchanged; only a file whose
 * stamp differs is read and hashed, so `touch` or a checkout that rewrites identical
 * bytes still hits. A stamp is not stored for a file modified in the last RACY_MS
 * before it was taken (an edit in the same clock tick could leave it unchanged): such a
 * file is hashed next time.
 *
 * Entries are written to a temporary file and renamed, so concurrent runs see either a
 * whole entry or none; an unreadable or malformed entry is a miss.
 */

const SCHEMA = 1;
const RACY_MS = 2000;
/**
 * Entries not written for this long are deleted, at most once a day: old settings and
 * old builds of goleak-lint leave entries nobody will read again. An entry that is read
 * every day but never rewritten goes too; the next run just lints that directory again.
 */
export const PRUNE_AGE_MS = 30 * 24 * 3600_000;
const PRUNE_EVERY_MS = 24 * 3600_000;

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'goleak-lint');
}

interface Stamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

interface EntryFile {
  name: string;
  hash: string;
  stamp: Stamp | null;
}

interface Entry {
  schema: number;
  dir: string;
  files: EntryFile[];
  result: TaskResult;
}

export interface CacheStats {
  /** Directory tasks served from the cache, and the packages they hold. */
  hits: number;
  packages: number;
  /** Directory tasks that ran. */
  misses: number;
  /** Files read to check a cached entry: their stat stamp had changed or was not trusted. */
  hashed: number;
}

/**
 * Serves what it can from the cache in `dir`, runs the rest with `run`, and stores what
 * ran. Outcomes come back in no particular order, as from the pool. Cache problems are
 * never fatal: at most one warning says the cache could not be written.
 */
export async function runCached(
  tasks: Task[],
  dir: string,
  run: (tasks: Task[]) => Promise<Outcome[]>,
): Promise<{ outcomes: Outcome[]; stats: CacheStats; warnings: Warning[] }> {
  const cache = new ResultCache(dir);
  const outcomes: Outcome[] = [];
  const stats: CacheStats = { hits: 0, packages: 0, misses: 0, hashed: 0 };
  const pending = new Map<Task, Stamp[] | null>();
  for (const task of tasks) {
    const { result, stamps } = cache.lookup(task);
    if (result) {
      outcomes.push({ result, task });
      stats.hits++;
      stats.packages += result.packages;
    } else {
      pending.set(task, stamps);
    }
  }
  stats.misses = pending.size;
  stats.hashed = cache.hashed;
  const ran = await run([...pending.keys()]);
  for (const o of ran) {
    outcomes.push(o);
    if ('error' in o) continue;
    const stamps = pending.get(o.task);
    if (stamps) cache.store(o.task, stamps, o.result);
  }
  // The hashes were only needed here.
  for (const o of outcomes) if ('result' in o) delete o.result.fileHashes;
  if (pending.size) pruneOldEntries(dir);
  return { outcomes, stats, warnings: cache.warnings };
}

/**
 * Deletes entries older than PRUNE_AGE_MS, when the last prune (the mtime of a marker
 * file) is more than a day ago. Runs only after a run that wrote entries: a warm run
 * pays nothing. Failures are ignored: pruning is housekeeping.
 */
export function pruneOldEntries(dir: string, now = Date.now()): void {
  const root = path.join(dir, `v${SCHEMA}`);
  const marker = path.join(root, '.pruned');
  try {
    if (now - statSync(marker).mtimeMs < PRUNE_EVERY_MS) return;
  } catch {
    // No marker yet: prune now.
  }
  try {
    writeFileSync(marker, '');
    utimesSync(marker, new Date(now), new Date(now));
    for (const shard of readdirSync(root)) {
      if (shard === '.pruned') continue;
      for (const name of readdirSync(path.join(root, shard))) {
        const file = path.join(root, shard, name);
        // (A file another run renamed or pruned a moment ago has no stat: skip it.)
        const stat = statSync(file, { throwIfNoEntry: false });
        if (stat && now - stat.mtimeMs > PRUNE_AGE_MS) rmSync(file, { force: true });
      }
    }
  } catch {
    // Another run may be pruning or writing at the same time; the next prune catches up.
  }
}

class ResultCache {
  readonly warnings: Warning[] = [];
  hashed = 0;
  private readonly settingsKeys = new Map<string, string>();
  private readonly madeDirs = new Set<string>();

  constructor(private readonly dir: string) {}

  /** The cached result of a task, or null with the stamps to store once it has run. */
  lookup(task: Task): { result: TaskResult | null; stamps: Stamp[] | null } {
    const stamps = stampsOf(task.files);
    const entry = this.read(task);
    if (!stamps || !entry) return { result: null, stamps };
    const names = task.files.map((f) => path.relative(task.dir, f));
    if (entry.files.length !== names.length || entry.files.some((f, i) => f.name !== names[i])) return { result: null, stamps };
    let restamped = false;
    for (let i = 0; i < names.length; i++) {
      const stored = entry.files[i];
      if (stored.stamp && sameStamp(stored.stamp, stamps[i])) continue;
      this.hashed++;
      if (contentHash(task.files[i]) !== stored.hash) return { result: null, stamps };
      restamped = true;
    }
    if (restamped) this.write(task, stamps, entry.files.map((f) => f.hash), entry.result);
    return { result: entry.result, stamps };
  }

  store(task: Task, stamps: Stamp[], result: TaskResult): void {
    const hashes = result.fileHashes;
    // A result with an internal error may be a passing failure; one without the hash of
    // every file (a file skipped before reading) cannot be validated later.
    if (result.internalErrors.length || !hashes || task.files.some((f) => !hashes[f])) return;
    const { fileHashes: _, ...plain } = result;
    this.write(task, stamps, task.files.map((f) => hashes[f]), plain);
  }

  private read(task: Task): Entry | null {
    try {
      const entry = JSON.parse(readFileSync(this.entryPath(task), 'utf8')) as Entry;
      return isEntry(entry, task.dir) ? entry : null;
    } catch {
      return null;
    }
  }

  private write(task: Task, stamps: Stamp[], hashes: string[], result: TaskResult): void {
    const now = Date.now();
    const files = task.files.map((f, i) => ({
      name: path.relative(task.dir, f),
      hash: hashes[i],
      stamp: now - stamps[i].mtimeMs < RACY_MS ? null : stamps[i],
    }));
    const entry: Entry = { schema: SCHEMA, dir: task.dir, files, result };
    const file = this.entryPath(task);
    const tmp = `${file}.${process.pid}.${threadId}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      const parent = path.dirname(file);
      if (!this.madeDirs.has(parent)) {
        mkdirSync(parent, { recursive: true });
        this.madeDirs.add(parent);
      }
      writeFileSync(tmp, JSON.stringify(entry));
      renameSync(tmp, file);
    } catch (err) {
      if (!this.warnings.length) this.warnings.push({ message: `cache: cannot write to ${this.dir}: ${(err as Error).message}` });
    }
  }

  private entryPath(task: Task): string {
    const key = sha256(`${this.settingsKey(task)}\0${task.dir}`);
    return path.join(this.dir, `v${SCHEMA}`, key.slice(0, 2), `${key.slice(2)}.json`);
  }

  /** Everything but the files that decides a task's result. */
  private settingsKey(task: Task): string {
    const { dir: _, files: __, ...settings } = task;
    const json = JSON.stringify(settings);
    let key = this.settingsKeys.get(json);
    if (!key) this.settingsKeys.set(json, (key = sha256(`${toolFingerprint()}\0${json}`)));
    return key;
  }
}

function stampsOf(files: string[]): Stamp[] | null {
  const stamps: Stamp[] = [];
  for (const f of files) {
    let s: Stats;
    try {
      s = statSync(f);
    } catch {
      return null;
    }
    stamps.push({ size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino });
  }
  return stamps;
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

export function contentHash(file: string): string | null {
  try {
    return hashBytes(readFileSync(file));
  } catch {
    return null;
  }
}

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isEntry(e: Entry, dir: string): boolean {
  const r = e?.result;
  return (
    e.schema === SCHEMA &&
    e.dir === dir &&
    Array.isArray(e.files) &&
    e.files.every((f) => typeof f?.name === 'string' && typeof f.hash === 'string') &&
    typeof r === 'object' &&
    r !== null &&
    Array.isArray(r.findings) &&
    Array.isArray(r.warnings) &&
    Array.isArray(r.internalErrors) &&
    [r.packages, r.files, r.lines].every((n) => typeof n === 'number')
  );
}

let fingerprint: string | null = null;

/**
 * The tool's version, the hash of its own compiled code (so that a rebuilt rule never
 * meets results of its old self) and the parser's versions.
 */
function toolFingerprint(): string {
  if (fingerprint) return fingerprint;
  const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'); // dist/
  const h = createHash('sha256').update(`${SCHEMA}\0${TOOL_VERSION}\0`);
  for (const sub of ['src', 'rules']) hashTree(path.join(dist, sub), h);
  for (const pkg of ['tree-sitter', 'tree-sitter-go', 'web-tree-sitter']) h.update(`${pkg}@${installedVersion(pkg) ?? '?'}`);
  return (fingerprint = h.digest('hex'));
}

function hashTree(dir: string, h: ReturnType<typeof createHash>): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) hashTree(p, h);
    else if (e.name.endsWith('.js')) h.update(`${e.name}\0`).update(readFileSync(p));
  }
}

