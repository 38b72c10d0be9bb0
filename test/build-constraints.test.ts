/** Build constraints: the header reader, the parsers, the every-platform evaluation, and --tags end to end. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  fileIncluded,
  fileNameConstraint,
  parseGoBuild,
  parsePlusBuild,
  readHeaderConstraint,
  satisfiable,
  type Constraint,
} from '../src/go/build-constraints.js';
import { assertExit, assertUsageError, lines, pollSource, repoRoot, runCli, tempTree, tickerLine } from './helpers.js';

/** Fully parenthesised, so that the tests see the tree's shape. */
function show(c: Constraint | null): string | null {
  if (!c) return null;
  switch (c.op) {
    case 'tag':
      return c.tag;
    case 'not':
      return `!${show(c.x)}`;
    default:
      return `(${show(c.x)} ${c.op === 'and' ? '&&' : '||'} ${show(c.y)})`;
  }
}

const header = (source: string) => {
  const h = readHeaderConstraint(source);
  return { constraint: show(h.constraint), problems: h.problems.map((p) => `${p.line}: ${p.message}`) };
};

describe('//go:build expressions', () => {
  for (const [text, want] of [
    ['linux', 'linux'],
    ['a || b && c', '(a || (b && c))'],
    ['a && b || c', '((a && b) || c)'],
    ['!a && b', '(!a && b)'],
    ['!(a || b)', '!(a || b)'],
    ['linux && (amd64 || arm64)', '(linux && (amd64 || arm64))'],
    ['a || b || c', '((a || b) || c)'],
    ['\t go1.21 &&amd64.v3 ', '(go1.21 && amd64.v3)'],
    ['((x))', 'x'],
    ['ünï_cödé.2', 'ünï_cödé.2'],
  ] as const) {
    it(`parses ${JSON.stringify(text)}`, () => assert.equal(show(parseGoBuild(text)), want));
  }

  for (const [text, message] of [
    ['', 'unexpected end of expression'],
    ['linux &&', 'unexpected end of expression'],
    ['(a || b', 'missing close paren'],
    ['(a || b))', 'unexpected token )'],
    ['!!a', 'double negation not allowed'],
    ['a & b', 'invalid syntax at &'],
    ['a | b', 'invalid syntax at |'],
    ['a b', 'unexpected token b'],
    ['a && $b', 'invalid syntax at $'],
    ['a-b', 'invalid syntax at -'],
    ['()', 'unexpected token )'],
    ['!', 'unexpected end of expression'],
  ] as const) {
    it(`rejects ${JSON.stringify(text)}: ${message}`, () => assert.throws(() => parseGoBuild(text), { message }));
  }
});

describe('// +build expressions', () => {
  it('space is OR, comma is AND, ! negates', () => {
    assert.equal(show(parsePlusBuild('linux,386 darwin,!cgo')), '((linux && 386) || (darwin && !cgo))');
    assert.equal(show(parsePlusBuild('  !windows  ')), '!windows');
  });

  for (const [text, message] of [
    ['', 'empty +build line'],
    ['!!linux', 'bad term "!!linux"'],
    ['linux,', 'bad term ""'],
    ['a$b', 'bad term "a$b"'],
    ['!', 'bad term "!"'],
  ] as const) {
    it(`rejects ${JSON.stringify(text)}: ${message}`, () => assert.throws(() => parsePlusBuild(text), { message }));
  }
});

describe('the header of a file', () => {
  it('reads //go:build before the package clause, after comments and blank lines', () => {
    assert.deepEqual(header('// Copyright.\n\n//go:build linux && !cgo\n\n// Package p.\npackage p\n'), {
      constraint: '(linux && !cgo)',
      problems: [],
    });
    assert.deepEqual(header('  //go:build  windows  \npackage p\n'), { constraint: 'windows', problems: [] });
    // (A //go:build line needs no blank line after it.)
    assert.deepEqual(header('//go:build windows\npackage p\n'), { constraint: 'windows', problems: [] });
  });

  it('ignores what follows the package clause, what is in a block comment, and look-alikes', () => {
    assert.deepEqual(header('package p\n\n//go:build ignore\n'), { constraint: null, problems: [] });
    assert.deepEqual(header('package p\n// +build ignore\n\n'), { constraint: null, problems: [] });
    assert.deepEqual(header('/*\n//go:build ignore\n*/\npackage p\n'), { constraint: null, problems: [] });
    assert.deepEqual(header('//go:buildignore\n\npackage p\n'), { constraint: null, problems: [] });
    assert.deepEqual(header('// +buildignore\n\npackage p\n'), { constraint: null, problems: [] });
    assert.deepEqual(header('// go:build ignore\n\npackage p\n'), { constraint: null, problems: [] });
    assert.deepEqual(header(''), { constraint: null, problems: [] });
  });

  it('reads //go:build after a block comment, but not a +build line', () => {
    assert.deepEqual(header('/* License. */\n\n//go:build plan9\n\npackage p\n'), { constraint: 'plan9', problems: [] });
    assert.deepEqual(header('/* License. */\n\n// +build plan9\n\npackage p\n'), { constraint: null, problems: [] });
  });

  it('ANDs +build lines that a blank line separates from the package clause; //+build counts too', () => {
    assert.deepEqual(header('// +build linux darwin\n//+build cgo\n\npackage p\n'), {
      constraint: '((linux || darwin) && cgo)',
      problems: [],
    });
    assert.deepEqual(header('// +build a\n\n// +build b\n\n// Package p.\npackage p\n'), { constraint: '(a && b)', problems: [] });
  });

  it('leaves out +build lines with no blank line after them: a doc comment is not a constraint', () => {
    assert.deepEqual(header('// +build ignore\npackage p\n'), { constraint: null, problems: [] });
    assert.deepEqual(header('// +build a\n\n// Package p.\n// +build b\npackage p\n'), { constraint: 'a', problems: [] });
  });

  it('lets //go:build win over +build lines', () => {
    assert.deepEqual(header('//go:build linux\n// +build windows\n\npackage p\n'), { constraint: 'linux', problems: [] });
    assert.deepEqual(header('// +build windows\n\n//go:build linux\n\npackage p\n'), { constraint: 'linux', problems: [] });
  });

  it('reports a malformed line with its line number, and lets it constrain nothing', () => {
    assert.deepEqual(header('// Copyright.\n\n//go:build linux &&\n// +build linux\n\npackage p\n'), {
      constraint: null,
      problems: ['3: unexpected end of expression'],
    });
    assert.deepEqual(header('// +build !!linux\n// +build cgo\n\npackage p\n'), {
      constraint: 'cgo',
      problems: ['1: bad term "!!linux"'],
    });
    assert.deepEqual(header('//go:build a\n//go:build b\n\npackage p\n'), {
      constraint: null,
      problems: ['1: 2 //go:build lines in one file'],
    });
  });
});

describe('file name suffixes', () => {
  for (const [name, want] of [
    ['poll_linux.go', 'linux'],
    ['poll_windows_amd64.go', '(windows && amd64)'],
    ['poll_linux_test.go', 'linux'],
    ['poll_arm64_test.go', 'arm64'],
    ['linux_amd64.go', 'amd64'],
    ['linux.go', null],
    ['poll_unix.go', null],
    ['poll_test.go', null],
    ['poll_amd64_linux.go', 'linux'],
    ['x_linux.pb.go', 'linux'],
  ] as const) {
    it(`${name}: ${want}`, () => assert.equal(show(fileNameConstraint(name)), want));
  }
});

describe('which builds exist', () => {
  const settings = { tags: new Set<string>(), goMinor: 19 };
  const can = (expr: string, tags: string[] = [], goMinor = 19) =>
    satisfiable(parseGoBuild(expr), { tags: new Set(tags), goMinor });

  it('every GOOS and GOARCH is some platform; one platform has one of each', () => {
    for (const expr of ['windows', '!windows', 'linux && amd64', '!linux && !windows', 'unix && !linux', 'android && linux', 'ios && darwin', 'illumos && solaris', 'plan9 && !unix']) {
      assert.equal(can(expr), true, expr);
    }
    for (const expr of ['linux && windows', 'amd64 && arm64', 'linux && !unix', 'windows && unix', 'android && !linux', 'ios && !darwin', '!(linux || !linux)']) {
      assert.equal(can(expr), false, expr);
    }
  });

  it('ignore and custom tags are false unless named', () => {
    assert.equal(can('ignore'), false);
    assert.equal(can('ignore', ['ignore']), true);
    assert.equal(can('customtag'), false);
    assert.equal(can('!customtag'), true);
    assert.equal(can('customtag', ['customtag']), true);
    assert.equal(can('!customtag', ['customtag']), false);
    assert.equal(can('integration && linux', ['integration', 'e2e']), true);
    // A named tag is set whatever the platform, as with go build -tags.
    assert.equal(can('linux && windows', ['linux']), true);
  });

  it('release tags up to the module version are true; later ones hold for newer toolchains only', () => {
    assert.equal(can('go1.18'), true);
    assert.equal(can('!go1.18'), false);
    assert.equal(can('go1.19'), true);
    assert.equal(can('!go1.19'), false);
    assert.equal(can('go1.21'), true);
    assert.equal(can('!go1.21'), true);
    assert.equal(can('go1.21 && !go1.20'), false, 'a toolchain with go1.21 has go1.20');
    assert.equal(can('go1.22 && !go1.23'), true);
    assert.equal(can('!go1.21', [], 21), false);
  });

  it('cgo, experiments and architecture levels can be on or off; gc is the compiler', () => {
    for (const expr of ['cgo', '!cgo', 'goexperiment.loopvar', '!goexperiment.loopvar', 'amd64.v3', 'boringcrypto', 'gc', '!gccgo']) {
      assert.equal(can(expr), true, expr);
    }
    for (const expr of ['cgo && !cgo', 'gccgo', '!gc', 'race', 'msan']) assert.equal(can(expr), false, expr);
  });

  it('too many free tags to try: the file is kept', () => {
    const many = Array.from({ length: 17 }, (_, i) => `goexperiment.x${i}`).join(' || ');
    assert.equal(can(`(${many}) && ignore`), true);
    const fewer = Array.from({ length: 15 }, (_, i) => `goexperiment.x${i}`).join(' || ');
    assert.equal(can(`(${fewer}) && ignore`), false);
  });

  it('a file needs its header and its file name to agree', () => {
    const src = (line: string) => `${line}\n\npackage p\n`;
    assert.deepEqual(fileIncluded('poll_windows.go', src('//go:build linux'), settings), { included: false, problems: [] });
    assert.deepEqual(fileIncluded('poll_windows.go', src('//go:build !windows'), settings), { included: false, problems: [] });
    assert.deepEqual(fileIncluded('poll_linux.go', src('//go:build !windows'), settings), { included: true, problems: [] });
    assert.deepEqual(fileIncluded('poll_linux_arm64.go', src('// +build amd64'), settings), { included: false, problems: [] });
    assert.deepEqual(fileIncluded('poll_windows.go', 'package p\n', settings), { included: true, problems: [] });
    assert.deepEqual(fileIncluded('gen.go', src('//go:build ignore'), settings), { included: false, problems: [] });
    assert.deepEqual(fileIncluded('gen.go', src('//go:build ignore &&'), settings), {
      included: true,
      problems: [{ line: 1, message: 'unexpected end of expression' }],
    });
  });
});

describe('--tags and the tags key, end to end', () => {
  const fixture = path.join(repoRoot, 'fixtures', 'build-constraints');
  // --enable all: gen.go's finding is the opt-in defer-in-loop's.
  const lint = (...args: string[]) => runCli(['--no-cache', '--jobs', '1', '--enable', 'all', '--format', 'json', ...args, '.'], { cwd: fixture });
  const reported = (stdout: string) =>
    (JSON.parse(stdout) as { findings: { file: string; line: number }[] }).findings.map((f) => `${f.file}:${f.line}`);
  const everyPlatform = ['legacy.go:15', 'linux.go:12', 'misplaced.go:11', 'notwindows.go:12', 'poll.go:10', 'poll_windows.go:10'];

  it('leaves out ignore files, custom tags and contradictions; lints every platform', () => {
    const r = lint();
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(reported(r.stdout), everyPlatform);
  });

  it('--tags names custom tags, comma- or space-separated; the last --tags wins', () => {
    const r = lint('--tags', 'customtag,other');
    assertExit(r, 1);
    assert.deepEqual(reported(r.stdout), ['custom.go:12', ...everyPlatform.slice(0, 4), 'plus_custom.go:12', ...everyPlatform.slice(4)]);
    assert.deepEqual(reported(lint('--tags', 'other ignore').stdout), ['gen.go:15', ...everyPlatform]);
    assert.deepEqual(reported(lint('--tags', 'customtag', '--tags', '').stdout), everyPlatform);
  });

  it('a file named on the command line is linted whatever its constraints, as by go vet', () => {
    const r = runCli(['--no-cache', '--jobs', '1', '--enable', 'all', '--color', 'never', 'gen.go', 'custom.go'], { cwd: fixture });
    assertExit(r, 1);
    assert.deepEqual(lines(r.stdout).map((l) => l.split(': ')[0]), ['custom.go:12:7', 'gen.go:15:3', '2 findings (2 warnings) in 2 packages (8 files)']);
  });

  it('tags come from the config file; --tags overrides them', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('.goleak-lint.yml', 'tags: [integration]\n');
    tree.write('poll.go', `//go:build integration\n\n${pollSource()}`);
    const configured = tree.run(['--no-cache', '--jobs', '1', '--color', 'never', '.']);
    assertExit(configured, 1);
    assert.deepEqual(lines(configured.stdout), [tickerLine('poll.go', 8), '1 finding (1 warning) in 1 package (1 file)']);
    const overridden = tree.run(['--no-cache', '--jobs', '1', '--tags', 'e2e', '.']);
    assertExit(overridden, 0);
    assert.deepEqual(lines(overridden.stdout), ['no findings in 0 packages (0 files)']);
  });

  it('a bad constraint is a warning with file and line, and the file is linted', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('poll.go', `//go:build linux &&\n\n${pollSource()}`);
    const r = tree.run(['--no-cache', '--jobs', '1', '--color', 'never', '.']);
    assertExit(r, 1);
    assert.equal(r.stderr, 'goleak-lint: warning: poll.go:1: bad build constraint: unexpected end of expression (line ignored)\n');
    assert.deepEqual(lines(r.stdout), [tickerLine('poll.go', 8), '1 finding (1 warning) in 1 package (1 file)']);
  });

  it('a bad tag in --tags or in the config is a one-line error', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('poll.go', pollSource());
    assertUsageError(
      tree.run(['--tags', 'ok,no-dash', '.']),
      `goleak-lint: option '--tags <tags>' argument 'ok,no-dash' is invalid. "no-dash" is not a build tag (letters, digits, _ and . only)`,
    );
    tree.write('.goleak-lint.yml', 'tags:\n  - ok\n  - "no-dash"\n');
    assertUsageError(tree.run(['.']), 'goleak-lint: .goleak-lint.yml:3: tags: "no-dash" is not a build tag (letters, digits, _ and . only)');
    tree.write('.goleak-lint.yml', 'tags: integration\n');
    assertUsageError(tree.run(['.']), 'goleak-lint: .goleak-lint.yml:1: tags: must be a list');
  });
});
