/** .goleak-lint.yml: found upwards, checked with file and line, overridden by flags. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertExit, assertUsageError, lines, pollSource, tempTree, tickerLine } from './helpers.js';

const deferSource = [
  'package svc',
  '',
  'import "os"',
  '',
  'func Archive(names []string) {',
  '\tfor _, n := range names {',
  '\t\tf, _ := os.Open(n)',
  '\t\tdefer f.Close()',
  '\t}',
  '}',
  '',
].join('\n');

describe('config file', () => {
  it('is found in a parent directory; severity, exclude, enable and fail-level apply', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write(
      '.goleak-lint.yml',
      ['severity:', '  unstopped-ticker: error', 'exclude:', '  - "legacy/**"', 'enable: [defer-in-loop]', 'fail-level: error', ''].join('\n'),
    );
    tree.write('svc/poll.go', pollSource());
    tree.write('svc/archive.go', deferSource);
    tree.write('legacy/old.go', pollSource('legacy'));
    const r = tree.run(['--jobs', '1', '--color', 'never', '../...'], { cwd: 'svc' });
    assertExit(r, 1);
    assert.equal(r.stderr, '');
    const out = lines(r.stdout);
    assert.equal(out.length, 3, r.stdout);
    assert.match(out[0], /^archive\.go:8:3: warning: defer f\.Close\(\) waits for Archive to return/);
    assert.equal(out[1], tickerLine('poll.go').replace(': warning: ', ': error: '));
    assert.equal(out[2], '2 findings (1 error, 1 warning) in 2 packages (3 files)');
    // Flags win: the opt-in rule the config enabled goes, and a warning does not reach the fail level.
    const flags = tree.run(['--jobs', '1', '--disable', 'defer-in-loop,unstopped-ticker', './...']);
    assertExit(flags, 0);
    assert.deepEqual(lines(flags.stdout), ['no findings in 2 packages (3 files)']);
    // Without the config the opt-in rule is off and nothing is excluded.
    const noConfig = tree.run(['--jobs', '1', '--no-config', './...']);
    assertExit(noConfig, 1);
    assert.equal(lines(noConfig.stdout).length, 3, noConfig.stdout);
  });

  it('--config names the file; go, tests and generated are read from it', (t) => {
    const tree = tempTree(t);
    tree.goMod('.', '1.21');
    tree.write('ci/lint.yaml', 'go: "1.23"\ntests: false\n');
    tree.write('poll.go', pollSource());
    const r = tree.run(['--jobs', '1', '--config', 'ci/lint.yaml', '.']);
    // Under Go 1.23 an unstopped ticker is collected: nothing to report.
    assertExit(r, 0);
    assert.deepEqual(lines(r.stdout), ['no findings in 1 package (1 file)']);
  });

  for (const [name, text, want] of [
    ['an unknown key', 'severty:\n  lost-cancel: error\n', /^goleak-lint: \.goleak-lint\.yml:1: unknown key "severty" \(known: enable, /],
    ['an unknown rule id in severity', 'severity:\n  lost-cancel: error\n  lost-cancle: note\n', 'goleak-lint: .goleak-lint.yml:3: severity.lost-cancle: unknown rule id "lost-cancle" (did you mean "lost-cancel"?) (see: goleak-lint rules)'],
    ['a bad severity', 'severity:\n  lost-cancel: fatal\n', 'goleak-lint: .goleak-lint.yml:2: severity.lost-cancel: must be one of error, warning, note'],
    ['an unknown rule id in a list', 'disable:\n  - lost-cancel\n  - nope\n', 'goleak-lint: .goleak-lint.yml:3: disable: unknown rule id "nope" (see: goleak-lint rules)'],
    ['a misspelt rule id in a list', 'enable:\n  - unbounded-map-cach\n', 'goleak-lint: .goleak-lint.yml:2: enable: unknown rule id "unbounded-map-cach" (did you mean "unbounded-map-cache"?) (see: goleak-lint rules)'],
    ['a bad max-file-size', 'max-file-size: -3\n', 'goleak-lint: .goleak-lint.yml:1: max-file-size: must be a size such as 8M or 512k, or a number of bytes'],
    ['an unquoted Go version', 'go: 1.20\n', 'goleak-lint: .goleak-lint.yml:1: go: must be a quoted Go version such as "1.21" (YAML reads 1.20 as the number 1.2)'],
    ['a bad boolean', '\ntests: maybe\n', 'goleak-lint: .goleak-lint.yml:2: tests: must be a boolean'],
    ['a YAML syntax error', 'exclude: [a,\n', /^goleak-lint: \.goleak-lint\.yml:2: /],
  ] as const) {
    it(`${name} is a one-line error with the file and line, exit 2`, (t) => {
      const tree = tempTree(t);
      tree.goMod('.', '1.21');
      tree.write('poll.go', pollSource());
      tree.write('.goleak-lint.yml', text);
      assertUsageError(tree.run(['--jobs', '1', '.']), want);
    });
  }

  it('a missing --config file is a one-line error', (t) => {
    const tree = tempTree(t);
    tree.write('poll.go', pollSource());
    assertUsageError(tree.run(['--config', 'nope.yml', '.']), 'goleak-lint: nope.yml: cannot read config: no such file or directory');
  });
});
