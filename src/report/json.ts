import type { LintResult } from '../lint.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { ruleDocPath, ruleDocUrl } from './docs-links.js';

/** Bumped on any incompatible change of the shape documented in docs/json-format.md. */
export const JSON_FORMAT_VERSION = 2;

export function renderJson(result: LintResult): string {
  const doc = {
    version: JSON_FORMAT_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    findings: result.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      file: f.file,
      line: f.startLine,
      column: f.startColumn,
      endLine: f.endLine,
      endColumn: f.endColumn,
      related: f.related.map((r) => ({
        file: r.file,
        line: r.startLine,
        column: r.startColumn,
        endLine: r.endLine,
        endColumn: r.endColumn,
        message: r.message,
      })),
      evidence: f.evidence,
      fingerprint: f.fingerprint,
      docs: { path: ruleDocPath(f.ruleId), url: ruleDocUrl(f.ruleId) },
      suppressed: f.suppression ? { kind: f.suppression.kind, justification: f.suppression.justification } : null,
      ...(f.profile ? { profile: f.profile } : {}),
    })),
    ...(result.profiles ? { profiles: result.profiles } : {}),
    warnings: result.warnings.map((w) => ({ file: w.file ?? null, line: w.line ?? null, column: w.column ?? null, message: w.message })),
    stats: { ...result.stats, ...(result.unchanged === undefined ? {} : { unchanged: result.unchanged }) },
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
