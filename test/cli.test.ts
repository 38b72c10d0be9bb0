/**
 * End-to-end tests of the built CLI (dist/src/cli.js): patterns, go.mod facts, output
 * formats, rule selection, suppression comments and exit codes, each run as a child
 * process against a throwaway Go tree.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { allRules } from '../rules/index.js';
import { profileRules } from '../src/profile/hotspots.js';
import {
  afterMessage,
  CLI,
  tickMessage,
  assertExit,
  assertUsageError,
  goModAbove,
  lines,
  pollSource,
  repoRoot,
  tempTree,
  tickerLine,
  validateSarif,
} from './helpers.js';

const VERSION: string = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;

const timeTickSource = [
  'package ticks',
  '',
  'import "time"',
  '',
  'func Wait(ready func() bool) {',
  '\tfor range time.Tick(time.Second) {',
  '\t\tif ready() {',
  '\t\t\treturn',
  '\t\t}',
  '\t}',
  '}',
  '',
].join('\n');

describe('patterns', () => {
  it('./... recurses but skips vendor, testdata, dot and underscore dirs, symlinked dirs, nested modules and dot/underscore files', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('root.go', pollSource('svc'));
    tree.write('a/a.go', pollSource('a'));
    tree.write('a/b/b.go', pollSource('b'));
    tree.write('a/_skip.go', pollSource('a', 'Skip1'));
    tree.write('a/.skip.go', pollSource('a', 'Skip2'));
    tree.write('vendor/v/v.go', pollSource('v'));
    tree.write('a/vendor/v/v.go', pollSource('v'));
    tree.write('testdata/td.go', pollSource('td'));
    tree.write('a/testdata/td.go', pollSource('td'));
    tree.write('.hidden/h.go', pollSource('h'));
    tree.write('_under/u.go', pollSource('u'));
    tree.write('real/r.go', pollSource('r'));
    tree.symlink('real', 'linked');
    tree.goMod('nested', '1.21');
    tree.write('nested/n.go', pollSource('n'));
    tree.write('nested/deeper/d.go', pollSource('d'));
    tree.write('notes.txt', 'not go\n');
    const r = tree.run(['--jobs', '1', './...']);
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [
      tickerLine('a/a.go'),
      tickerLine('a/b/b.go'),
      tickerLine('real/r.go'),
      tickerLine('root.go'),
      '4 findings (4 warnings) in 4 packages (4 files)',
    ]);
  });

  it('dir/..., a plain directory (its own files only), single files (reported alone) and overlapping patterns at once', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('root.go', pollSource('svc'));
    tree.write('a/a.go', pollSource('a'));
    tree.write('a/b/b.go', pollSource('b'));
    tree.write('a/testdata/td.go', pollSource('td'));
    tree.write('c/c.go', pollSource('c'));
    tree.write('c/c2.go', pollSource('c', 'Poll2'));
    tree.write('c/_x.go', pollSource('c', 'Poll3'));
    tree.write('c/d/d.go', pollSource('d'));
    tree.write('e/e.go', pollSource('e'));
    tree.write('e/e2.go', pollSource('e', 'Poll2'));
    // a/... and a/b/b.go overlap, c/c2.go and c overlap; e/e2.go is named alone: its
    // package is linted whole (e.go counts as a file) but only e2.go is reported.
    const r = tree.run(['--jobs', '1', 'c/c2.go', 'a/...', 'c', 'e/e2.go', 'a/b/b.go']);
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [
      tickerLine('a/a.go'),
      tickerLine('a/b/b.go'),
      tickerLine('c/c.go'),
      tickerLine('c/c2.go', 6, 7, 't', 'Poll2'),
      tickerLine('e/e2.go', 6, 7, 't', 'Poll2'),
      '5 findings (5 warnings) in 4 packages (6 files)',
    ]);
  });

  it('paths are printed relative to the working directory', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('a/a.go', pollSource('a'));
    tree.write('work/w.go', pollSource('w'));
    const r = tree.run(['--jobs', '1', '../a/...', '.'], { cwd: 'work' });
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [
      tickerLine('../a/a.go'),
      tickerLine('w.go'),
      '2 findings (2 warnings) in 2 packages (2 files)',
    ]);
  });

  it('a missing path, a non-.go file or a pattern that matches nothing is a usage error', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('a/a.go', pollSource('a'));
    tree.write('vendor/v/v.go', pollSource('v'));
    tree.write('testdata/td.go', pollSource('td'));
    tree.write('.git/x.go', pollSource('x'));
    tree.write('only/_ignored.go', pollSource('x'));
    assertUsageError(tree.run(['a', 'nope/...']), 'goleak-lint: nope/...: no such file or directory');
    assertUsageError(tree.run(['go.mod']), 'goleak-lint: go.mod: not a Go file or directory');
    assertUsageError(tree.run(['vendor/v/v.go', 'only/...']), 'goleak-lint: only/...: matched no packages');
    assertUsageError(tree.run(['only']), 'goleak-lint: only: no Go files in this directory');
    // The default pattern is ".", which has no Go files here.
    assertUsageError(tree.run([]), 'goleak-lint: .: no Go files in this directory');
  });

  it('./... that finds only skipped directories matched no packages', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('vendor/v/v.go', pollSource('v'));
    tree.write('testdata/td.go', pollSource('td'));
    tree.write('.git/x.go', pollSource('x'));
    tree.write('_old/x.go', pollSource('x'));
    tree.goMod('nested', '1.21');
    tree.write('nested/n.go', pollSource('n'));
    assertUsageError(tree.run(['./...']), 'goleak-lint: ./...: matched no packages');
  });

  it(
    'overlapping patterns (". ./...") lint the union instead of failing',
    (t) => {
      const tree = tempTree(t);
      tree.goMod('.', '1.21');
      tree.write('a.go', pollSource());
      const r = tree.run(['--jobs', '1', '.', './...']);
      assert.equal(r.stderr, '');
      assert.deepEqual(lines(r.stdout), [tickerLine('a.go'), '1 finding (1 warning) in 1 package (1 file)']);
      assertExit(r, 1);
    },
  );

  it('a nested module is linted under its own go.mod when named', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('root.go', pollSource());
    tree.goMod('newmod', '1.23');
    tree.write('newmod/n.go', pollSource('n'));
    tree.goMod('oldmod', '1.20');
    tree.write('oldmod/sub/o.go', pollSource('o'));
    const r = tree.run(['--jobs', '1', 'newmod/...', 'oldmod/...']);
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [tickerLine('oldmod/sub/o.go'), '1 finding (1 warning) in 2 packages (2 files)']);
  });
});

describe('go.mod facts', () => {
  it('the snippet is flagged under go 1.21, and defer t.Stop() makes it clean', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('leak/poll.go', pollSource());
    tree.write('clean/poll.go', pollSource('svc', 'Poll', true));
    const r = tree.run(['--jobs', '1', 'leak', 'clean']);
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [tickerLine('leak/poll.go'), '1 finding (1 warning) in 2 packages (2 files)']);
  });

  it('the nearest go.mod upwards gives the version; the timer rules stop at go 1.23', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.22.9');
    tree.write('old/deep/er/p.go', pollSource('p'));
    tree.goMod('new', '1.23');
    tree.write('new/deep/er/q.go', pollSource('q'));
    tree.goMod('newer', '1.24.1');
    tree.write('newer/r.go', pollSource('r'));
    const r = tree.run(['--jobs', '1', 'old/...', 'new/...', 'newer']);
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [tickerLine('old/deep/er/p.go'), '1 finding (1 warning) in 3 packages (3 files)']);
  });

  it('godebug asynctimerchan=1 brings the timer rules back at go 1.23 and later', (t) => {
    const tree = tempTree(t);
    tree.goMod('line', '1.24', '\ngodebug asynctimerchan=1\n');
    tree.write('line/a.go', pollSource('a'));
    tree.goMod('block', '1.23', '\ngodebug (\n\tdefault=go1.21\n\tasynctimerchan=1\n)\n');
    tree.write('block/b.go', pollSource('b'));
    tree.goMod('off', '1.23', '\ngodebug asynctimerchan=0\n');
    tree.write('off/c.go', pollSource('c'));
    const r = tree.run(['--jobs', '1', 'line', 'block', 'off']);
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [
      tickerLine('block/b.go'),
      tickerLine('line/a.go'),
      '2 findings (2 warnings) in 3 packages (3 files)',
    ]);
  });

  it('--go overrides every module\'s version, in both directions', (t) => {
    const tree = tempTree(t);
    tree.goMod('new', '1.23');
    tree.write('new/a.go', pollSource('a'));
    tree.goMod('old', '1.21');
    tree.write('old/b.go', pollSource('b'));
    const low = tree.run(['--jobs', '1', '--go', '1.21', 'new', 'old']);
    assertExit(low, 1);
    assert.equal(low.stderr, '');
    assert.deepEqual(lines(low.stdout), [
      tickerLine('new/a.go'),
      tickerLine('old/b.go'),
      '2 findings (2 warnings) in 2 packages (2 files)',
    ]);
    const high = tree.run(['--jobs', '1', '--go', 'go1.23.0', 'new', 'old']);
    assertExit(high, 0);
    assert.equal(high.stderr, '');
    assert.deepEqual(lines(high.stdout), ['no findings in 2 packages (2 files)']);
  });

  it('--go with something that is not a Go version is a usage error', (t) => {
    const tree = tempTree(t);
    tree.write('a.go', pollSource());
    assertUsageError(tree.run(['--go', 'latest', 'a.go']), 'goleak-lint: --go: "latest" is not a Go version such as 1.21');
  });

  it('without any go.mod: one warning for all directories, an old Go version is assumed', (t) => {
    const tree = tempTree(t);
    if (goModAbove(tree.dir)) return t.skip(`a go.mod exists above ${tree.dir}`);
    tree.write('a/a.go', pollSource('a'));
    tree.write('b/b.go', pollSource('b'));
    tree.write('b/c/c.go', pollSource('c'));
    const r = tree.run(['--jobs', '2', './...']);
    assertExit(r, 1);
    assert.deepEqual(lines(r.stderr), [
      'goleak-lint: warning: no go.mod found for 3 directories: assuming an old Go version (use --go to set one)',
    ]);
    assert.deepEqual(lines(r.stdout), [
      tickerLine('a/a.go'),
      tickerLine('b/b.go'),
      tickerLine('b/c/c.go'),
      '3 findings (3 warnings) in 3 packages (3 files)',
    ]);

    // With --go the version is known: no warning.
    const withGo = tree.run(['--jobs', '1', '--go', '1.21', './...']);
    assertExit(withGo, 1);
    assert.equal(withGo.stderr, '');
  });
});

describe('file selection', () => {
  it('generated files are skipped unless --generated', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('poll.go', pollSource());
    tree.write('gen.go', '// Code generated by stringer; DO NOT EDIT.\n\n' + pollSource('svc', 'Gen'));
    // CRLF line endings do not hide the header.
    tree.write('gencrlf.go', ('// Code generated by protoc-gen-go. DO NOT EDIT.\n\n' + pollSource('svc', 'Gen2')).replace(/\n/g, '\r\n'));
    // After the package clause the comment means nothing.
    tree.write('late.go', pollSource('svc', 'Late') + '\n// Code generated by x. DO NOT EDIT.\n');
    // Not the exact form: not generated.
    tree.write('almost.go', '// Code generated by x. DO NOT EDIT\n\n' + pollSource('svc', 'Almost'));
    const r = tree.run(['--jobs', '1', '.']);
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [
      tickerLine('almost.go', 8, 7, 't', 'Almost'),
      tickerLine('late.go', 6, 7, 't', 'Late'),
      tickerLine('poll.go'),
      '3 findings (3 warnings) in 1 package (3 files)',
    ]);
    const all = tree.run(['--jobs', '1', '--generated', '.']);
    assertExit(all, 1);
    assert.equal(all.stderr, '');
    assert.deepEqual(lines(all.stdout), [
      tickerLine('almost.go', 8, 7, 't', 'Almost'),
      tickerLine('gen.go', 8, 7, 't', 'Gen'),
      tickerLine('gencrlf.go', 8, 7, 't', 'Gen2'),
      tickerLine('late.go', 6, 7, 't', 'Late'),
      tickerLine('poll.go'),
      '5 findings (5 warnings) in 1 package (5 files)',
    ]);
  });

  it('_test.go files are linted by default and left out with --tests=false', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('poll.go', pollSource());
    tree.write('poll_test.go', pollSource('svc', 'PollTest'));
    const withTests = tree.run(['--jobs', '1', './...']);
    assertExit(withTests, 1);
    assert.equal(withTests.stderr, '');
    // The timer rules ignore test code: only the file count shows the difference.
    assert.deepEqual(lines(withTests.stdout), [tickerLine('poll.go'), '1 finding (1 warning) in 1 package (2 files)']);
    const without = tree.run(['--jobs', '1', '--tests=false', './...']);
    assertExit(without, 1);
    assert.equal(without.stderr, '');
    assert.deepEqual(lines(without.stdout), [tickerLine('poll.go'), '1 finding (1 warning) in 1 package (1 file)']);
  });
});

describe('text output', () => {
  const source = [
    'package svc',
    '',
    'import ("fmt"; "time")',
    '',
    'func Poll(done chan struct{}) {',
    '\tfmt.Println("héllo😀"); t := time.NewTicker(time.Second)',
    '\tfor {',
    '\t\tselect {',
    '\t\tcase <-done:',
    '\t\t\treturn',
    '\t\tcase <-t.C:',
    '\t\t}',
    '\t}',
    '}',
    '',
  ].join('\n');

  it('columns are 1-based UTF-16 code units', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('u.go', source);
    const r = tree.run(['--jobs', '1', '.']);
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    // "\tfmt.Println(\"héllo😀\"); t := " is 30 UTF-16 code units (33 bytes, 29 code points).
    assert.deepEqual(lines(r.stdout), [tickerLine('u.go', 6, 31), '1 finding (1 warning) in 1 package (1 file)']);
  });

  it('--color always paints; never, NO_COLOR and a pipe do not', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('poll.go', pollSource());
    const plain = [tickerLine('poll.go'), '1 finding (1 warning) in 1 package (1 file)'];
    const msg = 'a ticker per call of Poll, held in t, is never stopped: before Go 1.23 each keeps firing and is never freed';
    const coloured = [
      `\x1b[1mpoll.go:6:7:\x1b[0m \x1b[33mwarning:\x1b[0m ${msg} \x1b[2m(unstopped-ticker)\x1b[0m`,
      '1 finding (1 warning) in 1 package (1 file)',
    ];
    // An explicit --color always wins over NO_COLOR.
    const always = tree.run(['--jobs', '1', '--color', 'always', '.'], { env: { NO_COLOR: '1' } });
    assertExit(always, 1);
    assert.deepEqual(lines(always.stdout), coloured);
    // Output to a pipe is plain by default: every other test checks that.
    for (const [args, env] of [
      [['--color', 'never'], {}],
      [['--color=auto'], { NO_COLOR: '1' }],
    ] as const) {
      const r = tree.run(['--jobs', '1', ...args, '.'], { env });
      assertExit(r, 1);
      assert.deepEqual(lines(r.stdout), plain, `${args.join(' ')} ${JSON.stringify(env)}`);
      assert.ok(!r.stdout.includes('\x1b'));
    }
  });

  it('the summary line counts severities, packages, files and suppressed findings', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('a/poll.go', pollSource('a'));
    tree.write('a/quiet.go', pollSource('a', 'Quiet').replace('time.Second)', 'time.Second) //goleak-lint:ignore unstopped-ticker process-wide'));
    tree.write('a/x_test.go', 'package a_test\n');
    const r = tree.run(['--jobs', '1', '--report-unused-ignores', 'a']);
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [tickerLine('a/poll.go'), '1 finding (1 warning) in 2 packages (3 files), 1 suppressed']);
    const quiet = tree.run(['--jobs', '1', 'a/quiet.go']);
    assertExit(quiet, 0);
    // The named file's package is linted whole; only the file is reported on.
    assert.deepEqual(lines(quiet.stdout), ['no findings in 2 packages (3 files), 1 suppressed']);
  });
});

describe('json and sarif', () => {
  const suppressedSource = [
    'package svc',
    '',
    'import "time"',
    '',
    'func Forever() {',
    '\t//goleak-lint:ignore unstopped-ticker runs for the life of the process',
    '\tt := time.NewTicker(time.Minute)',
    '\t<-t.C',
    '}',
    '',
  ].join('\n');
  const unicodeSource = [
    'package svc',
    '',
    'import "time"',
    '',
    'func Grüße() {',
    '\tvar s = "héllo😀"; t := time.NewTicker(time.Minute)',
    '\t_ = s',
    '\t<-t.C',
    '}',
    '',
  ].join('\n');

  it('--format json has the documented shape', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('p/forever.go', suppressedSource);
    tree.write('p/u.go', unicodeSource);
    tree.symlink('gone.go', 'p/dangling.go');
    const r = tree.run(['--jobs', '1', '--format', 'json', 'p']);
    assertExit(r, 1);
    assert.deepEqual(lines(r.stderr), ['goleak-lint: warning: p/dangling.go: skipped: no such file or directory']);
    assert.ok(r.stdout.endsWith('}\n'));
    const msg = (func: string) => `a ticker per call of ${func}, held in t, is never stopped: before Go 1.23 each keeps firing and is never freed`;
    const doc = JSON.parse(r.stdout);
    const fingerprints = doc.findings.map((f: { fingerprint: string }) => f.fingerprint);
    assert.ok(fingerprints.every((fp: string) => /^[0-9a-f]{32}$/.test(fp)), fingerprints.join());
    assert.notEqual(fingerprints[0], fingerprints[1]);
    for (const f of doc.findings) delete f.fingerprint;
    const docs = { path: 'docs/rules/unstopped-ticker.md', url: null };
    assert.deepEqual(doc, {
      version: 2,
      tool: { name: 'goleak-lint', version: VERSION },
      findings: [
        {
          ruleId: 'unstopped-ticker',
          severity: 'warning',
          message: msg('Forever'),
          file: 'p/forever.go',
          line: 7,
          column: 7,
          endLine: 7,
          endColumn: 34,
          related: [],
          evidence: [{ file: 'p/forever.go', line: 7 }],
          docs,
          suppressed: { kind: 'inSource', justification: 'runs for the life of the process' },
        },
        {
          ruleId: 'unstopped-ticker',
          severity: 'warning',
          message: msg('Grüße'),
          file: 'p/u.go',
          line: 6,
          column: 26,
          endLine: 6,
          endColumn: 53,
          related: [],
          evidence: [{ file: 'p/u.go', line: 6 }],
          docs,
          suppressed: null,
        },
      ],
      warnings: [{ file: 'p/dangling.go', line: null, column: null, message: 'skipped: no such file or directory' }],
      stats: { packages: 1, files: 2, lines: 18, skipped: {} },
    });
  });

  it('--format sarif is valid SARIF 2.1.0, with suppressions and UTF-16 columns', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('p/forever.go', suppressedSource);
    tree.write('p/u.go', unicodeSource);
    tree.write('p/tick.go', timeTickSource.replace('package ticks', 'package svc'));
    tree.write('p/héllo wörld.go', pollSource());
    tree.symlink('gone.go', 'p/dangling.go');
    const r = tree.run(['--jobs', '1', '--format', 'sarif', '--report-unused-ignores', 'p']);
    assertExit(r, 1);
    assert.deepEqual(lines(r.stderr), ['goleak-lint: warning: p/dangling.go: skipped: no such file or directory']);
    const log = validateSarif(r.stdout);

    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'goleak-lint');
    assert.equal(run.tool.driver.version, VERSION);
    assert.deepEqual(
      run.tool.driver.rules.map((x: { id: string }) => x.id),
      // The rules that ran (the opt-in ones were not named), and the suppression check asked for.
      [...allRules.filter((rule) => !rule.meta.optIn).map((rule) => rule.meta.id), 'unused-ignore'],
    );
    assert.equal(run.columnKind, 'utf16CodeUnits');
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, new URL(`file://${tree.dir}/`).href);
    assert.deepEqual(run.invocations, [
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          {
            level: 'warning',
            message: { text: 'p/dangling.go: skipped: no such file or directory' },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'p/dangling.go', uriBaseId: '%SRCROOT%' } } }],
          },
        ],
      },
    ]);
    const summary = run.results.map(
      (res: {
        ruleId: string;
        ruleIndex?: number;
        level: string;
        locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: Record<string, number> } }[];
        suppressions?: unknown;
      }) => {
        const loc = res.locations[0].physicalLocation;
        assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
        const { startLine, startColumn, endLine, endColumn } = loc.region;
        return [res.ruleId, res.ruleIndex, res.level, loc.artifactLocation.uri, `${startLine}:${startColumn}-${endLine}:${endColumn}`, res.suppressions];
      },
    );
    assert.deepEqual(summary, [
      [
        'unstopped-ticker',
        0,
        'warning',
        'p/forever.go',
        '7:7-7:34',
        [{ kind: 'inSource', justification: 'runs for the life of the process' }],
      ],
      ['unstopped-ticker', 0, 'warning', 'p/h%C3%A9llo%20w%C3%B6rld.go', '6:7-6:34', undefined],
      ['time-tick-leak', 1, 'warning', 'p/tick.go', '6:12-6:34', undefined],
      ['unstopped-ticker', 0, 'warning', 'p/u.go', '6:26-6:53', undefined],
    ]);
  });

  it(
    'SARIF artifact URIs escape characters that mean something in a URI',
    (t) => {
      const tree = tempTree(t);
      tree.goMod('.', '1.21');
      tree.write('a#b.go', pollSource());
      tree.write('c?d.go', pollSource('svc', 'Poll2'));
      const r = tree.run(['--jobs', '1', '--format', 'sarif', '.']);
      assertExit(r, 1);
      const uris = validateSarif(r.stdout).runs[0].results.map(
        (res: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
          res.locations[0].physicalLocation.artifactLocation.uri,
      );
      assert.deepEqual(uris, ['a%23b.go', 'c%3Fd.go']);
    },
  );
});

describe('--output and order', () => {
  function bigTree(t: Parameters<typeof tempTree>[0]) {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    const mix = [
      'package p',
      '',
      'import "time"',
      '',
      'func Mix(msgs chan int, done chan struct{}) {',
      '\ta := time.NewTicker(time.Minute); b := time.NewTicker(time.Minute)',
      '\tfor {',
      '\t\tselect {',
      '\t\tcase <-msgs:',
      '\t\tcase <-time.After(time.Minute):',
      '\t\t\treturn',
      '\t\tcase <-time.Tick(time.Second):',
      '\t\tcase <-a.C:',
      '\t\tcase <-b.C:',
      '\t\tcase <-done:',
      '\t\t\treturn',
      '\t\t}',
      '\t}',
      '}',
      '',
    ].join('\n');
    tree.write('p/mix.go', mix);
    tree.write('p/q/poll.go', pollSource('q'));
    tree.write('r/z.go', pollSource('r', 'Z'));
    tree.write('r/a.go', pollSource('r', 'A'));
    tree.write('s/tick.go', timeTickSource);
    tree.symlink('nowhere.go', 'r/broken.go');
    tree.symlink('nowhere.go', 'p/broken.go');
    const want = [
      tickerLine('p/mix.go', 6, 7, 'a', 'Mix'),
      tickerLine('p/mix.go', 6, 41, 'b', 'Mix'),
      `p/mix.go:10:10: warning: ${afterMessage('1m0s', 7, 'Mix')} (time-after-in-loop)`,
      'p/mix.go:12:10: warning: a ticker from time.Tick made in the loop at line 7 of Mix cannot be stopped: before Go 1.23 it is never freed (time-tick-leak)',
      tickerLine('p/q/poll.go'),
      tickerLine('r/a.go', 6, 7, 't', 'A'),
      tickerLine('r/z.go', 6, 7, 't', 'Z'),
      `s/tick.go:6:12: warning: ${tickMessage('Wait')} (time-tick-leak)`,
      '8 findings (8 warnings) in 4 packages (5 files)',
    ];
    const wantErr = [
      'goleak-lint: warning: p/broken.go: skipped: no such file or directory',
      'goleak-lint: warning: r/broken.go: skipped: no such file or directory',
    ];
    return { tree, want, wantErr };
  }

  it('findings are sorted by file, line, column, rule, byte-identical across runs and --jobs; --output gets the same bytes', (t) => {
    const { tree, want, wantErr } = bigTree(t);
    const first = tree.run(['--jobs', '2', './...']);
    const toFile = tree.run(['--jobs', '2', '--output', 'report.txt', './...']);
    const inline = tree.run(['--jobs', '1', './...']);
    for (const r of [first, toFile, inline]) {
      assertExit(r, 1);
      assert.deepEqual(lines(r.stderr), wantErr);
    }
    assert.deepEqual(lines(first.stdout), want);
    // --output: the report goes to the file, nothing to stdout (warnings stay on stderr).
    assert.equal(toFile.stdout, '');
    assert.equal(readFileSync(tree.path('report.txt'), 'utf8'), first.stdout);
    assert.equal(inline.stdout, first.stdout);

    const json = tree.run(['--jobs', '2', '-f', 'json', './...']);
    const jsonToFile = tree.run(['--jobs', '2', '-f', 'json', '-o', 'report.json', './...']);
    assertExit(json, 1);
    assertExit(jsonToFile, 1);
    assert.equal(jsonToFile.stdout, '');
    assert.equal(readFileSync(tree.path('report.json'), 'utf8'), json.stdout);
    const doc = JSON.parse(json.stdout);
    assert.deepEqual(
      doc.findings.map((f: { file: string; line: number; column: number; ruleId: string }) => `${f.file}:${f.line}:${f.column} ${f.ruleId}`),
      [
        'p/mix.go:6:7 unstopped-ticker',
        'p/mix.go:6:41 unstopped-ticker',
        'p/mix.go:10:10 time-after-in-loop',
        'p/mix.go:12:10 time-tick-leak',
        'p/q/poll.go:6:7 unstopped-ticker',
        'r/a.go:6:7 unstopped-ticker',
        'r/z.go:6:7 unstopped-ticker',
        's/tick.go:6:12 time-tick-leak',
      ],
    );
    assert.deepEqual(
      doc.warnings.map((w: { file: string; message: string }) => `${w.file}: ${w.message}`),
      wantErr.map((l) => l.replace('goleak-lint: warning: ', '')),
    );
  });

  it('--output into a directory that does not exist makes it; a file in the way fails with exit 2 and one line', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('poll.go', pollSource());
    const made = tree.run(['--jobs', '1', '--output', 'no/such/dir/report.txt', '.']);
    assertExit(made, 1);
    assert.equal(readFileSync(tree.path('no/such/dir/report.txt'), 'utf8'), `${tickerLine('poll.go')}\n1 finding (1 warning) in 1 package (1 file)\n`);
    const r = tree.run(['--jobs', '1', '--output', 'poll.go/report.txt', '.']);
    assertUsageError(r, /^goleak-lint: --output poll\.go\/report\.txt: cannot write: not a directory$/);
  });
});

describe('rules, explain and flags', () => {
  it('rules lists every rule', (t) => {
    const tree = tempTree(t);
    const r = tree.run(['rules']);
    assertExit(r, 0);
    assert.equal(r.stderr, '');
    const out = lines(r.stdout);
    // One line per registered rule, in registry order, then the profile checks, then the
    // suppression check: id, severity, what reports it, title.
    assert.deepEqual(out.map((l) => l.split(/\s{2,}/)), [
      ...allRules.map(({ meta: m }) => [m.id, m.severity, 'rule', m.title + (m.optIn ? ' (opt-in)' : '')]),
      ...profileRules.map(({ meta: m }) => [m.id, m.severity, 'profile', m.title]),
      ['unused-ignore', 'note', 'suppression', 'a suppression comment silences no finding'],
    ]);
  });

  it('explain prints why, fix and an example', (t) => {
    const tree = tempTree(t);
    const r = tree.run(['explain', 'unstopped-ticker']);
    assertExit(r, 0);
    assert.equal(r.stderr, '');
    const out = lines(r.stdout);
    assert.equal(out[0], 'unstopped-ticker: time.NewTicker or time.NewTimer result is never stopped');
    assert.equal(out[1], '');
    assert.equal(out[2], 'Severity: warning, precision: high, tags: timer, memory');
    assert.ok(out.includes('Applies to modules whose go line is below 1.23, or that set godebug asynctimerchan=1.'));
    const why = out.indexOf('Why it leaks:');
    const fix = out.indexOf('How to fix:');
    const bad = out.indexOf('Leaks:');
    const good = out.indexOf('Does not leak:');
    assert.ok(why > 2 && fix > why && bad > fix && good > bad, r.stdout);
    assert.match(out[why + 1], /^ {2}Before Go 1\.23 the runtime keeps every started timer/);
    assert.match(out[fix + 1], /^ {2}Call Stop when done/);
    assert.equal(out[bad + 1], '    func poll(ctx context.Context) {');
    assert.equal(out[bad + 2], '    \tt := time.NewTicker(time.Second)');
    assert.equal(out[good + 3], '    \tdefer t.Stop()');
    assert.deepEqual(out.slice(-2), [
      'To suppress one finding, on its line or the line above:',
      '    //goleak-lint:ignore unstopped-ticker <reason>',
    ]);
    for (const line of out) assert.ok(line.length <= 92, `line too long: ${line}`);
  });

  it('explain with an unknown rule is a usage error', (t) => {
    const tree = tempTree(t);
    assertUsageError(tree.run(['explain', 'nope']), 'goleak-lint: unknown rule id "nope" (see: goleak-lint rules)');
  });

  it('--disable all --enable X runs X alone; --disable takes comma-separated, repeatable ids', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('p/poll.go', pollSource('p'));
    tree.write('s/tick.go', timeTickSource);
    tree.write(
      'a/after.go',
      [
        'package a',
        '',
        'import "time"',
        '',
        'func Loop(msgs chan int) {',
        '\tfor {',
        '\t\tselect {',
        '\t\tcase <-msgs:',
        '\t\tcase <-time.After(time.Minute):',
        '\t\t\treturn',
        '\t\t}',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
    const tick = `s/tick.go:6:12: warning: ${tickMessage('Wait')} (time-tick-leak)`;
    const after = `a/after.go:9:10: warning: ${afterMessage('1m0s', 6, 'Loop')} (time-after-in-loop)`;
    const ticker = tickerLine('p/poll.go');
    const cases: [string[], string[]][] = [
      [['--disable', 'all', '--enable', 'time-tick-leak'], [tick, '1 finding (1 warning) in 3 packages (3 files)']],
      [['--disable', 'unstopped-ticker,time-after-in-loop'], [tick, '1 finding (1 warning) in 3 packages (3 files)']],
      [['--disable', 'unstopped-ticker', '--disable', ' time-tick-leak '], [after, '1 finding (1 warning) in 3 packages (3 files)']],
      // --enable wins over --disable.
      [['--enable', 'time-tick-leak', '--disable', 'time-tick-leak'], [after, ticker, tick, '3 findings (3 warnings) in 3 packages (3 files)']],
    ];
    for (const [flags, want] of cases) {
      const r = tree.run(['--jobs', '1', ...flags, './...']);
      assertExit(r, 1);
      assert.equal(r.stderr, '');
      assert.deepEqual(lines(r.stdout), want, flags.join(' '));
    }
    const none = tree.run(['--jobs', '1', '--disable', 'all', './...']);
    assertExit(none, 0);
    assert.deepEqual(lines(none.stdout), ['no findings in 3 packages (3 files)']);
  });

  it('an unknown rule id in --enable or --disable is a usage error', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('poll.go', pollSource());
    const want = 'goleak-lint: unknown rule id "nope" (see: goleak-lint rules)';
    assertUsageError(tree.run(['--enable', 'nope', '.']), want);
    assertUsageError(tree.run(['--disable', 'unstopped-ticker,nope', '.']), want);
  });

  it('a near miss of a flag, a format or a rule id gets a "did you mean"', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('poll.go', pollSource());
    assertUsageError(tree.run(['--formt', 'json', '.']), "goleak-lint: unknown option '--formt' (Did you mean --format?)");
    assertUsageError(tree.run(['--format', 'jsn', '.']), /argument 'jsn' is invalid\. unknown format "jsn" \(did you mean "json"\?\): /);
    assertUsageError(tree.run(['--format', 'sarf:out.sarif', '.']), /unknown format "sarf" \(did you mean "sarif"\?\)/);
    const ticker = 'goleak-lint: unknown rule id "unstoped-ticker" (did you mean "unstopped-ticker"?) (see: goleak-lint rules)';
    assertUsageError(tree.run(['--enable', 'unstoped-ticker', '.']), ticker);
    assertUsageError(tree.run(['--disable', 'unstoped-ticker', '.']), ticker);
    assertUsageError(tree.run(['explain', 'unstoped-ticker']), ticker);
    assertUsageError(
      tree.run(['explain', 'goroutine-abandoned']),
      'goleak-lint: unknown rule id "goroutine-abandoned" (did you mean "goroutine-abandoned-send"?) (see: goleak-lint rules)',
    );
    assertUsageError(tree.run(['explain', 'zzz']), 'goleak-lint: unknown rule id "zzz" (see: goleak-lint rules)');
    assertUsageError(tree.run(['rulez']), 'goleak-lint: rulez: no such file or directory (did you mean the command "rules"?)');
    assertUsageError(tree.run(['explian', 'lost-cancel']), 'goleak-lint: explian: no such file or directory (did you mean the command "explain"?)');
  });

  it('`help` prints the usage; --help shows the true defaults', (t) => {
    const tree = tempTree(t);
    const help = tree.run(['help']);
    assertExit(help, 0);
    assert.equal(help.stderr, '');
    assert.match(help.stdout, /^Usage: goleak-lint \[options\] \[command\] \[patterns\.\.\.\]/);
    assert.equal(help.stdout, tree.run(['--help']).stdout);
    const rules = tree.run(['help', 'rules']);
    assertExit(rules, 0);
    assert.match(rules.stdout, /^Usage: goleak-lint rules \[options\]/);
    const text = help.stdout.replace(/\s+/g, ' ');
    assert.match(text, /--profile-threshold <percent> raise findings above this share of a profile to error \(default: 1%\)/);
    assert.match(text, /--max-file-size <size> skip Go files larger than this, such as 8M or 512k \(default: 8 MiB\)/);
    // No "(default: [])" or "(default: false)": they say nothing true about a flag.
    assert.doesNotMatch(text, /default: \[\]|default: false/);
  });

  it('rules --format json lists every id a report can carry, with its kind and docs page', (t) => {
    const tree = tempTree(t);
    const r = tree.run(['rules', '--format', 'json']);
    assertExit(r, 0);
    const doc = JSON.parse(r.stdout) as { id: string; kind: string; severity: string; docs: { path: string; url: string | null } }[];
    assert.deepEqual(
      doc.map((d) => `${d.id} ${d.kind}`),
      [
        ...allRules.map((rule) => `${rule.meta.id} rule`),
        ...profileRules.map((rule) => `${rule.meta.id} profile`),
        'unused-ignore suppression',
      ],
    );
    for (const d of doc) {
      assert.deepEqual(d.docs, { path: `docs/rules/${d.id}.md`, url: null });
      assert.ok(existsSync(path.join(repoRoot, d.docs.path)), d.docs.path);
    }
    assert.equal(doc.find((d) => d.id === 'double-lock')?.severity, 'error');
  });

  it('a reader that stops early (| head) ends the run quietly', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    // More than a pipe holds (64 KiB): the writer meets the closed pipe.
    const body = (i: number) => pollSource('svc', `Poll${i}`).replace(/^package svc\n\nimport .*\n/, '');
    tree.write('poll.go', pollSource() + Array.from({ length: 400 }, (_, i) => body(i)).join(''));
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" --jobs 1 --no-cache --format json ./... | head -c 10`], {
      cwd: tree.dir,
      encoding: 'utf8',
    });
    assert.equal(r.stdout, '{\n  "versi');
    assert.equal(r.stderr, '');
  });

  it('an unknown flag or a bad flag value is a usage error with one stderr line', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('poll.go', pollSource());
    assertUsageError(tree.run(['--bogus', '.']), "goleak-lint: unknown option '--bogus'");
    assertUsageError(
      tree.run(['--format', 'xml', '.']),
      `goleak-lint: option '-f, --format <format[:file]>' argument 'xml' is invalid. unknown format "xml": must be FORMAT or FORMAT:FILE, with FORMAT one of text, json, sarif, github, checkstyle, code-climate, junit, html`,
    );
    assertUsageError(
      tree.run(['--jobs', '0', '.']),
      "goleak-lint: option '-j, --jobs <n>' argument '0' is invalid. must be a whole number of at least 1",
    );
  });

  it(
    'a misspelled flag is a usage error with one stderr line',
    (t) => {
      const tree = tempTree(t);
      tree.goMod('.', '1.21');
      tree.write('poll.go', pollSource());
      assertUsageError(tree.run(['--jbos', '2', '.']), /^goleak-lint: unknown option '--jbos' \(Did you mean --jobs\?\)$/);
    },
  );

  it('--exit-zero exits 0 with findings; --version prints the version and the parser', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('poll.go', pollSource());
    const r = tree.run(['--jobs', '1', '--exit-zero', '.']);
    assertExit(r, 0);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [tickerLine('poll.go'), '1 finding (1 warning) in 1 package (1 file)']);
    const v = tree.run(['--version']);
    assertExit(v, 0);
    assert.match(v.stdout, new RegExp(`^${VERSION.replaceAll('.', '\\.')}\nparser: (native \\(tree-sitter|wasm \\(web-tree-sitter) \\d+\\.\\d+\\.\\d+\\)\n$`));
    assert.equal(v.stderr, '');
  });
});

describe('suppression comments', () => {
  const source = [
    'package svc', //                                                     1
    '',
    'import "time"',
    '',
    'func Same() {', //                                                   5
    '\tt := time.NewTicker(time.Minute) //goleak-lint:ignore unstopped-ticker lives as long as the process',
    '\t<-t.C',
    '}',
    '',
    'func Above() {', //                                                 10
    '\t//goleak-lint:ignore unstopped-ticker owned by the caller',
    '\tt := time.NewTicker(time.Minute)',
    '\t<-t.C',
    '}',
    '', //                                                               15
    'func NoReason() {',
    '\tt := time.NewTicker(time.Minute) //goleak-lint:ignore unstopped-ticker',
    '\t<-t.C',
    '}',
    '', //                                                               20
    'func Nolint() {',
    '\tt := time.NewTicker(time.Minute) //nolint:goleak-lint // held forever',
    '\t<-t.C',
    '}',
    '', //                                                               25
    'func OtherRule() {',
    '\t//goleak-lint:ignore time-tick-leak not this rule',
    '\tt := time.NewTicker(time.Minute)',
    '\t<-t.C',
    '}', //                                                              30
    '',
    'func Unused() {',
    '\t//goleak-lint:ignore unstopped-ticker,time-tick-leak nothing here',
    '\tprintln("x")',
    '}', //                                                              35
    '',
    'func OtherLinter() {',
    '\tt := time.NewTicker(time.Minute) //nolint:errcheck',
    '\t<-t.C',
    '}', //                                                              40
    '',
    'func TooFar() {',
    '\t//goleak-lint:ignore unstopped-ticker a blank line in between',
    '',
    '\tt := time.NewTicker(time.Minute)', //                             45
    '\t<-t.C',
    '}',
    '',
    'func BareNolint() {',
    '\t//nolint', //                                                     50
    '\tt := time.NewTicker(time.Minute)',
    '\t<-t.C',
    '}',
    '',
  ].join('\n');

  it('ignore on the line or alone above, and //nolint:goleak-lint, silence a finding; others do not', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('s.go', source);
    const r = tree.run(['--jobs', '1', '.']);
    assertExit(r, 1);
    assert.deepEqual(lines(r.stderr), [
      'goleak-lint: warning: s.go:17: goleak-lint:ignore needs a rule id and a reason: //goleak-lint:ignore rule-id why',
    ]);
    assert.deepEqual(lines(r.stdout), [
      tickerLine('s.go', 17, 7, 't', 'NoReason'),
      tickerLine('s.go', 28, 7, 't', 'OtherRule'),
      tickerLine('s.go', 38, 7, 't', 'OtherLinter'),
      tickerLine('s.go', 45, 7, 't', 'TooFar'),
      '4 findings (4 warnings) in 1 package (1 file), 4 suppressed',
    ]);
  });

  it('an ignore naming an unknown rule id is a warning with the closest id; it silences nothing', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write(
      'p.go',
      pollSource().replace(
        '\tt := time.NewTicker',
        '\t//goleak-lint:ignore unstoped-ticker,lost-cancel,zzz stopped by the caller\n\tt := time.NewTicker',
      ),
    );
    const r = tree.run(['--jobs', '1', '.']);
    assertExit(r, 1);
    assert.deepEqual(lines(r.stderr), [
      'goleak-lint: warning: p.go:6: goleak-lint:ignore names no rule "unstoped-ticker" (did you mean "unstopped-ticker"?): it silences nothing (see: goleak-lint rules)',
      'goleak-lint: warning: p.go:6: goleak-lint:ignore names no rule "zzz": it silences nothing (see: goleak-lint rules)',
    ]);
    assert.deepEqual(lines(r.stdout), [tickerLine('p.go', 7, 7), '1 finding (1 warning) in 1 package (1 file)']);
    // The ids a report can carry that are not rules are known too.
    tree.write('p.go', pollSource().replace('\tt := time.NewTicker', '\t//goleak-lint:ignore heap-hotspot,unused-ignore why\n\tt := time.NewTicker'));
    assert.equal(tree.run(['--jobs', '1', '.']).stderr, '');
  });

  it('--report-unused-ignores reports ignores that silence nothing', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('s.go', source);
    const unused = (line: number) => `s.go:${line}:2: note: this suppression comment silences no finding: remove it (unused-ignore)`;
    const r = tree.run(['--jobs', '1', '--report-unused-ignores', '.']);
    assertExit(r, 1);
    assert.equal(lines(r.stderr).length, 1);
    assert.deepEqual(lines(r.stdout), [
      tickerLine('s.go', 17, 7, 't', 'NoReason'),
      unused(27),
      tickerLine('s.go', 28, 7, 't', 'OtherRule'),
      unused(33),
      tickerLine('s.go', 38, 7, 't', 'OtherLinter'),
      unused(43),
      tickerLine('s.go', 45, 7, 't', 'TooFar'),
      '7 findings (4 warnings, 3 notes) in 1 package (1 file), 4 suppressed',
    ]);
  });

  it('an ignore for a rule that did not run is not reported as unused', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.goMod('new', '1.23');
    const src = [
      'package svc',
      '',
      'func Idle() {',
      '\t//goleak-lint:ignore unstopped-ticker nothing to silence',
      '\tprintln("x")',
      '}',
      '',
    ].join('\n');
    tree.write('old/s.go', src);
    tree.write('new/s.go', src);
    const disabled = tree.run(['--jobs', '1', '--report-unused-ignores', '--disable', 'all', '--enable', 'time-tick-leak', './...']);
    assertExit(disabled, 0);
    assert.equal(disabled.stderr, '');
    assert.deepEqual(lines(disabled.stdout), ['no findings in 1 package (1 file)']);
    const both = tree.run(['--jobs', '1', '--report-unused-ignores', 'old', 'new']);
    assertExit(both, 1);
    assert.deepEqual(lines(both.stdout), [
      'old/s.go:4:2: note: this suppression comment silences no finding: remove it (unused-ignore)',
      '1 finding (1 note) in 2 packages (2 files)',
    ]);
  });
});
