/**
 * The HTML report, rendered by a real browser: headless Chromium (Debian's `chromium`
 * package) loads the page from disk, dumps its DOM and takes a screenshot. Skipped, with a
 * message saying so, only where Chromium is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { allRules } from '../rules/index.js';
import { formatBytes, formatCount, formatShare } from '../src/profile/format.js';
import { assertExit, pollSource, repoRoot, runCli, tempTree, type JsonFinding } from './helpers.js';

const CHROMIUM = ['chromium', 'chromium-browser'].find((bin) => spawnSync(bin, ['--version']).status === 0);
const skip = CHROMIUM ? false : 'headless Chromium is not installed (Debian: apt-get install chromium); the HTML report is not rendered';

/** Runs headless Chromium on a local page, offline, with a fresh profile directory; returns stdout. */
function chromium(t: TestContext, page: string, ...args: string[]): string {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'goleak-lint-chromium-'));
  t.after(() => rmSync(profile, { recursive: true, force: true }));
  const r = spawnSync(
    CHROMIUM!,
    [
      '--headless',
      '--no-sandbox', // the tests run as root in CI
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      ...args,
      pathToFileURL(page).href,
    ],
    { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HOME: profile } },
  );
  assert.equal(r.error, undefined, `chromium did not run: ${r.error}`);
  assert.equal(r.status, 0, `chromium exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** Text as a serialised DOM has it: &, < and > escaped, nothing else. */
function domText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\u00a0/g, '&nbsp;');
}


/** What the page shows, read from the DOM: per package, per rule, the findings' severity, location and message. */
function readGroups(dom: string) {
  return dom
    .split('<section class="package"')
    .slice(1)
    .map((pkg) => ({
      pkg: /<h2><span class="kind">package<\/span> <code>(.*?)<\/code>/.exec(pkg)![1],
      rules: pkg
        .split('<section class="rule">')
        .slice(1)
        .map((rule) => ({
          id: /<h3><code>(.*?)<\/code>/.exec(rule)![1],
          html: rule,
          findings: [...rule.matchAll(/<article class="finding (\w+)" id="(f\d+)">\n<p class="where">.*?<a href="#\2">(.*?)<\/a><\/p>\n<p class="message">(.*?)<\/p>/g)].map(
            (m) => ({ severity: m[1], where: m[3], message: m[4] }),
          ),
        })),
    }));
}

describe('--format html', () => {
  it('groups the findings by package and rule, each with its code excerpt and the rule explained, all escaped; Chromium renders it offline', { skip }, (t) => {
    const tree = tempTree(t);
    spawnSync('git', ['init', '-q', tree.dir]);
    tree.goMod('.', '1.21');
    tree.write('root.go', pollSource('svc', 'Root'));
    tree.write('api/poll.go', pollSource('api'));
    tree.write('api/tick.go', ['package api', '', 'import "time"', '', 'func Wait() {', '\tfor range time.Tick(time.Second) {', '\t\treturn', '\t}', '}', ''].join('\n'));
    tree.write('api/ignored.go', pollSource('api', 'Ignored').replace('time.Second)', 'time.Second) //goleak-lint:ignore unstopped-ticker stopped by Close'));
    const worker = pollSource('worker').split('\n');
    worker.splice(5, 0, '\t// <b>bold</b> & <script>alert("x")</script>');
    tree.write('worker/work.go', worker.join('\n'));
    const r = tree.run(['--jobs', '1', '-f', 'html:report.html', '-f', 'json', './...']);
    assertExit(r, 1);
    const json = JSON.parse(r.stdout) as { findings: JsonFinding[]; stats: { packages: number; files: number } };
    const open = json.findings.filter((f) => !f.suppressed);
    assert.equal(open.length, 4);
    assert.equal(json.findings.length, 5);

    const html = readFileSync(tree.path('report.html'), 'utf8');
    // Self-contained: nothing to fetch, and a policy that forbids fetching anything.
    assert.doesNotMatch(html, /<(script|link|img|iframe)\b|\bsrc=|url\(|@import|https?:/i);
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`));

    const dom = chromium(t, tree.path('report.html'), '--dump-dom');
    assert.doesNotMatch(dom, /<script|<b>/, 'the Go comment must stay text');
    assert.match(dom, new RegExp(`<p class="summary">4 findings \\(4 warnings\\) in ${json.stats.packages} packages \\(${json.stats.files} files\\); 1 suppressed or in the baseline, not shown</p>`));

    // Packages in path order, rules by id, findings in file order; the rule explained once per group.
    const byDir = (f: JsonFinding) => path.posix.dirname(f.file);
    const want = [...new Set(open.map(byDir))].sort().map((pkg) => ({
      pkg,
      rules: [...new Set(open.filter((f) => byDir(f) === pkg).map((f) => f.ruleId))].sort().map((id) => ({
        id,
        findings: open
          .filter((f) => byDir(f) === pkg && f.ruleId === id)
          .map((f) => ({ severity: f.severity, where: `${f.file}:${f.line}:${f.column}`, message: domText(f.message) })),
      })),
    }));
    const groups = readGroups(dom);
    assert.deepEqual(
      groups.map((g) => ({ pkg: g.pkg, rules: g.rules.map(({ id, findings }) => ({ id, findings })) })),
      want,
    );
    assert.deepEqual(want.map((g) => g.pkg), ['.', 'api', 'worker']);
    for (const rule of groups.flatMap((g) => g.rules)) {
      const meta = allRules.find((x) => x.meta.id === rule.id)!.meta;
      assert.ok(rule.html.includes(`<strong>Why it leaks.</strong> ${domText(meta.why)}</p>`), `${rule.id}: why`);
      assert.ok(rule.html.includes(`<strong>How to fix.</strong> ${domText(meta.fix)}</p>`), `${rule.id}: fix`);
    }

    // The excerpt: two lines either side, the flagged one marked, the comment as text.
    const work = groups.find((g) => g.pkg === 'worker')!.rules[0].html;
    const excerpt = /<pre class="excerpt"><code>(.*?)<\/code><\/pre>/s.exec(work)![1];
    assert.deepEqual(
      [...excerpt.matchAll(/<span class="(line(?: hit)?)"><span class="ln">(\d+)<\/span>(.*?)\n<\/span>/g)].map((m) => [m[1], Number(m[2]), m[3]]),
      [
        ['line', 5, 'func Poll(ctx context.Context) {'],
        ['line', 6, '\t// &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert("x")&lt;/script&gt;'],
        ['line hit', 7, '\tt := time.NewTicker(time.Second)'],
        ['line', 8, '\tfor {'],
        ['line', 9, '\t\tselect {'],
      ],
    );

    // A screenshot of the window's size: the page lays out and paints.
    const shot = tree.path('report.png');
    chromium(t, tree.path('report.html'), '--window-size=1280,1600', `--screenshot=${shot}`);
    const png = readFileSync(shot);
    assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'not a PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1280, 1600]);
    assert.ok(png.length > 20_000, `a ${png.length}-byte screenshot is blank`);
  });

  it('with --profile, draws per profile a bar per finding of the bytes or goroutines it holds, largest first', { skip }, (t) => {
    const args = [
      '--jobs', '1',
      '--no-cache',
      '--profile', 'examples/leakysvc/profiles/heap.pb.gz',
      '--profile', 'examples/leakysvc/profiles/goroutine.pb.gz',
      './examples/...',
    ];
    const out = tempTree(t).path('ranked.html');
    const r = runCli([...args, '-f', 'json', '-f', `html:${out}`], { cwd: repoRoot });
    assertExit(r, 1);
    const json = JSON.parse(r.stdout) as { findings: JsonFinding[]; profiles: { profile: string; kind: string }[] };
    assert.equal(json.profiles.length, 2);
    const want = json.profiles.map((p) => {
      const held = json.findings
        .flatMap((f) => f.profile?.filter((i) => i.profile === p.profile && i.value > 0).map((i) => ({ f, i })) ?? [])
        .sort((a, b) => b.i.value - a.i.value);
      const amount = (v: number) => (p.kind === 'heap' ? formatBytes(v) : `${formatCount(v)} goroutine${v === 1 ? '' : 's'}`);
      return held.map(({ f, i }) => ({
        label: `${f.file}:${f.line} <code>${f.ruleId}</code>`,
        severity: f.severity,
        width: `${((i.value / held[0].i.value) * 100).toFixed(1)}%`,
        amount: `${amount(i.value)} (${formatShare(i.share)})`,
      }));
    });
    // The example's leaks: five hold heap, and the abandoned send holds goroutines and the heap they allocated.
    assert.deepEqual(want.map((w) => w.length), [6, 1]);

    const dom = chromium(t, out, '--dump-dom');
    const charts = dom.split('<figure class="ranking">').slice(1);
    assert.deepEqual(
      charts.map((c) =>
        [...c.matchAll(/<li><a class="label" href="#f\d+">(.*?)<\/a><span class="track"><span class="bar (\w+)" style="width: ([\d.]+%)"><\/span><\/span><span class="amount">(.*?)<\/span><\/li>/g)].map(
          (m) => ({ label: m[1], severity: m[2], width: m[3], amount: m[4] }),
        ),
      ),
      want,
    );
    // Each bar links to its finding on the page.
    const located = new Map(
      [...dom.matchAll(/<article class="finding \w+" id="(f\d+)">\n<p class="where">.*?<a href="#\1">(.*?)<\/a>/g)].map((m) => [m[1], m[2]]),
    );
    const links = [...dom.matchAll(/<li><a class="label" href="#(f\d+)">(.*?) <code>/g)];
    assert.equal(links.length, 7);
    for (const [, id, label] of links) assert.equal(located.get(id)?.replace(/:\d+$/, ''), label);
  });
});
