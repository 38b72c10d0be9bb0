import type * as Sarif from 'sarif';
import type { Described, Finding, Severity, Span } from '../engine/types.js';
import type { LintResult } from '../lint.js';
import { TOOL_HOMEPAGE, TOOL_NAME, TOOL_VERSION } from '../version.js';
import { pathToFileURL } from 'node:url';
import type { Shard } from '../shard.js';
import { warningText } from '../warnings.js';
import { ruleDocUrl } from './docs-links.js';

const SRCROOT = '%SRCROOT%';

/** What GitHub code scanning accepts in one run; a bigger file is rejected outright. */
export const GITHUB_LIMITS = { resultsPerRun: 25_000, locationsPerResult: 1_000, tagsPerRule: 20 };

/**
 * SARIF 2.1.0 as GitHub code scanning wants it: one run, the enabled rules, results
 * located relative to `root` (the repository root, %SRCROOT%); `path` maps a finding's
 * file to that root. Beyond GitHub's limits, results are cut (errors kept first) and a
 * notification says so. Each shard of a sharded run is a category of its own, so that
 * code scanning keeps every shard's results instead of replacing one with another.
 */
export function renderSarif(result: LintResult, root: string, path: (file: string) => string = (f) => f, shard?: Shard): string {
  const rules = result.rules.map((r) => r.meta.id);
  const { kept, dropped } = withinLimit(result.findings);
  const notifications: Sarif.Notification[] = [
    ...result.warnings.map((w) => ({
      level: 'warning' as const,
      message: { text: w.file === undefined ? w.message : warningText(w) },
      ...(w.file === undefined
        ? {}
        : {
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: path(w.file).split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT },
                  ...(w.line === undefined ? {} : { region: { startLine: w.line, ...(w.column === undefined ? {} : { startColumn: w.column }) } }),
                },
              },
            ],
          }),
    })),
    ...result.internalErrors.map((e) => ({ level: 'error' as const, message: { text: e } })),
  ];
  if (dropped) {
    notifications.push({
      level: 'warning',
      message: {
        text: `${dropped} of ${result.findings.length} results left out: GitHub code scanning accepts at most ${GITHUB_LIMITS.resultsPerRun} per run`,
      },
    });
  }
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: TOOL_VERSION,
            semanticVersion: TOOL_VERSION,
            ...(TOOL_HOMEPAGE ? { informationUri: TOOL_HOMEPAGE } : {}),
            rules: result.rules.map(describeRule),
          },
        },
        automationDetails: { id: shard ? `${TOOL_NAME}/shard-${shard.index}-of-${shard.count}/` : `${TOOL_NAME}/` },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(root).href.replace(/\/?$/, '/') } },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: result.internalErrors.length === 0,
            toolExecutionNotifications: notifications,
          },
        ],
        results: kept.map((f) => toResult(f, rules.indexOf(f.ruleId), path)),
        ...(result.profiles ? { properties: { profiles: result.profiles } } : {}),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function describeRule(rule: Described): Sarif.ReportingDescriptor {
  const m = rule.meta;
  const helpUri = ruleDocUrl(m.id);
  return {
    ...(helpUri === null ? {} : { helpUri }),
    id: m.id,
    name: m.id.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: m.title },
    fullDescription: { text: m.why },
    help: {
      text: `${m.why}\n\nFix: ${m.fix}`,
      markdown: `${m.why}\n\n**Fix:** ${m.fix}\n\nLeaks:\n\`\`\`go\n${m.example.bad}\n\`\`\`\n\nDoes not leak:\n\`\`\`go\n${m.example.good}\n\`\`\``,
    },
    defaultConfiguration: { level: m.severity },
    properties: { tags: m.tags.slice(0, GITHUB_LIMITS.tagsPerRule), precision: m.precision },
  };
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** The results GitHub will take: open before suppressed, then by severity, in file order. */
function withinLimit(findings: Finding[]): { kept: Finding[]; dropped: number } {
  if (findings.length <= GITHUB_LIMITS.resultsPerRun) return { kept: findings, dropped: 0 };
  const order = findings.map((f, i) => ({ f, i }));
  order.sort((a, b) => Number(!!a.f.suppression) - Number(!!b.f.suppression) || RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i);
  const keep = new Set(order.slice(0, GITHUB_LIMITS.resultsPerRun).map((x) => x.i));
  return { kept: findings.filter((_, i) => keep.has(i)), dropped: findings.length - keep.size };
}

function location(span: Span, path: (file: string) => string): Sarif.Location {
  return {
    physicalLocation: {
      artifactLocation: { uri: path(span.file).split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT },
      region: {
        startLine: span.startLine,
        startColumn: span.startColumn,
        endLine: span.endLine,
        endColumn: span.endColumn,
      },
    },
  };
}

function toResult(f: Finding, ruleIndex: number, path: (file: string) => string): Sarif.Result {
  const result: Sarif.Result = {
    ruleId: f.ruleId,
    level: f.severity,
    message: { text: f.message },
    locations: [location(f, path)],
    partialFingerprints: { 'goleakLint/v1': f.fingerprint },
  };
  if (ruleIndex >= 0) result.ruleIndex = ruleIndex;
  if (f.related.length) {
    result.relatedLocations = f.related
      .slice(0, GITHUB_LIMITS.locationsPerResult - 1)
      .map((r, i) => ({ id: i, ...location(r, path), message: { text: r.message } }));
  }
  if (f.suppression) result.suppressions = [{ kind: f.suppression.kind, justification: f.suppression.justification }];
  if (f.profile) {
    // rank: the finding's largest share of a profile, 0-100 (0 when no profile sees it).
    result.rank = Math.round(Math.min(1, Math.max(0, ...f.profile.map((p) => p.share))) * 10000) / 100;
    result.properties = { profile: f.profile };
  }
  return result;
}
