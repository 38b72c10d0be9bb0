import type { SyntaxNode, Tree } from '../tree.js';
import type { GoFile, Package } from '../../engine/types.js';
import { FUNCTION_TYPES, isTestCode, lineOf, unparen } from '../syntax.js';
import { callersOf, calleesOf } from './calls.js';
import { objectOf, usesOf } from './names.js';
import { assignedValue } from '../escape.js';
import { statementsOf } from '../flow.js';
import { selectorsOfField } from '../package.js';
import { deref, fieldOfSelector, fileOfNode, isNamed, receiverTypeName, typeOf, underlying } from './types.js';

/**
 * How often a statement can run, least to most. A leak needs something that accumulates:
 * per call or per iteration. Once per value is per call of the constructor, bounded by the
 * values that live.
 */
export type Frequency = 'once-per-process' | 'once-per-value' | 'per-call' | 'per-iteration';

const ORDER: Frequency[] = ['once-per-process', 'once-per-value', 'per-call', 'per-iteration'];

export interface HowOften {
  kind: Frequency;
  /** Why, for a message: "in main", "per call of (*Client).Watch", "in the loop at line 12 of poll". */
  reason: string;
  /**
   * For "per iteration of the loop at ...", a loop that reaches the node through calls: those
   * calls, from the one in the loop to the one that enters the node's function. The message
   * names the loop only; the calls are for related locations (see loopCallsRelated).
   */
  via?: SyntaxNode[];
}

const byTree = new WeakMap<Tree, Map<number, HowOften>>();
const inProgress = new Set<string>();

/** The reason without the model's note on a function nothing in the package calls: messages stay one short sentence. */
export function withoutNote(reason: string): string {
  return reason.replace(/ \(no caller in the package\)$/, '');
}

/** How often `node` runs, with the reason. */
export function frequencyOf(pkg: Package, node: SyntaxNode): HowOften {
  let child: SyntaxNode = node;
  for (let n = node.parent; n; child = n, n = n.parent) {
    // A loop's body repeats; its initializer and range expression run once.
    if (n.type === 'for_statement' && child.type === 'block') {
      return { kind: 'per-iteration', reason: `in ${loopPlace(n)}` };
    }
    if (n.type === 'if_statement' && n.childForFieldName('consequence')?.id === child.id) {
      const how = nilGuardFrequency(pkg, n);
      if (how) return how;
    }
    if (n.type === 'func_literal') {
      const how = literalFrequency(pkg, n);
      if (how) return how;
      continue; // called in place, started or deferred where it stands, or bound to a local: runs where it is written
    }
    if (FUNCTION_TYPES.has(n.type)) return functionFrequency(pkg, n);
  }
  return { kind: 'once-per-process', reason: 'in a package-level initializer' };
}

/**
 * A func literal that does not run where it is written: inside `once.Do`, or handed to code
 * the model cannot see (another package's call, a field, a return). Null when it runs in place.
 */
function literalFrequency(pkg: Package, lit: SyntaxNode): HowOften | null {
  let ref: SyntaxNode = lit;
  while (ref.parent?.type === 'parenthesized_expression') ref = ref.parent;
  const parent = ref.parent;
  if (parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === ref.id) return null;
  if (parent?.type === 'argument_list') {
    const call = parent.parent!;
    const file = fileOfNode(pkg, lit);
    const once = onceOfDo(pkg, file, call);
    if (once) return once;
    if (calleesOf(pkg, file, call).length) return null; // package code runs it while the call lasts (approximately)
    const callee = call.childForFieldName('function')?.text ?? 'a call';
    return { kind: 'per-call', reason: `in a callback handed to ${callee}` };
  }
  if (parent?.type === 'expression_list' && parent.parent?.type === 'short_var_declaration') return null;
  if (parent?.type === 'expression_list' && parent.parent?.type === 'var_spec') return null;
  if (parent?.type === 'expression_list' && parent.parent?.type === 'assignment_statement') {
    const target = parent.parent.childForFieldName('left')?.namedChildren[0];
    if (target?.type === 'identifier') return null;
  }
  return { kind: 'per-call', reason: 'in a func value stored or returned' };
}

/**
 * Lazy initialization, `if x.f == nil { x.f = ...; ... }`: the body runs once per life of
 * what it fills, when nothing in the package sets it back to nil — once per value for a
 * field, once per process for a package variable, as often as its declaration for a local.
 */
function nilGuardFrequency(pkg: Package, ifStmt: SyntaxNode): HowOften | null {
  const cond = ifStmt.childForFieldName('condition');
  const c = cond ? unparen(cond) : null;
  if (c?.type !== 'binary_expression' || c.childForFieldName('operator')?.type !== '==') return null;
  const [left, right] = [c.childForFieldName('left'), c.childForFieldName('right')].map((x) => (x ? unparen(x) : null));
  const guarded = right?.type === 'nil' ? left : left?.type === 'nil' ? right : null;
  if (guarded?.type !== 'identifier' && guarded?.type !== 'selector_expression') return null;
  const file = fileOfNode(pkg, ifStmt);
  const same = sameVariable(pkg, file, guarded);
  const body = ifStmt.childForFieldName('consequence');
  const fills = (body ? statementsOf(body) : []).some(
    (stmt) => stmt.type === 'assignment_statement' && (stmt.childForFieldName('left')?.namedChildren ?? []).some((t) => same(file, t)),
  );
  if (!fills) return null;
  const nilled = (target: SyntaxNode) => {
    const value = assignedValue(target);
    return value !== null && unparen(value).type === 'nil';
  };
  if (guarded.type === 'identifier') {
    const obj = objectOf(pkg, file, guarded);
    if (!obj || (obj.kind !== 'var' && obj.kind !== 'param') || usesOf(pkg, obj).some(nilled)) return null;
    if (!obj.fn) return { kind: 'once-per-process', reason: `once, while ${obj.name} is nil` };
    return obj.kind === 'param' || !obj.ident ? functionFrequency(pkg, obj.fn) : frequencyOf(pkg, obj.ident);
  }
  const field = fieldOfSelector(pkg, file, guarded);
  if (!field) return null;
  for (const sel of selectorsOfField(pkg, field.name)) {
    if (nilled(sel) && fieldOfSelector(pkg, fileOfNode(pkg, sel), sel) === field) return null;
  }
  return { kind: 'once-per-value', reason: `once per ${field.owner.name} value (made while ${guarded.text} is nil)` };
}

/** A test for "is `target` the variable or field `x` denotes": same object, or same field of the same operand text. */
function sameVariable(pkg: Package, file: GoFile, x: SyntaxNode): (f: GoFile, target: SyntaxNode) => boolean {
  if (x.type === 'identifier') {
    const obj = objectOf(pkg, file, x);
    return (f, t) => t.type === 'identifier' && obj !== null && objectOf(pkg, f, t) === obj;
  }
  const field = fieldOfSelector(pkg, file, x);
  return (f, t) => t.type === 'selector_expression' && t.text === x.text && field !== null && fieldOfSelector(pkg, f, t) === field;
}

/** `once.Do(f)` on a sync.Once: once per process for a package-level Once, once per value for a field. */
function onceOfDo(pkg: Package, file: GoFile, call: SyntaxNode): HowOften | null {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'selector_expression' || callee.childForFieldName('field')?.text !== 'Do') return null;
  const operand = unparen(callee.childForFieldName('operand')!);
  const t = typeOf(pkg, file, operand);
  // Where the type cannot be seen, a heuristic named as one: a receiver named like a Once.
  if (!isNamed(t, 'sync', 'Once') && !(t.kind === 'unknown' && /once/i.test(operand.text))) return null;
  if (operand.type === 'identifier') {
    const obj = objectOf(pkg, file, operand);
    if (obj && !obj.fn) return { kind: 'once-per-process', reason: `behind sync.Once ${operand.text}` };
  }
  if (operand.type === 'selector_expression' && fieldOfSelector(pkg, file, operand)) {
    return { kind: 'once-per-value', reason: `behind sync.Once ${operand.text}, once per value` };
  }
  return { kind: 'once-per-value', reason: `behind sync.Once ${operand.text}` };
}

/** How often a function or method runs: from its name (init, main, a constructor) or from its callers in the package. */
export function functionFrequency(pkg: Package, fn: SyntaxNode): HowOften {
  let cache = byTree.get(fn.tree);
  if (!cache) byTree.set(fn.tree, (cache = new Map()));
  const known = cache.get(fn.id);
  if (known) return known;
  const key = `${fileOfNode(pkg, fn).path}:${fn.id}`;
  if (inProgress.has(key)) return { kind: 'per-call', reason: `per call of ${displayName(fn)} (recursive)` };
  inProgress.add(key);
  try {
    const how = computeFunctionFrequency(pkg, fn);
    cache.set(fn.id, how);
    return how;
  } finally {
    inProgress.delete(key);
  }
}

function computeFunctionFrequency(pkg: Package, fn: SyntaxNode): HowOften {
  const name = fn.childForFieldName('name')?.text ?? '';
  const display = displayName(fn);
  if (fn.type === 'function_declaration' && name === 'init') return { kind: 'once-per-process', reason: 'in init' };
  // The runtime's own main is the process's main goroutine: the runtime starts it once.
  if (fn.type === 'function_declaration' && name === 'main' && (pkg.name === 'main' || pkg.name === 'runtime')) {
    return { kind: 'once-per-process', reason: 'in main' };
  }
  if (fn.type === 'func_literal') {
    const outer = enclosing(fn);
    return outer ? functionFrequency(pkg, outer) : { kind: 'once-per-process', reason: 'in a package-level initializer' };
  }
  // Another package can call an exported name at any rate; package main has no importers.
  const exported = /^[A-Z]/.test(name) && pkg.name !== 'main';
  const constructor = fn.type === 'function_declaration' && /^[Nn]ew[A-Z_]?/.test(name);
  if (exported) {
    return constructor ? { kind: 'once-per-value', reason: `once per value built by ${display}` } : { kind: 'per-call', reason: `per call of ${display}` };
  }
  const callers = callersOf(pkg, fn);
  // How often production code runs it: for code outside _test.go files, the tests' calls do not count.
  const production = !fileOfNode(pkg, fn).isTest;
  const sites = callers.sites.filter((s) => !production || !s.file.isTest);
  const allEscapes = callers.escapes.filter((e) => !production || !fileOfNode(pkg, e).isTest);
  // `once.Do(s.start)`: handed to a sync.Once, it runs as often as the Once allows.
  const onceRuns = allEscapes.map((e) => handedToOnce(pkg, e));
  const escapes = allEscapes.filter((_, i) => !onceRuns[i]);
  if (escapes.length || sites.length + allEscapes.length === 0) {
    if (constructor) return { kind: 'once-per-value', reason: `once per value built by ${display}` };
    const why = escapes.length ? ' (used as a value)' : callers.sites.length ? ' (called only from tests)' : ' (no caller in the package)';
    return { kind: 'per-call', reason: `per call of ${display}${why}` };
  }
  let worst: { how: HowOften; call: SyntaxNode } | null = null;
  const runs = [
    ...sites.map((site) => ({ how: frequencyOf(pkg, site.call), call: site.call })),
    ...allEscapes.flatMap((e, i) => (onceRuns[i] ? [{ how: onceRuns[i]!, call: e }] : [])),
  ];
  for (const run of runs) {
    if (!worst || ORDER.indexOf(run.how.kind) > ORDER.indexOf(worst.how.kind)) worst = run;
  }
  const w = worst!.how;
  if (w.kind === 'once-per-process') return { kind: w.kind, reason: /^\S+ is only called /.test(w.reason) ? w.reason : `${display} is only called ${w.reason}` };
  // The message names the loop; the calls from it to here are kept for related locations.
  if (w.kind === 'per-iteration') {
    return { kind: w.kind, reason: w.reason.replace(/^in the loop /, 'per iteration of the loop '), via: [...(w.via ?? []), worst!.call] };
  }
  if (constructor) return { kind: 'once-per-value', reason: `once per value built by ${display}` };
  return { kind: w.kind, reason: w.kind === 'per-call' ? `per call of ${display}` : w.reason };
}

/**
 * Whether only test code runs `node`: it is test code itself (a `_test.go` file, a function
 * taking a `*testing.T`), or its function is unexported and every caller in the package is
 * only run by tests (a helper of a test-support package). Exported code may have callers elsewhere.
 */
export function onlyTestsRun(pkg: Package, node: SyntaxNode): boolean {
  const file = fileOfNode(pkg, node);
  if (isTestCode(node, file.isTest)) return true;
  let fn = enclosing(node);
  while (fn?.type === 'func_literal') fn = enclosing(fn);
  return fn ? onlyTestsCall(pkg, fn, new Set()) : false;
}

function onlyTestsCall(pkg: Package, fn: SyntaxNode, seen: Set<SyntaxNode>): boolean {
  const name = fn.childForFieldName('name')?.text ?? '';
  if (/^[A-Z]/.test(name) || name === 'main' || name === 'init') return false;
  if ([...seen].some((s) => s.id === fn.id && s.tree === fn.tree)) return true; // a cycle adds no caller outside tests
  seen.add(fn);
  const { sites, escapes } = callersOf(pkg, fn);
  if (escapes.length || sites.length === 0) return false;
  return sites.every((site) => {
    if (isTestCode(site.call, site.file.isTest)) return true;
    let caller = enclosing(site.call);
    while (caller?.type === 'func_literal') caller = enclosing(caller);
    return caller !== null && onlyTestsCall(pkg, caller, seen);
  });
}

/**
 * How often a function handed as a value to `once.Do` runs (`once.Do(s.start)`): as often
 * as the Do call allows, and no more often than the Do call itself runs. Null for any other use.
 */
function handedToOnce(pkg: Package, ref: SyntaxNode): HowOften | null {
  const args = ref.parent;
  const call = args?.type === 'argument_list' ? args.parent : null;
  if (!call || args!.namedChildren.length !== 1) return null;
  const once = onceOfDo(pkg, fileOfNode(pkg, call), call);
  if (!once) return null;
  const around = frequencyOf(pkg, call);
  return ORDER.indexOf(around.kind) < ORDER.indexOf(once.kind) ? around : once;
}

/** `F`, `(*T).M`, or `a func literal in F`. */
export function displayName(fn: SyntaxNode | null): string {
  if (!fn) return 'package initialization';
  const name = fn.childForFieldName('name')?.text;
  if (fn.type === 'function_declaration' && name) return name;
  if (fn.type === 'method_declaration' && name) {
    const recv = fn.childForFieldName('receiver')?.namedChildren.find((c) => c.type === 'parameter_declaration');
    const pointer = recv?.childForFieldName('type')?.type === 'pointer_type';
    const type = receiverTypeName(fn) ?? '?';
    return pointer ? `(*${type}).${name}` : `${type}.${name}`;
  }
  return `a func literal in ${displayName(enclosing(fn))}`;
}

/** "the loop at line 12 of poll": by the declared function around it, a func literal's line being enough to find it. */
function loopPlace(loop: SyntaxNode): string {
  let fn = enclosing(loop);
  while (fn?.type === 'func_literal') fn = enclosing(fn);
  return `the loop at line ${lineOf(loop)} of ${displayName(fn)}`;
}

function enclosing(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
  return null;
}

/** The loop whose body holds `node`, within its function. */
export function innermostLoop(node: SyntaxNode): SyntaxNode | null {
  let child = node;
  for (let n = node.parent; n && !FUNCTION_TYPES.has(n.type); child = n, n = n.parent) {
    if (n.type === 'for_statement' && child.type === 'block') return n;
  }
  return null;
}

/**
 * A loop that ends after as many iterations as its data: a range over a slice, map, array,
 * string or integer, or a three-clause loop with a condition; in init-time code, any range
 * (over a list read at startup). A loop without a condition, a `for cond`, or a range over a
 * channel runs as long as something feeds it.
 */
export function isBoundedLoop(pkg: Package, file: GoFile, loop: SyntaxNode, inOnceCode: boolean): boolean {
  const clause = loop.namedChildren.find((c) => c.type === 'for_clause' || c.type === 'range_clause');
  if (!clause) return false;
  if (clause.type === 'for_clause') return clause.childForFieldName('condition') !== null;
  const over = clause.childForFieldName('right');
  const u = over ? underlying(pkg, deref(typeOf(pkg, file, over))) : null;
  if (u?.kind === 'chan') return false;
  return inOnceCode || (!!u && u.kind !== 'unknown' && u.kind !== 'func');
}

const COMPARE_AND_SWAP = /(CompareAndSwap\w*|Cas\w*)$/;

/**
 * A heuristic, named as one, for starts of long-lived things (goroutines): `node` runs once
 * per process (or once per key of a registry) behind a check on package-level state that its
 * function sets — `if started != nil { return }; started = ...`, `if atomic.CompareAndSwapInt32(&running, 0, 1) {`,
 * `if w, ok := workers[key]; ok { return w }; workers[key] = w`, `for started < limit { go w(); started++ }`. Not for what grows: a cache
 * filled behind `if _, ok := cache[k]; ok` is the same shape. Null when no such check guards it.
 */
export function startOnceGuard(pkg: Package, node: SyntaxNode): HowOften | null {
  let fn: SyntaxNode | null = enclosing(node);
  while (fn?.type === 'func_literal') fn = enclosing(fn);
  if (!fn) return null;
  const file = fileOfNode(pkg, fn);
  const isPackageVar = (id: SyntaxNode) => {
    const obj = objectOf(pkg, file, id);
    return obj?.kind === 'var' && obj.fn === null;
  };
  const assigned = new Set<string>();
  for (const a of fn.descendantsOfType(['assignment_statement', 'inc_statement', 'dec_statement'])) {
    const target = a.type === 'assignment_statement' ? a.childForFieldName('left') : a.namedChildren[0];
    for (const id of target?.descendantsOfType('identifier') ?? []) if (isPackageVar(id)) assigned.add(id.text);
    if (target?.type === 'identifier' && isPackageVar(target)) assigned.add(target.text);
  }
  for (const header of guardHeaders(node, fn)) {
    const cas = header.descendantsOfType('call_expression').some((c) => COMPARE_AND_SWAP.test(c.childForFieldName('function')?.text ?? ''));
    const state = header.descendantsOfType('identifier').find((id) => assigned.has(id.text) && isPackageVar(id));
    if (cas || state) {
      return { kind: 'once-per-process', reason: `behind the start-once check at line ${lineOf(header)} of ${displayName(fn)}` };
    }
  }
  return null;
}

/**
 * The headers (initializer and condition) of the `if` statements that decide whether `node`
 * runs: those around it, and those before it whose body returns.
 */
function guardHeaders(node: SyntaxNode, fn: SyntaxNode): SyntaxNode[] {
  const headers: SyntaxNode[] = [];
  const headerOf = (ifStmt: SyntaxNode) => ['initializer', 'condition'].flatMap((field) => ifStmt.childForFieldName(field) ?? []);
  for (let n: SyntaxNode = node; n.parent && n.id !== fn.id; n = n.parent) {
    const parent = n.parent;
    if (parent.type === 'if_statement' && parent.childForFieldName('consequence')?.id === n.id) headers.push(...headerOf(parent));
    // `for started < limit { go worker(); started++ }`: a pool grown up to a bound, once.
    if (parent.type === 'for_statement' && parent.childForFieldName('body')?.id === n.id) {
      const clause = parent.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment');
      const condition = clause?.type === 'for_clause' ? clause.childForFieldName('condition') : clause?.type === 'range_clause' ? null : clause;
      if (condition) headers.push(condition);
    }
    if (parent.type !== 'statement_list') continue;
    for (const before of parent.namedChildren) {
      if (before.startIndex >= n.startIndex) break;
      const consequence = before.type === 'if_statement' ? before.childForFieldName('consequence') : null;
      if (consequence && statementsOf(consequence).at(-1)?.type === 'return_statement') headers.push(...headerOf(before));
    }
  }
  return headers;
}
