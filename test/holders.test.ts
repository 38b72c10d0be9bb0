/**
 * Who keeps what a line allocates (src/profile/holders.ts): the package model's value flow
 * from the allocation through results, parameters, locals and fields into a container or a
 * field, with what the model says of the holder's size and which heuristic it overrules.
 */
import assert from 'node:assert/strict';
import { describe, it, before, type TestContext } from 'node:test';
import { discover } from '../src/discover.js';
import { ModuleResolver } from '../src/gomod.js';
import { initParser } from '../src/parser/index.js';
import { lint } from '../src/lint.js';
import { Holders } from '../src/profile/holders.js';
import { rankWithProfiles } from '../src/profile/rank.js';
import type { LoadedProfile } from '../src/profile/types.js';
import { tempTree } from './helpers.js';

/** Writes the files into a module and answers for `// @mark` lines: the holders of what they allocate. */
function holdersOf(t: TestContext, files: Record<string, string>): (mark: string, callee?: string) => string[] {
  const tree = tempTree(t);
  tree.goMod('.', '1.22');
  for (const [name, text] of Object.entries(files)) tree.write(name, text);
  const found = discover(['./...'], { cwd: tree.dir, tests: true });
  const holders = new Holders(tree.dir, found.directories, new ModuleResolver());
  return (mark, callee) => {
    for (const [name, text] of Object.entries(files)) {
      const line = text.split('\n').findIndex((l) => l.includes(`// @${mark}`));
      if (line < 0) continue;
      return holders.heldAt(`${name}:${line + 1}`, callee ?? null).map((h) => {
        const v = h.verdict.kind === 'grows' ? `grows at ${h.verdict.inserts.join(',')}` : h.verdict.kind;
        return `${h.label} ${v}${h.stored ? ` stored ${h.stored}` : ''}${h.judgement ? ` (${h.judgement})` : ''}`;
      });
    }
    throw new Error(`no line marked @${mark}`);
  };
}

const cache = `package store

import "sync"

type Doc struct {
	ID   int
	Body []byte
}

type Cache struct {
	mu   sync.Mutex
	data map[int]*Doc
}

func load(id int) *Doc {
	body := make([]byte, 8<<10) // @body
	return &Doc{ID: id, Body: body} // @doc
}

func (c *Cache) Get(id int) *Doc {
	if d, ok := c.data[id]; ok {
		return d
	}
	d := load(id) // @call
	c.Set(id, d)
	return d
}

func (c *Cache) Set(id int, d *Doc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data[id] = d
}
`;

describe('holders: where a value allocated in one function is kept', () => {
  before(() => initParser());

  it('a map of another function, through a result, a local, a parameter and a method', (t) => {
    const at = holdersOf(t, { 'store/cache.go': cache });
    const want = ['field Cache.data grows at store/cache.go:32 stored store/cache.go:32'];
    assert.deepEqual(at('doc'), want);
    // A field of a struct the map keeps: kept by the map.
    assert.deepEqual(at('body'), ['field Cache.data grows at store/cache.go:32 stored store/cache.go:32']);
    // The call of load on the stack: what load returned.
    assert.deepEqual(at('call', 'example.com/root/store.load'), want);
  });

  it('a slice appended to in a method, and the field that keeps one value', (t) => {
    const at = holdersOf(t, {
      'j/j.go': `package j

import "sync"

type Journal struct {
	mu      sync.Mutex
	entries []*Entry
	last    []byte
}

type Entry struct{ Note []byte }

func newEntry() *Entry { return &Entry{Note: make([]byte, 1024)} } // @entry

func (j *Journal) Record(e *Entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = append(j.entries, e) // @append
}

func (j *Journal) Log() {
	j.Record(newEntry())
	buf := make([]byte, 4096) // @last
	j.last = buf
}
`,
    });
    assert.deepEqual(at('entry'), ['field Journal.entries grows at j/j.go:18 stored j/j.go:18']);
    // The backing array append grows is the slice's own.
    assert.deepEqual(at('append', 'runtime.growslice'), ['field Journal.entries grows at j/j.go:18 stored j/j.go:18']);
    assert.deepEqual(at('last'), ['field Journal.last keeps stored j/j.go:24']);
  });

  it('a map reached through an alias and a helper that takes it', (t) => {
    const at = holdersOf(t, {
      'a/a.go': `package a

var index = map[string][]byte{}

func put(m map[string][]byte, k string, v []byte) { m[k] = v }

func Add(k string) {
	m := index
	put(m, k, make([]byte, 64)) // @alias
}
`,
    });
    // Held, and where it is stored; the container rules' cheap text test (`index[`) does not
    // see the insert through the helper, so the model does not say it grows.
    assert.deepEqual(at('alias'), ['package var index keeps stored a/a.go:5']);
  });

  it('package main: the one-shot heuristic is named for the profile to overrule', (t) => {
    const at = holdersOf(t, {
      'main.go': `package main

var sessions = map[string][]byte{}

func login(user string) { sessions[user] = make([]byte, 1<<10) } // @login

func main() {
	for _, u := range []string{"a", "b"} {
		login(u)
	}
}
`,
    });
    assert.deepEqual(at('login'), [
      'package var sessions grows at main.go:5 stored main.go:5 (package main that imports no network package was taken for a one-shot command)',
    ]);
  });

  it('proofs of boundedness: a delete, a length check, finite keys', (t) => {
    const at = holdersOf(t, {
      'b/b.go': `package b

import "sync"

type LRU struct {
	mu    sync.Mutex
	items map[string][]byte
	flags map[bool][]byte
}

func (c *LRU) Put(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) > 100 {
		for old := range c.items {
			delete(c.items, old)
			break
		}
	}
	c.items[k] = make([]byte, 64) // @put
}

func (c *LRU) Flag(on bool) { c.flags[on] = make([]byte, 64) } // @flag
`,
    });
    assert.deepEqual(at('put'), ['field LRU.items bounded stored b/b.go:20']);
    assert.deepEqual(at('flag'), ['field LRU.flags bounded stored b/b.go:23']);
  });

  it('nothing the model sees: sent on a channel, handed to another package, dropped', (t) => {
    const at = holdersOf(t, {
      'c/c.go': `package c

import "fmt"

func Send(ch chan []byte) { ch <- make([]byte, 64) } // @send

func Print() { fmt.Println(make([]byte, 64)) } // @print

func Drop() int { b := make([]byte, 64); return len(b) } // @drop
`,
    });
    assert.deepEqual(at('send'), []);
    assert.deepEqual(at('print', 'fmt.Println'), []);
    assert.deepEqual(at('drop'), []);
  });
});

describe('holdings: the profile overrules a heuristic, not a proof', () => {
  before(() => initParser());

  /** Lints the tree with the container rules on, then ranks with one heap stack per `[file, line, function, bytes]`. */
  async function rank(t: TestContext, files: Record<string, string>, stacks: [string, number, string, number][]) {
    const tree = tempTree(t);
    tree.goMod('.', '1.22');
    for (const [name, text] of Object.entries(files)) tree.write(name, text);
    const result = await lint({ patterns: ['./...'], cwd: tree.dir, jobs: 1, enable: ['unbounded-map-cache', 'append-only-slice'] });
    const profile: LoadedProfile = {
      source: 'heap.pb.gz',
      kind: 'heap',
      sampleType: 'inuse_space',
      stacks: stacks.map(([file, line, fn, value]) => ({ frames: [{ file: tree.path(file), line, function: fn }], value, objects: 1 })),
    };
    rankWithProfiles(result, [profile], { cwd: tree.dir, patterns: ['./...'], tests: true, threshold: 0.01, hotspots: { heap: true, goroutine: true } });
    return result.findings.map((f) => `${f.file}:${f.startLine} ${f.severity} ${f.message} (${f.ruleId})`);
  }

  const table = `package t

var table = map[int][]byte{}

func init() {
	for i := 0; i < 1000; i++ {
		table[i] = make([]byte, 1024)
	}
}

func Get(i int) []byte { return table[i] }

func Scratch() int { return len(make([]byte, 64)) }
`;

  it('a table filled once at start-up that holds most of the heap: reported, naming the judgement', async (t) => {
    const got = await rank(t, { 't/t.go': table }, [
      ['t/t.go', 7, 'example.com/root/t.init.0', 1_024_000],
      ['t/t.go', 13, 'example.com/root/t.Scratch', 1_000],
    ]);
    assert.deepEqual(got, [
      't/t.go:3 error map cache in package var table is filled (t.go:7) by code the model judged to run once; reported on the profile\'s evidence, ' +
        'which overrules that judgement — ' +
        'table holds 1000.0 KiB (99.9% of heap): values allocated and stored at t.go:7 (unbounded-map-cache)',
    ]);
  });

  it('below the threshold, the same table is no finding and no hot spot', async (t) => {
    const got = await rank(t, { 't/t.go': table }, [
      ['t/t.go', 7, 'example.com/root/t.init.0', 1_000],
      ['t/t.go', 13, 'example.com/root/t.Scratch', 1_000_000],
    ]);
    assert.deepEqual(got, [
      't/t.go:13 note heap: 976.6 KiB in use (99.9% of heap) allocated here by t.Scratch, and no rule explains it: check whether what is allocated here ' +
        'is kept for good (a cache or map never pruned, a slice that only grows, a buffer held by a long-lived value) (heap-hotspot)',
    ]);
  });
});
