/**
 * The formats CI systems read besides SARIF: checkstyle (Jenkins warnings-ng, reviewdog),
 * Code Climate JSON (GitLab Code Quality) and JUnit XML, and several reports in one run
 * (`--format FORMAT:FILE`, repeatable). XML is parsed with a real parser, not matched.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { allRules } from '../rules/index.js';
import type { Finding } from '../src/engine/types.js';
import type { LintResult } from '../src/lint.js';
import { renderCheckstyle } from '../src/report/checkstyle.js';
import { renderCodeClimate } from '../src/report/code-climate.js';
import { renderJunit } from '../src/report/junit.js';
import { assertExit, assertUsageError, pollSource, tempTree, validateSarif } from './helpers.js';

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

function result(findings: Finding[], over: Partial<LintResult> = {}): LintResult {
  return { findings, warnings: [], internalErrors: [], rules: allRules, stats: { packages: 1, files: 1, lines: 1, skipped: {} }, ...over };
}

/** Elements that may repeat, so that the parser always gives arrays for them. */
const REPEATED = new Set(['file', 'error', 'testsuite', 'testcase']);

/**
 * Checks that the text is well-formed XML with only the five predefined entities and
 * numeric references, and no character XML 1.0 forbids; returns the parsed document
 * (attributes as plain properties, references decoded).
 */
function parseXml(text: string): any {
  assert.equal(XMLValidator.validate(text), true, 'not well-formed XML');
  assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  for (const ref of text.match(/&[^;\s]*;/g) ?? []) assert.match(ref, /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);$/i, `entity ${ref}`);
  assert.doesNotMatch(text, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/, 'a character XML 1.0 forbids');
  for (const ref of text.match(/&#(\d+);/g) ?? []) assert.ok([9, 10, 13].includes(Number(ref.slice(2, -1))) || Number(ref.slice(2, -1)) >= 32, ref);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    // Decodes numeric references such as &#10;; the reports use no HTML-only names.
    htmlEntities: true,
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && REPEATED.has(name),
  });
  return withoutIndentation(parser.parse(text));
}

/** Drops the whitespace-only text between elements (the indentation), which values must keep. */
function withoutIndentation(node: any): any {
  if (Array.isArray(node)) return node.map(withoutIndentation);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === '#text' && typeof v === 'string' && !v.trim()))
      .map(([k, v]) => [k, withoutIndentation(v)]),
  );
}

/** A message with everything XML must escape, a tab and line break, a C0 control, an emoji and a lone surrogate. */
const NASTY = 'a < b && c > "d" \'e\'\tf\r\ng\u0001h 😀 \uD800!';
/** The same as any XML parser must read it back: the two characters XML cannot carry are U+FFFD. */
const NASTY_READ = 'a < b && c > "d" \'e\'\tf\r\ng\uFFFDh 😀 \uFFFD!';

describe('--format checkstyle', () => {
  it('is a <file> per file in path order with an <error> per open finding, every attribute escaped and read back exactly', () => {
    const out = renderCheckstyle(
      result([
        finding({ file: 'z/b.go', startLine: 3, startColumn: 2 }),
        finding({ file: 'a&<"x">.go', message: NASTY, severity: 'error', ruleId: 'lost-cancel' }),
        finding({ file: 'z/b.go', startLine: 9, severity: 'note', ruleId: 'heap-hotspot' }),
        finding({ file: 'z/b.go', startLine: 12, suppression: { kind: 'inSource', justification: 'ok' } }),
        finding({ file: 'only-suppressed.go', suppression: { kind: 'external', justification: 'baseline' } }),
      ]),
      (f) => `repo/${f}`,
    );
    const doc = parseXml(out);
    assert.equal(doc.checkstyle.version, '4.3');
    assert.deepEqual(doc.checkstyle.file, [
      {
        name: 'repo/a&<"x">.go',
        error: [{ line: '6', column: '7', severity: 'error', message: NASTY_READ, source: 'goleak-lint.lost-cancel' }],
      },
      {
        name: 'repo/z/b.go',
        error: [
          { line: '3', column: '2', severity: 'warning', message: 'm', source: 'goleak-lint.unstopped-ticker' },
          { line: '9', column: '7', severity: 'info', message: 'm', source: 'goleak-lint.heap-hotspot' },
        ],
      },
    ]);
  });

  it('is an empty <checkstyle> element when there is nothing to report', () => {
    const doc = parseXml(renderCheckstyle(result([]), (f) => f));
    assert.deepEqual(doc.checkstyle, { version: '4.3' });
  });
});

describe('--format code-climate', () => {
  it('has the fields GitLab reads, its severities, and a fingerprint per issue that is unique even where findings share theirs', () => {
    const same = 'ffffffffffffffffffffffffffffffff';
    const findings = [
      finding({ file: 'p/a.go', startLine: 4, endLine: 5, fingerprint: same, severity: 'error', message: NASTY }),
      finding({ file: 'p/a.go', startLine: 9, endLine: 9, fingerprint: same }),
      finding({ file: 'q/a.go', startLine: 4, endLine: 4, fingerprint: same, severity: 'note', ruleId: 'heap-hotspot' }),
      finding({ file: 'q/a.go', startLine: 20, suppression: { kind: 'inSource', justification: 'x' } }),
    ];
    const issues = JSON.parse(renderCodeClimate(result(findings), (f) => `sub/${f}`));
    assert.equal(issues.length, 3);
    assert.deepEqual(
      issues.map(({ fingerprint, ...rest }: { fingerprint: string }) => (assert.match(fingerprint, /^[0-9a-f]{32}$/), rest)),
      [
        {
          type: 'issue',
          engine_name: 'goleak-lint',
          check_name: 'unstopped-ticker',
          description: NASTY,
          categories: ['Bug Risk', 'Performance'],
          severity: 'critical',
          location: { path: 'sub/p/a.go', lines: { begin: 4, end: 5 } },
        },
        {
          type: 'issue',
          engine_name: 'goleak-lint',
          check_name: 'unstopped-ticker',
          description: 'm',
          categories: ['Bug Risk', 'Performance'],
          severity: 'major',
          location: { path: 'sub/p/a.go', lines: { begin: 9, end: 9 } },
        },
        {
          type: 'issue',
          engine_name: 'goleak-lint',
          check_name: 'heap-hotspot',
          description: 'm',
          categories: ['Bug Risk', 'Performance'],
          severity: 'info',
          location: { path: 'sub/q/a.go', lines: { begin: 4, end: 4 } },
        },
      ],
    );
    const fps = issues.map((i: { fingerprint: string }) => i.fingerprint);
    assert.equal(new Set(fps).size, 3);

    // Code added above moves every line: the fingerprints stay. A ranked report's order does not matter either.
    const moved = findings.map((f) => ({ ...f, startLine: f.startLine + 10, endLine: f.endLine + 10 }));
    const again = JSON.parse(renderCodeClimate(result([moved[2], moved[1], moved[0]]), (f) => `sub/${f}`));
    assert.deepEqual(again.map((i: { fingerprint: string }) => i.fingerprint), [fps[2], fps[1], fps[0]]);
  });

  it('is an empty array when there is nothing to report', () => {
    assert.equal(renderCodeClimate(result([finding({ suppression: { kind: 'external', justification: 'b' } })]), (f) => f), '[]\n');
  });
});

describe('--format junit', () => {
  it('has a testsuite per package in path order, a failing testcase per open finding, and totals that add up', () => {
    const out = renderJunit(
      result([
        finding({ file: 'svc/z.go', message: NASTY, severity: 'error' }),
        finding({ file: 'root.go', startLine: 2, startColumn: 1, ruleId: 'time-tick-leak' }),
        finding({ file: 'svc/a.go', startLine: 8, severity: 'note', ruleId: 'heap-hotspot' }),
        finding({ file: 'svc/a.go', startLine: 9, suppression: { kind: 'inSource', justification: 'x' } }),
      ]),
      (f) => f,
    );
    const doc = parseXml(out);
    const { testsuite, ...totals } = doc.testsuites;
    assert.deepEqual(totals, { name: 'goleak-lint', tests: '3', failures: '3', errors: '0' });
    assert.deepEqual(
      testsuite.map((s: { testcase: unknown[] }) => ({ ...s, testcase: s.testcase.length })),
      [
        { name: '.', tests: '1', failures: '1', errors: '0', skipped: '0', testcase: 1 },
        { name: 'svc', tests: '2', failures: '2', errors: '0', skipped: '0', testcase: 2 },
      ],
    );
    assert.deepEqual(testsuite[1].testcase, [
      {
        name: 'unstopped-ticker at svc/z.go:6:7',
        classname: 'svc',
        file: 'svc/z.go',
        line: '6',
        failure: { message: NASTY_READ, type: 'error', '#text': `svc/z.go:6:7: error: ${NASTY_READ} (unstopped-ticker)` },
      },
      {
        name: 'heap-hotspot at svc/a.go:8:7',
        classname: 'svc',
        file: 'svc/a.go',
        line: '8',
        failure: { message: 'm', type: 'note', '#text': 'svc/a.go:8:7: note: m (heap-hotspot)' },
      },
    ]);
  });

  it('has one passing testcase on a clean run, so that the CI shows the lint ran', () => {
    const doc = parseXml(renderJunit(result([finding({ suppression: { kind: 'external', justification: 'b' } })]), (f) => f));
    assert.deepEqual(doc.testsuites, {
      name: 'goleak-lint',
      tests: '1',
      failures: '0',
      errors: '0',
      testsuite: [{ name: 'goleak-lint', tests: '1', failures: '0', errors: '0', skipped: '0', testcase: [{ name: 'no findings', classname: 'goleak-lint' }] }],
    });
  });

  it('reports an internal error as an <error> test case', () => {
    const doc = parseXml(renderJunit(result([], { internalErrors: ['rule x failed\n    at y'] }), (f) => f));
    assert.deepEqual(doc.testsuites.testsuite, [
      {
        name: 'goleak-lint',
        tests: '1',
        failures: '0',
        errors: '1',
        skipped: '0',
        testcase: [{ name: 'internal error', classname: 'goleak-lint', error: [{ message: 'rule x failed', '#text': 'rule x failed\n    at y' }] }],
      },
    ]);
  });
});

/** Two functions with one leak each, and a function with the same leaking line twice (one fingerprint). */
function ciTree(t: Parameters<typeof tempTree>[0]) {
  const tree = tempTree(t);
  spawnSync('git', ['init', '-q', tree.dir]);
  tree.goMod('svc', '1.21');
  tree.write('svc/poll.go', pollSource());
  tree.write('svc/inner/other.go', pollSource('inner', 'Other'));
  tree.write(
    'svc/twice.go',
    ['package svc', '', 'import "time"', '', 'func Twice() {', '\t<-time.Tick(time.Second)', '\t<-time.Tick(time.Second)', '}', ''].join('\n'),
  );
  return tree;
}

describe('several reports in one run', () => {
  it('--format FORMAT:FILE (repeatable) writes each file, with paths from the repository root, and the one without a file to stdout', (t) => {
    const tree = ciTree(t);
    const alone = tree.run(['--jobs', '1', './...'], { cwd: 'svc' });
    const json = JSON.parse(tree.run(['--jobs', '1', '-f', 'json', './...'], { cwd: 'svc' }).stdout);
    tree.write('svc/out/.keep', '');
    const r = tree.run(
      [
        '--jobs', '1',
        '--format', 'sarif:out/goleak.sarif',
        '--format', 'text',
        '-f', 'checkstyle:out/checkstyle.xml',
        '-f', 'code-climate:out/gl-code-quality.json',
        '-f', 'junit:out/junit.xml',
        '-f', 'html:out/report.html',
        './...',
      ],
      { cwd: 'svc' },
    );
    assertExit(alone, 1);
    assertExit(r, 1);
    // The text on stdout is the same as in a run with no other report.
    assert.equal(r.stdout, alone.stdout);
    assert.equal(r.stderr, alone.stderr);
    const read = (f: string) => readFileSync(tree.path(`svc/out/${f}`), 'utf8');
    const want = json.findings.map((f: { file: string; line: number; column: number; ruleId: string }) => ({
      file: `svc/${f.file}`,
      line: f.line,
      column: f.column,
      ruleId: f.ruleId,
    }));
    assert.equal(want.length, 4);

    const sarif = validateSarif(read('goleak.sarif')).runs[0];
    assert.deepEqual(
      sarif.results.map((x: any) => ({
        file: x.locations[0].physicalLocation.artifactLocation.uri,
        line: x.locations[0].physicalLocation.region.startLine,
        column: x.locations[0].physicalLocation.region.startColumn,
        ruleId: x.ruleId,
      })),
      want,
    );

    const checkstyle = parseXml(read('checkstyle.xml')).checkstyle.file.flatMap((file: any) =>
      file.error.map((e: any) => ({ file: file.name, line: Number(e.line), column: Number(e.column), ruleId: e.source.replace('goleak-lint.', '') })),
    );
    assert.deepEqual(checkstyle, want);

    const issues = JSON.parse(read('gl-code-quality.json'));
    assert.deepEqual(
      issues.map((i: any) => ({ file: i.location.path, line: i.location.lines.begin, ruleId: i.check_name })),
      want.map(({ column: _, ...w }: { column: number }) => w),
    );
    // The two time.Tick lines of Twice share the finding fingerprint; GitLab must still see two issues.
    const twice = json.findings.filter((f: { file: string }) => f.file === 'twice.go');
    assert.equal(twice.length, 2);
    assert.equal(twice[0].fingerprint, twice[1].fingerprint);
    assert.equal(new Set(issues.map((i: { fingerprint: string }) => i.fingerprint)).size, issues.length);

    const suites = parseXml(read('junit.xml')).testsuites.testsuite;
    assert.deepEqual(
      suites.map((s: any) => [s.name, s.testcase.map((c: any) => c.name)]),
      [
        ['svc', ['unstopped-ticker at svc/poll.go:6:7', 'time-tick-leak at svc/twice.go:6:4', 'time-tick-leak at svc/twice.go:7:4']],
        ['svc/inner', ['unstopped-ticker at svc/inner/other.go:6:7']],
      ],
    );

    const html = read('report.html');
    for (const w of want) assert.ok(html.includes(`${w.file}:${w.line}:${w.column}</a>`), `${w.file} not in the HTML`);
  });

  it('writes nothing to stdout when every format names a file, and --output still names the file of the one format', (t) => {
    const tree = ciTree(t);
    const quiet = tree.run(['--jobs', '1', '-f', 'json:a.json', '-f', 'text:a.txt', './...'], { cwd: 'svc' });
    assertExit(quiet, 1);
    assert.equal(quiet.stdout, '');
    const text = tree.run(['--jobs', '1', './...'], { cwd: 'svc' }).stdout;
    assert.equal(readFileSync(tree.path('svc/a.txt'), 'utf8'), text);
    const single = tree.run(['--jobs', '1', '-f', 'junit', '-o', 'j.xml', '-f', 'text:b.txt', './...'], { cwd: 'svc' });
    assertExit(single, 1);
    assert.equal(single.stdout, '');
    assert.equal(readFileSync(tree.path('svc/b.txt'), 'utf8'), text);
    assert.equal(parseXml(readFileSync(tree.path('svc/j.xml'), 'utf8')).testsuites.failures, '4');
  });

  it('makes the directories a report file goes in, as eslint --output-file does', (t) => {
    const tree = ciTree(t);
    const run = tree.run(['--jobs', '1', '-f', 'text', '-f', 'sarif:reports/ci/x.sarif', './...'], { cwd: 'svc' });
    assertExit(run, 1);
    assert.match(run.stdout, /unstopped-ticker/);
    assert.equal(JSON.parse(readFileSync(tree.path('svc/reports/ci/x.sarif'), 'utf8')).version, '2.1.0');
  });

  it('a bad --format, two reports for stdout, a file named twice or one that cannot be written: one line, exit 2, stdout empty', (t) => {
    const tree = ciTree(t);
    const formats = 'text, json, sarif, github, checkstyle, code-climate, junit, html';
    const invalid = (v: string, why: string) => `goleak-lint: option '-f, --format <format[:file]>' argument '${v}' is invalid. ${why}`;
    const unknown = `unknown format "xml": must be FORMAT or FORMAT:FILE, with FORMAT one of ${formats}`;
    assertUsageError(tree.run(['-f', 'xml', '.'], { cwd: 'svc' }), invalid('xml', unknown));
    assertUsageError(tree.run(['-f', 'xml:a.xml', '.'], { cwd: 'svc' }), invalid('xml:a.xml', unknown));
    assertUsageError(tree.run(['-f', 'sarif:', '.'], { cwd: 'svc' }), invalid('sarif:', 'must be FORMAT or FORMAT:FILE, with a file name after the colon'));
    assertUsageError(
      tree.run(['-f', 'json', '-f', 'text', '.'], { cwd: 'svc' }),
      'goleak-lint: --format: json and text would both go to stdout; give all but one a file, as in --format text:FILE',
    );
    assertUsageError(
      tree.run(['-f', 'json', '-f', 'text', '-f', 'html', '.'], { cwd: 'svc' }),
      'goleak-lint: --format: json and text and html would all go to stdout; give all but one a file, as in --format text:FILE',
    );
    assertUsageError(
      tree.run(['-f', 'sarif:x', '-o', 'y', '.'], { cwd: 'svc' }),
      'goleak-lint: --output y: every --format names its own file; leave --output out',
    );
    assertUsageError(
      tree.run(['-f', 'sarif:r', '-f', 'json:./r', '.'], { cwd: 'svc' }),
      'goleak-lint: --format json:./r: --format sarif:r writes the same file',
    );
    assertUsageError(
      tree.run(['-f', 'json', '-o', 'r', '-f', 'sarif:r', '.'], { cwd: 'svc' }),
      'goleak-lint: --format sarif:r: --output r writes the same file',
    );
    // Files are written before stdout: the text is not printed when the SARIF file cannot be written.
    writeFileSync(tree.path('svc/plain'), '');
    assertUsageError(
      tree.run(['--jobs', '1', '-f', 'text', '-f', 'sarif:plain/x.sarif', '.'], { cwd: 'svc' }),
      'goleak-lint: --format sarif:plain/x.sarif: cannot write: not a directory',
    );
    assertUsageError(tree.run(['--jobs', '1', '-f', 'html:.', '.'], { cwd: 'svc' }), 'goleak-lint: --format html:.: cannot write: is a directory');
  });
});
