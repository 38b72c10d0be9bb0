import type * as Sarif from 'sarif';
import type { Finding, RuleMeta, Span } from '../engine/types.js';
import type { LintResult } from '../lint.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { pathToFileURL } from 'node:url';

const SRCROOT = '%SRCROOT%';

/** SARIF 2.1.0: one run, the enabled rules, results with repository-relative locations. */
export function renderSarif(result: LintResult, cwd: string): string {
  const rules = result.rules.map((r) => r.meta.id);
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
            rules: result.rules.map(describeRule),
          },
        },
        automationDetails: { id: `${TOOL_NAME}/` },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(cwd).href.replace(/\/?$/, '/') } },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: result.internalErrors.length === 0,
            toolExecutionNotifications: [
              ...result.warnings.map((w) => ({ level: 'warning' as const, message: { text: w } })),
              ...result.internalErrors.map((e) => ({ level: 'error' as const, message: { text: e } })),
            ],
          },
        ],
        results: result.findings.map((f) => toResult(f, rules.indexOf(f.ruleId))),
        ...(result.profiles ? { properties: { profiles: result.profiles } } : {}),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function describeRule(rule: { meta: RuleMeta }): Sarif.ReportingDescriptor {
  const m = rule.meta;
  return {
    id: m.id,
    name: m.id.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: m.title },
    fullDescription: { text: m.why },
    help: {
      text: `${m.why}\n\nFix: ${m.fix}`,
      markdown: `${m.why}\n\n**Fix:** ${m.fix}\n\nLeaks:\n\`\`\`go\n${m.example.bad}\n\`\`\`\n\nDoes not leak:\n\`\`\`go\n${m.example.good}\n\`\`\``,
    },
    defaultConfiguration: { level: m.severity },
    properties: { tags: m.tags, precision: m.precision },
  };
}

function location(span: Span): Sarif.Location {
  return {
    physicalLocation: {
      artifactLocation: { uri: span.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT },
      region: {
        startLine: span.startLine,
        startColumn: span.startColumn,
        endLine: span.endLine,
        endColumn: span.endColumn,
      },
    },
  };
}

function toResult(f: Finding, ruleIndex: number): Sarif.Result {
  const result: Sarif.Result = {
    ruleId: f.ruleId,
    level: f.severity,
    message: { text: f.message },
    locations: [location(f)],
  };
  if (ruleIndex >= 0) result.ruleIndex = ruleIndex;
  if (f.related.length) {
    result.relatedLocations = f.related.map((r, i) => ({ id: i, ...location(r), message: { text: r.message } }));
  }
  if (f.suppression) result.suppressions = [{ kind: 'inSource', justification: f.suppression.justification }];
  if (f.profile) {
    // rank: the finding's largest share of a profile, 0-100 (0 when no profile sees it).
    result.rank = Math.round(Math.min(1, Math.max(0, ...f.profile.map((p) => p.share))) * 10000) / 100;
    result.properties = { profile: f.profile };
  }
  return result;
}
