import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The root that GitHub resolves paths against: the nearest directory at or above `cwd`
 * holding `.git` (a directory, or a file in worktrees and submodules), else `cwd` itself.
 */
export function repositoryRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

/** Maps a finding's path (relative to `cwd`) to a forward-slash path relative to `root`. */
export function rootRelative(root: string, cwd: string): (file: string) => string {
  if (path.resolve(root) === path.resolve(cwd)) return (file) => file;
  return (file) => path.relative(root, path.resolve(cwd, file)).split(path.sep).join('/');
}
