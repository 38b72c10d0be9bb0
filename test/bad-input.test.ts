/**
 * Bad input: each broken file gives one `goleak-lint: warning:` line on stderr, never a
 * crash, and the findings of the other files still come out (exit 1). Every tree holds a
 * good file with a known leak (good.go, line 6) beside the bad one.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { lines, pollSource, tempTree, tickerLine, type GoTree, type RunResult } from './helpers.js';

const WARN = 'goleak-lint: warning: ';
const GOOD = tickerLine('good.go', 6, 7, 't', 'Good');

/** A module at go 1.21 with good.go, whose unstopped ticker is reported at 6:7. */
function treeWithGoodFile(t: Parameters<typeof tempTree>[0]): GoTree {
  const tree = tempTree(t);
  tree.goMod('.', '1.21');
  tree.write('good.go', pollSource('svc', 'Good'));
  return tree;
}

/** No crash: exit 1, the expected stdout, exactly the expected warnings on stderr. */
function assertReported(r: RunResult, stdout: string[], warnings: string[]): void {
  assert.equal(r.error, undefined, `spawn failed: ${r.error}`);
  assert.equal(r.signal, null);
  assert.equal(r.status, 1, `exit status ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.deepEqual(lines(r.stderr), warnings.map((w) => WARN + w));
  assert.deepEqual(lines(r.stdout), stdout);
}

const leakThenBroken = [
  'package svc',
  '',
  'import "time"',
  '',
  'func Leak() {',
  '\tt := time.NewTicker(time.Minute)',
  '\t<-t.C',
  '}',
  '',
  'func Broken() {',
  '\tx := := 3',
  '\tfor {',
  '}',
  '',
].join('\n');

describe('bad input', () => {
  it('a file with a syntax error: a warning, and its findings outside the broken part', (t) => {
    const tree = treeWithGoodFile(t);
    tree.write('syntax.go', leakThenBroken);
    assertReported(
      tree.run(['--jobs', '1', './...']),
      [GOOD, tickerLine('syntax.go', 6, 7, 't', 'Leak'), '2 findings (2 warnings) in 1 package (2 files)'],
      ['syntax.go:11:7: syntax error: findings in this file may be incomplete'],
    );
  });

  it('a file that is not UTF-8 is linted with the bad bytes replaced', (t) => {
    const tree = treeWithGoodFile(t);
    // Bytes 0xff 0xfe inside a comment on line 2 ('latin1' writes each character as one byte).
    tree.write('latin1.go', Buffer.from(pollSource('svc', 'Latin1').replace('package svc\n', 'package svc\n// bad \xff\xfe bytes\n'), 'latin1'));
    assert.ok(readFileSync(tree.path('latin1.go')).includes(Buffer.from([0xff, 0xfe])));
    assertReported(
      tree.run(['--jobs', '1', './...']),
      [GOOD, tickerLine('latin1.go', 7, 7, 't', 'Latin1'), '2 findings (2 warnings) in 1 package (2 files)'],
      ['latin1.go: not valid UTF-8: linted with the bad bytes replaced'],
    );
  });

  it('a file with NUL bytes is skipped', (t) => {
    const tree = treeWithGoodFile(t);
    tree.write('nul.go', pollSource('svc', 'Nul').replace('import', '// \0\0\nimport'));
    assertReported(
      tree.run(['--jobs', '1', './...']),
      [GOOD, '1 finding (1 warning) in 1 package (1 file)'],
      ['nul.go: skipped: contains NUL bytes, not Go source'],
    );
  });

  it('an unreadable file is skipped', (t) => {
    const tree = treeWithGoodFile(t);
    const file = tree.write('secret.go', pollSource('svc', 'Secret'));
    chmodSync(file, 0o000);
    let readable = true;
    try {
      readFileSync(file);
    } catch {
      readable = false;
    }
    if (readable) return t.skip('mode 000 files are readable here (running as root)');
    assertReported(
      tree.run(['--jobs', '1', './...']),
      [GOOD, '1 finding (1 warning) in 1 package (1 file)'],
      ['secret.go: cannot read: permission denied'],
    );
  });

  it('a file larger than 8 MiB is skipped', (t) => {
    const tree = treeWithGoodFile(t);
    // A leak at the top that must not be reported: the file is not read at all.
    const head = pollSource('svc', 'Big') + '// ';
    tree.write('big.go', Buffer.concat([Buffer.from(head), Buffer.alloc(8 * 1024 * 1024, 'x'), Buffer.from('\n')]));
    assertReported(
      tree.run(['--jobs', '1', './...']),
      [GOOD, '1 finding (1 warning) in 1 package (1 file)'],
      ['big.go: skipped: 8388791 bytes is over the limit of 8 MiB for one file (--max-file-size)'],
    );
  });

  it('--max-file-size and max-file-size in the config set the limit', (t) => {
    const tree = treeWithGoodFile(t);
    tree.write('big.go', pollSource('svc', 'Big') + '// ' + 'x'.repeat(2000) + '\n');
    const skipped = 'big.go: skipped: 2183 bytes is over the limit of 2 KiB for one file (--max-file-size)';
    assertReported(tree.run(['--jobs', '1', '--max-file-size', '2k', '.']), [GOOD, '1 finding (1 warning) in 1 package (1 file)'], [skipped]);
    tree.write('.goleak-lint.yml', 'max-file-size: 2KiB\n');
    assertReported(tree.run(['--jobs', '1', '.']), [GOOD, '1 finding (1 warning) in 1 package (1 file)'], [skipped]);
    // The flag wins over the config.
    const both = tree.run(['--jobs', '1', '--max-file-size', '3000', '.']);
    assert.equal(both.stderr, '');
    assert.equal(lines(both.stdout).at(-1), '2 findings (2 warnings) in 1 package (2 files)');
    tree.write('.goleak-lint.yml', 'max-file-size: lots\n');
    assert.deepEqual(lines(tree.run(['.']).stderr), ['goleak-lint: .goleak-lint.yml:1: max-file-size: must be a size such as 8M or 512k, or a number of bytes']);
    assert.match(tree.run(['--max-file-size', '0', '.']).stderr, /argument '0' is invalid\. must be a size such as 8M/);
  });

  it('a run that lints no file says why on stderr, one line per reason with a count', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    const generated = '// Code generated by protoc-gen-go. DO NOT EDIT.\n\n' + pollSource('svc', 'Gen');
    tree.write('a.pb.go', generated);
    tree.write('b.pb.go', generated);
    tree.write('nul.go', 'package svc\n\0\n');
    tree.write('big.go', pollSource('svc', 'Big') + '// ' + 'x'.repeat(2000) + '\n');
    const r = tree.run(['--jobs', '1', '--max-file-size', '1k', 'a.pb.go', 'b.pb.go', 'nul.go', 'big.go']);
    assert.equal(r.status, 0);
    assert.deepEqual(lines(r.stdout), ['no findings in 0 packages (0 files)']);
    assert.deepEqual(lines(r.stderr), [
      WARN + 'big.go: skipped: 2183 bytes is over the limit of 1 KiB for one file (--max-file-size)',
      WARN + 'nul.go: skipped: contains NUL bytes, not Go source',
      'goleak-lint: no file linted: skipped 2 generated files (marked "Code generated ... DO NOT EDIT."; --generated lints them)',
      'goleak-lint: no file linted: skipped 1 file over the size limit (--max-file-size raises it)',
      'goleak-lint: no file linted: skipped 1 file with NUL bytes (not Go source)',
    ]);
    // The counts are in the JSON stats too; a run that lints something says nothing more.
    const json = JSON.parse(tree.run(['--jobs', '1', '--max-file-size', '1k', '--format', 'json', '.']).stdout);
    assert.deepEqual(json.stats.skipped, { generated: 2, 'too-large': 1, 'nul-bytes': 1 });
    tree.write('good.go', pollSource('svc', 'Good'));
    assert.ok(!tree.run(['--jobs', '1', '--max-file-size', '1k', '.']).stderr.includes('no file linted'));
  });

  it('a file of exactly 8 MiB is still linted', (t) => {
    const tree = treeWithGoodFile(t);
    const head = pollSource('svc', 'Edge') + '// ';
    const size = 8 * 1024 * 1024;
    tree.write('edge.go', Buffer.concat([Buffer.from(head), Buffer.alloc(size - head.length - 1, 'x'), Buffer.from('\n')]));
    assertReported(tree.run(['--jobs', '1', './...']), [tickerLine('edge.go', 6, 7, 't', 'Edge'), GOOD, '2 findings (2 warnings) in 1 package (2 files)'], []);
  });

  it('a symlink loop inside a tree linted with ./... is skipped, one warning per link', (t) => {
    const tree = treeWithGoodFile(t);
    tree.symlink('b.go', 'loop/a.go');
    tree.symlink('a.go', 'loop/b.go');
    tree.write('loop/ok.go', pollSource('loop'));
    tree.symlink('self.go', 'self.go');
    assertReported(
      tree.run(['--jobs', '1', './...']),
      [GOOD, tickerLine('loop/ok.go'), '2 findings (2 warnings) in 2 packages (2 files)'],
      ['loop/a.go: skipped: symlink loop', 'loop/b.go: skipped: symlink loop', 'self.go: skipped: symlink loop'],
    );
  });

  it('a dangling symlink is skipped', (t) => {
    const tree = treeWithGoodFile(t);
    tree.symlink('gone.go', 'dangling.go');
    assertReported(
      tree.run(['--jobs', '1', '.']),
      [GOOD, '1 finding (1 warning) in 1 package (1 file)'],
      ['dangling.go: skipped: no such file or directory'],
    );
  });

  it('a symlink to a good file is linted like the file', (t) => {
    const tree = treeWithGoodFile(t);
    tree.write('real/poll.go', pollSource('other'));
    tree.symlink('../real/poll.go', 'sub/alias.go');
    assertReported(
      tree.run(['--jobs', '1', 'sub', '.']),
      [GOOD, tickerLine('sub/alias.go'), '2 findings (2 warnings) in 2 packages (2 files)'],
      [],
    );
  });

  it('a file without a package clause (empty, comment only, or none) is skipped', (t) => {
    const tree = treeWithGoodFile(t);
    tree.write('empty.go', '');
    tree.write('comment.go', '// Package svc is nothing.\n');
    tree.write('nopkg.go', 'func X() {}\n');
    assertReported(
      tree.run(['--jobs', '1', '.']),
      [GOOD, '1 finding (1 warning) in 1 package (1 file)'],
      ['comment.go: no package clause: skipped', 'empty.go: no package clause: skipped', 'nopkg.go: no package clause: skipped'],
    );
  });

  it('a byte order mark and CRLF line endings change nothing', (t) => {
    const tree = treeWithGoodFile(t);
    tree.write('bom.go', '\ufeff' + pollSource('svc', 'Bom'));
    tree.write('crlf.go', pollSource('svc', 'Crlf').replace(/\n/g, '\r\n'));
    assertReported(
      tree.run(['--jobs', '1', '.']),
      [tickerLine('bom.go', 6, 7, 't', 'Bom'), tickerLine('crlf.go', 6, 7, 't', 'Crlf'), GOOD, '3 findings (3 warnings) in 1 package (3 files)'],
      [],
    );
  });

  it('all of them at once, on two worker threads', (t) => {
    const tree = treeWithGoodFile(t);
    tree.write('a/syntax.go', leakThenBroken);
    tree.write('a/nul.go', 'package svc\n\0\n');
    tree.write('b/big.go', Buffer.concat([Buffer.from('package svc\n// '), Buffer.alloc(8 * 1024 * 1024 + 1, 'y')]));
    tree.write('b/latin1.go', Buffer.from('package svc\n// \xff\xfe\n', 'latin1'));
    tree.symlink('b.go', 'c/a.go');
    tree.symlink('a.go', 'c/b.go');
    tree.symlink('gone.go', 'c/dangling.go');
    tree.write('c/c.go', pollSource('c'));
    const want = [
      'a/syntax.go:11:7: syntax error: findings in this file may be incomplete',
      'a/nul.go: skipped: contains NUL bytes, not Go source',
      'b/big.go: skipped: 8388624 bytes is over the limit of 8 MiB for one file (--max-file-size)',
      'b/latin1.go: not valid UTF-8: linted with the bad bytes replaced',
      'c/a.go: skipped: symlink loop',
      'c/b.go: skipped: symlink loop',
      'c/dangling.go: skipped: no such file or directory',
    ].sort();
    const stdout = [
      tickerLine('a/syntax.go', 6, 7, 't', 'Leak'),
      tickerLine('c/c.go'),
      GOOD,
      '3 findings (3 warnings) in 4 packages (4 files)',
    ];
    const r = tree.run(['--jobs', '2', './...']);
    assertReported(r, stdout, want);
    // Same report, same warnings, in the same order, on a second run.
    const again = tree.run(['--jobs', '2', './...']);
    assert.equal(again.stdout, r.stdout);
    assert.equal(again.stderr, r.stderr);
  });

  it(
    'a warning is given once even when overlapping patterns list the file twice',
    (t) => {
      const tree = treeWithGoodFile(t);
      tree.symlink('gone.go', 'dangling.go');
      assertReported(
        tree.run(['--jobs', '1', './...', '.']),
        [GOOD, '1 finding (1 warning) in 1 package (1 file)'],
        ['dangling.go: skipped: no such file or directory'],
      );
    },
  );

  it(
    'a FIFO named on the command line does not hang the run',
    (t) => {
      const tree = treeWithGoodFile(t);
      const mk = spawnSync('mkfifo', [tree.path('pipe.go')]);
      if (mk.error || mk.status !== 0) return t.skip('mkfifo is not available');
      // A FIFO with no writer blocks a reader forever: any bound catches that; 20 s leaves room for a loaded machine.
      const r = tree.run(['--jobs', '1', 'good.go', 'pipe.go'], { timeout: 20_000 });
      assert.equal(r.signal, null, 'the run hung and was killed');
      assert.equal(r.status, 1);
      assert.deepEqual(lines(r.stdout), [GOOD, '1 finding (1 warning) in 1 package (1 file)']);
      assert.equal(lines(r.stderr).length, 1);
      assert.match(r.stderr, /^goleak-lint: (warning: )?pipe\.go: /);
    },
  );
});
