import { loopCallsRelated } from '../src/go/call-chains.js';
import type { SyntaxNode } from '../src/go/tree.js';
import type { GoFile, Package, Report, Rule } from '../src/engine/types.js';
import { assignmentOf } from '../src/go/escape.js';
import { listTerminates, statementsOf } from '../src/go/flow.js';
import { calledPackageFunc, importsPackage } from '../src/go/imports.js';
import { callersOf } from '../src/go/model/calls.js';
import { displayName, frequencyOf, withoutNote } from '../src/go/model/frequency.js';
import { objectOf, type GoObject } from '../src/go/model/names.js';
import { fileOfNode } from '../src/go/model/types.js';
import { eventuallyCalled } from '../src/go/cancels.js';
import { flowOf, type Flow, type Holder } from '../src/go/model/values.js';
import { callsNamed } from '../src/go/nodes.js';
import { exitsOf, trackVariable, usedOnTheWayTo, type ExitKind } from '../src/go/paths.js';
import { boundNames, contains, enclosingFunction, enclosingLoops, insideFuncLiteral, ownDescendantsOfType, unparen } from '../src/go/syntax.js';

/** golang.org/x/net/context forwards to the standard package: same leak. */
const CONTEXT_PACKAGES = ['context', 'golang.org/x/net/context'];
const CONSTRUCTORS = [
  'WithCancel',
  'WithTimeout',
  'WithDeadline',
  'WithCancelCause',
  'WithTimeoutCause',
  'WithDeadlineCause',
];

export const lostCancel: Rule = {
  meta: {
    id: 'lost-cancel',
    title: 'context cancel func discarded or not called on every path',
    why:
      'A context made with context.WithCancel, WithTimeout or WithDeadline (or their Cause variants) stays ' +
      'alive until its cancel function is called or its parent is cancelled: under a cancellable parent it ' +
      "sits in the parent's children map, a WithTimeout or WithDeadline context keeps a runtime timer armed " +
      'until the deadline, under a parent of a custom Context type a goroutine waits for either to finish, ' +
      'and every goroutine waiting on its Done channel keeps waiting. Under a long-lived parent (a ' +
      "server's base context, a connection's context) each call that loses its cancel function leaks the " +
      'child context, what it references, and its timer or goroutines. The cancel function is followed ' +
      'wherever the package puts it: into a struct field (some code of the package must call that field), ' +
      'into a parameter of a package function (which must call it or hand it on), and out as a result (each ' +
      'caller in the package is then judged the same way). Not reported: a WithCancel whose parent is ' +
      'context.Background() or TODO() (nothing registers it, nothing runs for it), code that runs once per process ' +
      '(main, init, what only they call), a context made once before a loop that never ends, and a child ' +
      "whose function returns only after the parent's (or the child's own) Done channel is closed: it is " +
      'cancelled by then.',
    fix:
      'Call the cancel function on every path: `defer cancel()` right after the call is the simple way. ' +
      'When the context must outlive the function, hand the cancel function on (return it, store it in a ' +
      'field that a Close or Stop method calls, pass it to the code that finishes the work). In a loop, ' +
      'cancel the previous context before making the next one.',
    example: {
      bad:
        'func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {\n' +
        '\tctx, cancel := context.WithTimeout(ctx, c.timeout)\n' +
        '\tif err := c.ready(ctx); err != nil {\n' +
        '\t\treturn nil, err // leaks ctx: cancel is never called on this path\n' +
        '\t}\n' +
        '\tres, err := c.fetch(ctx, key)\n' +
        '\tcancel()\n' +
        '\treturn res, err\n' +
        '}',
      good:
        'func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {\n' +
        '\tctx, cancel := context.WithTimeout(ctx, c.timeout)\n' +
        '\tdefer cancel()\n' +
        '\tif err := c.ready(ctx); err != nil {\n' +
        '\t\treturn nil, err\n' +
        '\t}\n' +
        '\treturn c.fetch(ctx, key)\n' +
        '}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'skipped',
    tags: ['context', 'goroutine', 'memory'],
  },
  check(pkg, report) {
    for (const source of cancelSources(pkg)) {
      const fn = enclosingFunction(source.call);
      if (!fn) continue; // a package-level context lives as long as the process
      const how = frequencyOf(pkg, source.call);
      if (how.kind === 'once-per-process') continue;
      const finding = judge(pkg, source, fn, withoutNote(how.reason));
      if (finding) report({ ...finding, related: [...(finding.related ?? []), ...loopCallsRelated(pkg, how)] });
    }
  },
};

/**
 * A call that hands out a cancel function: a context constructor (result 1), or a call of a
 * package function that returns one it got from a constructor (result `index`).
 */
interface Source {
  call: SyntaxNode;
  file: GoFile;
  index: number;
  /** The context constructor behind it, for the harm it does: `WithTimeout`. */
  ctor: string;
  /** The function called, for messages: `context.WithTimeout`, `detach`. */
  from: string;
  flow: Flow;
}

/**
 * Every source of the package: the constructor calls, then the package callers of each
 * function the model sees returning a constructor's cancel (and of those that return theirs).
 */
function cancelSources(pkg: Package): Source[] {
  const sources: Source[] = [];
  const seen = new Set<string>();
  const add = (call: SyntaxNode, file: GoFile, index: number, ctor: string, from: string) => {
    const key = `${file.path}:${call.startIndex}:${index}`;
    if (seen.has(key)) return;
    seen.add(key);
    sources.push({ call, file, index, ctor, from, flow: flowOf(pkg, file, call, index) });
  };
  for (const file of pkg.files) {
    const paths = CONTEXT_PACKAGES.filter((p) => importsPackage(file.imports, p));
    if (paths.length === 0) continue;
    for (const call of callsNamed(file, CONSTRUCTORS)) {
      const ctor = constructorOf(call, file, paths);
      if (ctor) add(call, file, 1, ctor, `context.${ctor}`);
    }
  }
  for (let i = 0; i < sources.length; i++) {
    const s = sources[i];
    for (const r of s.flow.results) {
      if (!alwaysReturnsOne(pkg, r.fn, r.index, sources, seen)) continue;
      for (const site of callersOf(pkg, r.fn).sites) {
        if (site.kind === 'call') add(site.call, site.file, r.index, s.ctor, displayName(r.fn));
      }
    }
  }
  return sources;
}

/**
 * Whether every return of `fn` gives a source's cancel function as result `index`: then
 * its callers hold a cancel function to call. One that may return a no-op instead (a
 * timeout wrapper that returns `func() {}` without a deadline) leaves callers nothing the
 * rule can judge, so their calls are not sources.
 */
function alwaysReturnsOne(pkg: Package, fn: SyntaxNode, index: number, sources: Source[], seen: Set<string>): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  const file = fileOfNode(pkg, fn);
  const returns = ownDescendantsOfType(body, 'return_statement');
  return returns.length > 0 && returns.every((ret) => {
    const values = ret.namedChildren.find((c) => c.type === 'expression_list')?.namedChildren ?? [];
    const v = values.length === 1 ? unparen(values[0]) : values[index] ? unparen(values[index]) : null;
    if (v?.type === 'call_expression') return values.length === 1 && seen.has(`${file.path}:${v.startIndex}:${index}`);
    if (v?.type !== 'identifier') return false;
    const obj = objectOf(pkg, file, v);
    return sources.some((s) => s.flow.holders.some((h) => h.kind === 'object' && h.obj === obj));
  });
}

/**
 * `context.WithCancel(context.Background())`: a parent that is never cancelled registers no
 * child and starts nothing, so a lost cancel leaves only garbage. (A WithTimeout under it
 * still arms a timer until the deadline.)
 */
function holdsNothing(source: Source): boolean {
  if (!source.ctor.startsWith('WithCancel') || !source.from.startsWith('context.')) return false;
  const parent = unparen(source.call.childForFieldName('arguments')?.namedChildren[0] ?? source.call);
  if (parent.type !== 'call_expression' || (parent.childForFieldName('arguments')?.namedChildCount ?? 1) > 0) return false;
  return CONTEXT_PACKAGES.some((p) => calledPackageFunc(parent, source.file.imports, p, ['Background', 'TODO']));
}

/** `WithTimeout` when `call` is `context.WithTimeout(...)` (or another constructor with a cancel function). */
function constructorOf(call: SyntaxNode, file: GoFile, paths: string[]): string | null {
  for (const p of paths) {
    const name = calledPackageFunc(call, file.imports, p, CONSTRUCTORS);
    if (name) return name;
  }
  return null;
}

/**
 * Where the source puts the cancel function: discarded, a local variable whose paths are
 * followed, or anywhere else (a field, a package variable, a parameter, a result), where
 * the model's value flow says whether it is ever called.
 */
type Site =
  | { kind: 'discarded'; node: SyntaxNode }
  | { kind: 'variable'; name: string; target: SyntaxNode; stmt: SyntaxNode }
  | { kind: 'elsewhere'; target: SyntaxNode | null };

function siteOf(pkg: Package, source: Source): Site | null {
  let call = source.call;
  while (call.parent?.type === 'parenthesized_expression') call = call.parent;
  const stmt = call.parent?.type;
  if (stmt === 'expression_statement' || stmt === 'go_statement' || stmt === 'defer_statement') return { kind: 'discarded', node: call };
  const assign = assignmentOf(call);
  if (!assign) return { kind: 'elsewhere', target: null };
  const target = boundNames(assign)[source.index];
  if (!target) return null;
  if (target.type !== 'identifier') return { kind: 'elsewhere', target };
  if (target.text === '_') return { kind: 'discarded', node: target };
  const obj = objectOf(pkg, source.file, target);
  if (obj?.kind === 'result') return null; // a named result: the bare return hands it to the caller
  if (!obj?.fn) return { kind: 'elsewhere', target };
  let decl: SyntaxNode | null = assign;
  if (assign.type === 'var_spec') while (decl && decl.type !== 'var_declaration') decl = decl.parent;
  return decl ? { kind: 'variable', name: target.text, target, stmt: decl } : null;
}

/** What each way out of the cancel variable's life does, for the related locations. */
const EXIT_MESSAGES: Record<ExitKind, (name: string) => string> = {
  return: (name) => `returns here without calling ${name}`,
  break: (name) => `breaks out here without calling ${name}`,
  continue: (name) => `goes round the loop here without calling ${name}`,
  'next-iteration': (name) => `the next iteration overwrites ${name} before it is called`,
  reassigned: (name) => `${name} is overwritten here before it is called`,
  'function-end': (name) => `the function ends here without calling ${name}`,
  'loop-end': (name) => `the loop goes round here without calling ${name}`,
  'scope-end': (name) => `${name} goes out of scope here without being called`,
};

function judge(pkg: Package, source: Source, fn: SyntaxNode, reason: string): Report | null {
  if (holdsNothing(source)) return null;
  const site = siteOf(pkg, source);
  if (!site) return null;
  const { call, file } = source;
  const done = doneChannels(pkg, source);
  const harm = `${reason}: ${harmOf(source.ctor)}`;
  if (site.kind === 'variable') {
    const v = trackVariable(site.target, site.stmt, fn);
    // Any use of the variable on the way out counts as calling it (or handing it on, followed below).
    const leaks = v ? exitsOf(v).filter((exit) => !usedOnTheWayTo(exit, v) && !afterDone(exit.node, fn, done)) : [];
    if (v && leaks.length > 0) {
      const name = site.name;
      const what = !v.uses.some((u) => u.startIndex > site.stmt.endIndex || insideFuncLiteral(u, fn))
        ? 'is never called'
        : leaks.some((l) => l.overwrites)
          ? 'is overwritten before it is called'
          : 'is not called on every path';
      const related = leaks.map((l) => ({ node: l.node, file, message: EXIT_MESSAGES[l.kind](name) }));
      return { node: call, file, message: `${name} from ${source.from} ${what}, ${harm}`, related };
    }
  }
  if (outlivesNoOne(call, fn, done)) return null;
  if (site.kind === 'discarded') {
    return {
      node: call,
      file,
      message: `the cancel func from ${source.from} is discarded, ${harm}`,
      related: [{ node: site.node, file, message: 'the cancel function is dropped here' }],
    };
  }
  if (eventuallyCalled(pkg, source.flow)) return null;
  const where = lostIn(source.flow, site.kind === 'variable' ? site.name : null);
  return { node: call, file, message: `the cancel func from ${source.from} ${where}, ${harm}` };
}

function harmOf(ctor: string): string {
  return ctor.startsWith('WithCancel') ? 'its context lives until the parent ends' : 'its context and timer live until the deadline';
}

/** Says where the cancel function went and that nothing calls it there. */
function lostIn(flow: Flow, variable: string | null): string {
  const field = flow.holders.find((h): h is Holder & { kind: 'field' } => h.kind === 'field');
  if (field) return `goes to ${field.field.owner.name}.${field.field.name}, which nothing calls`;
  const param = flow.holders.find((h): h is Holder & { kind: 'object' } => h.kind === 'object' && h.obj.kind === 'param');
  if (param?.obj.fn) return `is passed to ${displayName(param.obj.fn)}, which never calls it`;
  return variable ? `is kept in ${variable}, which is never called` : 'is never called';
}

/**
 * Whether the context cannot outlive the function in a way that matters: the call is not in
 * a loop, and every way out of the function after it comes after a Done channel that
 * closes only once the context is cancelled (or there is no way out: an endless loop).
 */
function outlivesNoOne(call: SyntaxNode, fn: SyntaxNode, done: Done): boolean {
  if (enclosingLoops(call).length > 0) return false;
  const body = fn.childForFieldName('body');
  if (!body) return false;
  const ways = ownDescendantsOfType(body, 'return_statement').filter((r) => r.startIndex > call.endIndex);
  if (!fn.childForFieldName('result') && !listTerminates(statementsOf(body), false)) ways.push(body.lastChild ?? body);
  return ways.every((w) => afterDone(w, fn, done));
}

/** The contexts whose Done channel closing means the source's context is cancelled: it, its parent, theirs. */
interface Done {
  pkg: Package;
  file: GoFile;
  objects: Set<GoObject>;
  /** `c.ctx` for a context kept in a field. */
  texts: Set<string>;
}

function doneChannels(pkg: Package, source: Source): Done {
  const done: Done = { pkg, file: source.file, objects: new Set(), texts: new Set() };
  const assign = assignmentOf(source.call);
  const child = assign && source.index === 1 ? boundNames(assign)[0] : undefined;
  if (child?.type === 'identifier') {
    const obj = objectOf(pkg, source.file, child);
    if (obj) done.objects.add(obj);
  } else if (child) done.texts.add(child.text);
  if (!source.from.startsWith('context.')) return done;
  // The parent, and its parents as far as the function's own constructors show them.
  let parent = source.call.childForFieldName('arguments')?.namedChildren[0];
  for (let depth = 0; parent && depth < 5; depth++) {
    const p = unparen(parent);
    if (p.type !== 'identifier') break;
    const obj = objectOf(pkg, source.file, p);
    if (!obj || done.objects.has(obj)) break;
    done.objects.add(obj);
    const value = obj.decl?.type === 'short_var_declaration' ? obj.decl.childForFieldName('right')?.namedChildren[0] : undefined;
    parent = value?.type === 'call_expression' && /^context\.With/.test(value.childForFieldName('function')?.text ?? '')
      ? value.childForFieldName('arguments')?.namedChildren[0]
      : undefined;
  }
  return done;
}

/**
 * Whether `node` runs only after one of the Done channels closed: it lies in the body of a
 * `case <-ctx.Done():`, or after a `<-ctx.Done()` statement in a block around it.
 */
function afterDone(node: SyntaxNode, fn: SyntaxNode, done: Done): boolean {
  if (done.objects.size === 0 && done.texts.size === 0) return false;
  for (let n: SyntaxNode = node; n.parent && n.id !== fn.id; n = n.parent) {
    const parent = n.parent;
    if (parent.type === 'communication_case') {
      const comm = parent.childForFieldName('communication');
      if (comm && comm.id !== n.id && receivesDone(comm, fn, done)) return true;
    }
    if (parent.type === 'statement_list' || parent.type === 'block') {
      // A block's closing brace (the function's end) comes after all of its statements.
      const before = statementsOf(parent).filter((s) => s.endIndex <= n.startIndex);
      if (before.some((s) => s.type === 'expression_statement' && receivesDone(s, fn, done))) return true;
    }
  }
  return false;
}

/** `<-ctx.Done()` (bare, or on the right of a receive) on one of the Done channels. */
function receivesDone(stmt: SyntaxNode, fn: SyntaxNode, done: Done): boolean {
  const recv = stmt.type === 'receive_statement' ? stmt.childForFieldName('right') : stmt.type === 'expression_statement' ? stmt.namedChildren[0] : stmt;
  const r = recv ? unparen(recv) : null;
  if (r?.type !== 'unary_expression' || r.child(0)?.type !== '<-') return false;
  const call = r.childForFieldName('operand');
  const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : null;
  if (callee?.type !== 'selector_expression' || callee.childForFieldName('field')?.text !== 'Done') return false;
  const operand = unparen(callee.childForFieldName('operand')!);
  if (done.texts.has(operand.text)) return true;
  if (operand.type !== 'identifier' || !contains(fn, operand)) return false;
  const obj = objectOf(done.pkg, done.file, operand);
  return !!obj && done.objects.has(obj);
}
