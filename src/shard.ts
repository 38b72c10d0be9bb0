import { createHash } from 'node:crypto';
import path from 'node:path';
import { toSlash } from './load.js';
import { repositoryRoot } from './report/repository.js';

/** `--shard i/n`: the i-th (1-based) of n parts of a run's packages. */
export interface Shard {
  index: number;
  count: number;
}

/** `2/3` as { index: 2, count: 3 }; null unless 1 <= i <= n. */
export function parseShard(text: string): Shard | null {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) return null;
  return { index, count };
}

/**
 * The shard (1-based, of `count`) that owns a package, from a hash of its path alone:
 * adding or removing a package moves no other one.
 */
export function shardOf(packagePath: string, count: number): number {
  const digest = createHash('sha256').update(packagePath).digest();
  return (digest.readUIntBE(0, 6) % count) + 1;
}

/**
 * Whether a package directory (absolute) belongs to the shard. Packages are named by
 * their path relative to the repository root, with forward slashes, so every job of a
 * CI matrix agrees wherever it checked the repository out and whichever directory it
 * runs in.
 */
export function shardFilter(shard: Shard, cwd: string): (dir: string) => boolean {
  const root = repositoryRoot(cwd);
  return (dir) => shardOf(toSlash(path.relative(root, dir)) || '.', shard.count) === shard.index;
}
