import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from './engine/types.js';
import { UsageError } from './errors.js';

/** Per absolute file: the changed line numbers, or 'all' for a file git does not track yet. */
export type ChangedLines = Map<string, Set<number> | 'all'>;

function git(args: string[], cwd: string, rev: string): string {
  const r = spawnSync('git', ['-c', 'core.quotePath=false', ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw new UsageError(`--new-from-rev ${rev}: cannot run git: ${r.error.message}`);
  if (r.status !== 0) {
    // git's reason is its fatal line; hints and usage follow it on lines of their own.
    const all = r.stderr.trim().split('\n');
    const why = (all.find((l) => /^(fatal|error): /.test(l)) ?? all[0] ?? '').replace(/^(fatal|error): /, '').trim();
    throw new UsageError(`--new-from-rev ${rev}: git: ${why || `git ${args[0]} failed`}`);
  }
  return r.stdout;
}

/**
 * The lines of the working tree that differ from revision `rev` (committed, staged or
 * not), as `git diff REV` sees them, plus untracked files as wholly new.
 */
export function changedSince(rev: string, cwd: string): ChangedLines {
  const top = git(['rev-parse', '--show-toplevel'], cwd, rev).trim();
  // `rev --`: a revision, never a path; a bad one fails here with git's "bad revision 'x'".
  const changed: ChangedLines = new Map();
  let current: Set<number> | null = null;
  const diff = git(['diff', '--no-color', '--no-ext-diff', '--unified=0', rev, '--'], top, rev);
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      const name = line.slice(4);
      current = name === '/dev/null' ? null : new Set();
      if (current) changed.set(path.join(top, name.replace(/^b\//, '')), current);
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (!hunk || !current) continue;
    const start = Number(hunk[1]);
    const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
    for (let n = start; n < start + count; n++) current.add(n);
  }
  for (const name of git(['ls-files', '--others', '--exclude-standard', '-z'], top, rev).split('\0')) {
    if (name) changed.set(path.join(top, name), 'all');
  }
  return changed;
}

/** Keeps the findings that touch a changed line; `cwd` is what finding paths are relative to. */
export function onChangedLines(findings: Finding[], changed: ChangedLines, cwd: string): Finding[] {
  // git reports real paths; the working directory may be reached through a symlink.
  const root = realpathSync(cwd);
  return findings.filter((f) => {
    const lines = changed.get(path.resolve(root, f.file));
    if (!lines) return false;
    if (lines === 'all') return true;
    for (let n = f.startLine; n <= f.endLine; n++) if (lines.has(n)) return true;
    return false;
  });
}
