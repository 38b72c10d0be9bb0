/** What GitHub consumes: workflow-command annotations and SARIF for code scanning. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { Finding } from '../src/engine/types.js';
import type { LintResult } from '../src/lint.js';
import { renderGithub } from '../src/report/github.js';
import { GITHUB_LIMITS, renderSarif } from '../src/report/sarif.js';
import { REPOSITORY_URL, ruleDocUrl } from '../src/report/docs-links.js';
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
  return { findings, warnings: [], internalErrors: [], rules: allRules, stats: { packages: 1, files: 1, lines: 1, skipped: {} } };
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

  it('warnings are ::warning annotations on their file and line, and are not printed on stderr as well', (t) => {
    const tree = tempTree(t);
    spawnSync('git', ['init', '-q', tree.dir]);
    tree.goMod('svc', '1.21');
    tree.write('svc/poll.go', pollSource());
    tree.write('svc/broken.go', 'package svc\n\nfunc f( {\n');
    tree.write('svc/nul.go', 'package svc\n\0\n');
    const r = tree.run(['--jobs', '1', '--format', 'github', './...'], { cwd: 'svc' });
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout).slice(0, 2), [
      '::warning file=svc/broken.go,line=3,col=1,title=goleak-lint::syntax error: findings in this file may be incomplete',
      '::warning file=svc/nul.go,title=goleak-lint::skipped: contains NUL bytes, not Go source',
    ]);
    assert.match(lines(r.stdout)[2], /^::warning file=svc\/poll\.go,line=6,.*\(unstopped-ticker\)::a ticker per call of Poll/);
    // A warning about no file (a setting) has no file property.
    assert.equal(
      renderGithub({ ...result([]), warnings: [{ message: 'no go.mod found for 1 directory: assuming an old Go version' }] }, (f) => f),
      '::warning title=goleak-lint::no go.mod found for 1 directory: assuming an old Go version\n',
    );
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

  it('describes unused-ignore among the rules when --report-unused-ignores reports one', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('a.go', 'package a\n\nfunc f() {\n\t//goleak-lint:ignore lost-cancel nothing here any more\n\tprintln()\n}\n');
    const r = tree.run(['--jobs', '1', '--report-unused-ignores', '--format', 'sarif', '.']);
    assertExit(r, 1);
    const run = validateSarif(r.stdout).runs[0];
    const result = run.results[0] as { ruleId: string; ruleIndex: number; level: string };
    assert.equal(result.ruleId, 'unused-ignore');
    assert.equal(result.level, 'note');
    assert.equal(run.tool.driver.rules[result.ruleIndex].id, 'unused-ignore');
  });

  it('links each rule to its docs page (helpUri) only when the repository has an address', () => {
    const run = validateSarif(renderSarif(result([finding()]), '/repo')).runs[0];
    for (const rule of run.tool.driver.rules as { id: string; helpUri?: string }[]) {
      assert.equal(rule.helpUri, ruleDocUrl(rule.id) ?? undefined, rule.id);
    }
    assert.equal(REPOSITORY_URL, null, 'no public address yet: no link is made up');
    assert.equal(
      ruleDocUrl('lost-cancel', 'https://example.org/goleak-lint/'),
      'https://example.org/goleak-lint/blob/main/docs/rules/lost-cancel.md',
    );
  });

  it('marks baselined findings as externally suppressed rather than dropping them', () => {
    const log = validateSarif(renderSarif(result([finding({ suppression: { kind: 'external', justification: 'listed in the baseline b.json' } })]), '/repo'));
    assert.deepEqual(log.runs[0].results[0].suppressions, [{ kind: 'external', justification: 'listed in the baseline b.json' }]);
  });
});
