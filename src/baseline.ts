import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from './engine/types.js';
import { UsageError } from './errors.js';
import { describeFsError, toSlash } from './load.js';
import { TOOL_NAME } from './version.js';

/** Bumped when the file's shape changes incompatibly. */
const BASELINE_VERSION = 1;

interface BaselineEntry {
  ruleId: string;
  /** Relative to the baseline file's directory, so the file works from any working directory. */
  file: string;
  fingerprint: string;
  /** For the people who read the file in review; not matched on. */
  message: string;
}

/**
 * Writes the open findings as a baseline: a later run with `--baseline` reports only
 * findings that are not in it. `cwd` is what finding paths are relative to.
 */
export function writeBaseline(file: string, findings: Finding[], cwd: string): number {
  const dir = path.dirname(path.resolve(cwd, file));
  const entries: BaselineEntry[] = findings
    .filter((f) => !f.suppression)
    .map((f) => ({
      ruleId: f.ruleId,
      file: toSlash(path.relative(dir, path.resolve(cwd, f.file))),
      fingerprint: f.fingerprint,
      message: f.message,
    }));
  const text = JSON.stringify({ version: BASELINE_VERSION, tool: TOOL_NAME, findings: entries }, null, 2) + '\n';
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.resolve(cwd, file), text);
  } catch (err) {
    throw new UsageError(`--write-baseline ${file}: cannot write: ${describeFsError(err)}`);
  }
  return entries.length;
}

/**
 * Marks as suppressed (kind external) each open finding that the baseline lists, matched
 * by rule, file and fingerprint, never by line; each entry absorbs one finding, so a
 * second copy of a baselined leak in the same place is still reported.
 */
export function applyBaseline(file: string, findings: Finding[], cwd: string): void {
  const absolute = path.resolve(cwd, file);
  const dir = path.dirname(absolute);
  const remaining = new Map<string, number>();
  for (const e of readBaseline(absolute, file)) {
    const key = matchKey(e.ruleId, path.resolve(dir, e.file), e.fingerprint);
    remaining.set(key, (remaining.get(key) ?? 0) + 1);
  }
  for (const f of findings) {
    if (f.suppression) continue;
    const key = matchKey(f.ruleId, path.resolve(cwd, f.file), f.fingerprint);
    const left = remaining.get(key);
    if (!left) continue;
    remaining.set(key, left - 1);
    f.suppression = { kind: 'external', justification: `listed in the baseline ${file}` };
  }
}

function matchKey(ruleId: string, absoluteFile: string, fingerprint: string): string {
  return `${ruleId}\0${absoluteFile}\0${fingerprint}`;
}

function readBaseline(absolute: string, shown: string): BaselineEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? `not JSON (${err.message})` : describeFsError(err);
    throw new UsageError(`baseline ${shown}: ${why}`);
  }
  const doc = data as { version?: unknown; findings?: unknown };
  if (doc?.version !== BASELINE_VERSION || !Array.isArray(doc.findings) || !doc.findings.every(isEntry)) {
    throw new UsageError(`baseline ${shown}: not a ${TOOL_NAME} baseline (write one with --write-baseline)`);
  }
  return doc.findings;
}

function isEntry(e: unknown): e is BaselineEntry {
  const x = e as Record<string, unknown>;
  return typeof x === 'object' && x !== null && ['ruleId', 'file', 'fingerprint'].every((k) => typeof x[k] === 'string');
}
