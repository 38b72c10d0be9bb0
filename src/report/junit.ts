import { posix } from 'node:path';
import type { Finding } from '../engine/types.js';
import type { LintResult } from '../lint.js';
import { TOOL_NAME } from '../version.js';
import { attributes, escapeText } from './xml.js';

/**
 * JUnit XML, as GitLab's test reports, Jenkins and most CI dashboards read it: a
 * <testsuite> per package (directory, relative to the repository root: `path` maps
 * files there) with a failing <testcase> per open finding. A clean run has one passing
 * test case, so that the CI shows that the lint ran; an internal error is an <error>.
 */
export function renderJunit(result: LintResult, path: (file: string) => string): string {
  const byPackage = new Map<string, Finding[]>();
  for (const f of result.findings) {
    if (f.suppression) continue;
    const pkg = posix.dirname(path(f.file));
    const list = byPackage.get(pkg);
    if (list) list.push(f);
    else byPackage.set(pkg, [f]);
  }
  const suites: Suite[] = [...byPackage]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([pkg, findings]) => ({ name: pkg, failures: findings.length, errors: 0, cases: findings.map((f) => failingCase(pkg, f, path(f.file))) }));
  if (result.internalErrors.length) {
    const cases = result.internalErrors.map(
      (e) =>
        `    <testcase${attributes({ name: 'internal error', classname: TOOL_NAME })}>\n` +
        `      <error${attributes({ message: e.split('\n')[0] })}>${escapeText(e)}</error>\n    </testcase>\n`,
    );
    suites.push({ name: TOOL_NAME, failures: 0, errors: cases.length, cases });
  } else if (!suites.length) {
    suites.push({ name: TOOL_NAME, failures: 0, errors: 0, cases: [`    <testcase${attributes({ name: 'no findings', classname: TOOL_NAME })}/>\n`] });
  }
  const total = (key: 'failures' | 'errors') => suites.reduce((n, s) => n + s[key], 0);
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites${attributes({ name: TOOL_NAME, tests, failures: total('failures'), errors: total('errors') })}>\n` +
    suites
      .map((s) => {
        const attrs = attributes({ name: s.name, tests: s.cases.length, failures: s.failures, errors: s.errors, skipped: 0 });
        return `  <testsuite${attrs}>\n${s.cases.join('')}  </testsuite>\n`;
      })
      .join('') +
    '</testsuites>\n'
  );
}

interface Suite {
  name: string;
  failures: number;
  errors: number;
  /** Rendered <testcase> elements. */
  cases: string[];
}

/** `rule-id at file:line:col`, the failure's text in the compiler's shape. */
function failingCase(pkg: string, f: Finding, file: string): string {
  const where = `${file}:${f.startLine}:${f.startColumn}`;
  const name = attributes({ name: `${f.ruleId} at ${where}`, classname: pkg, file, line: f.startLine });
  const failure = attributes({ message: f.message, type: f.severity });
  const text = escapeText(`${where}: ${f.severity}: ${f.message} (${f.ruleId})`);
  return `    <testcase${name}>\n      <failure${failure}>${text}</failure>\n    </testcase>\n`;
}
