import { readFileSync } from 'node:fs';
import nodePath from 'node:path';
import type { Finding, RuleMeta } from '../engine/types.js';
import type { LintResult } from '../lint.js';
import { formatBytes, formatCount, formatShare, describeProfile } from '../profile/format.js';
import type { ProfileSummary } from '../profile/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { attributes, escapeText as h } from './xml.js';
import { warningText, type Warning } from '../warnings.js';

export interface HtmlOptions {
  /** The run's working directory: findings' files are relative to it. */
  cwd: string;
  /** Maps a finding's file to the path shown (relative to the repository root). */
  path: (file: string) => string;
}

/** Lines of code shown above and below a finding's line. */
const CONTEXT = 2;

/**
 * One self-contained HTML page: the open findings grouped by package and rule, each with
 * its code excerpt, the rule's explanation once per group, and with profiles a bar chart
 * per profile of what each finding holds. Inline CSS only, and a content security policy
 * that forbids loading anything: the page opens offline and as a CI artifact.
 */
export function renderHtml(result: LintResult, options: HtmlOptions): string {
  const open = result.findings.filter((f) => !f.suppression);
  // Anchors follow the report's order, so a ranking bar can link to its finding.
  const anchor = new Map(open.map((f, i) => [f, `f${i + 1}`]));
  const meta = new Map(result.rules.map((r) => [r.meta.id, r.meta]));
  const sources = new Sources(options.cwd);
  const packages = groupBy(open, (f) => nodePath.posix.dirname(options.path(f.file)));
  const body = [
    `<header>\n<h1>${h(TOOL_NAME)} report</h1>\n<p class="summary">${h(summary(result, open))}</p>\n</header>`,
    ...(result.profiles?.length ? [rankings(result.profiles, open, anchor, options)] : []),
    ...packages.map(([pkg, findings]) =>
      packageSection(pkg, findings, meta, (f) => finding(f, anchor.get(f)!, options.path(f.file), sources.excerpt(f))),
    ),
    ...(result.warnings.length ? [warnings(result.warnings)] : []),
    `<footer>${h(`${TOOL_NAME} ${TOOL_VERSION}`)}</footer>`,
  ];
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">\n` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${h(`${TOOL_NAME}: ${count(open.length, 'finding')}`)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    body.join('\n') +
    '\n</body>\n</html>\n'
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function summary(result: LintResult, open: Finding[]): string {
  const bySeverity = (['error', 'warning', 'note'] as const)
    .map((s) => [s, open.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n)
    .map(([s, n]) => count(n, s));
  const suppressed = result.findings.length - open.length;
  const { packages, files } = result.stats;
  return (
    (open.length ? `${count(open.length, 'finding')} (${bySeverity.join(', ')})` : 'No findings') +
    ` in ${count(packages, 'package')} (${count(files, 'file')})` +
    (suppressed ? `; ${suppressed} suppressed or in the baseline, not shown` : '')
  );
}

/** Groups in sorted key order, each group's members in the order given. */
function groupBy<T>(items: T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function packageSection(
  pkg: string,
  findings: Finding[],
  meta: Map<string, RuleMeta>,
  render: (f: Finding) => string,
): string {
  const rules = groupBy(findings, (f) => f.ruleId).map(([id, list]) => {
    const m = meta.get(id);
    const inFileOrder = [...list].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.startLine - b.startLine);
    return (
      `<section class="rule">\n<h3><code>${h(id)}</code>${m ? ` ${h(m.title)}` : ''} <span class="count">${count(list.length, 'finding')}</span></h3>\n` +
      (m ? explain(m) : '') +
      inFileOrder.map(render).join('\n') +
      '\n</section>'
    );
  });
  return (
    `<section class="package"${attributes({ id: `pkg-${pkg}` })}>\n` +
    `<h2><span class="kind">package</span> <code>${h(pkg)}</code> <span class="count">${count(findings.length, 'finding')}</span></h2>\n` +
    rules.join('\n') +
    '\n</section>'
  );
}

function explain(m: RuleMeta): string {
  return (
    `<div class="explain">\n<p><strong>Why it leaks.</strong> ${h(m.why)}</p>\n<p><strong>How to fix.</strong> ${h(m.fix)}</p>\n` +
    `<details><summary>Example</summary>\n<p>Leaks:</p>\n<pre>${h(m.example.bad)}</pre>\n<p>Does not leak:</p>\n<pre>${h(m.example.good)}</pre>\n</details>\n</div>\n`
  );
}

function finding(f: Finding, id: string, file: string, excerpt: Excerpt | null): string {
  const where = `${file}:${f.startLine}:${f.startColumn}`;
  const code = excerpt
    ? `<pre class="excerpt"><code>${excerpt.lines
        .map((text, i) => {
          const n = excerpt.first + i;
          // The line break inside the block keeps copied code in lines without adding blank ones.
          return `<span class="${n === f.startLine ? 'line hit' : 'line'}"><span class="ln">${n}</span>${h(text)}\n</span>`;
        })
        .join('')}</code></pre>`
    : '<p class="missing">(source not available)</p>';
  return (
    `<article${attributes({ class: `finding ${f.severity}`, id })}>\n` +
    `<p class="where"><span class="severity">${f.severity}</span> <a${attributes({ href: `#${id}` })}>${h(where)}</a></p>\n` +
    `<p class="message">${h(f.message)}</p>\n${code}\n</article>`
  );
}

interface Excerpt {
  first: number;
  lines: string[];
}

/** The linted files, each read once, for the excerpts. */
class Sources {
  private readonly lines = new Map<string, string[] | null>();
  constructor(private readonly cwd: string) {}

  excerpt(f: Finding): Excerpt | null {
    const abs = nodePath.resolve(this.cwd, f.file);
    let lines = this.lines.get(abs);
    if (lines === undefined) {
      try {
        lines = readFileSync(abs, 'utf8').split(/\r?\n/);
      } catch {
        lines = null;
      }
      this.lines.set(abs, lines);
    }
    if (!lines || f.startLine > lines.length) return null;
    const first = Math.max(1, f.startLine - CONTEXT);
    return { first, lines: lines.slice(first - 1, Math.min(lines.length, f.startLine + CONTEXT)) };
  }
}

/** Per profile, a bar per finding it attributes anything to, largest first, scaled to the largest. */
function rankings(profiles: ProfileSummary[], open: Finding[], anchor: Map<Finding, string>, options: HtmlOptions): string {
  const charts = profiles.map((p) => {
    const bars = open
      .flatMap((f) => {
        const imp = f.profile?.find((i) => i.profile === p.profile && i.kind === p.kind);
        return imp && imp.value > 0 ? [{ f, imp }] : [];
      })
      .sort((a, b) => b.imp.value - a.imp.value);
    const max = bars[0]?.imp.value ?? 0;
    const amount = (v: number) =>
      p.kind === 'heap'
        ? `${p.base ? '+' : ''}${formatBytes(v)}`
        : `${p.base ? '+' : ''}${formatCount(v)} ${p.kind === 'goroutineleak' ? 'leaked ' : ''}goroutine${v === 1 ? '' : 's'}`;
    const items = bars.map(({ f, imp }) => {
      const label = `${options.path(f.file)}:${f.startLine}`;
      const width = ((imp.value / max) * 100).toFixed(1);
      return (
        `<li><a class="label"${attributes({ href: `#${anchor.get(f)}` })}>${h(label)} <code>${h(f.ruleId)}</code></a>` +
        `<span class="track"><span${attributes({ class: `bar ${f.severity}`, style: `width: ${width}%` })}></span></span>` +
        `<span class="amount">${h(`${amount(imp.value)} (${formatShare(imp.share)})`)}</span></li>`
      );
    });
    const what =
      p.kind === 'heap'
        ? p.base ? 'heap growth' : 'heap in use'
        : p.kind === 'goroutineleak'
          ? p.base ? 'goroutines leaked since the base' : 'leaked goroutines'
          : p.base ? 'goroutine growth' : 'goroutines';
    return (
      `<figure class="ranking">\n<figcaption><strong>${h(what)}</strong> per finding — ${h(describeProfile(p))}</figcaption>\n` +
      (items.length ? `<ol class="bars">\n${items.join('\n')}\n</ol>` : '<p>No finding holds anything in this profile.</p>') +
      '\n</figure>'
    );
  });
  return `<section class="profiles">\n<h2>What the profiles attribute to each finding</h2>\n${charts.join('\n')}\n</section>`;
}

function warnings(list: Warning[]): string {
  return `<section class="warnings">\n<h2>Warnings</h2>\n<ul>\n${list.map((w) => `<li>${h(warningText(w))}</li>`).join('\n')}\n</ul>\n</section>`;
}

const STYLE = `
:root { --error: #c62828; --warning: #b26a00; --note: #1565c0; --muted: #5f6368; --line: #e0e0e0; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #202124; margin: 0 auto; max-width: 72rem; padding: 1.5rem; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; }
h1 { margin: 0 0 0.25rem; font-size: 1.6rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid var(--line); padding-bottom: 0.25rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.5rem; }
.summary { color: var(--muted); margin: 0; }
.count { color: var(--muted); font-weight: normal; font-size: 0.85em; }
.kind { color: var(--muted); font-weight: normal; }
.explain { background: #f8f9fa; border-left: 4px solid var(--line); padding: 0.25rem 1rem; margin-bottom: 0.75rem; font-size: 0.95em; }
.explain pre { background: #fff; padding: 0.5rem; overflow-x: auto; tab-size: 4; }
.finding { border: 1px solid var(--line); border-left: 4px solid var(--muted); border-radius: 4px; padding: 0.5rem 1rem; margin: 0.75rem 0; }
.finding.error { border-left-color: var(--error); }
.finding.warning { border-left-color: var(--warning); }
.finding.note { border-left-color: var(--note); }
.finding p { margin: 0.25rem 0; }
.where a { color: inherit; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
.severity { display: inline-block; min-width: 4.5rem; text-align: center; color: #fff; border-radius: 3px; padding: 0 0.4rem; font-size: 0.8em; text-transform: uppercase; background: var(--muted); }
.error .severity { background: var(--error); }
.warning .severity { background: var(--warning); }
.note .severity { background: var(--note); }
.excerpt { background: #f6f8fa; border-radius: 4px; padding: 0.5rem 0; overflow-x: auto; tab-size: 4; margin: 0.5rem 0; }
.excerpt .line { display: block; padding: 0 0.75rem; white-space: pre; }
.excerpt .hit { background: #fff3cd; }
.excerpt .ln { display: inline-block; width: 3.5em; color: var(--muted); user-select: none; }
.missing { color: var(--muted); font-style: italic; }
.ranking { margin: 1rem 0; }
.ranking figcaption { margin-bottom: 0.5rem; }
.bars { list-style: none; padding: 0; margin: 0; }
.bars li { display: grid; grid-template-columns: minmax(16rem, 2fr) 3fr 11rem; gap: 0.75rem; align-items: center; padding: 0.15rem 0; }
.bars .label { color: inherit; text-decoration: none; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.track { background: #eef0f2; border-radius: 3px; height: 1rem; }
.bar { display: block; height: 100%; border-radius: 3px; background: var(--muted); min-width: 2px; }
.bar.error { background: var(--error); }
.bar.warning { background: var(--warning); }
.bar.note { background: var(--note); }
.amount { font-variant-numeric: tabular-nums; font-size: 0.9em; }
.warnings li { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85em; }
footer { color: var(--muted); font-size: 0.85em; margin-top: 2rem; border-top: 1px solid var(--line); padding-top: 0.5rem; }
`;
