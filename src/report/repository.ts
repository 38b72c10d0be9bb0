import path from 'node:path';
import { findUp } from '../find-up.js';
import { toSlash } from '../load.js';

/**
 * The root that GitHub resolves paths against: the nearest directory at or above `cwd`
 * holding `.git` (a directory, or a file in worktrees and submodules), else `cwd` itself.
 */
export function repositoryRoot(cwd: string): string {
  const git = findUp(cwd, ['.git']);
  return git ? path.dirname(git) : path.resolve(cwd);
}

/** Maps a finding's path (relative to `cwd`) to a forward-slash path relative to `root`. */
export function rootRelative(root: string, cwd: string): (file: string) => string {
  if (path.resolve(root) === path.resolve(cwd)) return (file) => file;
  return (file) => toSlash(path.relative(root, path.resolve(cwd, file)));
}
