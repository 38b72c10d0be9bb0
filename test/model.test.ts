import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SyntaxNode } from '../src/go/tree.js';
import type { GoFile, Package } from '../src/engine/types.js';
import { readImports } from '../src/go/imports.js';
import { calleesOf, callersOf } from '../src/go/model/calls.js';
import { frequencyOf, onlyTestsRun, startOnceGuard } from '../src/go/model/frequency.js';
import { objectOf, usesOf } from '../src/go/model/names.js';
import { fieldOfSelector, typeIndex, typeOf, type GoType } from '../src/go/model/types.js';
import { flowOf, flowOfHolder, handedOff, releasedBy, writesOf } from '../src/go/model/values.js';
import { literalType } from '../src/go/model/literals.js';
import { finiteDomain, isFiniteType } from '../src/go/model/domain.js';
import { isConfigured } from '../src/go/model/configured.js';
import { enclosingFunction } from '../src/go/syntax.js';
import { initParser, parseGo } from '../src/parser/index.js';

await initParser();

function pkgOf(name: string, sources: Record<string, string>): Package {
  const files: GoFile[] = Object.entries(sources).map(([path, source]) => {
    const tree = parseGo(source);
    return { path, source, tree, imports: readImports(tree.rootNode), isTest: false };
  });
  return { dir: '.', name, files, module: { modulePath: null, goVersion: { major: 1, minor: 19, patch: 0 }, godebug: {} } as never };
}

/** The nth (0-based) identifier named `name` in the file. */
function ident(file: GoFile, name: string, nth = 0): SyntaxNode {
  const found = file.tree.rootNode.descendantsOfType('identifier').filter((n) => n.text === name);
  assert.ok(found[nth], `no identifier ${name} #${nth}`);
  return found[nth];
}

function show(t: GoType): string {
  switch (t.kind) {
    case 'named':
      return t.pkg ? `${t.pkg}.${t.name}` : t.name;
    case 'pointer':
      return `*${show(t.elem)}`;
    case 'slice':
      return `[]${show(t.elem)}`;
    case 'map':
      return `map[${show(t.key)}]${show(t.value)}`;
    case 'chan':
      return `chan ${show(t.elem)}`;
    case 'basic':
      return t.name;
    case 'tuple':
      return `(${t.types.map(show).join(', ')})`;
    default:
      return t.kind;
  }
}

describe('model: names', () => {
  const src = `package p
var x = 1
func f(x int) int {
	if x := 2; x > 0 {
		return x
	}
	y := x
	for x := 0; x < 3; x++ { y += x }
	x, z := 3, 4
	g := func() int { return x + z }
	switch v := any(y).(type) {
	case int:
		_ = v
	}
	_ = T{x: 1}
	return g()
}
type T struct{ x int }
`;
  const pkg = pkgOf('p', { 'a.go': src });
  const file = pkg.files[0];
  const at = (nth: number) => objectOf(pkg, file, ident(file, 'x', nth));

  it('resolves shadowing, headers, := redeclaration and closure capture', () => {
    const global = at(0);
    const param = at(1);
    assert.equal(global?.kind, 'var');
    assert.equal(param?.kind, 'param');
    assert.notEqual(global, param);
    const ifX = at(2);
    assert.equal(at(3), ifX, 'x > 0 is the if header variable');
    assert.equal(at(4), ifX, 'return x is the if header variable');
    assert.equal(at(5), param, 'y := x is the parameter');
    const loopX = at(6);
    assert.notEqual(loopX, param);
    assert.equal(at(7), loopX);
    assert.equal(at(9), loopX, 'y += x in the loop body');
    assert.equal(at(10), param, 'x, z := 3, 4 reuses the parameter');
    assert.equal(at(11), param, 'the closure captures the parameter');
    assert.equal(at(12), null, 'a struct literal key is a field, not a variable');
    assert.equal(usesOf(pkg, param!).length, 3);
  });

  it('resolves type switch aliases', () => {
    const v = objectOf(pkg, file, ident(file, 'v', 1));
    assert.equal(v?.decl?.type, 'type_switch_statement');
  });

  it('scopes each spec of a var group from the end of that spec', () => {
    const group = pkgOf('p', {
      'g.go': 'package p\nvar q = 1\nfunc f() int {\n\tvar (\n\t\tq = q + 1\n\t\tr = 2\n\t\tg = func() int { return q + r }\n\t)\n\treturn g()\n}\n',
    });
    const g = group.files[0];
    const q = (nth: number) => objectOf(group, g, ident(g, 'q', nth));
    assert.equal(q(0)?.fn, null);
    assert.equal(q(2), q(0), 'q + 1 in the spec that declares q reads the package q');
    assert.notEqual(q(1), q(0));
    assert.equal(q(3), q(1), 'a later spec of the group sees the earlier q');
    assert.equal(objectOf(group, g, ident(g, 'r', 1)), objectOf(group, g, ident(g, 'r', 0)));
  });
});

describe('model: types, calls and frequency', () => {
  const src = `package svc
import (
	"context"
	"sync"
	"time"
)
type Client struct {
	mu     sync.Mutex
	ticker *time.Ticker
	subs   map[string]chan int
	cancel context.CancelFunc
	base
}
type base struct{ done chan struct{} }
var once sync.Once
func NewClient() *Client {
	c := &Client{subs: map[string]chan int{}}
	c.ticker = time.NewTicker(time.Second)
	go c.loop()
	return c
}
func (c *Client) loop() {
	for range c.ticker.C {
		c.poll()
	}
}
func (c *Client) poll() { _ = c.done }
func (c *Client) Watch(ctx context.Context) {
	ctx2, cancel := context.WithCancel(ctx)
	c.cancel = cancel
	_ = ctx2
	for i := 0; i < 3; i++ {
		c.subscribe("k")
	}
}
func (c *Client) subscribe(k string) { c.subs[k] = make(chan int) }
func (c *Client) Close() { c.ticker.Stop(); c.cancel() }
func setup() { once.Do(func() { go background() }) }
func background() {}
func main() {}
func init() { setup() }
`;
  const pkg = pkgOf('svc', { 'c.go': src });
  const file = pkg.files[0];
  const root = file.tree.rootNode;
  const calls = root.descendantsOfType('call_expression');
  const call = (text: string) => {
    const c = calls.find((n) => n.text.startsWith(text));
    assert.ok(c, text);
    return c;
  };

  it('infers expression types', () => {
    const c = ident(file, 'c', 0);
    assert.equal(show(typeOf(pkg, file, c)), '*Client');
    assert.equal(show(typeOf(pkg, file, call('time.NewTicker'))), '*time.Ticker');
    const cancel = ident(file, 'cancel', 0);
    assert.equal(show(typeOf(pkg, file, cancel)), 'context.CancelFunc');
    const sel = root.descendantsOfType('selector_expression').find((s) => s.text === 'c.subs')!;
    assert.equal(show(typeOf(pkg, file, sel)), 'map[string]chan int');
    const done = root.descendantsOfType('selector_expression').find((s) => s.text === 'c.done')!;
    assert.equal(fieldOfSelector(pkg, file, done)?.owner.name, 'base', 'promoted through the embedded field');
  });

  it('resolves calls through receiver types and finds callers', () => {
    const [loop] = calleesOf(pkg, file, call('c.loop()'));
    assert.equal(loop.childForFieldName('name')?.text, 'loop');
    assert.deepEqual(callersOf(pkg, loop).sites.map((s) => s.kind), ['go']);
  });

  it('says how often code runs, with the reason', () => {
    assert.equal(frequencyOf(pkg, call('time.NewTicker')).kind, 'once-per-value');
    assert.equal(frequencyOf(pkg, call('context.WithCancel')).reason, 'per call of (*Client).Watch');
    const made = call('make(chan int)');
    const how = frequencyOf(pkg, made);
    assert.equal(how.kind, 'per-iteration');
    assert.match(how.reason, /^per iteration of the loop at line 3\d of \(\*Client\)\.Watch$/);
    // The call in the loop is kept for related locations, the message naming the loop only.
    assert.deepEqual(how.via?.map((c) => c.text), ['c.subscribe("k")']);
    assert.deepEqual(frequencyOf(pkg, call('background()')), { kind: 'once-per-process', reason: 'behind sync.Once once' });
    assert.deepEqual(frequencyOf(pkg, call('once.Do')), { kind: 'once-per-process', reason: 'setup is only called in init' });
  });

  it('follows values into fields and finds their release', () => {
    const ticker = flowOf(pkg, file, call('time.NewTicker'));
    assert.deepEqual(ticker.holders.map((h) => (h.kind === 'field' ? h.field.name : h.kind)), ['ticker']);
    assert.equal(releasedBy(ticker, ['Stop']).length, 1);
    const cancel = flowOf(pkg, file, call('context.WithCancel'), 1);
    assert.equal(releasedBy(cancel, [], true).length, 1, 'c.cancel() in Close');
    assert.equal(handedOff(cancel).length, 0);
  });
});

describe('model: lazy initialization and imports', () => {
  const src = `package svc
import (
	tm "time"
	"time"
)
type Source struct{ expiry *time.Timer }
func (s *Source) OnExpiry() <-chan time.Time {
	if s.expiry == nil {
		s.expiry = time.NewTimer(time.Hour)
	}
	return s.expiry.C
}
type Lease struct{ t *time.Timer }
func (l *Lease) Expiry() {
	if l.t == nil {
		l.t = time.NewTimer(time.Hour)
	}
}
func (l *Lease) Drop() { l.t = nil }
var shared *time.Ticker
func Shared() {
	if shared == nil {
		shared = tm.NewTicker(time.Second)
	}
}
func Loop(n int) {
	var t *time.Timer
	for i := 0; i < n; i++ {
		if t == nil {
			t = time.NewTimer(time.Second)
		}
	}
}
`;
  const pkg = pkgOf('svc', { 'l.go': src });
  const file = pkg.files[0];
  const calls = file.tree.rootNode.descendantsOfType('call_expression').filter((c) => /New(Timer|Ticker)/.test(c.text));

  it('runs what fills a nil field, package var or local once per its life, unless something sets it back to nil', () => {
    assert.deepEqual(
      calls.map((c) => frequencyOf(pkg, c)),
      [
        { kind: 'once-per-value', reason: 'once per Source value (made while s.expiry is nil)' },
        { kind: 'per-call', reason: 'per call of (*Lease).Expiry' },
        { kind: 'once-per-process', reason: 'once, while shared is nil' },
        { kind: 'per-call', reason: 'per call of Loop' },
      ],
    );
  });

  it('resolves an unaliased import next to an aliased one of the same path', () => {
    const time = objectOf(pkg, file, ident(file, 'time', 0));
    const tm = objectOf(pkg, file, ident(file, 'tm', 0));
    assert.equal(time?.kind, 'import');
    assert.equal(time?.name, 'time');
    assert.equal(tm?.name, 'tm');
  });
});

describe('model: code only tests run', () => {
  const pkg = pkgOf('svc', {
    'a.go': `package svc
func helper() { inner() }
func inner() {}
func Exported() {}
func shared() {}
func Serve() { shared() }
`,
    'a_test.go': `package svc
import "testing"
func TestA(t *testing.T) { helper(); Exported(); shared() }
`,
  });
  pkg.files[1].isTest = true;
  const file = pkg.files[0];
  const body = (name: string) => file.tree.rootNode.descendantsOfType('function_declaration').find((f) => f.childForFieldName('name')?.text === name)!.childForFieldName('body')!;

  it('follows unexported callers to test code, not exported or shared code', () => {
    assert.deepEqual(['helper', 'inner', 'Exported', 'shared'].map((n) => onlyTestsRun(pkg, body(n))), [true, true, false, false]);
  });
});

describe('model: what the resource rules ask', () => {
  const src = `package api
import (
	"context"
	"net/http"
	"time"
)
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}
type Uploader struct{ doer Doer }
func (u *Uploader) put(req *http.Request) {
	resp, err := u.doer.Do(req)
	_, _ = resp, err
}
func wrap(p context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(p, time.Second)
}
func caller(p context.Context) {
	_, stop := wrap(p)
	stop()
}
type Client struct{}
func (c *Client) do(reqs []int) {
	for range reqs {
		c.send()
	}
}
func (c *Client) send() { deliver() }
func deliver() { _ = make(chan int) }
`;
  const pkg = pkgOf('api', { 'a.go': src });
  const file = pkg.files[0];
  const calls = file.tree.rootNode.descendantsOfType('call_expression');
  const call = (text: string) => calls.find((n) => n.text.startsWith(text))!;

  it('types a call of a method of an interface the package declares', () => {
    assert.equal(show(typeOf(pkg, file, ident(file, 'resp'))), '*net/http.Response');
  });

  it('follows a result of a multi-value call returned as is into the callers', () => {
    const flow = flowOf(pkg, file, call('context.WithTimeout'), 1);
    assert.deepEqual(flow.results.map((r) => `${r.fn.childForFieldName('name')?.text}:${r.index}`), ['wrap:1']);
    assert.equal(releasedBy(flow, [], true).length, 1, 'stop() in caller');
  });

  it('names the loop once when the repetition is in a caller of a caller, and keeps the calls from it', () => {
    const how = frequencyOf(pkg, call('make(chan int)'));
    assert.equal(how.reason, 'per iteration of the loop at line 24 of (*Client).do');
    assert.deepEqual(how.via?.map((c) => c.text), ['c.send()', 'deliver()']);
  });
});

describe('model: holders, writes, literals, once.Do and start-once checks', () => {
  const src = `package q
import (
	"sync"
	"sync/atomic"
)
type req struct{ resp chan int }
type conn struct{ Done chan int }
var startOnce sync.Once
var running int32
var started chan int
func newReq(ch chan int) *req { return &req{resp: ch} }
func serve() {
	r := newReq(make(chan int))
	rs := []*req{{resp: make(chan int, 1)}}
	select {
	case v := <-r.resp:
		_ = v
	}
	_ = rs
}
func Exported(ch chan int) { _ = ch }
func (c *conn) start() { go func() {}() }
func kick(c *conn) { startOnce.Do(c.start) }
func watch() {
	if atomic.CompareAndSwapInt32(&running, 0, 1) {
		go func() {}()
	}
}
func listen() {
	if started != nil {
		return
	}
	started = make(chan int)
	go func() {}()
}
type pair struct {
	n int
	c chan int
}
func positional() pair { return pair{1, make(chan int, 2)} }
var workers int
func grow() {
	for workers < 4 {
		go func() {}()
		workers++
	}
}
`;
  const pkg = pkgOf('q', { 'q.go': src });
  const file = pkg.files[0];
  const root = file.tree.rootNode;
  const gos = root.descendantsOfType('go_statement');

  it('binds a select case receive to its variable', () => {
    const recv = root.descendantsOfType('unary_expression').find((u) => u.text === '<-r.resp')!;
    const flow = flowOf(pkg, file, recv);
    assert.deepEqual(flow.holders.map((h) => (h.kind === 'object' ? h.obj.name : h.kind)), ['v']);
  });

  it('follows a value from a holder it is already in', () => {
    const param = objectOf(pkg, file, ident(file, 'ch', 0))!;
    const flow = flowOfHolder(pkg, { kind: 'object', obj: param });
    assert.deepEqual(flow.holders.map((h) => (h.kind === 'field' ? h.field.name : h.kind)), ['object', 'resp']);
  });

  it('lists the values stored into a parameter and a field, and what it cannot see', () => {
    const param = objectOf(pkg, file, ident(file, 'ch', 0))!;
    const writes = writesOf(pkg, { kind: 'object', obj: param });
    assert.equal(writes.unseen, null);
    assert.deepEqual(writes.values.map((w) => w.node.text), ['make(chan int)']);
    const resp = fieldOfSelector(pkg, file, root.descendantsOfType('selector_expression').find((s) => s.text === 'r.resp')!)!;
    assert.deepEqual(
      writesOf(pkg, { kind: 'field', field: resp }).values.map((w) => w.node.text),
      ['ch', 'make(chan int, 1)'],
      'keyed in &req{...} and in the elided literal of []*req{{...}}',
    );
    const exported = objectOf(pkg, file, ident(file, 'ch', 2))!;
    assert.equal(writesOf(pkg, { kind: 'object', obj: exported }).unseen, 'Exported is exported');
    const done = typeIndex(pkg).decls.get('conn')!.fields[0];
    assert.equal(writesOf(pkg, { kind: 'field', field: done }).unseen, 'field Done is exported');
  });

  it('follows an element of a positional struct literal into its field', () => {
    const made = root.descendantsOfType('call_expression').find((c) => c.text === 'make(chan int, 2)')!;
    assert.deepEqual(flowOf(pkg, file, made).holders.map((h) => (h.kind === 'field' ? `${h.field.owner.name}.${h.field.name}` : h.kind)), ['pair.c']);
  });

  it('gives an elided literal the element type of the literal around it', () => {
    const inner = root.descendantsOfType('literal_value').find((l) => l.text === '{resp: make(chan int, 1)}')!;
    assert.equal(show(literalType(pkg, file, inner)), 'req');
  });

  it('runs a method handed to a package-level once.Do once per process', () => {
    assert.deepEqual(frequencyOf(pkg, gos[0]), { kind: 'once-per-process', reason: '(*conn).start is only called behind sync.Once startOnce' });
  });

  it('names the start-once checks on package state', () => {
    assert.equal(startOnceGuard(pkg, gos[0]), null);
    assert.deepEqual(startOnceGuard(pkg, gos[1]), { kind: 'once-per-process', reason: 'behind the start-once check at line 25 of watch' });
    assert.deepEqual(startOnceGuard(pkg, gos[2]), { kind: 'once-per-process', reason: 'behind the start-once check at line 30 of listen' });
    assert.equal(frequencyOf(pkg, gos[2]).kind, 'per-call', 'frequencyOf itself does not guess');
    assert.deepEqual(startOnceGuard(pkg, gos[3]), { kind: 'once-per-process', reason: 'behind the start-once check at line 43 of grow' });
  });
});

describe('model: the runtime main', () => {
  it('runs once per process, like package main', () => {
    const pkg = pkgOf('runtime', { 'proc.go': 'package runtime\nfunc main() { gcenable() }\nfunc gcenable() { go bgsweep() }\nfunc bgsweep() {}\n' });
    const go = pkg.files[0].tree.rootNode.descendantsOfType('go_statement')[0];
    assert.deepEqual(frequencyOf(pkg, go), { kind: 'once-per-process', reason: 'gcenable is only called in main' });
  });
});

describe('model: callers across platform files and tests', () => {
  const pkg = pkgOf('srv', {
    'srv.go': 'package srv\ntype S struct{}\nfunc NewS() *S { s := &S{}; s.trap(); return s }\nfunc helper() { go func() {}() }\nfunc Run() { helper() }\n',
    'trap_unix.go': '//go:build unix\n\npackage srv\nfunc (s *S) trap() {}\n',
    'trap_windows.go': '//go:build windows\n\npackage srv\nfunc (s *S) trap() { go func() {}() }\n',
    'srv_test.go': 'package srv\nfunc TestHelper() { for i := 0; i < 3; i++ { helper() } }\n',
  });
  pkg.files[3].isTest = true;
  it('finds the calls of a method declared again for another platform', () => {
    const windows = pkg.files[2].tree.rootNode.descendantsOfType('method_declaration')[0];
    assert.deepEqual(callersOf(pkg, windows).sites.map((s) => s.kind), ['call']);
    const go = pkg.files[2].tree.rootNode.descendantsOfType('go_statement')[0];
    assert.deepEqual(frequencyOf(pkg, go), { kind: 'once-per-value', reason: 'once per value built by NewS' });
  });
  it('judges production code by its production callers, not by the tests', () => {
    const go = pkg.files[0].tree.rootNode.descendantsOfType('go_statement')[0];
    assert.deepEqual(frequencyOf(pkg, go), { kind: 'per-call', reason: 'per call of helper' });
  });
});

describe('model: finite domains', () => {
  const src = `package d
import (
	"net/http"
	"os"
	"reflect"
	"strconv"
)
type State int
const (
	Idle State = iota
	Busy
)
type Level int
type pair struct {
	s  State
	ok bool
}
const shards = 8
var fixed = []string{"a", "b"}
var grown = []string{"a"}
func grow(s string) { grown = append(grown, s) }
func keys(r *http.Request, n int, st State, sig os.Signal, t reflect.Type, v reflect.Value) {
	use(http.MethodGet)
	use(r.URL.Path)
	use("x" + strconv.Itoa(n))
	for i := 0; i < shards; i++ {
		use("shard-" + strconv.Itoa(i))
	}
	for i := 0; i < n; i++ {
		use(strconv.Itoa(i))
	}
	for _, f := range fixed {
		use(f)
	}
	for _, g := range grown {
		use(g)
	}
	use(st)
	use(sig)
	use(t)
	use(v.Type())
	use(Level(n))
	j := 0
	j++
	use(j)
	scheme("http")
	scheme("https")
	named(r.Host)
	named("x")
	use(pair{st, true})
}
func scheme(s string) { use(s) }
func named(s string) { use(s) }
func use(x any) {}
`;
  const pkg = pkgOf('d', { 'd.go': src });
  const file = pkg.files[0];
  const calls = file.tree.rootNode.descendantsOfType('call_expression').filter((c) => c.childForFieldName('function')?.text === 'use');
  const arg = (text: string, nth = 0) => {
    const found = calls.map((c) => c.childForFieldName('arguments')!.namedChildren[0]).filter((a) => a.text === text);
    assert.ok(found[nth], `no use(${text}) #${nth}`);
    return found[nth];
  };

  it('takes constants, enums, other packages\' names and finite standard-library types as finite', () => {
    for (const text of ['http.MethodGet', 'st', 'sig', 't', 'v.Type()', 'pair{st, true}']) assert.equal(finiteDomain(pkg, file, arg(text)), true, text);
  });

  it('takes request data, parameters of exported functions and conversions of them as open', () => {
    for (const text of ['r.URL.Path', '"x" + strconv.Itoa(n)', 'Level(n)']) assert.equal(finiteDomain(pkg, file, arg(text)), false, text);
  });

  it('bounds a loop counter by a finite limit only', () => {
    assert.equal(finiteDomain(pkg, file, arg('"shard-" + strconv.Itoa(i)')), true);
    assert.equal(finiteDomain(pkg, file, arg('strconv.Itoa(i)')), false);
    assert.equal(finiteDomain(pkg, file, arg('j')), false, 'a counter stepped outside a loop clause');
  });

  it('takes elements of a list the package never grows as finite', () => {
    assert.equal(finiteDomain(pkg, file, arg('f')), true);
    assert.equal(finiteDomain(pkg, file, arg('g')), false);
  });

  it('follows a parameter to every caller in the package', () => {
    const param = (fn: string) => {
      const call = calls.find((c) => c.childForFieldName('arguments')!.namedChildren[0].text === 's' && enclosingFunction(c)?.childForFieldName('name')?.text === fn);
      assert.ok(call, fn);
      return call.childForFieldName('arguments')!.namedChildren[0];
    };
    assert.equal(finiteDomain(pkg, file, param('scheme')), true, 'every caller passes a constant');
    assert.equal(finiteDomain(pkg, file, param('named')), false, 'one caller passes r.Host');
  });

  it('leaves out what tests do with a production function', () => {
    const p = pkgOf('d', {
      'a.go': 'package d\nvar m = map[string]int{}\nfunc name(base string) { m[base]++ }\nfunc serve() { name("server") }\n',
      'export_test.go': 'package d\nvar Name = name\nfunc helper(s string) { name(s) }\n',
    });
    p.files[1].isTest = true;
    const key = p.files[0].tree.rootNode.descendantsOfType('index_expression')[0].childForFieldName('index')!;
    assert.equal(finiteDomain(p, p.files[0], key), true);
  });

  it('knows which types have few values', () => {
    const t = (name: string): GoType => ({ kind: 'named', name, pkg: null });
    assert.equal(isFiniteType(pkg, t('State')), true, 'an enum');
    assert.equal(isFiniteType(pkg, t('Level')), false, 'a named int with no constants');
    assert.equal(isFiniteType(pkg, t('pair')), true, 'a struct of finite fields');
    assert.equal(isFiniteType(pkg, { kind: 'basic', name: 'string' }), false);
    assert.equal(isFiniteType(pkg, { kind: 'named', name: 'Signal', pkg: 'os' }), true);
  });
});

describe('model: configured collections', () => {
  const pkg = pkgOf('c', {
    'c.go': `package c
type Peer struct{ ID string }
type Config struct{ Peers []Peer }
type C struct {
	cfg    Config
	peers  []Peer
	joined []Peer
	inbox  chan Peer
	m      map[string]int
}
var boot []string
func init() { boot = append(boot, "a") }
func New(cfg Config, ps []Peer) *C {
	c := &C{cfg: cfg, peers: ps, inbox: make(chan Peer)}
	go c.run(ps)
	return c
}
func (c *C) Join(p Peer) { c.joined = append(c.joined, p) }
func (c *C) Reset(ps []Peer) { c.peers = ps }
func (c *C) run(ps []Peer) {}
func (c *C) Use(req []Peer) {
	for _, p := range c.cfg.Peers { c.m[p.ID]++ }
	for _, p := range c.joined { c.m[p.ID]++ }
	for _, p := range req { c.m[p.ID]++ }
	for _, b := range boot { c.m[b]++ }
	for p := range c.inbox { c.m[p.ID]++ }
}
`,
  });
  const file = pkg.files[0];
  const ranged = (text: string, fn: string) => {
    const found = file.tree.rootNode
      .descendantsOfType('range_clause')
      .map((r) => r.childForFieldName('right')!)
      .find((r) => r.text === text && enclosingFunction(r)?.childForFieldName('name')?.text === fn);
    assert.ok(found, text);
    return found;
  };
  const use = file.tree.rootNode.descendantsOfType('method_declaration').find((m) => m.childForFieldName('name')?.text === 'Use')!;
  const receiver = objectOf(pkg, file, use.childForFieldName('receiver')!.descendantsOfType('identifier')[0])!;
  const sel = (text: string) => file.tree.rootNode.descendantsOfType('selector_expression').find((s) => s.text === text)!;

  it('takes a field assigned whole by a constructor, and a config struct\'s field, as fixed for the value', () => {
    assert.equal(isConfigured(pkg, file, ranged('c.cfg.Peers', 'Use'), receiver), true);
    assert.equal(isConfigured(pkg, file, ranged('c.cfg.Peers', 'Use'), null), false, 'not for the process: each C has its own');
  });

  it('takes a package variable filled at init as fixed for the process', () => {
    assert.equal(isConfigured(pkg, file, ranged('boot', 'Use'), null), true);
  });

  it('takes a collection appended to, reassigned or passed per call as open', () => {
    assert.equal(isConfigured(pkg, file, ranged('c.joined', 'Use'), receiver), false, 'appended per call');
    assert.equal(isConfigured(pkg, file, ranged('req', 'Use'), receiver), false, 'a parameter of an exported method');
    assert.equal(isConfigured(pkg, file, sel('c.peers'), receiver), false, 'reassigned per call by Reset');
  });

  it('gives finiteDomain the elements of a configured collection, never what a channel receives', () => {
    const keys = file.tree.rootNode.descendantsOfType('index_expression').filter((x) => x.childForFieldName('operand')!.text === 'c.m');
    const finite = keys.map((k) => finiteDomain(pkg, file, k.childForFieldName('index')!, k.childForFieldName('operand')!));
    assert.deepEqual(finite, [true, false, false, true, false]);
  });
});

describe('func values a call returns', () => {
  const pkg = pkgOf('p', {
    'a.go': `package p

type T struct {
	onDone  func()
	onStart func()
	onStop  func()
}

func (t *T) done()  {}
func finish()       {}
func (t *T) named() func() { return finish }

func (t *T) made(quiet bool) func() {
	if quiet {
		return func() {}
	}
	return func() { t.done() }
}

func (t *T) other() func() { return otherFunc() }
func otherFunc() func()    { return nil }

func newT() *T {
	t := &T{}
	t.onDone = t.made(false)
	t.onStart = t.named()
	t.onStop = t.other()
	return t
}

func (t *T) run() {
	t.onDone()
	t.onStart()
	t.onStop()
}
`,
  });
  const file = pkg.files[0];
  const calls = file.tree.rootNode.descendantsOfType('call_expression');
  const call = (text: string) => calls.find((n) => n.text === text)!;

  it('follows a func field given a call to the funcs every return of the callee gives', () => {
    assert.deepEqual(calleesOf(pkg, file, call('t.onDone()')).map((f) => f.text), ['func() {}', 'func() { t.done() }']);
    assert.deepEqual(calleesOf(pkg, file, call('t.onStart()')).map((f) => f.childForFieldName('name')?.text), ['finish']);
  });

  it('gives nothing when a return is not package code it can name', () => {
    assert.deepEqual(calleesOf(pkg, file, call('t.onStop()')), []);
  });

  it('stops where a field is given a call that returns that field\'s own call', () => {
    const loop = pkgOf('p', {
      'a.go': `package p

type L struct{ next func() func() }

func (l *L) setup()               { l.next = l.make() }
func (l *L) make() func() func() { return l.next() }
func (l *L) run()                 { l.next()() }
`,
    });
    const f = loop.files[0];
    const next = f.tree.rootNode.descendantsOfType('call_expression').find((n) => n.text === 'l.next()')!;
    assert.deepEqual(calleesOf(loop, f, next), []);
  });
});
