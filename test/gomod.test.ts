import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ModuleResolver, compareGoVersions, parseGoMod, parseGoVersion } from '../src/gomod.js';

describe('go.mod', () => {
  it('reads module path, go line and godebug settings, single and in blocks', () => {
    const facts = parseGoMod(
      [
        'module example.com/svc // the service',
        '',
        'go 1.22.3',
        'toolchain go1.23.1',
        'godebug asynctimerchan=1',
        'godebug (',
        '\tpanicnil=1 // old panics',
        '\thttp2client=0',
        ')',
        'require (',
        '\tgolang.org/x/net v0.1.0',
        ')',
      ].join('\n'),
    );
    assert.equal(facts.modulePath, 'example.com/svc');
    assert.deepEqual(facts.goVersion, { major: 1, minor: 22, patch: 3, assumed: false });
    assert.deepEqual(facts.godebug, { asynctimerchan: '1', panicnil: '1', http2client: '0' });
  });

  it('treats a go.mod without a go line as old Go', () => {
    assert.equal(parseGoMod('module x\n').goVersion.assumed, true);
  });

  it('compares versions by number, not as text', () => {
    const v = (s: string) => parseGoVersion(s)!;
    assert.ok(compareGoVersions(v('1.9'), v('1.23')) < 0);
    assert.ok(compareGoVersions(v('1.23rc1'), v('1.22.9')) > 0);
    assert.equal(compareGoVersions(v('go1.21'), v('1.21.0')), 0);
    assert.equal(parseGoVersion('latest'), null);
  });

  it('finds the nearest go.mod upwards', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'goleak-gomod-'));
    try {
      writeFileSync(path.join(root, 'go.mod'), 'module outer\n\ngo 1.20\n');
      mkdirSync(path.join(root, 'a/b/inner/c'), { recursive: true });
      writeFileSync(path.join(root, 'a/b/inner/go.mod'), 'module inner\n\ngo 1.23\n');
      const resolver = new ModuleResolver();
      assert.equal(resolver.lookup(path.join(root, 'a/b'))?.facts.modulePath, 'outer');
      assert.equal(resolver.lookup(path.join(root, 'a/b/inner/c'))?.facts.modulePath, 'inner');
      assert.equal(resolver.lookup(path.join(root, 'a/b/inner/c'))?.root, path.join(root, 'a/b/inner'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
