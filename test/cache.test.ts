import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { PRUNE_AGE_MS, pruneOldEntries } from '../src/cache.js';
import { lint, type LintOptions, type LintResult } from '../src/lint.js';
import { parsedFileCount } from '../src/load.js';
import { pollSource, tempTree, type GoTree } from './helpers.js';

/** Two packages, a/ (two files) and b/ (one), each with one unstopped ticker; b/ has a syntax error too. */
function twoPackages(t: TestContext): GoTree {
  const tree = tempTree(t);
  tree.goMod('.', '1.21');
  tree.write('a/poll.go', pollSource('a', 'Poll'));
  tree.write('a/other.go', 'package a\n\nfunc Other() {}\n');
  tree.write('b/poll.go', pollSource('b', 'Poll') + '\nfunc broken( {\n');
  return tree;
}

/** Lints the tree in this thread (so that parses can be counted) with the cache in .cache/. */
async function lintCounting(tree: GoTree, extra: Partial<LintOptions> = {}): Promise<{ result: LintResult; parsed: number }> {
  const before = parsedFileCount();
  const result = await lint({ patterns: ['./...'], cwd: tree.dir, jobs: 1, cacheDir: tree.path('.cache'), ...extra });
  return { result, parsed: parsedFileCount() - before };
}

/** What a run reports, without the cache's own counts. */
function reported(r: LintResult) {
  return { findings: r.findings, warnings: r.warnings, internalErrors: r.internalErrors, stats: r.stats };
}

/** Moves a file's times an hour back, out of the window where a stat stamp is not trusted. */
function age(file: string): void {
  const past = new Date(Date.now() - 3600_000);
  utimesSync(file, past, past);
}

function entries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(dir, f));
}

describe('result cache', () => {
  it('a second run returns the same findings and warnings without parsing anything', async (t) => {
    const tree = twoPackages(t);
    const cold = await lintCounting(tree);
    assert.equal(cold.parsed, 3);
    assert.deepEqual(cold.result.cache, { hits: 0, packages: 0, misses: 2, hashed: 0 });
    assert.equal(cold.result.findings.length, 2);
    assert.ok(cold.result.warnings.some((w) => w.message.includes('syntax error')));

    const warm = await lintCounting(tree);
    assert.equal(warm.parsed, 0);
    // Just written: their stat stamps are not trusted yet, so their contents are hashed.
    assert.deepEqual(warm.result.cache, { hits: 2, packages: 2, misses: 0, hashed: 3 });
    assert.deepEqual(reported(warm.result), reported(cold.result));
  });

  it('trusts the stat stamp of a file not modified lately, and hashes one that was', async (t) => {
    const tree = twoPackages(t);
    for (const f of ['a/poll.go', 'a/other.go', 'b/poll.go']) age(tree.path(f));
    await lintCounting(tree);
    const warm = await lintCounting(tree);
    assert.deepEqual(warm.result.cache, { hits: 2, packages: 2, misses: 0, hashed: 0 }, 'nothing is read');
    // Same content, new mtime (a checkout, `touch`): the content hash shows nothing changed.
    utimesSync(tree.path('a/poll.go'), new Date(), new Date());
    const touched = await lintCounting(tree);
    assert.equal(touched.parsed, 0);
    assert.deepEqual(touched.result.cache, { hits: 2, packages: 2, misses: 0, hashed: 1 });
    // A same-size edit with the old mtime put back still changes the ctime.
    const file = tree.path('b/poll.go');
    const { atime, mtime } = statSync(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('Poll', 'Pull'));
    utimesSync(file, atime, mtime);
    const edited = await lintCounting(tree);
    // b/poll.go, and a/poll.go again: its new mtime was too recent to trust.
    assert.deepEqual(edited.result.cache, { hits: 1, packages: 1, misses: 1, hashed: 2 });
    assert.ok(edited.result.findings.some((f) => f.file === 'b/poll.go'));
  });

  it('a changed file invalidates its package only', async (t) => {
    const tree = twoPackages(t);
    const cold = await lintCounting(tree);
    tree.write('a/poll.go', pollSource('a', 'Poll', true));
    const after = await lintCounting(tree);
    assert.equal(after.parsed, 2, 'the two files of a/ are parsed again, b/ is not');
    assert.equal(after.result.cache?.hits, 1);
    assert.equal(after.result.cache?.misses, 1);
    assert.deepEqual(
      after.result.findings.map((f) => f.file),
      cold.result.findings.map((f) => f.file).filter((f) => !f.startsWith('a/')),
    );
    // A new file in a package is a change too.
    tree.write('b/more.go', 'package b\n');
    const added = await lintCounting(tree);
    assert.equal(added.result.cache?.hits, 1);
    assert.equal(added.result.cache?.misses, 1);
  });

  it('a changed rule set or option misses', async (t) => {
    const tree = twoPackages(t);
    await lintCounting(tree);
    const changes: Partial<LintOptions>[] = [
      { disable: ['unstopped-ticker'] },
      { goVersion: { major: 1, minor: 23, patch: 0, assumed: false } },
      { reportUnusedIgnores: true },
      { generated: true },
      { tags: ['integration'] },
    ];
    for (const change of changes) {
      const r = await lintCounting(tree, change);
      assert.equal(r.result.cache?.hits, 0, JSON.stringify(change));
      assert.equal(r.parsed, 3, JSON.stringify(change));
    }
    const disabled = await lintCounting(tree, { disable: ['unstopped-ticker'] });
    assert.equal(disabled.result.cache?.hits, 2, 'each setting has entries of its own');
    assert.equal(disabled.result.findings.length, 0);
  });

  it('a corrupt, truncated or malformed entry is a miss, then is rewritten', async (t) => {
    const tree = twoPackages(t);
    const cold = await lintCounting(tree);
    const files = entries(tree.path('.cache'));
    assert.equal(files.length, 2);
    writeFileSync(files[0], '\0\0garbage');
    writeFileSync(files[1], readFileSync(files[1], 'utf8').slice(0, 40));
    const broken = await lintCounting(tree);
    assert.deepEqual(broken.result.cache, { hits: 0, packages: 0, misses: 2, hashed: 0 });
    assert.deepEqual(reported(broken.result), reported(cold.result));
    for (const f of files) {
      const entry = JSON.parse(readFileSync(f, 'utf8'));
      entry.result.findings = 'not a list';
      writeFileSync(f, JSON.stringify(entry));
    }
    assert.equal((await lintCounting(tree)).result.cache?.hits, 0);
    assert.equal((await lintCounting(tree)).result.cache?.hits, 2);
  });

  it('concurrent runs over one cache agree', async (t) => {
    const tree = twoPackages(t);
    const runs = await Promise.all([1, 2, 3].map(() => lintCounting(tree)));
    for (const r of runs) assert.deepEqual(reported(r.result), reported(runs[0].result));
    assert.equal((await lintCounting(tree)).result.cache?.hits, 2);
    assert.deepEqual(
      readdirSync(tree.path('.cache'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  it('the CLI caches in $XDG_CACHE_HOME/goleak-lint by default; --no-cache writes nothing', (t) => {
    const tree = twoPackages(t);
    const env = { XDG_CACHE_HOME: tree.path('.xdg') };
    const off = tree.run(['--no-cache', './...'], { env });
    assert.equal(off.status, 1, off.stderr);
    assert.equal(existsSync(tree.path('.xdg')), false);
    const on = tree.run(['./...'], { env });
    assert.equal(on.stdout, off.stdout);
    assert.equal(entries(tree.path('.xdg/goleak-lint')).length, 2);
    const dir = tree.run(['--cache-dir', 'elsewhere', './...'], { env });
    assert.equal(dir.stdout, off.stdout);
    assert.equal(entries(tree.path('elsewhere')).length, 2);
  });
});

describe('result cache housekeeping', () => {
  it('a run that writes entries deletes those not written for 30 days, at most once a day', async (t) => {
    const tree = twoPackages(t);
    await lintCounting(tree);
    const [kept, stale] = entries(tree.path('.cache'));
    const longAgo = new Date(Date.now() - PRUNE_AGE_MS - 3600_000);
    utimesSync(stale, longAgo, longAgo);
    // The first run pruned already: the marker says so, and nothing goes within a day.
    pruneOldEntries(tree.path('.cache'));
    assert.ok(existsSync(stale));
    // A day later the stale entry goes and the fresh one stays.
    pruneOldEntries(tree.path('.cache'), Date.now() + 25 * 3600_000);
    assert.ok(!existsSync(stale) && existsSync(kept));
    // The run after that lints the pruned directory again and rewrites its entry.
    const again = await lintCounting(tree);
    assert.equal(again.result.cache?.misses, 1);
    assert.equal(entries(tree.path('.cache')).length, 2);
  });
});
