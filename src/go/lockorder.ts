import type { SyntaxNode, Tree } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { assignedValue } from './escape.js';
import { calleesOf, callersOf, funcValuesOfField, type CallSite } from './model/calls.js';
import { selectorsOfField } from './package.js';
import { objectOf, type GoObject } from './model/names.js';
import { declOf, fileOfNode, methodOf, receiverTypeName, selectionOf, typeFromSyntax, typeIndex, typeOf, type GoType, type TypeDecl } from './model/types.js';
import { contains, parameterIndex, unparen } from './syntax.js';
import {
  lockedMutexes,
  callsOf,
  embeddedMutex,
  followLock,
  HELD,
  isSyncMutex,
  lockSiteOf,
  lockSites,
  mutexIdentity,
  structEmbedsMutex,
  underParameterCondition,
  UNLOCKED,
  WRITE,
  type LockSite,
} from './locks.js';

/**
 * Which mutex a lock call locks, as the package's types name it, so that two functions
 * locking "the same" mutex through different variables agree: `Store.mu` for field `mu` of
 * Store (`s.mu`, `r.store.mu`), `Cache.RWMutex` for a Cache that embeds it (`c.Lock()`;
 * `Conn.in` when that value is field `in` of Conn),
 * the variable's name for a package-level mutex, and one identity per declaration for a
 * local one. Null where the model cannot name it (a parameter `mu *sync.Mutex`, a map element).
 */
export function lockIdentity(pkg: Package, file: GoFile, site: LockSite): string | null {
  const m = site.mutex;
  const t = typeOf(pkg, file, m);
  if (!isSyncMutex(t)) {
    const decl = declOf(pkg, t);
    const embedded = decl ? embeddedMutex(pkg, t) : null;
    // A field of such a type is named by its owner's field: `c.in` and `c.out` of one type are two mutexes.
    if (decl && embedded) return fieldIdentity(pkg, file, m) ?? `${decl.name}.${embedded}`;
    if (t.kind === 'struct' && structEmbedsMutex(pkg, t)) return fieldIdentity(pkg, file, m);
    if (t.kind !== 'unknown') return null;
  }
  if (m.type === 'identifier') {
    const obj = objectOf(pkg, file, m);
    if (!obj || obj.kind !== 'var') return null;
    return obj.fn ? `${obj.name}@${obj.file?.path}:${obj.ident?.startIndex}` : obj.name;
  }
  const fn = enclosing(m);
  return fieldIdentity(pkg, file, m) ?? (fn ? mutexIdentity(pkg, fn, site) : null);
}

function fieldIdentity(pkg: Package, file: GoFile, m: SyntaxNode): string | null {
  if (m.type !== 'selector_expression') return null;
  const operand = m.childForFieldName('operand');
  const decl = operand ? declOf(pkg, typeOf(pkg, file, operand)) : null;
  return decl ? `${decl.name}.${m.childForFieldName('field')?.text}` : null;
}

function enclosing(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_declaration' || n.type === 'method_declaration' || n.type === 'func_literal') return n;
  }
  return null;
}

/**
 * The package code a call runs, when the model knows the callee: not the guess it makes for a
 * method called on a value of unknown type (`os.Stdout.Write(b)` taken for the package's only
 * Write), which for locks would mean a mutex locked "again" in code that never runs.
 */
export function knownCallees(pkg: Package, file: GoFile, call: SyntaxNode): SyntaxNode[] {
  const f = call.childForFieldName('function');
  const callee = f ? unparen(f) : null;
  if (callee?.type === 'selector_expression' && !selectionOf(pkg, file, callee)) {
    const operand = callee.childForFieldName('operand');
    const t = operand ? typeOf(pkg, file, operand) : null;
    // A value of another package's type (an http.Flusher field) runs that package's code.
    if (t && t.kind !== 'unknown' && !declOf(pkg, t)) return [];
    // A wrapper's call into the interface it embeds or holds (`w.flusher.Flush()` in (*wcf).Flush) is not the wrapper's own method.
    const holder = operand?.type === 'selector_expression' ? operand.childForFieldName('operand') : null;
    const holderType = holder ? declOf(pkg, typeOf(pkg, file, holder))?.name : undefined;
    const notWrapper = (m: SyntaxNode) => m.type !== 'method_declaration' || receiverTypeName(m) !== holderType;
    const dispatched = t ? interfaceCallee(pkg, t, callee.childForFieldName('field')?.text ?? '') : [];
    if (dispatched.length) return dispatched.filter(notWrapper);
    if (!fromPackageCode(pkg, file, operand)) return [];
    return calleesOf(pkg, file, call).filter(notWrapper);
  }
  const found = calleesOf(pkg, file, call);
  if (found.length) return found;
  if (callee?.type === 'identifier') {
    const obj = objectOf(pkg, file, callee);
    return obj?.kind === 'param' ? parameterArguments(pkg, obj, 0) : [];
  }
  if (callee?.type !== 'selector_expression') return found;
  const s = selectionOf(pkg, file, callee);
  return s?.kind === 'field' ? setterArguments(pkg, s.field.name) : [];
}

/**
 * The method a call on an interface of the package runs, when one type of the package has
 * every method the interface asks for: the implementation the package itself can pass.
 */
function interfaceCallee(pkg: Package, t: GoType, name: string): SyntaxNode[] {
  const iface = declOf(pkg, t);
  if (!iface || iface.typeNode?.type !== 'interface_type') return [];
  let impl = implementations.get(iface);
  if (impl === undefined) implementations.set(iface, (impl = soleImplementation(pkg, iface)));
  const m = impl ? methodOf(pkg, { kind: 'named', name: impl.name, pkg: null }, name) : null;
  return m ? [m] : [];
}

const implementations = new WeakMap<TypeDecl, TypeDecl | null>();

function soleImplementation(pkg: Package, iface: TypeDecl): TypeDecl | null {
  const wanted = interfaceMethods(pkg, iface, 0);
  if (!wanted?.size) return null;
  let found: TypeDecl | null = null;
  for (const decl of typeIndex(pkg).decls.values()) {
    if (decl.typeNode?.type === 'interface_type') continue;
    const t: GoType = { kind: 'named', name: decl.name, pkg: null };
    if (![...wanted].every((m) => methodOf(pkg, t, m))) continue;
    if (found) return null;
    found = decl;
  }
  return found;
}

/** The method names of an interface the package declares, its embedded ones included; null when it embeds another package's. */
function interfaceMethods(pkg: Package, iface: TypeDecl, depth: number): Set<string> | null {
  const names = new Set<string>();
  for (const elem of iface.typeNode?.namedChildren ?? []) {
    if (elem.type === 'method_elem') names.add(elem.childForFieldName('name')?.text ?? '');
    else if (elem.type === 'type_elem') {
      const inner = declOf(pkg, typeFromSyntax(pkg, iface.file, elem));
      const more = inner && inner.typeNode?.type === 'interface_type' && depth < 4 ? interfaceMethods(pkg, inner, depth + 1) : null;
      if (!more) return null;
      for (const n of more) names.add(n);
    }
  }
  return names;
}

const argumentsOfParam = new WeakMap<Tree, Map<number, SyntaxNode[]>>();

/**
 * The funcs a func-typed parameter runs (`func each(f func())` calling `f()`): what every call
 * of its function in the package passes there, when the model can name it (a literal, a
 * package function or method value, a func field's values, a parameter passed on in turn).
 */
function parameterArguments(pkg: Package, param: GoObject, depth: number): SyntaxNode[] {
  const fn = param.fn;
  if (!fn || !param.ident || depth > 2) return [];
  let cache = argumentsOfParam.get(param.ident.tree);
  if (!cache) argumentsOfParam.set(param.ident.tree, (cache = new Map()));
  const known = cache.get(param.ident.id);
  if (known) return known;
  const out: SyntaxNode[] = [];
  cache.set(param.ident.id, out); // a recursive pass-on sees what is known so far
  const index = parameterIndex(fn, param.ident);
  if (index === null) return out;
  for (const site of callSitesOf(pkg, fn)) {
    const arg = site.call.childForFieldName('arguments')?.namedChildren[index];
    if (arg) out.push(...funcValuesOf(pkg, site.file, arg, depth));
  }
  return out;
}

const callSites = new WeakMap<Tree, Map<number, CallSite[]>>();

/**
 * The calls that run `fn`, as the lock analyses see them: the model's callers, calls through
 * an interface of the package `fn`'s type is the only implementation of, and, for a literal
 * stored in a func field (`rc.release = func() { ... }`, `Hooks{OnAdd: func() { ... }}`), the
 * calls of that field that run it.
 */
export function callSitesOf(pkg: Package, fn: SyntaxNode): CallSite[] {
  let cache = callSites.get(fn.tree);
  if (!cache) callSites.set(fn.tree, (cache = new Map()));
  let sites = cache.get(fn.id);
  if (sites) return sites;
  const callers = callersOf(pkg, fn);
  sites = [...callers.sites];
  cache.set(fn.id, sites);
  const runs = (m: SyntaxNode) => m.id === fn.id && m.tree === fn.tree;
  const name = fn.type === 'method_declaration' ? fn.childForFieldName('name')?.text : fn.type === 'func_literal' ? storedInField(callers.escapes) : undefined;
  if (!name) return sites;
  for (const sel of selectorsOfField(pkg, name)) {
    const call = sel.parent;
    const operand = sel.childForFieldName('operand');
    if (call?.type !== 'call_expression' || call.childForFieldName('function')?.id !== sel.id || !operand) continue;
    const file = fileOfNode(pkg, sel);
    const targets = fn.type === 'method_declaration' ? interfaceCallee(pkg, typeOf(pkg, file, operand), name) : knownCallees(pkg, file, call);
    if (!targets.some(runs)) continue;
    const kind = call.parent?.type === 'go_statement' ? 'go' : call.parent?.type === 'defer_statement' ? 'defer' : 'call';
    sites.push({ call, file, kind });
  }
  return sites;
}

/** The field a literal is stored in (`x.f = lit`, `T{f: lit}`), when that is its only use. */
function storedInField(escapes: SyntaxNode[]): string | undefined {
  if (escapes.length !== 1) return undefined;
  const ref = escapes[0];
  const keyed = ref.parent?.type === 'literal_element' ? ref.parent.parent : ref.parent;
  if (keyed?.type === 'keyed_element' && keyed.namedChildren[1]?.id !== keyed.namedChildren[0]?.id) {
    const key = keyed.namedChildren[0];
    const k = key?.type === 'literal_element' ? key.namedChildren[0] : key;
    return k?.type === 'field_identifier' || k?.type === 'identifier' ? k.text : undefined;
  }
  const list = ref.parent;
  const assign = list?.parent;
  if (list?.type !== 'expression_list' || assign?.type !== 'assignment_statement' || assign.childForFieldName('right')?.id !== list.id) return undefined;
  const target = assign.childForFieldName('left')?.namedChildren[list.namedChildren.findIndex((c) => c.id === ref.id)];
  return target?.type === 'selector_expression' ? target.childForFieldName('field')?.text : undefined;
}

/** The package code a func-valued expression may be: a literal, a function, a method value, a func field's values, a conversion of one. */
function funcValuesOf(pkg: Package, file: GoFile, expr: SyntaxNode, depth: number): SyntaxNode[] {
  const v = unparen(expr);
  if (v.type === 'func_literal') return [v];
  if (v.type === 'selector_expression') {
    const m = selectionOf(pkg, file, v);
    if (m?.kind === 'method') return [m.decl];
    return m?.kind === 'field' ? funcValuesOfField(pkg, m.field) : [];
  }
  if (v.type === 'call_expression') {
    // A conversion to a func type of the package: `HandlerFunc(f)`.
    const f = v.childForFieldName('function');
    const args = v.childForFieldName('arguments')?.namedChildren ?? [];
    const conv = f?.type === 'identifier' ? objectOf(pkg, file, f) : null;
    return conv?.kind === 'type' && args.length === 1 ? funcValuesOf(pkg, file, args[0], depth) : [];
  }
  if (v.type !== 'identifier') return [];
  const obj = objectOf(pkg, file, v);
  if (obj?.kind === 'func' && obj.decl) return [obj.decl];
  if (obj?.kind === 'param') return parameterArguments(pkg, obj, depth + 1);
  const bound = obj?.decl?.type === 'short_var_declaration' ? obj.decl.childForFieldName('right')?.namedChildren[obj.index] : null;
  return bound?.type === 'func_literal' ? [bound] : [];
}

/**
 * The funcs a func-typed field gets through a setter (`func (w *W) SetOnEvent(f func()) { w.onEvent = f }`):
 * the package functions, methods and literals its callers pass (`w.SetOnEvent(c.processEvent)`).
 * A field given anything else (another package's func, a value the model cannot name) gets nothing here.
 */
function setterArguments(pkg: Package, field: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const sel of selectorsOfField(pkg, field)) {
    const value = assignedValue(sel);
    if (value?.type !== 'identifier') continue;
    const sfile = fileOfNode(pkg, sel);
    const param = objectOf(pkg, sfile, value);
    const setter = param?.kind === 'param' ? param.fn : null;
    if (!setter || setter.type === 'func_literal') continue;
    const index = param?.ident ? parameterIndex(setter, param.ident) : null;
    if (index === null) continue;
    for (const site of callersOf(pkg, setter).sites) {
      const arg = site.call.childForFieldName('arguments')?.namedChildren[index];
      if (arg) out.push(...funcValuesOf(pkg, site.file, arg, 0));
    }
  }
  return out;
}

/**
 * Whether a value of unknown type comes from the package's own data (`r := s.byID[i]`, a field
 * of an anonymous struct the model does not type), not from another package (`os.Stdout`,
 * `f, err := objfile.Open(name)`, the result of a method the model cannot see).
 */
function fromPackageCode(pkg: Package, file: GoFile, operand: SyntaxNode | null): boolean {
  let root = operand ? unparen(operand) : null;
  while (root && (root.type === 'selector_expression' || root.type === 'index_expression')) root = root.childForFieldName('operand');
  if (root?.type !== 'identifier') return false;
  const obj = objectOf(pkg, file, root);
  if (!obj || obj.kind === 'import' || obj.kind === 'builtin') return false;
  const decl = obj.decl;
  const right = decl?.type === 'short_var_declaration' ? decl.childForFieldName('right') : decl?.type === 'var_spec' ? decl.childForFieldName('value') : null;
  const values = right?.namedChildren ?? [];
  const value = values.length === 1 ? values[0] : (values[obj.index] ?? null);
  return !(value && unparen(value).type === 'call_expression' && !calleesOf(pkg, file, unparen(value)).length);
}

/** A mutex a function locks, itself or in a function it calls. */
export interface Acquisition {
  id: string;
  read: boolean;
  /** The Lock or RLock call. */
  site: SyntaxNode;
  /** The calls from the function down to the one whose body has `site` (empty: its own). */
  chain: SyntaxNode[];
  /**
   * The calls of the chain that enter a declared function or method: entering a func literal
   * (a callback, an adapter around the call it wraps) is not a step further from the caller.
   */
  hops: number;
  /** Mutexes the code on the way unlocks before this lock without having locked them: held by the caller until then. */
  releasedBefore: Set<string>;
}

interface Summary {
  acquires: Acquisition[];
  /** Mutexes the function unlocks before it locks them: it is entered holding them (`...Locked` helpers). */
  entersHolding: Set<string>;
}

const summaries = new WeakMap<Tree, Map<number, Summary>>();
const boundedSummaries = new WeakMap<Tree, Map<string, Summary>>();

/** An acquisition behind a call or lock that runs only when a parameter says so: the caller's choice, not followed. */
export function conditional(a: Acquisition): boolean {
  return underParameterCondition(a.site) || a.chain.slice(1).some(underParameterCondition);
}

function releasedBy(releases: { id: string; at: number }[], before: number): Set<string> {
  return new Set(releases.filter((r) => r.at < before).map((r) => r.id));
}

/**
 * The mutexes `fn` may lock, itself and through the package code it calls (not what it
 * starts with `go`): the first acquisition of each, with the chain of calls to it.
 */
export function lockSummary(pkg: Package, fn: SyntaxNode): Summary {
  let cache = summaries.get(fn.tree);
  if (!cache) summaries.set(fn.tree, (cache = new Map()));
  const known = cache.get(fn.id);
  if (known) return known;
  const summary: Summary = { acquires: [], entersHolding: new Set() };
  cache.set(fn.id, summary); // a recursive call sees what is known so far
  summarize(pkg, fn, summary, (callee) => lockSummary(pkg, callee));
  return summary;
}

/**
 * lockSummary as far as `depth` calls down from `fn`: the acquisitions with a chain of at
 * most `depth` calls, and the mutexes it is entered holding as far as that shows. The
 * rules that read only short chains (double-lock, blocks-holding-lock) ask this one: the
 * whole summary follows every call the package can reach from a lock (in go/types, most of
 * the type checker). Each level asks one less deep, so no summary waits on itself.
 */
export function lockSummaryWithin(pkg: Package, fn: SyntaxNode, depth: number): Summary {
  let cache = boundedSummaries.get(fn.tree);
  if (!cache) boundedSummaries.set(fn.tree, (cache = new Map()));
  const key = `${fn.id}:${depth}`;
  const known = cache.get(key);
  if (known) return known;
  const summary: Summary = { acquires: [], entersHolding: new Set() };
  summarize(pkg, fn, summary, depth > 0 ? (callee) => lockSummaryWithin(pkg, callee, depth - 1) : null);
  cache.set(key, summary);
  return summary;
}

/** Fills a summary of `fn` from its own lock sites and, with `inner`, the summaries of what it calls. */
function summarize(pkg: Package, fn: SyntaxNode, summary: Summary, inner: ((callee: SyntaxNode) => Summary) | null): void {
  const file = fileOfNode(pkg, fn);
  const firstOp = new Set<string>();
  // Mutexes this function releases without having locked them, by where: held by its caller until then.
  const releases: { id: string; at: number }[] = [];
  for (const site of lockSites(pkg, fn)) {
    const id = lockIdentity(pkg, file, site);
    if (!id) continue;
    const unlock = site.op === 'Unlock' || site.op === 'RUnlock';
    if (!firstOp.has(id)) {
      firstOp.add(id);
      if (unlock && !site.deferred) {
        summary.entersHolding.add(id);
        releases.push({ id, at: site.call.startIndex });
      }
    }
    if (!unlock && !summary.acquires.some((a) => a.id === id)) {
      summary.acquires.push({ id, read: site.op === 'RLock', site: site.call, chain: [], hops: 0, releasedBefore: releasedBy(releases, site.call.startIndex) });
    }
  }
  if (!inner) return;
  const own = new Set(summary.acquires.map((a) => a.id));
  for (const call of callsOf(file, fn)) {
    if (call.parent?.type === 'go_statement' || lockSiteOf(pkg, file, call)) continue;
    for (const callee of knownCallees(pkg, file, call)) {
      const calls = inner(callee);
      for (const a of calls.acquires) {
        if (own.has(a.id) || summary.acquires.some((b) => b.id === a.id)) continue;
        const releasedBefore = new Set([...a.releasedBefore, ...releasedBy(releases, call.startIndex)]);
        summary.acquires.push({ ...a, chain: [call, ...a.chain], hops: hop(callee) + a.hops, releasedBefore });
      }
      // A callee that unlocks what this function never locks itself: this one is entered holding it too.
      for (const id of calls.entersHolding) {
        if (firstOp.has(id)) continue;
        summary.entersHolding.add(id);
        releases.push({ id, at: call.endIndex });
      }
    }
  }
}

/**
 * How deep a chain of calls may hide the second lock: longer chains cross code (debug output,
 * rare branches) that seldom runs with the first lock held.
 */
export const MAX_CHAIN = 3;
/** How many calls a lock-order chain may have in all, func literals counted. */
const MAX_CALLS = 6;

function hop(callee: SyntaxNode): number {
  return callee.type === 'func_literal' ? 0 : 1;
}

/** One mutex locked while another is held, in one function. */
export interface LockEdge {
  fn: SyntaxNode;
  file: GoFile;
  held: string;
  heldWrite: boolean;
  /** Where `held` was locked. */
  heldSite: SyntaxNode;
  acquired: Acquisition;
  /** The call (or lock) in `fn` made while `held` is held. */
  at: SyntaxNode;
}

const edgesCache = new WeakMap<Package, LockEdge[]>();

/**
 * Every "locks B while holding A" of the package: a lock of B, or a call into package code
 * that locks B, reached on every path with A held.
 */
export function lockEdges(pkg: Package): LockEdge[] {
  const cached = edgesCache.get(pkg);
  if (cached) return cached;
  const edges: LockEdge[] = [];
  for (const { file, fn, key, first } of lockedMutexes(pkg)) {
    const held = lockIdentity(pkg, file, first);
    if (!held) continue;
    const paths = followLock(pkg, fn, key);
    if (paths.unsupported) continue;
    for (const { call, state } of paths.heldCalls) {
      if (!(state & HELD) || state & UNLOCKED) continue;
      const base = { fn, file, held, heldWrite: !!(state & WRITE), heldSite: first.call, at: call };
      const site = lockSiteOf(pkg, file, call);
      if (site) {
        const id = site.op === 'Lock' || site.op === 'RLock' ? lockIdentity(pkg, file, site) : null;
        if (id && id !== held) edges.push({ ...base, acquired: { id, read: site.op === 'RLock', site: call, chain: [], hops: 0, releasedBefore: new Set() } });
        continue;
      }
      if (call.parent?.type === 'go_statement') continue;
      for (const callee of knownCallees(pkg, file, call)) {
        const summary = lockSummary(pkg, callee);
        for (const a of summary.acquires) {
          // Not what the callee locks after it has released the held mutex (`...Locked` helpers that unlock to call out).
          const hops = hop(callee) + a.hops;
          if (a.id !== held && hops <= MAX_CHAIN && a.chain.length < MAX_CALLS && !contains(fn, a.site) && !a.releasedBefore.has(held) && !conditional(a)) {
            edges.push({ ...base, acquired: { ...a, chain: [call, ...a.chain], hops } });
          }
        }
      }
    }
  }
  edgesCache.set(pkg, edges);
  return edges;
}
