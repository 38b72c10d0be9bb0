import type { SyntaxNode, Tree } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { terminates, statementsOf } from './flow.js';
import { calleesOf } from './model/calls.js';
import { objectOf, usesOf } from './model/names.js';
import { isAssignedTo } from './escape.js';
import { declOf, fieldOf, fileOfNode, isNamed, typeFromSyntax, typeOf, type GoType } from './model/types.js';
import { callsNamed, nodesOfType, nodesWithin } from './nodes.js';
import { contains, FUNCTION_TYPES, unparen } from './syntax.js';

export type LockOp = 'Lock' | 'Unlock' | 'RLock' | 'RUnlock';

/** A call that locks or unlocks a mutex: `s.mu.Lock()`, `mu.RUnlock()`, `s.Lock()` on a type embedding sync.Mutex. */
export interface LockSite {
  call: SyntaxNode;
  op: LockOp;
  /** The mutex as written (`s.mu`; `s` for an embedded one): within one function, the same text is the same mutex. */
  key: string;
  /** The mutex expression. */
  mutex: SyntaxNode;
  /** `defer mu.Unlock()`. */
  deferred: boolean;
}

const OPS = new Set(['Lock', 'Unlock', 'RLock', 'RUnlock']);
/**
 * A heuristic, named as one: where the model cannot see the operand's type, a mutex is
 * recognised by its name (`mu`, `mtx`, `stateMu`, `connLock`).
 */
const MUTEX_NAME = /(^|\.)(mu|mtx|mutex|lock|rwmu|\w*(Mu|Mtx|Mutex|Lock))$/;

/** The lock or unlock a call performs, if it is one. */
export function lockSiteOf(pkg: Package, file: GoFile, call: SyntaxNode): LockSite | null {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'selector_expression') return null;
  const op = callee.childForFieldName('field')?.text ?? '';
  const operand = callee.childForFieldName('operand');
  if (!OPS.has(op) || !operand || (call.childForFieldName('arguments')?.namedChildCount ?? 0) > 0) return null;
  const mutex = unparen(operand);
  if (!isMutex(pkg, file, mutex)) return null;
  const deferred = call.parent?.type === 'defer_statement';
  return { call, op: op as LockOp, key: mutex.text.replace(/\s+/g, ''), mutex, deferred };
}

function isMutex(pkg: Package, file: GoFile, expr: SyntaxNode): boolean {
  const t = typeOf(pkg, file, expr);
  if (isSyncMutex(t)) return true;
  // A type of the package that embeds a mutex has its Lock and Unlock.
  if (declOf(pkg, t)) return !!embeddedMutex(pkg, t);
  // So does an anonymous struct that embeds one (`mu struct { sync.Mutex; n int }`).
  if (t.kind === 'struct') return structEmbedsMutex(pkg, t);
  return t.kind === 'unknown' && MUTEX_NAME.test(expr.text);
}

/** Whether an anonymous struct type embeds sync.Mutex or sync.RWMutex. */
export function structEmbedsMutex(pkg: Package, t: GoType & { kind: 'struct' }): boolean {
  const list = t.node.namedChildren.find((c) => c.type === 'field_declaration_list');
  return (list?.namedChildren ?? []).some(
    (f) => f.type === 'field_declaration' && !f.childForFieldName('name') && isSyncMutex(typeFromSyntax(pkg, t.file, f.childForFieldName('type'))),
  );
}

export function isSyncMutex(t: GoType): boolean {
  return isNamed(t, 'sync', 'Mutex') || isNamed(t, 'sync', 'RWMutex');
}

export function embeddedMutex(pkg: Package, t: GoType): string | null {
  for (const name of ['Mutex', 'RWMutex']) {
    const f = fieldOf(pkg, t, name);
    if (f?.embedded) return name;
  }
  return null;
}

/** The lock and unlock calls of a function's own body (not of the func literals in it); computed once per function. */
export function lockSites(pkg: Package, fn: SyntaxNode): LockSite[] {
  // Node ids are unique within one tree: one map per file's tree.
  let byFn = sitesOfTree.get(fn.tree);
  if (!byFn) sitesOfTree.set(fn.tree, (byFn = new Map()));
  let sites = byFn.get(fn.id);
  if (!sites) {
    const file = fileOfNode(pkg, fn);
    sites = [];
    for (const call of lockCallsOf(file, fn)) {
      const site = lockSiteOf(pkg, file, call);
      if (site) sites.push(site);
    }
    byFn.set(fn.id, sites);
  }
  return sites;
}

/** A mutex a function locks (not one it is entered holding): the function's lock sites, and the first of that mutex. */
export interface LockedMutex {
  file: GoFile;
  fn: SyntaxNode;
  key: string;
  sites: LockSite[];
  first: LockSite;
}

/** Every function of the files that lock anything, with each mutex whose first use in it is a lock. */
export function* lockedMutexes(pkg: Package): Generator<LockedMutex> {
  for (const file of pkg.files) {
    if (!file.source.includes('Lock()')) continue;
    for (const fn of [...nodesOfType(file, 'function_declaration'), ...nodesOfType(file, 'method_declaration'), ...nodesOfType(file, 'func_literal')]) {
      const sites = lockSites(pkg, fn);
      for (const key of new Set(sites.map((s) => s.key))) {
        const first = sites.find((s) => s.key === key)!;
        if (first.op === 'Lock' || first.op === 'RLock') yield { file, fn, key, sites, first };
      }
    }
  }
}

const sitesOfTree = new WeakMap<Tree, Map<number, LockSite[]>>();
const callsOfFile = new WeakMap<GoFile, Map<number, SyntaxNode[]>>();
const lockCallsOfFile = new WeakMap<GoFile, Map<number, SyntaxNode[]>>();

/**
 * The calls of a function's own body spelled as a lock or unlock (`x.Lock()`, `mu.RUnlock()`),
 * grouped once per file: found from the text, so a function's other calls are never read.
 */
function lockCallsOf(file: GoFile, fn: SyntaxNode): SyntaxNode[] {
  let byOwner = lockCallsOfFile.get(file);
  if (!byOwner) lockCallsOfFile.set(file, (byOwner = byInnermostFunction(file, callsNamed(file, [...OPS]))));
  return byOwner.get(fn.id) ?? [];
}

/**
 * The calls of a function's own body, grouped once per file: each call goes to the innermost
 * function around it, found by one sweep over the file's functions and calls in source order
 * (asking each call for its parents instead costs a walk from the root per step in the native
 * parser's trees, and a search of each function's subtree visits nested functions again).
 */
export function callsOf(file: GoFile, fn: SyntaxNode): SyntaxNode[] {
  let byOwner = callsOfFile.get(file);
  if (!byOwner) callsOfFile.set(file, (byOwner = byInnermostFunction(file, nodesOfType(file, 'call_expression'))));
  return byOwner.get(fn.id) ?? [];
}

/** Calls (in source order) grouped by the innermost function around each, by node id; calls outside every function are left out. */
function byInnermostFunction(file: GoFile, calls: readonly SyntaxNode[]): Map<number, SyntaxNode[]> {
  const byOwner = new Map<number, SyntaxNode[]>();
  const fns = [...FUNCTION_TYPES].flatMap((t) => nodesOfType(file, t)).sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  const open: SyntaxNode[] = []; // functions that may hold the next call, outermost first
  let next = 0;
  for (const call of calls) {
    for (; next < fns.length && fns[next].startIndex <= call.startIndex; next++) {
      while (open.length && open[open.length - 1].endIndex <= fns[next].startIndex) open.pop();
      open.push(fns[next]);
    }
    while (open.length && open[open.length - 1].endIndex <= call.startIndex) open.pop();
    // A literal that starts with the call (`func() {...}()`) is inside it, not around it.
    let i = open.length - 1;
    while (i >= 0 && open[i].endIndex < call.endIndex) i--;
    if (i < 0) continue;
    const list = byOwner.get(open[i].id);
    if (list) list.push(call);
    else byOwner.set(open[i].id, [call]);
  }
  return byOwner;
}

function ownerOf(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
  return null;
}

/** Lock states as a bit set: the mutex may be unlocked, held for writing, held for reading. */
export const UNLOCKED = 1;
export const WRITE = 2;
export const READ = 4;
export const HELD = WRITE | READ;

/** What following one mutex through a function found. */
export interface LockPaths {
  key: string;
  /** The ways out of the function, with the states the mutex may be in there. */
  exits: { node: SyntaxNode; state: number }[];
  /** Lock calls reached while the mutex may already be held, with that state. */
  relocks: { site: LockSite; state: number }[];
  /** Calls reached while the mutex may be held, with that state. */
  heldCalls: { call: SyntaxNode; state: number }[];
  /** Channel sends and receives (`ch <- v`, `<-ch`) reached while the mutex may be held, with that state. */
  heldOps: { op: SyntaxNode; state: number }[];
  /** The function has a `defer` unlock of it: every way out releases it. */
  deferredUnlock: boolean;
  /** Some path unlocks it by calling a release helper (`unlock := func() { mu.Unlock() }; ...; unlock()`). */
  helperUnlock: boolean;
  /** The function uses goto: not followed. */
  unsupported: boolean;
}

/**
 * The states of the mutex on the paths reaching a point, each with the branch conditions
 * the path has taken (`if c` taken or not, by the condition's text): an `if` on the same
 * condition later follows the same branch, as in `if n > 0 { mu.Lock() } ... if n > 0 { mu.Unlock() }`.
 */
type States = Map<string, number>;

const NONE: States = new Map();
const MAX_PATHS = 8;

function union(a: States, b: States): States {
  if (!a.size) return b;
  if (!b.size) return a;
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, (out.get(k) ?? 0) | v);
  if (out.size <= MAX_PATHS) return out;
  // Too many paths: forget the conditions.
  return new Map([['', bits(out)]]);
}

function bits(st: States): number {
  let b = 0;
  for (const v of st.values()) b |= v;
  return b;
}

function set(st: States, value: number): States {
  const out: States = new Map();
  for (const k of st.keys()) out.set(k, value);
  return out;
}

interface Target {
  node: SyntaxNode;
  label: string | null;
  loop: boolean;
  breaks: States;
  continues: States;
}

/**
 * Follows mutex `key` through the statements of `fn`, from unlocked at its start, along
 * every branch, loop (to a fixed point), break, continue and return.
 */
export function followLock(pkg: Package, fn: SyntaxNode, key: string): LockPaths {
  const file = fileOfNode(pkg, fn);
  const paths: LockPaths = { key, exits: [], relocks: [], heldCalls: [], heldOps: [], deferredUnlock: false, helperUnlock: false, unsupported: false };
  const targets: Target[] = [];
  const seenRelock = new Map<number, { site: LockSite; state: number }>();
  const seenCall = new Map<number, { call: SyntaxNode; state: number }>();
  const seenOp = new Map<number, { op: SyntaxNode; state: number }>();

  const siteIn = (stmt: SyntaxNode): LockSite | null => {
    const call = stmt.type === 'expression_statement' ? unparen(stmt.namedChildren[0] ?? stmt) : null;
    if (call?.type !== 'call_expression') return null;
    const site = lockSiteOf(pkg, file, call);
    return site?.key === key ? site : null;
  };
  // What the func literals inside fn run is theirs, not fn's.
  const literals = nodesOfType(file, 'func_literal').filter((l) => l.id !== fn.id && contains(fn, l));
  const own = (n: SyntaxNode) => !literals.some((l) => l.startIndex <= n.startIndex && n.endIndex <= l.endIndex);
  const noteCalls = (stmt: SyntaxNode, st: States) => {
    const b = bits(st);
    if (!(b & HELD)) return;
    for (const call of stmt.type === 'call_expression' ? [stmt] : nodesWithin(file, 'call_expression', stmt)) {
      if (!own(call)) continue;
      const seen = seenCall.get(call.id);
      if (seen) seen.state |= b;
      else seenCall.set(call.id, { call, state: b });
    }
    // A send or receive spells `<-`.
    const ops = stmt.text.includes('<-') ? [stmt, ...stmt.descendantsOfType(['send_statement', 'unary_expression'])].filter(isChannelOp) : [];
    for (const op of ops) {
      if (!own(op)) continue;
      const seen = seenOp.get(op.id);
      if (seen) seen.state |= b;
      else seenOp.set(op.id, { op, state: b });
    }
  };

  const list = (stmts: SyntaxNode[], st: States): States => {
    let s = st;
    for (const stmt of stmts) {
      if (!s.size) break;
      s = one(stmt, s);
    }
    return s;
  };

  const one = (stmt: SyntaxNode, st: States): States => {
    switch (stmt.type) {
      case 'expression_statement': {
        const site = siteIn(stmt);
        if (site) {
          if (site.op === 'Unlock' || site.op === 'RUnlock') return set(st, UNLOCKED);
          const b = bits(st);
          if (b & HELD) {
            const seen = seenRelock.get(site.call.id);
            if (seen) seen.state |= b;
            else seenRelock.set(site.call.id, { site, state: b });
          }
          return set(st, site.op === 'Lock' ? WRITE : READ);
        }
        const call = stmt.namedChildren[0] ? unparen(stmt.namedChildren[0]) : null;
        if (call?.type === 'call_expression' && releasesThroughHelper(pkg, file, fn, call, key)) {
          paths.helperUnlock = true;
          return set(st, UNLOCKED);
        }
        noteCalls(stmt, st);
        return terminates(stmt, false) ? NONE : st;
      }
      case 'defer_statement': {
        const call = stmt.namedChildren.find((c) => c.type === 'call_expression');
        const site = call ? lockSiteOf(pkg, file, call) : null;
        if (site?.key === key && (site.op === 'Unlock' || site.op === 'RUnlock')) paths.deferredUnlock = true;
        else if (call && deferredRelease(pkg, file, fn, call, key)) paths.deferredUnlock = true;
        return st;
      }
      case 'return_statement':
        noteCalls(stmt, st);
        paths.exits.push({ node: stmt, state: bits(st) });
        return NONE;
      case 'block':
        return list(statementsOf(stmt), st);
      case 'labeled_statement': {
        const inner = stmt.namedChildren.find((c) => c.type !== 'label_name');
        const label = stmt.namedChildren.find((c) => c.type === 'label_name')?.text ?? null;
        return inner ? breakable(inner, st, label) : st;
      }
      case 'if_statement': {
        const init = stmt.childForFieldName('initializer');
        if (init) noteCalls(init, st);
        const cond = stmt.childForFieldName('condition');
        if (cond) noteCalls(cond, st);
        // A condition with a declaration in its header may differ each time: not remembered.
        const c = cond && !init ? cond.text.replace(/\s+/g, '') : null;
        const consequence = stmt.childForFieldName('consequence');
        const alternative = stmt.childForFieldName('alternative');
        let yes: States = new Map();
        let no: States = new Map();
        for (const [facts, v] of st) {
          const taken = c ? factOf(facts, c) : null;
          if (taken !== false) yes = union(yes, new Map([[c && taken === null ? addFact(facts, c, true) : facts, v]]));
          if (taken !== true) no = union(no, new Map([[c && taken === null ? addFact(facts, c, false) : facts, v]]));
        }
        const a = consequence && yes.size ? one(consequence, yes) : yes;
        const b = alternative && no.size ? one(alternative, no) : no;
        return union(a, b);
      }
      case 'for_statement':
        return loop(stmt, st, null);
      case 'expression_switch_statement':
      case 'type_switch_statement':
      case 'select_statement':
        return breakable(stmt, st, null);
      case 'break_statement': {
        const t = targetOf(stmt, false);
        if (t) t.breaks = union(t.breaks, st);
        return NONE;
      }
      case 'continue_statement': {
        const t = targetOf(stmt, true);
        if (t) t.continues = union(t.continues, st);
        return NONE;
      }
      case 'goto_statement':
        paths.unsupported = true;
        return st;
      case 'go_statement':
        return st;
      default:
        noteCalls(stmt, st);
        return st;
    }
  };

  const targetOf = (jump: SyntaxNode, loopOnly: boolean): Target | null => {
    const label = jump.namedChildren.find((c) => c.type === 'label_name')?.text ?? null;
    for (let i = targets.length - 1; i >= 0; i--) {
      const t = targets[i];
      if (label ? t.label === label : !loopOnly || t.loop) return t;
    }
    return null;
  };

  const loop = (stmt: SyntaxNode, st: States, label: string | null): States => {
    const clause = stmt.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment') ?? null;
    if (clause) noteCalls(clause, st);
    const body = stmt.childForFieldName('body');
    const endless = !clause || (clause.type === 'for_clause' && !clause.childForFieldName('condition'));
    // Conditions may change from one iteration to the next: the loop forgets them.
    let entry: States = new Map([['', bits(st)]]);
    let breaks: States = NONE;
    for (let i = 0; i < 4; i++) {
      const t: Target = { node: stmt, label, loop: true, breaks: NONE, continues: NONE };
      targets.push(t);
      const end = body ? list(statementsOf(body), entry) : entry;
      targets.pop();
      breaks = union(breaks, t.breaks);
      const next: States = new Map([['', bits(st) | bits(end) | bits(t.continues)]]);
      if (bits(next) === bits(entry)) break;
      entry = next;
    }
    return union(breaks, endless ? NONE : entry);
  };

  const breakable = (stmt: SyntaxNode, st: States, label: string | null): States => {
    if (stmt.type === 'for_statement') return loop(stmt, st, label);
    if (!['expression_switch_statement', 'type_switch_statement', 'select_statement'].includes(stmt.type)) return one(stmt, st);
    const header = stmt.childForFieldName('value') ?? stmt.childForFieldName('initializer');
    if (header) noteCalls(header, st);
    const t: Target = { node: stmt, label, loop: false, breaks: NONE, continues: NONE };
    targets.push(t);
    const cases = stmt.namedChildren.filter((c) => ['expression_case', 'type_case', 'default_case', 'communication_case'].includes(c.type));
    let out: States = NONE;
    for (const c of cases) {
      const comm = c.childForFieldName('communication');
      if (comm) noteCalls(comm, st);
      out = union(out, list(statementsOf(c), st));
    }
    targets.pop();
    const hasDefault = cases.some((c) => c.type === 'default_case');
    // A switch without a default may run no case; a select always runs one (an empty select blocks forever).
    if (stmt.type !== 'select_statement' && !hasDefault) out = union(out, st);
    return union(out, t.breaks);
  };

  const body = fn.childForFieldName('body');
  const start: States = new Map([['', UNLOCKED]]);
  const end = body ? list(statementsOf(body), start) : start;
  if (end.size && body) paths.exits.push({ node: body.lastChild ?? body, state: bits(end) });
  paths.relocks = [...seenRelock.values()];
  paths.heldCalls = [...seenCall.values()];
  paths.heldOps = [...seenOp.values()];
  return paths;
}

/** A send statement or a receive expression. */
export function isChannelOp(node: SyntaxNode): boolean {
  return node.type === 'send_statement' || (node.type === 'unary_expression' && node.child(0)?.type === '<-');
}

/** Whether the path's facts say condition `c` was taken (true), not taken (false), or nothing (null). */
function factOf(facts: string, c: string): boolean | null {
  for (const f of facts ? facts.split('\u0000') : []) {
    if (f === `+${c}`) return true;
    if (f === `-${c}`) return false;
  }
  return null;
}

function addFact(facts: string, c: string, taken: boolean): string {
  return [...(facts ? facts.split('\u0000') : []), `${taken ? '+' : '-'}${c}`].sort().join('\u0000');
}

const summaries = new WeakMap<Tree, Map<number, Set<string>>>();

/**
 * The fields of its receiver a method locks before unlocking them (`''` for a mutex the
 * receiver's type embeds), itself or through methods it calls on the same receiver.
 */
export function receiverLocks(pkg: Package, method: SyntaxNode, depth = 0): Set<string> {
  let cache = summaries.get(method.tree);
  if (!cache) summaries.set(method.tree, (cache = new Map()));
  const known = cache.get(method.id);
  if (known) return known;
  const found = new Set<string>();
  cache.set(method.id, found); // recursion ends here
  const recv = receiverName(method);
  if (!recv || method.type !== 'method_declaration') return found;
  const firstOp = new Map<string, LockOp>();
  const params = new Set(parameterNames(method));
  for (const site of lockSites(pkg, method)) {
    // A lock taken only when a parameter says so (`func (f *Fs) update(lock bool)`) is the caller's choice: not counted.
    if (site.deferred || firstOp.has(site.key) || guardedByParameter(site.call, method, params)) continue;
    firstOp.set(site.key, site.op);
  }
  for (const [key, op] of firstOp) {
    // A method whose first move on the mutex is an unlock expects it held (`...Locked` helpers).
    if (op !== 'Lock' && op !== 'RLock') continue;
    const field = fieldOfKey(key, recv);
    if (field !== null) found.add(field + (op === 'RLock' ? ':r' : ':w'));
  }
  if (depth < 4) {
    const file = fileOfNode(pkg, method);
    for (const call of callsOf(file, method)) {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'selector_expression' || callee.childForFieldName('operand')?.text !== recv) continue;
      // Like a lock, a call that locks only when a parameter says so (`if _, ok := p["token"]; !ok`) is the caller's choice.
      if (call.parent?.type === 'go_statement' || guardedByParameter(call, method, params)) continue;
      for (const target of calleesOf(pkg, file, call)) {
        if (target.type === 'method_declaration') for (const f of receiverLocks(pkg, target, depth + 1)) found.add(f);
      }
    }
  }
  return found;
}

/** `mu` for key `s.mu` and receiver `s`; `''` for key `s`; null for another root. */
export function fieldOfKey(key: string, recv: string): string | null {
  if (key === recv) return '';
  return key.startsWith(`${recv}.`) ? key.slice(recv.length + 1) : null;
}

export function receiverName(method: SyntaxNode): string | null {
  const param = method.childForFieldName('receiver')?.namedChildren.find((c) => c.type === 'parameter_declaration');
  return param?.childForFieldName('name')?.text ?? null;
}

/** The type-level name of a mutex for lock-order questions: `T.mu` for a field of T, the variable's name for a package var. */
export function mutexIdentity(pkg: Package, fn: SyntaxNode, site: LockSite): string | null {
  const file = fileOfNode(pkg, fn);
  const m = site.mutex;
  if (m.type === 'identifier') {
    const obj = objectOf(pkg, file, m);
    return obj && !obj.fn && obj.kind === 'var' ? obj.name : null;
  }
  if (m.type === 'selector_expression') {
    const operand = m.childForFieldName('operand');
    const t = operand ? typeOf(pkg, file, operand) : null;
    const decl = t ? declOf(pkg, t) : null;
    return decl ? `${decl.name}.${m.childForFieldName('field')?.text}` : null;
  }
  return null;
}


/**
 * Whether the mutex of `site` is the same mutex every time `fn` reaches it: its root
 * variable is not declared inside a loop of `fn` nor assigned after its declaration
 * (`for p := c; p != nil; p = p.parent { p.mu.Lock() ... }` locks a different mutex each time).
 */
export function sameMutexThroughout(pkg: Package, fn: SyntaxNode, site: LockSite): boolean {
  let root: SyntaxNode = site.mutex;
  while (root.type === 'selector_expression' || root.type === 'index_expression' || root.type === 'parenthesized_expression') {
    if (root.type === 'index_expression') return false;
    root = root.childForFieldName('operand') ?? root.namedChildren[0];
  }
  if (root.type !== 'identifier') return false;
  const file = fileOfNode(pkg, fn);
  const obj = objectOf(pkg, file, root);
  if (!obj) return false;
  if (obj.fn && obj.decl) {
    for (let n = obj.decl.parent; n && n.id !== fn.id; n = n.parent) if (n.type === 'for_statement') return false;
  }
  return !usesOf(pkg, obj).some((u) => u.startIndex >= fn.startIndex && u.endIndex <= fn.endIndex && isAssignedTo(u));
}

/**
 * Whether a func literal in `fn` (a goroutine, a callback) unlocks `key`: another goroutine may
 * release it. Not a release helper of `fn` itself (`unlock := func() { mu.Unlock() }`, a
 * deferred `func() { mu.Unlock() }()`), which `followLock` follows as the unlock it is.
 */
export function unlockedElsewhere(pkg: Package, fn: SyntaxNode, key: string): boolean {
  const file = fileOfNode(pkg, fn);
  return fn
    .descendantsOfType('func_literal')
    .some((lit) => lit.id !== fn.id && unlocksOwn(pkg, lit, key) && !releaseHelper(pkg, file, fn, lit));
}

function unlocksOwn(pkg: Package, lit: SyntaxNode, key: string): boolean {
  return lockSites(pkg, lit).some((s) => s.key === key && !s.deferred && (s.op === 'Unlock' || s.op === 'RUnlock'));
}

/**
 * Whether literal `lit` of `fn` runs only as `fn`'s own step: a deferred `func() { ... }()`, or
 * bound to a local variable of `fn` (`unlock := func() { ... }`) that is only ever called
 * synchronously, never started with `go`, stored or passed on.
 */
function releaseHelper(pkg: Package, file: GoFile, fn: SyntaxNode, lit: SyntaxNode): boolean {
  const parent = lit.parent;
  if (parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === lit.id) return parent.parent?.type === 'defer_statement';
  const list = parent?.type === 'expression_list' ? parent : null;
  const decl = list?.parent;
  if (decl?.type !== 'short_var_declaration' || decl.childForFieldName('right')?.id !== list!.id) return false;
  const name = decl.childForFieldName('left')?.namedChildren[list!.namedChildren.findIndex((c) => c.id === lit.id)];
  const obj = name ? objectOf(pkg, file, name) : null;
  if (!obj || obj.kind !== 'var' || obj.fn?.id !== fn.id) return false;
  return usesOf(pkg, obj).every((u) => {
    const call = u.parent;
    return call?.type === 'call_expression' && call.childForFieldName('function')?.id === u.id && call.parent?.type !== 'go_statement';
  });
}

/** Whether `call` (in `fn`) runs a release helper of `fn` that unlocks `key`: `unlock()` after `unlock := func() { mu.Unlock() }`. */
function releasesThroughHelper(pkg: Package, file: GoFile, fn: SyntaxNode, call: SyntaxNode, key: string): boolean {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'identifier') return false;
  const lits = calleesOf(pkg, file, call);
  return lits.length > 0 && lits.every((l) => l.type === 'func_literal' && contains(fn, l) && unlocksOwn(pkg, l, key) && releaseHelper(pkg, file, fn, l));
}

/** Whether deferred `call` releases `key`: a deferred literal that unlocks it, itself or through a release helper. */
function deferredRelease(pkg: Package, file: GoFile, fn: SyntaxNode, call: SyntaxNode, key: string): boolean {
  if (releasesThroughHelper(pkg, file, fn, call, key)) return true;
  const lit = unparen(call.childForFieldName('function') ?? call);
  if (lit.type !== 'func_literal') return false;
  return unlocksOwn(pkg, lit, key) || callsOf(file, lit).some((c) => releasesThroughHelper(pkg, file, fn, c, key));
}

/** Whether `node` runs only when a parameter of its function says so (`if lock { ... }`, `if !stop { ... }`). */
export function underParameterCondition(node: SyntaxNode): boolean {
  const fn = ownerOf(node);
  return !!fn && guardedByParameter(node, fn, new Set(parameterNames(fn)));
}

function parameterNames(fn: SyntaxNode): string[] {
  return (fn.childForFieldName('parameters')?.namedChildren ?? []).flatMap((p) => p.childrenForFieldName('name').map((n) => n.text));
}

/** Whether `node` runs only under an `if` (or switch) of `fn` whose condition mentions one of `params`. */
function guardedByParameter(node: SyntaxNode, fn: SyntaxNode, params: Set<string>): boolean {
  if (!params.size) return false;
  for (let n = node.parent; n && n.id !== fn.id; n = n.parent) {
    const cond = n.type === 'if_statement' ? n.childForFieldName('condition') : n.type === 'expression_switch_statement' ? n.childForFieldName('value') : null;
    // With the header's initializer: `if v, ok := opts[k]; !ok` tests the parameter too.
    const init = n.type === 'if_statement' || n.type === 'expression_switch_statement' ? n.childForFieldName('initializer') : null;
    for (const part of [cond, init]) {
      if (part && part.descendantsOfType('identifier').concat(part.type === 'identifier' ? [part] : []).some((id) => params.has(id.text))) return true;
    }
  }
  return false;
}
