import { loopCallsRelated } from '../src/go/call-chains.js';
import type { SyntaxNode } from '../src/go/tree.js';
import { receivedChannel } from '../src/go/channels.js';
import { assignedValue, escapeOf, isAssignedTo, rootIdentifier, storeTarget } from '../src/go/escape.js';
import { comesRoundAgain, jumpTarget, loopCanEnd, loopClause, statementsOf } from '../src/go/flow.js';
import { importPathOf, type ImportTable } from '../src/go/imports.js';
import { frequencyOf, withoutNote } from '../src/go/model/frequency.js';
import { objectOf, usesOf, type GoObject } from '../src/go/model/names.js';
import { fileOfNode } from '../src/go/model/types.js';
import { assignedIn, loopVariables, namesBoundIn } from '../src/go/scopes.js';
import {
  boundNames,
  contains,
  enclosingFunction,
  enclosingLoops,
  functionName,
  mentionsAny,
  ownDescendantsOfType,
  unparen,
} from '../src/go/syntax.js';
import type { GoFile, Package, Rule } from '../src/engine/types.js';
import { identifierUses, nodesOfType } from '../src/go/nodes.js';

export const deferInLoop: Rule = {
  meta: {
    id: 'defer-in-loop',
    title: 'defer in a loop runs only when the function returns',
    why:
      'A deferred call runs when the surrounding function returns, not at the end of the loop iteration ' +
      'that deferred it. A file, response body, lock or context cancel deferred inside a loop is held ' +
      'for every iteration until the function returns: a loop over many items runs out of file ' +
      'descriptors or memory, a loop that re-locks the same mutex deadlocks on its second iteration, ' +
      'and in a loop that never ends the deferred calls never run at all while their defer records pile up. ' +
      'Not reported in a loop that ends: a defer after which the iteration always returns or breaks out, ' +
      'one that can run only once (a lazy-init guard, a timer case), one that holds nothing (a log line, ' +
      'wg.Done, a panic handler, a cleanup that runs only on error), a lock taken on a different element ' +
      'each iteration, the release of what exists before the loop or is kept for use after it, a loop over a ' +
      'fixed list (a literal, or a package-level table nothing grows), and a defer whose iteration releases ' +
      'the same value itself before it goes round (the defer then only covers the returns in between). ' +
      'The message says how often the loop runs, as the package shows it (per call of a function, in main).',
    fix:
      'Move the loop body into its own function (or a func literal called in the loop) so that the defer ' +
      'runs at the end of each iteration, or release the resource explicitly at the end of the iteration.',
    example: {
      bad: 'func sum(paths []string) (int64, error) {\n\tvar n int64\n\tfor _, p := range paths {\n\t\tf, err := os.Open(p)\n\t\tif err != nil {\n\t\t\treturn 0, err\n\t\t}\n\t\tdefer f.Close()\n\t\tc, err := io.Copy(io.Discard, f)\n\t\tif err != nil {\n\t\t\treturn 0, err\n\t\t}\n\t\tn += c\n\t}\n\treturn n, nil\n}',
      good: 'func sum(paths []string) (int64, error) {\n\tvar n int64\n\tfor _, p := range paths {\n\t\tc, err := size(p)\n\t\tif err != nil {\n\t\t\treturn 0, err\n\t\t}\n\t\tn += c\n\t}\n\treturn n, nil\n}\n\nfunc size(p string) (int64, error) {\n\tf, err := os.Open(p)\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\tdefer f.Close()\n\treturn io.Copy(io.Discard, f)\n}',
    },
    severity: 'warning',
    precision: 'medium',
    inTests: 'skipped',
    optIn:
      'Judged blind on the eleven development corpora, 1 of 11 findings grew with use: most defers in ' +
      'loops hold a handful of values (the addresses of one host, the layers of one image) until a ' +
      'function that soon returns. Turn it on to see every defer that waits for its function.',
    tags: ['resource', 'memory'],
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const defer of nodesOfType(file, 'defer_statement')) {
        const call = defer.namedChildren.find((c) => c.type === 'call_expression');
        const fn = enclosingFunction(defer);
        if (!call || !fn) continue;
        const loop = enclosingLoops(defer).find((l) => comesRoundAgain(defer, l) && !runsOncePerLoop(defer, l, fn));
        if (!loop) continue;
        const endlessLoop = enclosingLoops(defer).find((l) => !loopCanEnd(l));
        const endless = endlessLoop !== undefined;
        const held = heldBy(call, loop, file.imports);
        const deadlock = held?.lock ? relocksEachIteration(held.lock, loop) : false;
        // A loop that never ends never runs its defers: always a leak. A re-locked mutex always deadlocks.
        if (!endless && !deadlock && !heldTooLong(pkg, file, held, defer, loop)) continue;
        // The iteration releases it itself: the defer only covers the returns in between.
        if (releasedEachIteration(pkg, file, defer, call, loop)) continue;
        const how = frequencyOf(pkg, loop);
        report({
          node: defer,
          file,
          message: messageFor(call, held, loop, functionName(fn), endless, deadlock, withoutNote(how.reason)),
          related: [
            endlessLoop
              ? { node: loopHeader(endlessLoop), file, message: 'this loop never ends, so the function never returns' }
              : { node: loopHeader(loop), file, message: 'the loop whose every iteration defers the call' },
            ...loopCallsRelated(pkg, how),
          ],
          evidence: evidenceFor(defer, held, loop, file),
        });
      }
    }
  },
};

/**
 * Whether holding until the function returns is worth a finding in a loop that ends: not
 * when the call holds nothing, locks every element on purpose, runs a fixed handful of times,
 * or releases what exists before the loop or is used after it.
 */
function heldTooLong(pkg: Package, file: GoFile, held: Held | null, defer: SyntaxNode, loop: SyntaxNode): held is Held {
  if (!held) return false;
  if (held.lock && changesPerIteration(held.lock.receiver, loop)) return false;
  if (rangesOverFixedList(pkg, file, loop)) return false;
  const resource = held.resource;
  if (resource && elementUsedAfterLoop(pkg, file, resource, loop)) return false;
  return !resource || !(existsBeforeLoop(resource, loop) || keptAfterIteration(resource, loop, defer));
}

/**
 * `defer closeHandle(fd[i])` where `fd` is made before the loop and read after it: each
 * iteration fills an element the code after the loop uses (syscall's StartProcess hands the
 * duplicated handles to the child), so releasing them at the end of the function is the point.
 */
function elementUsedAfterLoop(pkg: Package, file: GoFile, resource: SyntaxNode, loop: SyntaxNode): boolean {
  const r = unparen(resource);
  const operand = r.type === 'index_expression' ? unparen(r.childForFieldName('operand') ?? r) : null;
  const obj = operand?.type === 'identifier' ? objectOf(pkg, file, operand) : null;
  if (!obj?.fn || !obj.ident || contains(loop, obj.ident)) return false;
  return usesOf(pkg, obj).some((u) => u.startIndex > loop.endIndex && contains(obj.fn!, u));
}

/** What a deferred call keeps until it runs, for the message and the evidence. */
interface Held {
  /** `f` of `f.Close()`, `fd[i]` of `syscall.Close(fd[i])`, `context (of cancel)` of `cancel()`. */
  what: string;
  /** How it is kept: a file stays open, a mutex locked, a temp file on disk. */
  state: 'open' | 'locked' | 'on disk' | 'running' | 'alive' | 'held';
  /** The expression named by `what`, when there is one; its allocation is the evidence site. */
  resource?: SyntaxNode;
  /** `defer mu.Unlock()`: the mutex expression and the method that locked it. */
  lock?: { receiver: SyntaxNode; lockMethod: 'Lock' | 'RLock' };
}

/** Packages whose functions release nothing: logging, formatting, counters, clocks. */
const NOTHING_HELD_PACKAGES = new Set(['log', 'fmt', 'sync/atomic', 'time', 'strings', 'strconv', 'errors']);
/** Methods that release nothing: WaitGroup.Done, loggers, metrics. */
const NOTHING_HELD_METHOD =
  /^(Done|Add|Sub|Inc|Dec|Observe|Set|(Print|Log|Debug|Info|Warn|Warning|Error|Trace|Notice)(f|ln|w)?)$/;
const NOTHING_HELD_BUILTINS = new Set(['recover', 'print', 'println', 'len', 'cap', 'append']);
const UNLOCKS: Record<string, 'Lock' | 'RLock'> = { Unlock: 'Lock', RUnlock: 'RLock' };

/** How a release call's name says the resource is kept until then. */
function stateOf(name: string): Held['state'] {
  if (/(^|\.)[Cc]lose(Func|Send)?$/.test(name)) return 'open';
  if (/(^|\.)Stop$/.test(name)) return 'running';
  if (/(^|\.)Remove(All)?$/.test(name)) return 'on disk';
  if (/(^|\.)R?Unlock$/.test(name)) return 'locked';
  return 'held';
}

/**
 * What the deferred call holds until it runs, or null when it holds nothing worth a finding:
 * a panic handler, a log line, `wg.Done()`, a cleanup that runs only when the function fails.
 */
function heldBy(call: SyntaxNode, loop: SyntaxNode, imports: ImportTable): Held | null {
  const callee = unparen(call.childForFieldName('function') ?? call);
  if (callee.type === 'func_literal') return heldByLiteral(callee, loop, imports);
  if (releasesNothing(call, imports)) return null;
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  const state = stateOf(callee.text);
  if (callee.type === 'selector_expression' && !importPathOf(callee, imports)) {
    const receiver = callee.childForFieldName('operand');
    if (!receiver) return null;
    const lockMethod = UNLOCKS[callee.childForFieldName('field')?.text ?? ''];
    return { what: oneLine(receiver.text), state, resource: receiver, lock: lockMethod ? { receiver, lockMethod } : undefined };
  }
  const arg = mainArgument(args, loop);
  if (arg) return { what: oneLine(arg.text), state, resource: unconverted(arg, imports) };
  const resource = callee.type === 'identifier' ? callee : undefined;
  if (/cancel/i.test(callee.text)) return { what: `context (of ${oneLine(callee.text)})`, state: 'alive', resource };
  return { what: `what ${oneLine(callee.text)}() releases`, state: 'held', resource };
}

/** The argument that names the resource: the first one that changes per iteration, else the first that is not a literal. */
function mainArgument(args: SyntaxNode[], loop: SyntaxNode): SyntaxNode | undefined {
  const names = boundInLoop(loop, true);
  const values = args.filter((a) => !/_literal$|^(nil|true|false|iota)$/.test(a.type));
  return values.find((a) => mentionsAny(a, names)) ?? values[0];
}

/** `p` of `unsafe.Pointer(p)` or `uintptr(p)`: what a conversion or one-argument wrapper around a value is about. */
function unconverted(expr: SyntaxNode, imports: ImportTable): SyntaxNode {
  let n = unparen(expr);
  for (;;) {
    const callee = n.type === 'call_expression' ? n.childForFieldName('function') : null;
    const args = n.childForFieldName('arguments')?.namedChildren ?? [];
    const wrapper = callee?.type === 'identifier' || (callee?.type === 'selector_expression' && importPathOf(callee, imports));
    if (!wrapper || args.length !== 1) return n;
    n = unparen(args[0]);
  }
}

/** A deferred func literal holds what the calls in it release, unless it is a panic handler or runs only on error. */
function heldByLiteral(literal: SyntaxNode, loop: SyntaxNode, imports: ImportTable): Held | null {
  const body = literal.childForFieldName('body');
  if (!body || runsOnlyOnError(body)) return null;
  const calls = body.descendantsOfType('call_expression');
  if (calls.some((c) => unparen(c.childForFieldName('function') ?? c).text === 'recover')) return null;
  const quiet = calls.filter((c) => releasesNothing(c, imports));
  // Calls that only compute what a log line prints release nothing either.
  const releases = calls.filter((c) => !quiet.some((q) => contains(q, c)));
  const helds = releases.map((c) => heldBy(c, loop, imports)).filter((h): h is Held => h !== null);
  if (helds.length === 0) return null;
  const states = new Set(helds.map((h) => h.state));
  return {
    what: [...new Set(helds.map((h) => h.what))].slice(0, 3).join(', '),
    state: states.size === 1 ? helds[0].state : 'held',
    resource: helds[0].resource,
  };
}

/** `recover()`, `log.Printf(...)`, `wg.Done()`, `logger.Info(...)`, `atomic.AddInt64(&n, -1)`. */
function releasesNothing(call: SyntaxNode, imports: ImportTable): boolean {
  const callee = unparen(call.childForFieldName('function') ?? call);
  if (callee.type === 'identifier') return NOTHING_HELD_BUILTINS.has(callee.text);
  if (callee.type !== 'selector_expression') return false;
  const pkg = importPathOf(callee, imports);
  if (pkg) return NOTHING_HELD_PACKAGES.has(pkg);
  return NOTHING_HELD_METHOD.test(callee.childForFieldName('field')?.text ?? '');
}

const ERROR_NAME = /^err$|Err$|^err[A-Z]/;

/**
 * `func() { if err == nil { return }; ... }()` or `func() { if err != nil { ... } }()`: a cleanup
 * for the failure path. On success it releases nothing, so the iterations hand their resources on.
 */
function runsOnlyOnError(body: SyntaxNode): boolean {
  const stmts = statementsOf(body);
  const first = stmts[0];
  if (first?.type !== 'if_statement' || first.childForFieldName('alternative')) return false;
  const cond = unparen(first.childForFieldName('condition') ?? first);
  if (cond.type !== 'binary_expression') return false;
  const [left, right] = [cond.childForFieldName('left'), cond.childForFieldName('right')];
  const op = cond.childForFieldName('operator')?.text;
  if (!left || right?.text !== 'nil' || !ERROR_NAME.test(left.text)) return false;
  if (op === '!=') return stmts.length === 1;
  const consequence = statementsOf(first.childForFieldName('consequence') ?? first);
  return op === '==' && consequence.length === 1 && consequence[0].type === 'return_statement';
}

/**
 * Whether the defer runs at most once per run of `loop`: it sits under a guard that turns
 * false once taken (`if tmp == nil { tmp = ...; defer ... }`, `if i == 0 { ... }`), or in a
 * select case that can fire only once (a timer's channel, a channel set to nil after use).
 */
function runsOncePerLoop(defer: SyntaxNode, loop: SyntaxNode, fn: SyntaxNode): boolean {
  for (let n = defer.parent; n && n.id !== loop.id; n = n.parent) {
    const parent = n.parent;
    if (parent?.type === 'if_statement' && parent.childForFieldName('consequence')?.id === n.id) {
      if (isOnceGuard(parent, loop)) return true;
    }
    if (n.type === 'communication_case' && caseFiresOnce(n, loop, fn)) return true;
  }
  return false;
}

/** `if x == nil { x = ... }` (x declared outside the loop), or `if i == k` on the loop's own counter. */
function isOnceGuard(ifStmt: SyntaxNode, loop: SyntaxNode): boolean {
  const cond = unparen(ifStmt.childForFieldName('condition') ?? ifStmt);
  let subject: SyntaxNode | null = null;
  if (cond.type === 'binary_expression' && cond.childForFieldName('operator')?.text === '==') {
    const left = cond.childForFieldName('left');
    const right = cond.childForFieldName('right');
    if (left && right && left.text === loopCounter(loop) && !mentionsAny(right, boundInLoop(loop, false, left.text))) {
      return true;
    }
    if (right && /^(nil|""|0|false)$/.test(right.text)) subject = left;
  } else if (cond.type === 'unary_expression' && cond.child(0)?.type === '!') {
    subject = cond.namedChildren[0] ?? null;
  }
  if (!subject || !/^[\w.]+$/.test(subject.text)) return false;
  const root = subject.text.split('.')[0];
  if (boundInLoop(loop, false).has(root)) return false;
  const consequence = ifStmt.childForFieldName('consequence');
  return !!consequence && assignedIn(consequence, subject.text);
}

/**
 * `case <-t.C:` for a timer made before the loop and never Reset, or a case that sets the
 * channel it receives from to nil: either fires once.
 */
function caseFiresOnce(clause: SyntaxNode, loop: SyntaxNode, fn: SyntaxNode): boolean {
  const channel = receivedChannel(clause);
  if (!channel) return false;
  if (assignedIn(clause, channel.text)) return true;
  if (channel.type !== 'selector_expression' || channel.childForFieldName('field')?.text !== 'C') return false;
  const timer = channel.childForFieldName('operand')?.text;
  if (!timer) return false;
  const made = fn.descendantsOfType('short_var_declaration').some((d) => {
    const names = boundNames(d);
    const values = d.childForFieldName('right')?.namedChildren ?? [];
    const i = names.findIndex((n) => n.text === timer);
    return i >= 0 && !contains(loop, d) && /(^|\.)NewTimer$/.test(values[i]?.childForFieldName('function')?.text ?? '');
  });
  // `if t.Stop() { t.Reset(d) }` re-arms a timer that had not fired yet: it still fires once.
  const reset = fn
    .descendantsOfType('selector_expression')
    .some((s) => s.text === `${timer}.Reset` && !insideIfStopped(s, timer));
  return made && !reset;
}

/** Whether `node` sits in the consequence of `if t.Stop() { ... }`. */
function insideIfStopped(node: SyntaxNode, timer: string): boolean {
  for (let n = node.parent; n; n = n.parent) {
    const parent = n.parent;
    if (parent?.type !== 'if_statement' || parent.childForFieldName('consequence')?.id !== n.id) continue;
    if (parent.childForFieldName('condition')?.text.includes(`${timer}.Stop()`)) return true;
  }
  return false;
}

/** The first variable a loop's header declares: the counter, index or key, which differs on every iteration. */
function loopCounter(loop: SyntaxNode): string | undefined {
  return [...loopVariables(loop)][0];
}

/**
 * Names declared anywhere in the loop (header and body); with `assignments`, also names
 * assigned in it, since those too can hold a different value on each iteration.
 */
function boundInLoop(loop: SyntaxNode, assignments: boolean, except?: string): Set<string> {
  const names = new Set([...loopVariables(loop), ...namesBoundIn(loop, assignments)]);
  if (except) names.delete(except);
  return names;
}

/**
 * `for _, c := range conns { defer c.Close() }`: the loop only schedules the release of
 * resources that were all acquired before it, so deferring holds nothing longer.
 */
function existsBeforeLoop(resource: SyntaxNode, loop: SyntaxNode): boolean {
  const root = rootIdentifier(resource);
  const header = loop.namedChildren.find((c) => c.type === 'range_clause');
  const rangeVars = header ? boundNames(header) : [];
  if (!root || !rangeVars.some((v) => v.text === root)) return false;
  const body = loop.childForFieldName('body');
  return !!body && !namesBoundIn(body, true).has(root);
}

/**
 * The resource made in the iteration is appended, stored or sent somewhere that outlives
 * the iteration (`files = append(files, f)`, `cPaths[i] = p`, `out <- conn`): it is used
 * after the loop, so its release belongs at the end of the function.
 */
function keptAfterIteration(resource: SyntaxNode, loop: SyntaxNode, defer: SyntaxNode): boolean {
  const root = rootIdentifier(resource);
  const body = loop.childForFieldName('body');
  const declared = boundInLoop(loop, false);
  if (!root || !body || !declared.has(root)) return false;
  return identifierUses(body, root).some((use) => {
    if (contains(defer, use)) return false;
    const escape = escapeOf(use);
    if (escape === 'sent') return true;
    if (escape === 'stored') {
      const target = storeTarget(use);
      return !!target && !boundInLoop(loop, true).has(target);
    }
    const call = use.parent?.type === 'argument_list' ? use.parent.parent : null;
    if (escape !== 'passed' || call?.childForFieldName('function')?.text !== 'append') return false;
    const target = storeTarget(call);
    return !!target && !declared.has(target);
  });
}

/** `items[i].mu` or `s.mu` where s is the range value: a different lock on each iteration. */
function changesPerIteration(expr: SyntaxNode, loop: SyntaxNode): boolean {
  return mentionsAny(expr, boundInLoop(loop, true));
}

/** The loop locks the same mutex again on its next iteration: `mu.Lock(); defer mu.Unlock()`. */
function relocksEachIteration(lock: NonNullable<Held['lock']>, loop: SyntaxNode): boolean {
  if (changesPerIteration(lock.receiver, loop)) return false;
  const want = `${lock.receiver.text}.${lock.lockMethod}`;
  return loop
    .descendantsOfType('call_expression')
    .some((c) => c.childForFieldName('function')?.text === want && enclosingFunction(c)?.id === enclosingFunction(loop)?.id);
}

/**
 * `for _, name := range []string{"a", "b"}`, or a range over a variable (local, or package
 * level like a generator's table of curves) that the package only ever binds to such
 * literals, reslices of itself, or (a local) appends of single elements outside loops: a
 * fixed, visible handful of iterations.
 */
function rangesOverFixedList(pkg: Package, file: GoFile, loop: SyntaxNode): boolean {
  const header = loop.namedChildren.find((c) => c.type === 'range_clause');
  const right = header?.childForFieldName('right');
  if (!right) return false;
  if (right.type === 'composite_literal') return true;
  const obj = right.type === 'identifier' ? objectOf(pkg, file, right) : null;
  if (obj?.kind !== 'var') return false;
  const uses = usesOf(pkg, obj);
  // `&list` may grow it behind the package's back.
  if (uses.some((u) => u.parent?.type === 'unary_expression' && u.parent.child(0)?.type === '&')) return false;
  const values = [declaredValue(obj), ...uses.map((u) => (isAssignedTo(u) ? (assignedValue(u) ?? u) : null))].filter(
    (v): v is SyntaxNode => v !== null,
  );
  const self = (n: SyntaxNode | null | undefined) => n?.type === 'identifier' && objectOf(pkg, fileOfNode(pkg, n), n) === obj;
  const fixed = (v: SyntaxNode): boolean => {
    if (v.type === 'composite_literal' || v.type === 'nil') return true;
    if (v.type === 'slice_expression') return self(v.childForFieldName('operand'));
    // `roots = append(roots, dir)` outside any loop of a function: one more element each, a handful in all.
    const args = v.type === 'call_expression' && v.childForFieldName('function')?.text === 'append' ? v.childForFieldName('arguments') : null;
    if (!args || !obj.fn || !self(args.namedChildren[0]) || args.text.includes('...')) return false;
    return enclosingLoops(v).length === 0 && enclosingFunction(v)?.id === obj.fn.id;
  };
  return values.length > 0 && values.every(fixed);
}

/** The value a variable is declared with (`var x = v`, `x := v`), if any. */
function declaredValue(obj: GoObject): SyntaxNode | null {
  const decl = obj.decl;
  if (decl?.type !== 'var_spec' && decl?.type !== 'short_var_declaration') return null;
  const values = decl.childForFieldName(decl.type === 'var_spec' ? 'value' : 'right')?.namedChildren ?? [];
  return values.length === boundNames(decl).length ? (values[obj.index] ?? null) : null;
}

/**
 * Whether the iteration itself releases what the defer does, on every way round the loop:
 * the same call on the same value (`f.Close()` after `defer f.Close()`), in a statement
 * list between the defer and the loop body, with no `continue` between them that skips it.
 * The defer then only covers the returns before that release.
 */
function releasedEachIteration(pkg: Package, file: GoFile, defer: SyntaxNode, call: SyntaxNode, loop: SyntaxNode): boolean {
  const body = loop.childForFieldName('body');
  if (!body || unparen(call.childForFieldName('function') ?? call).type === 'func_literal') return false;
  for (let n: SyntaxNode = defer; n.parent && n.id !== body.id; n = n.parent) {
    if (n.parent.type !== 'statement_list') continue;
    const release = statementsOf(n.parent).find((s) => s.startIndex > n.endIndex && releaseCalls(s).some((c) => sameCall(pkg, file, c, call)));
    if (!release) continue;
    const skips = ownDescendantsOfType(body, 'continue_statement').some((c) => {
      if (c.startIndex < defer.endIndex || c.startIndex > release.startIndex) return false;
      const target = jumpTarget(c);
      return !!target && contains(target, loop);
    });
    return !skips;
  }
  return false;
}

/** The calls a statement makes whatever way it goes: `f.Close()`, `err = f.Close()`, `if err := f.Close(); ...`. */
function releaseCalls(stmt: SyntaxNode): SyntaxNode[] {
  const header = stmt.type === 'if_statement' ? stmt.childForFieldName('initializer') : stmt;
  if (!header) return [];
  if (header.type === 'expression_statement') return header.namedChildren.filter((c) => c.type === 'call_expression');
  if (header.type === 'assignment_statement' || header.type === 'short_var_declaration') {
    return (header.childForFieldName('right')?.namedChildren ?? []).filter((c) => c.type === 'call_expression');
  }
  return [];
}

/** The same call written twice on the same values: equal text, and each identifier in it the same object. */
function sameCall(pkg: Package, file: GoFile, a: SyntaxNode, b: SyntaxNode): boolean {
  if (a.text !== b.text) return false;
  const ids = (n: SyntaxNode) => n.descendantsOfType('identifier');
  const [x, y] = [ids(a), ids(b)];
  return x.length === y.length && x.every((id, i) => objectOf(pkg, file, id) === objectOf(pkg, file, y[i]));
}

/** The loop's clause (`i := 0; i < n; i++`, `_, p := range paths`) or its `for` keyword. */
function loopHeader(loop: SyntaxNode): SyntaxNode {
  return loopClause(loop) ?? loop.child(0) ?? loop;
}

/**
 * The statement in the loop that made what the defer holds (`f, err := os.Open(p)`), or the
 * `mu.Lock()` a re-locking loop blocks in; else the defer.
 */
function evidenceFor(defer: SyntaxNode, held: Held | null, loop: SyntaxNode, file: GoFile): { node: SyntaxNode; file: GoFile }[] {
  const lock = held?.lock;
  if (lock) {
    const want = `${lock.receiver.text}.${lock.lockMethod}`;
    const locking = loop.descendantsOfType('call_expression').find((c) => c.childForFieldName('function')?.text === want);
    if (locking) return [{ node: locking, file }];
  }
  const root = held?.resource ? rootIdentifier(held.resource) : null;
  const made = root
    ? loop
        .descendantsOfType(['short_var_declaration', 'assignment_statement'])
        .filter((d) => d.endIndex <= defer.startIndex)
        .filter((d) => boundNames(d).some((l) => l.text === root))
        .pop()
    : undefined;
  return [{ node: made ?? defer, file }];
}

function messageFor(
  call: SyntaxNode,
  held: Held | null,
  loop: SyntaxNode,
  fnName: string | null,
  endless: boolean,
  deadlock: boolean,
  reason: string,
): string {
  const callee = unparen(call.childForFieldName('function') ?? call);
  // A long argument list says little the line does not: `layer.ReleaseAndLog(...)`.
  const flat = call.text.replace(/\s+/g, ' ');
  const shown = callee.type === 'func_literal' ? 'func() {...}()' : flat.length <= 32 ? flat : `${oneLine(callee.text)}(...)`;
  const fn = fnName ?? 'the enclosing func literal';
  if (deadlock && held?.lock) {
    const mu = oneLine(held.lock.receiver.text);
    const when = endless ? 'never runs, since this loop never ends' : `waits for ${fn} to return`;
    const blocks =
      held.lock.lockMethod === 'Lock'
        ? `the next iteration's ${mu}.Lock() blocks forever`
        : `once a writer waits, the next iteration's ${mu}.RLock() blocks forever`;
    return `defer ${shown} ${when}: ${blocks} (${reason})`;
  }
  if (!held) {
    return `defer ${shown} never runs: this loop never ends, so every iteration adds a deferred call to memory (${reason})`;
  }
  const perIteration = !held.resource || changesPerIteration(held.resource, loop);
  if (endless) {
    const kept = perIteration ? `every iteration's ${held.what} stays ${held.state} for good` : `deferred calls pile up`;
    return `defer ${shown} never runs: this loop never ends, so ${kept} (${reason})`;
  }
  if (perIteration) return `defer ${shown} waits for ${fn} to return, keeping every iteration's ${held.what} ${held.state} (${reason})`;
  const kept = `${held.what} stays ${held.state} until then, with one more deferred call per iteration`;
  return `defer ${shown} waits for ${fn} to return: ${kept} (${reason})`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 48 ? `${flat.slice(0, 45)}...` : flat;
}
