import type { Rule } from '../engine/types.js';

/** `goleak-lint rules`: one line per rule. */
export function renderRuleList(rules: Rule[]): string {
  const width = Math.max(...rules.map((r) => r.meta.id.length));
  return rules.map((r) => `${r.meta.id.padEnd(width)}  ${r.meta.severity.padEnd(7)}  ${r.meta.title}`).join('\n') + '\n';
}

/** `goleak-lint explain RULE`: why it leaks, the fix, an example, how to suppress. */
export function renderExplain(rule: Rule): string {
  const m = rule.meta;
  const indent = (code: string) => code.replace(/^/gm, '    ');
  const gate = m.goVersion
    ? `\nApplies to modules whose go line is below ${m.goVersion.below}` +
      (m.goVersion.restoredBy ? `, or that set godebug ${m.goVersion.restoredBy}` : '') +
      '.\n'
    : '';
  return (
    `${m.id}: ${m.title}\n\n` +
    `Severity: ${m.severity}, precision: ${m.precision}, tags: ${m.tags.join(', ')}\n${gate}\n` +
    `Why it leaks:\n${wrap(m.why)}\n\nHow to fix:\n${wrap(m.fix)}\n\n` +
    `Leaks:\n${indent(m.example.bad)}\n\nDoes not leak:\n${indent(m.example.good)}\n\n` +
    `To suppress one finding, on its line or the line above:\n    //goleak-lint:ignore ${m.id} <reason>\n`
  );
}

function wrap(text: string, width = 88): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.map((l) => `  ${l}`).join('\n');
}
