import type { Severity } from '../engine/types.js';
import type { LintResult } from '../lint.js';
import { TOOL_NAME } from '../version.js';
import { attributes } from './xml.js';

/** Checkstyle's severities. */
const SEVERITY: Record<Severity, string> = { error: 'error', warning: 'warning', note: 'info' };

/**
 * Checkstyle XML, which Jenkins warnings-ng and reviewdog read: a <file> per file with an
 * <error> per open finding. `source` is `goleak-lint.<rule-id>`: warnings-ng shows the part
 * after the last dot as the type and the rest as the category. `path` maps a finding's
 * file to the repository-relative path reported.
 */
export function renderCheckstyle(result: LintResult, path: (file: string) => string): string {
  const byFile = new Map<string, string[]>();
  for (const f of result.findings) {
    if (f.suppression) continue;
    const file = path(f.file);
    let errors = byFile.get(file);
    if (!errors) byFile.set(file, (errors = []));
    const attrs = attributes({
      line: f.startLine,
      column: f.startColumn,
      severity: SEVERITY[f.severity],
      message: f.message,
      source: `${TOOL_NAME}.${f.ruleId}`,
    });
    errors.push(`    <error${attrs}/>\n`);
  }
  // A ranked run orders findings by impact; files still come in path order.
  const files = [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<checkstyle version="4.3">\n' +
    files.map(([file, errors]) => `  <file${attributes({ name: file })}>\n${errors.join('')}  </file>\n`).join('') +
    '</checkstyle>\n'
  );
}
