import { readdirSync, statSync, existsSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.js';
import { describeFsError, toSlash } from './load.js';
import { sortWarnings, type Warning } from './warnings.js';
import { findUp } from './find-up.js';

/** The Go files of one directory that a run lints. */
export interface DirectoryFiles {
  dir: string;
  files: string[];
}

export interface Discovery {
  directories: DirectoryFiles[];
  warnings: Warning[];
  /**
   * Set when files were named: their packages are linted whole (rules reason across a
   * package's files) but only these files, and every file of the directories that
   * patterns named, are reported on. Absolute paths.
   */
  reportOnly: Set<string> | null;
  /** The `.go` files named on the command line, absolute. */
  named: Set<string>;
}

export interface DiscoverOptions {
  cwd: string;
  /** Include `_test.go` files found in directories (files named on the command line always are). */
  tests: boolean;
}

/**
 * Turns command-line patterns into directories of Go files, with the go command's
 * meaning: `dir/...` recurses but skips vendor/, testdata/, names starting with `.` or
 * `_`, symlinked directories and nested modules; `dir` is that directory's package;
 * `file.go` is that file, linted with the rest of its package.
 */
export function discover(patterns: string[], options: DiscoverOptions): Discovery {
  const byDir = new Map<string, Set<string>>();
  const warnings: Warning[] = [];
  const named = new Set<string>();
  const wholeDirs = new Set<string>();
  const add = (file: string) => {
    const dir = path.dirname(file);
    let set = byDir.get(dir);
    if (!set) byDir.set(dir, (set = new Set()));
    set.add(file);
  };
  for (const pattern of patterns.length ? patterns : ['.']) {
    const recursive = pattern === '...' || pattern.endsWith('/...');
    const base = path.resolve(options.cwd, recursive ? pattern.slice(0, -3) || '.' : pattern);
    let isDir: boolean;
    try {
      isDir = statSync(base).isDirectory();
    } catch (err) {
      throw new UsageError(`${pattern}: ${describeFsError(err)}`);
    }
    if (recursive) {
      if (!isDir) throw new UsageError(`${pattern}: not a directory`);
      // Inside a module, ./... stops at nested modules as the go command does; outside any
      // module (a folder of checkouts) it lints them all.
      const addWhole = (file: string) => {
        add(file);
        wholeDirs.add(path.dirname(file));
      };
      const matched = walk(base, insideModule(base) ? base : null, options, addWhole, warnings);
      if (matched === 0) throw new UsageError(`${pattern}: matched no packages`);
    } else if (isDir) {
      const files = goFilesIn(base, options, warnings).map((e) => path.join(base, e.name));
      if (files.length === 0) throw new UsageError(`${pattern}: no Go files in this directory`);
      files.forEach(add);
      wholeDirs.add(base);
    } else {
      if (!base.endsWith('.go')) throw new UsageError(`${pattern}: not a Go file or directory`);
      add(base);
      named.add(base);
      const dir = path.dirname(base);
      const tests = options.tests || base.endsWith('_test.go');
      for (const e of goFilesIn(dir, { ...options, tests }, warnings)) add(path.join(dir, e.name));
    }
  }
  const reportOnly = named.size ? new Set([...named, ...[...wholeDirs].flatMap((d) => [...(byDir.get(d) ?? [])])]) : null;
  const directories = [...byDir]
    .map(([dir, files]) => ({ dir, files: [...files].sort() }))
    .sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  return { directories, warnings: sortWarnings(warnings), reportOnly, named };
}

function walk(
  dir: string,
  moduleBase: string | null,
  options: DiscoverOptions,
  add: (file: string) => void,
  warnings: Warning[],
): number {
  const entries = readDir(dir, options.cwd, warnings);
  const files = goFilesIn(dir, options, warnings, entries);
  for (const e of files) add(path.join(dir, e.name));
  let matched = files.length;
  for (const e of entries) {
    if (!e.isDirectory() || skippedDirectory(e.name)) continue;
    const sub = path.join(dir, e.name);
    if (moduleBase && existsSync(path.join(sub, 'go.mod'))) continue;
    matched += walk(sub, moduleBase, options, add, warnings);
  }
  return matched;
}

function insideModule(dir: string): boolean {
  return findUp(dir, ['go.mod']) !== null;
}

function skippedDirectory(name: string): boolean {
  return name === 'vendor' || name === 'testdata' || name.startsWith('.') || name.startsWith('_');
}

function readDir(dir: string, cwd: string, warnings: Warning[]): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    warnings.push({ file: toSlash(path.relative(cwd, dir)) || '.', message: `cannot read directory: ${describeFsError(err)}` });
    return [];
  }
}

/** The `.go` files of a directory the go command would build: symlinks to files count, broken ones are reported. */
function goFilesIn(dir: string, options: DiscoverOptions, warnings: Warning[], entries = readDir(dir, options.cwd, warnings)): Dirent[] {
  return entries.filter((e) => {
    if (!e.name.endsWith('.go') || e.name.startsWith('.') || e.name.startsWith('_')) return false;
    if (!options.tests && e.name.endsWith('_test.go')) return false;
    if (e.isFile()) return true;
    if (!e.isSymbolicLink()) return false;
    try {
      return statSync(path.join(dir, e.name)).isFile();
    } catch (err) {
      warnings.push({ file: toSlash(path.relative(options.cwd, path.join(dir, e.name))), message: `skipped: ${describeFsError(err)}` });
      return false;
    }
  });
}
