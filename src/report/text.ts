import type { LintResult } from '../lint.js';
import type { Severity } from '../engine/types.js';
import { describeProfile } from '../profile/format.js';

const SEVERITY_COLOR: Record<Severity, string> = { error: '31', warning: '33', note: '36' };

/**
 * `path:line:col: severity: message (rule-id)` a line, the shape gcc and clang print and
 * editors' problem matchers and Vim's errorformat read; then a summary line. With colour,
 * the severity word is coloured as compilers colour it.
 */
export function renderText(result: LintResult, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  let suppressed = 0;
  let baselined = 0;
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of result.findings) {
    if (f.suppression) {
      if (f.suppression.kind === 'external') baselined++;
      else suppressed++;
      continue;
    }
    bySeverity[f.severity]++;
    const where = paint('1', `${f.file}:${f.startLine}:${f.startColumn}:`);
    lines.push(`${where} ${paint(SEVERITY_COLOR[f.severity], `${f.severity}:`)} ${f.message} ${paint('2', `(${f.ruleId})`)}`);
  }
  const shown = lines.length;
  for (const p of result.profiles ?? []) lines.push(paint('2', describeProfile(p)));
  const counts = (['error', 'warning', 'note'] as const)
    .filter((s) => bySeverity[s])
    .map((s) => `${bySeverity[s]} ${s}${bySeverity[s] === 1 ? '' : 's'}`);
  const { packages, files } = result.stats;
  const scope = `in ${packages} package${packages === 1 ? '' : 's'} (${files} file${files === 1 ? '' : 's'})`;
  const extra =
    (suppressed ? `, ${suppressed} suppressed` : '') +
    (baselined ? `, ${baselined} in the baseline` : '') +
    (result.unchanged ? `, ${result.unchanged} on unchanged lines` : '');
  lines.push(
    shown
      ? `${shown} finding${shown === 1 ? '' : 's'} (${counts.join(', ')}) ${scope}${extra}`
      : `no findings ${scope}${extra}`,
  );
  return lines.join('\n') + '\n';
}
