/**
 * The two parsers (src/parser/: the native tree-sitter module and its WebAssembly build)
 * must give the same findings: the same report, byte for byte, over every fixture and over
 * the example service ranked by its heap profile (which parses on the main thread too).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { assertExit, repoRoot, runCli } from './helpers.js';

const nativeLoads = runCli(['--version'], { cwd: repoRoot, env: { GOLEAK_LINT_PARSER: 'native' } }).status === 0;

function withParser(parser: 'native' | 'wasm', args: string[], cwd: string) {
  return runCli(['--no-cache', '--jobs', '2', ...args], { cwd, env: { GOLEAK_LINT_PARSER: parser }, timeout: 120_000 });
}

describe('parsers', () => {
  it('GOLEAK_LINT_PARSER=wasm runs the WebAssembly parser, and --version says so', () => {
    const r = runCli(['--version'], { cwd: repoRoot, env: { GOLEAK_LINT_PARSER: 'wasm' } });
    assertExit(r, 0);
    assert.match(r.stdout, /\nparser: wasm \(web-tree-sitter \d+\.\d+\.\d+\)\n$/);
  });

  it('an unknown GOLEAK_LINT_PARSER is an error that names the choices', () => {
    const r = runCli(['--version'], { cwd: repoRoot, env: { GOLEAK_LINT_PARSER: 'fast' } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /GOLEAK_LINT_PARSER="fast": expected native, wasm or auto/);
  });

  describe('native and wasm agree', { skip: nativeLoads ? false : 'the native tree-sitter module does not load here: nothing to compare the wasm parser with' }, () => {
    it('--version names the native parser when it is forced', () => {
      const r = runCli(['--version'], { cwd: repoRoot, env: { GOLEAK_LINT_PARSER: 'native' } });
      assert.match(r.stdout, /\nparser: native \(tree-sitter \d+\.\d+\.\d+\)\n$/);
    });

    it('on every fixture: the same JSON report', () => {
      const args = ['--format', 'json', '--report-unused-ignores', './...'];
      const cwd = path.join(repoRoot, 'fixtures');
      const native = withParser('native', args, cwd);
      const wasm = withParser('wasm', args, cwd);
      assertExit(native, 1);
      assert.ok(JSON.parse(native.stdout).findings.length > 100, 'the fixtures have well over 100 findings');
      assert.equal(wasm.stdout, native.stdout);
      assert.equal(wasm.stderr, native.stderr);
      assert.equal(wasm.status, native.status);
    });

    it('on the example service ranked by its heap profile: the same text report', () => {
      const args = ['--color', 'never', '--profile', 'leakysvc/profiles/heap.pb.gz', './...'];
      const cwd = path.join(repoRoot, 'examples');
      const native = withParser('native', args, cwd);
      const wasm = withParser('wasm', args, cwd);
      assertExit(native, 1);
      assert.match(native.stdout, / — heap: [\d.]+ KiB in use /, 'the profile ranked the findings');
      assert.equal(wasm.stdout, native.stdout);
      assert.equal(wasm.stderr, native.stderr);
    });
  });
});
