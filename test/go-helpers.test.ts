import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeOf } from '../src/go/escape.js';
import { calledPackageFunc, defaultImportName, readImports } from '../src/go/imports.js';
import { loopCanEnd } from '../src/go/flow.js';
import { initParser, parseGo } from '../src/parser/index.js';

await initParser();
const parse = (src: string) => parseGo(src).rootNode;

describe('imports', () => {
  it('resolves aliases, default names and dot imports', () => {
    const root = parse('package p\nimport (\n\tt "time"\n\t. "context"\n\t_ "embed"\n\t"math/rand/v2"\n\tyaml "gopkg.in/yaml.v3"\n)\n');
    const imports = readImports(root);
    assert.equal(imports.byName.get('t'), 'time');
    assert.equal(imports.byName.get('rand'), 'math/rand/v2');
    assert.equal(imports.byName.get('yaml'), 'gopkg.in/yaml.v3');
    assert.ok(imports.dotImports.has('context'));
    assert.equal(imports.byName.size, 3);
    assert.equal(defaultImportName('github.com/go-redis/redis'), 'redis');
  });

  it('matches calls under any import name', () => {
    const root = parse('package p\nimport (\n\tt "time"\n\t. "time"\n)\nfunc f() { t.NewTicker(1); NewTimer(2); time.NewTicker(3) }\n');
    const imports = readImports(root);
    const calls = root.descendantsOfType('call_expression');
    assert.deepEqual(
      calls.map((c) => calledPackageFunc(c, imports, 'time', ['NewTicker', 'NewTimer'])),
      ['NewTicker', 'NewTimer', null],
    );
  });
});

describe('escapeOf', () => {
  const escapes = (body: string) => {
    const root = parse(`package p\nfunc f() {\n${body}\n}\n`);
    return root.descendantsOfType('identifier').filter((n) => n.text === 'v').map((n) => escapeOf(n));
  };
  it('classifies where a value goes', () => {
    assert.deepEqual(escapes('return v'), ['returned']);
    assert.deepEqual(escapes('return &S{f: v}'), ['stored']);
    assert.deepEqual(escapes('s.f = v'), ['stored']);
    assert.deepEqual(escapes('m[k] = v'), ['stored']);
    assert.deepEqual(escapes('w := v'), ['aliased']);
    assert.deepEqual(escapes('_ = v'), [null]);
    assert.deepEqual(escapes('use(v)'), ['passed']);
    assert.deepEqual(escapes('n := len(v)'), [null]);
    assert.deepEqual(escapes('ch <- v'), ['sent']);
    assert.deepEqual(escapes('v.Stop()'), [null]);
    assert.deepEqual(escapes('x := S{v: 1}'), [null]);
  });
});

describe('loops', () => {
  const loop = (body: string) => parse(`package p\nfunc f() {\n${body}\n}\n`).descendantsOfType('for_statement')[0];
  it('knows which loops can end', () => {
    assert.equal(loopCanEnd(loop('for { work() }')), false);
    assert.equal(loopCanEnd(loop('for { if done() { return } }')), true);
    assert.equal(loopCanEnd(loop('for { select { case <-c: break } }')), false);
    assert.equal(loopCanEnd(loop('L: for { select { case <-c: break L } }')), true);
    assert.equal(loopCanEnd(loop('for i := 0; i < n; i++ {}')), true);
    assert.equal(loopCanEnd(loop('for range time.Tick(d) { f() }')), false);
    assert.equal(loopCanEnd(loop('for range items { f() }')), true);
    assert.equal(loopCanEnd(loop('for { go func() { return }() }')), false);
  });
});
