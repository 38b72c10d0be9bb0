/** What GitHub consumes: workflow-command annotations and SARIF for code scanning. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { Finding } from '../src/engine/types.js';
import type { LintResult } from '../src/lint.js';
import { renderGithub } from '../src/report/github.js';
import { GITHUB_LIMITS, renderSarif } from '../src/report/sarif.js';
import { allRules } from '../rules/index.js';
import { TOOL_HOMEPAGE } from '../src/version.js';
import { assertExit, lines, pollSource, tempTree, validateSarif } from './helpers.js';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'unstopped-ticker',
    severity: 'warning',
    message: 'm',
    file: 'a.go',
    startLine: 6,
    startColumn: 7,
    endLine: 6,
    endColumn: 34,
    related: [],
    evidence: [],
    fingerprint: '0123456789abcdef0123456789abcdef',
    ...over,
  };
}

function result(findings: Finding[]): LintResult {
  return { findings, warnings: [], internalErrors: [], rules: allRules, stats: { packages: 1, files: 1, lines: 1 } };
}

describe('--format github', () => {
  it('escapes %, CR and LF in messages, and also : and , in properties', () => {
    const out = renderGithub(
      result([
        finding({ message: '100% sure:\r\nline two, done', file: 'we,ird%:dir/a.go', severity: 'error', endLine: 8 }),
        finding({ severity: 'note', suppression: undefined }),
        finding({ suppression: { kind: 'inSource', justification: 'x' } }),
      ]),
      (f) => `repo/${f}`,
    );
    assert.deepEqual(lines(out), [
      '::error file=repo/we%2Cird%25%3Adir/a.go,line=6,endLine=8,col=7,title=goleak-lint (unstopped-ticker)::100%25 sure:%0D%0Aline two, done',
      '::notice file=repo/a.go,line=6,endLine=6,col=7,endColumn=34,title=goleak-lint (unstopped-ticker)::m',
    ]);
  });

  it('prints one annotation per open finding, with paths relative to the git repository root', (t) => {
    const tree = tempTree(t);
    spawnSync('git', ['init', '-q', tree.dir]);
    tree.goMod('svc', '1.21');
    tree.write('svc/poll,1.go', pollSource());
    const r = tree.run(['--jobs', '1', '--format', 'github', './...'], { cwd: 'svc' });
    assertExit(r, 1);
    assert.deepEqual(lines(r.stdout), [
      '::warning file=svc/poll%2C1.go,line=6,endLine=6,col=7,endColumn=34,title=goleak-lint (unstopped-ticker)::' +
        'a ticker per call of Poll, held in t, is never stopped: before Go 1.23 each keeps firing and is never freed',
    ]);
  });
});

describe('SARIF for GitHub code scanning', () => {
  it('locates results relative to the repository root, with fingerprints and the tool homepage', (t) => {
    const tree = tempTree(t);
    spawnSync('git', ['init', '-q', tree.dir]);
    tree.goMod('svc', '1.21');
    tree.write('svc/poll.go', pollSource());
    tree.write('svc/moved.go', '// A comment that moves the leak down.\n\n' + pollSource('svc', 'Other'));
    const r = tree.run(['--jobs', '1', '--format', 'sarif', '.'], { cwd: 'svc' });
    assertExit(r, 1);
    const run = validateSarif(r.stdout).runs[0];
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, new URL(`file://${tree.dir}/`).href);
    // Only an address that exists: none yet, so SARIF has none.
    assert.equal(run.tool.driver.informationUri, TOOL_HOMEPAGE ?? undefined);
    const uris = run.results.map((x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
      x.locations[0].physicalLocation.artifactLocation.uri,
    );
    assert.deepEqual(uris, ['svc/moved.go', 'svc/poll.go']);
    const fps = run.results.map((x: { partialFingerprints: Record<string, string> }) => x.partialFingerprints['goleakLint/v1']);
    // Different functions, same code: different fingerprints.
    assert.equal(new Set(fps).size, 2);
  });

  it(`keeps at most ${GITHUB_LIMITS.resultsPerRun} results, errors first, and says how many it left out`, () => {
    const many = Array.from({ length: GITHUB_LIMITS.resultsPerRun + 2 }, (_, i) =>
      finding({ startLine: i + 1, endLine: i + 1, severity: i === GITHUB_LIMITS.resultsPerRun + 1 ? 'error' : 'note' }),
    );
    const log = validateSarif(renderSarif(result(many), '/repo'));
    const run = log.runs[0];
    assert.equal(run.results.length, GITHUB_LIMITS.resultsPerRun);
    assert.ok(run.results.some((x: { level: string }) => x.level === 'error'), 'the error must survive the cut');
    assert.deepEqual(run.invocations[0].toolExecutionNotifications, [
      {
        level: 'warning',
        message: { text: `2 of ${GITHUB_LIMITS.resultsPerRun + 2} results left out: GitHub code scanning accepts at most 25000 per run` },
      },
    ]);
  });

  it('marks baselined findings as externally suppressed rather than dropping them', () => {
    const log = validateSarif(renderSarif(result([finding({ suppression: { kind: 'external', justification: 'listed in the baseline b.json' } })]), '/repo'));
    assert.deepEqual(log.runs[0].results[0].suppressions, [{ kind: 'external', justification: 'listed in the baseline b.json' }]);
  });
});
