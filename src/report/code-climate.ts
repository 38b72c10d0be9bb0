import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../engine/types.js';
import type { LintResult } from '../lint.js';
import { TOOL_NAME } from '../version.js';

/** GitLab's severities are info, minor, major, critical and blocker; nothing here blocks. */
const SEVERITY: Record<Severity, string> = { error: 'critical', warning: 'major', note: 'info' };

/**
 * The Code Climate issue JSON that GitLab Code Quality reads: an array with one issue per
 * open finding, paths relative to the repository root (`path` maps them).
 */
export function renderCodeClimate(result: LintResult, path: (file: string) => string): string {
  const open = result.findings.filter((f) => !f.suppression);
  const fingerprints = uniqueFingerprints(open, path);
  const issues = open.map((f) => ({
    type: 'issue',
    engine_name: TOOL_NAME,
    check_name: f.ruleId,
    description: f.message,
    categories: ['Bug Risk', 'Performance'],
    severity: SEVERITY[f.severity],
    fingerprint: fingerprints.get(f),
    location: { path: path(f.file), lines: { begin: f.startLine, end: f.endLine } },
  }));
  return JSON.stringify(issues, null, 2) + '\n';
}

/**
 * GitLab merges issues that share a fingerprint, and compares them between a merge
 * request and its target to tell new issues from fixed ones. A finding's own fingerprint
 * leaves out the line (code added above it keeps it) and the path, and two findings in
 * one file can share it (the same line twice in a function); so an issue's fingerprint
 * hashes the path, that fingerprint and how many findings above it in the file share
 * both. Unique, unchanged when lines move, and independent of the report's order (a
 * ranked run orders by impact).
 */
function uniqueFingerprints(findings: Finding[], path: (file: string) => string): Map<Finding, string> {
  const inFileOrder = [...findings].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.startLine - b.startLine || a.startColumn - b.startColumn,
  );
  const seen = new Map<string, number>();
  const out = new Map<Finding, string>();
  for (const f of inFileOrder) {
    const key = `${path(f.file)}\0${f.fingerprint}`;
    const nth = seen.get(key) ?? 0;
    seen.set(key, nth + 1);
    out.set(f, createHash('sha256').update(`${key}\0${nth}`).digest('hex').slice(0, 32));
  }
  return out;
}
