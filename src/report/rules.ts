import { ruleDocPath, ruleDocUrl } from './docs-links.js';
import type { Described, RuleMeta } from '../engine/types.js';

/** The one test-code policy, as the docs and `explain` state it for each rule. */
export function testCodePolicy(m: RuleMeta): string {
  if (m.kind === 'suppression') return 'Comments in test code are judged like any other.';
  if (!m.inTests) return 'Profiles are judged whatever code the stacks run.';
  return m.inTests === 'reported'
    ? 'Test code is linted too: a goroutine that hangs forever makes a test hang, or leaks into the tests after it.'
    : 'Test code (`_test.go` files, functions that take a `*testing.T`, `*testing.B`, `*testing.F` or `testing.TB`, and unexported helpers that only such code calls) is not reported: what grows or lingers there ends with the test.';
}

/** What the docs and `explain` say of an opt-in rule: that it runs only when named, and why. */
function optInNote(m: RuleMeta): string {
  return m.optIn
    ? `Opt-in: runs only when named (--enable ${m.id}, or enable: in the config), or with --profile, where it reports what holds more than the threshold of the profile. ${m.optIn}`
    : '';
}

/** `goleak-lint rules`: one line per id: severity, what reports it (rule, profile, suppression), title. */
export function renderRuleList(rules: Described[]): string {
  const width = Math.max(...rules.map((r) => r.meta.id.length));
  const kind = (m: RuleMeta) => (m.kind ?? 'rule').padEnd(11);
  return rules.map((r) => `${r.meta.id.padEnd(width)}  ${r.meta.severity.padEnd(7)}  ${kind(r.meta)}  ${r.meta.title}${r.meta.optIn ? ' (opt-in)' : ''}`).join('\n') + '\n';
}

/** `goleak-lint rules --format json`: every id a report can carry, with what a tool needs to know of it. */
export function renderRulesJson(rules: Described[]): string {
  const doc = rules.map(({ meta: m }) => ({
    id: m.id,
    kind: m.kind ?? 'rule',
    title: m.title,
    severity: m.severity,
    precision: m.precision,
    tags: m.tags,
    goVersion: m.goVersion ?? null,
    inTests: m.inTests ?? null,
    docs: { path: ruleDocPath(m.id), url: ruleDocUrl(m.id) },
  }));
  return JSON.stringify(doc, null, 2) + '\n';
}

/** `goleak-lint explain RULE`: why it leaks, the fix, an example, how to suppress. */
export function renderExplain(rule: Described): string {
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
    (m.optIn ? `${wrap(optInNote(m), 90).replace(/^  /gm, '')}\n\n` : '') +
    `${m.kind === 'suppression' ? 'Why it matters' : 'Why it leaks'}:\n${wrap(m.why)}\n\nHow to fix:\n${wrap(m.fix)}\n\nIn test code:\n${wrap(testCodePolicy(m))}\n\n` +
    `${m.kind === 'suppression' ? 'Reported' : 'Leaks'}:\n${indent(m.example.bad)}\n\n` +
    `${m.kind === 'suppression' ? 'Not reported' : 'Does not leak'}:\n${indent(m.example.good)}\n\n` +
    (m.kind === 'suppression'
      ? `Reported only with --report-unused-ignores.\n`
      : `To suppress one finding, on its line or the line above:\n    //goleak-lint:ignore ${m.id} <reason>\n`)
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

/** The README's rule table, in Markdown. */
export function renderRuleTable(rules: Described[]): string {
  const rows = rules.map((r) => {
    const gate = r.meta.goVersion ? `go < ${r.meta.goVersion.below}` : 'all';
    const severity = r.meta.optIn ? `${r.meta.severity} (opt-in)` : r.meta.severity;
    return `| [\`${r.meta.id}\`](docs/rules/${r.meta.id}.md) | ${r.meta.title} | ${severity} | ${gate} |`;
  });
  return ['| rule | flags | severity | Go versions |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}

/** docs/rules/<id>.md: what the rule flags, why it leaks, how to fix and suppress. */
export function renderRuleDoc(rule: Described, source = `rules/${rule.meta.id}.ts`): string {
  const m = rule.meta;
  const gate = m.goVersion
    ? `\n**Go versions:** modules whose go line is below ${m.goVersion.below}` +
      (m.goVersion.restoredBy ? `, or that set \`godebug ${m.goVersion.restoredBy}\`` : '') +
      '.\n'
    : '';
  return (
    `<!-- generated from ${source} by \`npm run docs\`: edit the rule's metadata, not this file -->\n` +
    `# ${m.id}\n\n${m.title}.\n\n` +
    `**Severity:** ${m.severity} · **precision:** ${m.precision} · **tags:** ${m.tags.join(', ')}\n${gate}\n` +
    (m.optIn ? `**${optInNote(m).replace(': ', ':** ')}\n\n` : '') +
    `## ${m.kind === 'suppression' ? 'Why it matters' : 'Why it leaks'}\n\n${m.why}\n\n## How to fix\n\n${m.fix}\n\n## In test code\n\n${testCodePolicy(m)}\n\n` +
    `## Example\n\n${m.kind === 'suppression' ? 'Reported' : 'Leaks'}:\n\n\`\`\`go\n${m.example.bad}\n\`\`\`\n\n` +
    `${m.kind === 'suppression' ? 'Not reported' : 'Does not leak'}:\n\n\`\`\`go\n${m.example.good}\n\`\`\`\n\n` +
    (m.kind === 'suppression'
      ? `## When it runs\n\nOnly with \`--report-unused-ignores\` (or \`report-unused-ignores: true\` in the config).\n`
      : `## Suppressing a finding\n\nOn the reported line, or alone on the line above it, with the reason:\n\n` +
        `\`\`\`go\n//goleak-lint:ignore ${m.id} <why this one is fine>\n\`\`\`\n\n` +
        (m.optIn ? `To turn the rule on for a run: \`--enable ${m.id}\`.\n` : `To turn the rule off for a run: \`--disable ${m.id}\`.\n`))
  );
}
