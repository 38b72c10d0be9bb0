import type { Finding, Severity } from '../engine/types.js';
import type { LintResult } from '../lint.js';
import type { Warning } from '../warnings.js';

/** GitHub's three annotation levels. */
const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', note: 'notice' };

/** Escapes the message of a workflow command, as GitHub's runner unescapes it. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values also lose `:` and `,`, which separate the properties. */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * GitHub Actions workflow commands: one `::warning file=…,line=…::message` per open
 * finding, shown as annotations on the pull request. `path` maps a finding's file to the
 * repository-relative path GitHub expects.
 */
export function renderGithub(result: LintResult, path: (file: string) => string): string {
  return (
    result.warnings.map((w) => warningAnnotation(w, path)).join('') +
    result.findings
      .filter((f) => !f.suppression)
      .map((f) => annotation(f, path(f.file)))
      .join('')
  );
}

/** A run's warning (a file skipped, a bad suppression comment) as a `::warning` on its file when it has one. */
function warningAnnotation(w: Warning, path: (file: string) => string): string {
  const props = [
    ...(w.file === undefined ? [] : [`file=${escapeProperty(path(w.file))}`]),
    ...(w.line === undefined ? [] : [`line=${w.line}`]),
    ...(w.column === undefined ? [] : [`col=${w.column}`]),
    `title=${escapeProperty('goleak-lint')}`,
  ];
  return `::warning ${props.join(',')}::${escapeData(w.message)}\n`;
}

function annotation(f: Finding, file: string): string {
  const props = [
    `file=${escapeProperty(file)}`,
    `line=${f.startLine}`,
    `endLine=${f.endLine}`,
    `col=${f.startColumn}`,
    // GitHub draws a column range only on a one-line annotation.
    ...(f.startLine === f.endLine ? [`endColumn=${f.endColumn}`] : []),
    `title=${escapeProperty(`goleak-lint (${f.ruleId})`)}`,
  ];
  return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(f.message)}\n`;
}
