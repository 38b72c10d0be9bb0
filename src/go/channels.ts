import type { SyntaxNode, Tree } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { isGoroutineLiteral } from './escape.js';
import { callersOf, calleesOf, type CallSite } from './model/calls.js';
import { objectOf, usesOf, type GoObject } from './model/names.js';
import { fieldOf, selectionOf, signature, typeFromSyntax, typeOf, typeOfObject, underlying, type FieldInfo, type GoType } from './model/types.js';
import { isStepped } from './model/domain.js';
import { flowOf, flowOfHolder, writesOf, type Flow, type Holder, type ValueUse } from './model/values.js';
import { literalType } from './model/literals.js';
import { spelledLeaves } from './nodes.js';
import { contains, FUNCTION_TYPES, isCallee, unparen } from './syntax.js';

/**
 * What one use of a channel does with it:
 * - send / receive / range / close: the channel operations;
 * - inspect: len, cap, a comparison: nothing that unblocks anyone;
 * - discard: the result of a call that returns it, dropped (`start()` as a statement): nobody can use it there;
 * - handoff: the channel goes where the model cannot follow it (a method of a named
 *   channel type, a conversion, a value of another kind): somebody else may use it.
 */
export type ChannelOp = 'send' | 'receive' | 'range' | 'close' | 'inspect' | 'discard' | 'handoff';

export interface ChannelUse {
  /** The expression that denotes the channel: `ch`, `r.resp`, `chans[i]`. */
  node: SyntaxNode;
  file: GoFile;
  op: ChannelOp;
  /** The `go` statement whose goroutine performs the use, when the model can tell; null otherwise. */
  goroutine: SyntaxNode | null;
  /**
   * Where the use happens in the function that made the channel: the use itself, or the call
   * or `go` statement there that leads to it (`go worker(ch)`, `drain(ch)`). Null when it
   * happens elsewhere (another method reached through a field, a caller).
   */
  anchor: SyntaxNode | null;
  /** In a func literal handed on as a value (a callback): runs at a time the model cannot tell. */
  inCallback: boolean;
  /** In a deferred call: runs on every path out of the function. */
  deferred: boolean;
  /** For a send or receive that is one case of a select: the select. */
  select: SyntaxNode | null;
}

/** A channel: one `make(chan T[, n])` site, followed through the package by the model. */
export interface Channel {
  make: SyntaxNode;
  file: GoFile;
  /** The function (declaration or literal) that makes it; null for a package-level initializer. */
  fn: SyntaxNode | null;
  /** Capacity: a constant the package fixes (see constantInt), or null when it is not one. */
  buffer: number | null;
  uses: ChannelUse[];
  /**
   * Why the model loses sight of it, or null: handed to code it cannot see, returned out of
   * the package, kept in an exported field or variable. Whoever holds it then may use it.
   */
  lost: string | null;
  /**
   * Every variable and field that holds it gets only channels the package makes (or nil): no
   * channel from elsewhere shares its uses, so "nothing closes it" speaks of this one.
   */
  owned: boolean;
  /**
   * Why code outside the package may receive from it, or null: an exported function returns
   * it as a receive-only `<-chan T` (`func (s *Stopper) ShouldStop() <-chan struct{}`). Such
   * code cannot send on it or close it, so the package still holds every send and close.
   */
  receivedOutside: string | null;
  /** `lost` only because a function returns it out of the package: callers in the package are still seen. */
  lostByReturnOnly: boolean;
}

const channelsOfPackage = new WeakMap<Package, Channel[]>();
const RETURNED = 'returned out of the package';
/** At most this many flows are followed for one channel (through containers and range variables). */
const MAX_FLOWS = 64;

/** Every channel the package makes with `make(chan ...)`, test files included; computed once per package. */
export function packageChannels(pkg: Package): Channel[] {
  let channels = channelsOfPackage.get(pkg);
  if (channels) return channels;
  channels = [];
  const owned = new Map<GoObject | FieldInfo, boolean>();
  for (const file of pkg.files) {
    for (const call of makeChanCalls(file)) {
      for (const start of startsOf(pkg, file, call, 0)) channels.push(channelOf(pkg, call, file, start, owned));
    }
  }
  channelsOfPackage.set(pkg, channels);
  return channels;
}

/** The channels whose uses include expression `node` (a field may hold the channels of several make sites); indexed once per package, shared: do not modify. */
export function channelsAt(pkg: Package, node: SyntaxNode): Channel[] {
  let byUse = channelsByUse.get(pkg);
  if (!byUse) {
    byUse = new Map();
    for (const ch of packageChannels(pkg)) {
      for (const u of ch.uses) {
        let byId = byUse.get(u.node.tree);
        if (!byId) byUse.set(u.node.tree, (byId = new Map()));
        const list = byId.get(u.node.id) ?? [];
        if (!list.includes(ch)) list.push(ch);
        byId.set(u.node.id, list);
      }
    }
    channelsByUse.set(pkg, byUse);
  }
  return byUse.get(node.tree)?.get(node.id) ?? [];
}

const channelsByUse = new WeakMap<Package, Map<Tree, Map<number, Channel[]>>>();

/**
 * The file's `make(chan ...)` calls, in source order, found from where the text spells `chan`:
 * a file has far fewer channel types than calls.
 */
function makeChanCalls(file: GoFile): SyntaxNode[] {
  const calls: SyntaxNode[] = [];
  for (const keyword of spelledLeaves(file.tree.rootNode, 'chan')) {
    const call = keyword.parent?.parent?.parent;
    if (call?.type === 'call_expression' && isMakeChan(call)) calls.push(call);
  }
  return calls;
}

function isMakeChan(call: SyntaxNode): boolean {
  if (call.childForFieldName('function')?.text !== 'make') return false;
  return call.childForFieldName('arguments')?.namedChildren[0]?.type === 'channel_type';
}

function bufferOf(pkg: Package, file: GoFile, make: SyntaxNode): number | null {
  const size = make.childForFieldName('arguments')?.namedChildren[1];
  return size ? constantInt(pkg, file, size, 0) : 0;
}

/**
 * The value of an integer expression when the package fixes it: a decimal literal, a named
 * constant, a sum, difference or product of those, or a variable or parameter whose every
 * write in the package is the same constant, never stepped (`newWatcher(0, ...)` at the only
 * call of an unexported `newWatcher(size int, ...)`).
 */
export function constantInt(pkg: Package, file: GoFile, expr: SyntaxNode, depth = 0): number | null {
  const e = unparen(expr);
  if (e.type === 'int_literal') return /^(0|[1-9][0-9_]*)$/.test(e.text) ? Number(e.text.replace(/_/g, '')) : null;
  if (e.type === 'binary_expression' && depth <= 4) {
    const op = e.childForFieldName('operator')?.text;
    const l = constantInt(pkg, file, e.childForFieldName('left')!, depth + 1);
    const r = l === null ? null : constantInt(pkg, file, e.childForFieldName('right')!, depth + 1);
    if (l === null || r === null) return null;
    return op === '+' ? l + r : op === '-' ? l - r : op === '*' ? l * r : null;
  }
  if (e.type !== 'identifier' || depth > 4) return null;
  const obj = objectOf(pkg, file, e);
  if (!obj?.file) return null;
  if (obj.kind === 'const') {
    const value = obj.decl?.childForFieldName('value')?.namedChildren[obj.index];
    return value ? constantInt(pkg, obj.file, value, depth + 1) : null;
  }
  if (obj.kind !== 'param' && obj.kind !== 'var') return null;
  if (usesOf(pkg, obj).some(isStepped)) return null; // `n++`, `n += k`: not the value it was given
  const writes = writesOf(pkg, { kind: 'object', obj });
  if (writes.unseen || writes.values.length === 0) return null;
  const values = writes.values.map((w) => (w.element || w.index !== 0 ? null : constantInt(pkg, w.file, w.node, depth + 1)));
  return values.every((v) => v !== null && v === values[0]) ? values[0] : null;
}

function enclosingFn(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
  return null;
}

/** Where a channel starts its life: the expression whose value it is, result `index` of it, in function `owner`. */
interface Start {
  node: SyntaxNode;
  file: GoFile;
  index: number;
  owner: SyntaxNode | null;
}

/**
 * A channel made by a factory (`func newDone() chan struct{} { return make(chan struct{}) }`)
 * starts once per call of the factory, in the caller: one channel per call site, when the
 * package holds every call. Otherwise it starts at the make, in the function that makes it.
 */
function startsOf(pkg: Package, file: GoFile, node: SyntaxNode, index: number, depth = 0): Start[] {
  const here: Start[] = [{ node, file, index, owner: enclosingFn(node) }];
  let x = node;
  while (x.parent?.type === 'parenthesized_expression') x = x.parent;
  const list = x.parent?.type === 'expression_list' ? x.parent : null;
  const ret = (list ?? x).parent;
  if (ret?.type !== 'return_statement' || depth > 2) return here;
  const fn = enclosingFn(ret);
  if (!fn || fn.type === 'func_literal') return here;
  if (!isClosed(pkg, fn)) return here;
  const { sites } = callersOf(pkg, fn);
  if (sites.length === 0 || sites.some((s) => s.kind !== 'call')) return here;
  const result = list ? list.namedChildren.findIndex((c) => c.id === x.id) : 0;
  return sites.flatMap((site) => startsOf(pkg, site.file, site.call, result, depth + 1));
}

/** Whether a function's results go only to its calls in the package (as flowOf follows them). */
function returnsOnlyInside(pkg: Package, fn: SyntaxNode): boolean {
  return isClosed(pkg, fn) && callersOf(pkg, fn).sites.length > 0;
}

/** Whether result `index` of `fn` is declared a receive-only channel. */
function returnsReceiveOnly(pkg: Package, fn: SyntaxNode, index: number): boolean {
  const t = signature(pkg, fileOfExpr(pkg, fn), fn).results[index];
  const u = t ? underlying(pkg, t) : null;
  return u?.kind === 'chan' && u.dir === 'recv';
}

/** Not exported (package main has no importers) and never used as a value: the package holds every call. */
function isClosed(pkg: Package, fn: SyntaxNode): boolean {
  const name = fn.childForFieldName('name')?.text ?? '';
  return (pkg.name === 'main' || !/^[A-Z]/.test(name)) && callersOf(pkg, fn).escapes.length === 0;
}

/**
 * A channel put in a field of a struct literal that never leaves the function's local
 * variables (`r := &request{resp: make(chan T)}`, used only as `r.resp`, `r.key`): its uses
 * are those selections of that field, not every use of the field in the package. Null when
 * the struct goes anywhere else.
 */
function confinedField(pkg: Package, file: GoFile, make: SyntaxNode, owner: SyntaxNode | null): SyntaxNode[] | null {
  const element = make.parent;
  const keyed = element?.type === 'literal_element' ? element.parent : null;
  const literal = keyed?.type === 'keyed_element' && keyed.childForFieldName('value')?.id === element!.id ? keyed.parent?.parent : null;
  if (!owner || literal?.type !== 'composite_literal') return null;
  const field = fieldOf(pkg, literalType(pkg, file, literal), keyed!.childForFieldName('key')?.text ?? '');
  if (!field) return null;
  const struct = flowOf(pkg, file, literal);
  if (struct.returned || struct.holders.some((h) => h.kind !== 'object' || !h.obj.fn || !contains(owner, h.obj.fn))) return null;
  const selections: SyntaxNode[] = [];
  for (const use of struct.uses) {
    const sel = use.node.parent;
    if (sel?.type !== 'selector_expression' || sel.childForFieldName('operand')?.id !== use.node.id || use.method) return null;
    const s = selectionOf(pkg, use.file, sel);
    if (s?.kind !== 'field') return null;
    if (s.field !== field) continue;
    if (isWrittenTo(sel) || (sel.parent?.type === 'unary_expression' && sel.parent.child(0)?.type === '&')) return null; // reassigned, or its address taken
    selections.push(sel);
  }
  return selections;
}

/**
 * Follows one make site: the model's flow of the value, and, where the channel is an element
 * of a map, slice or channel held in a variable or field, the flows of the elements read back
 * out of it (`chans[i]`, `for _, c := range chans`, `c := <-chch`).
 */
function channelOf(pkg: Package, make: SyntaxNode, makeFile: GoFile, start: Start, ownedCache: Map<GoObject | FieldInfo, boolean>): Channel {
  const fn = start.owner;
  const file = start.file;
  const ch: Channel = { make, file: makeFile, fn, buffer: bufferOf(pkg, makeFile, make), uses: [], lost: null, owned: true, receivedOutside: null, lostByReturnOnly: false };
  const holders: Holder[] = [];
  const started = new Set<string>();
  const pending: { flow: () => Flow; container: boolean }[] = [];
  const follow = (key: string, flow: () => Flow, container: boolean) => {
    if (started.has(key)) return;
    if (started.size >= MAX_FLOWS) {
      ch.lost ??= 'too many places to follow';
      return;
    }
    started.add(key);
    pending.push({ flow, container });
  };
  let lostOtherwise = false;
  const lose = (why: string) => {
    ch.lost ??= why;
    if (why !== RETURNED) lostOtherwise = true;
  };
  /** A map, slice or channel of channels in a variable or field: follow where its elements go. */
  const containerAt = (expr: SyntaxNode, exprFile: GoFile) => {
    const holder = strictHolder(pkg, exprFile, unparen(expr));
    if (!holder) return lose(`stored in ${expr.text}`);
    follow(holderKey(holder), () => flowOfHolder(pkg, holder), true);
  };
  const elementRead = (use: ValueUse) => {
    const x = use.node;
    const parent = x.parent;
    if (parent?.type === 'index_expression' && parent.childForFieldName('operand')?.id === x.id) {
      if (isWrittenTo(parent)) return; // `chans[i] = ...`: a store, not a read
      return follow(nodeKey(use.file, parent), () => flowOf(pkg, use.file, parent), false);
    }
    if (parent?.type === 'unary_expression' && parent.child(0)?.type === '<-') {
      return follow(nodeKey(use.file, parent), () => flowOf(pkg, use.file, parent), false);
    }
    if (parent?.type === 'range_clause' && parent.childForFieldName('right')?.id === x.id) {
      const ofChannel = underlying(pkg, typeOf(pkg, use.file, x)).kind === 'chan';
      const v = parent.childForFieldName('left')?.namedChildren[ofChannel ? 0 : 1];
      const obj = v?.type === 'identifier' ? objectOf(pkg, use.file, v) : null;
      if (obj) follow(holderKey({ kind: 'object', obj }), () => flowOfHolder(pkg, { kind: 'object', obj }), false);
      return;
    }
    if (parent?.type === 'argument_list' && /^(len|cap|delete|clear)$/.test(parent.parent?.childForFieldName('function')?.text ?? '')) return;
    if (parent?.type === 'send_statement' && parent.childForFieldName('channel')?.id === x.id) return; // another element goes in
    if (parent?.type === 'binary_expression') return;
    lose(`its container ${x.text} is used where the model cannot follow`);
  };

  const confined = start.node === make ? confinedField(pkg, file, make, fn) : null;
  if (confined) for (const sel of confined) follow(nodeKey(file, sel), () => flowOf(pkg, file, sel), false);
  else follow(nodeKey(file, start.node), () => flowOf(pkg, file, start.node, start.index), false);
  while (pending.length) {
    const { flow: compute, container } = pending.shift()!;
    const flow = compute();
    if (flow.returned) {
      const open = flow.results.filter((r) => !returnsOnlyInside(pkg, r.fn));
      const fn = open.length > 0 && open.every((r) => returnsReceiveOnly(pkg, r.fn, r.index)) ? open[0].fn : null;
      if (fn) ch.receivedOutside ??= `returned receive-only by ${fn.childForFieldName('name')?.text ?? 'a func literal'}`;
      else lose(RETURNED);
    }
    for (const h of flow.holders) {
      if (h.kind === 'unknown') lose(h.why);
      else if (h.kind === 'element') containerAt(h.container, fileOfExpr(pkg, h.container));
      else {
        const open = openHolder(pkg, h);
        if (open) lose(open);
        if (!container && !isContainer(pkg, holderType(pkg, h))) holders.push(h);
      }
    }
    for (const use of flow.uses) {
      if (container || isContainer(pkg, typeOf(pkg, use.file, use.node))) elementRead(use);
      else if (isOtherValue(pkg, typeOf(pkg, use.file, use.node))) lose(`held in ${use.node.text}`);
      else ch.uses.push(useOf(pkg, fn, use));
    }
  }
  ch.owned = holders.every((h) => ownedHolder(pkg, h, ownedCache, new Set(), 0));
  ch.lostByReturnOnly = ch.lost !== null && !lostOtherwise;
  return ch;
}

function nodeKey(file: GoFile, node: SyntaxNode): string {
  return `${file.path}:${node.startIndex}:${node.endIndex}`;
}

function holderKey(h: Holder): string {
  if (h.kind === 'object') return `object:${h.obj.file?.path}:${h.obj.ident?.startIndex}:${h.obj.name}`;
  if (h.kind === 'field') return `field:${h.field.owner.name}.${h.field.name}`;
  return `other:${h.kind}`;
}

function fileOfExpr(pkg: Package, node: SyntaxNode): GoFile {
  return pkg.files.find((f) => f.tree === node.tree)!;
}

/** The variable or field an expression names, by the model's names and types (no name-only guess). */
function strictHolder(pkg: Package, file: GoFile, expr: SyntaxNode): Holder | null {
  if (expr.type === 'identifier') {
    const obj = objectOf(pkg, file, expr);
    return obj && (obj.kind === 'var' || obj.kind === 'param' || obj.kind === 'result') ? { kind: 'object', obj } : null;
  }
  if (expr.type === 'selector_expression') {
    const s = selectionOf(pkg, file, expr);
    return s?.kind === 'field' ? { kind: 'field', field: s.field } : null;
  }
  return null;
}

/** Whether `x` is on the left of an assignment. */
function isWrittenTo(x: SyntaxNode): boolean {
  const list = x.parent;
  const stmt = list?.parent;
  return list?.type === 'expression_list' && stmt?.type === 'assignment_statement' && stmt.childForFieldName('left')?.id === list.id;
}

function holderType(pkg: Package, h: Holder & { kind: 'object' | 'field' }): GoType {
  return h.kind === 'field' ? typeFromSyntax(pkg, h.field.owner.file, h.field.typeNode) : typeOfObject(pkg, h.obj);
}

/** A map, slice or array: what holds channels as elements. */
function isContainer(pkg: Package, t: GoType): boolean {
  const u = underlying(pkg, t);
  return u.kind === 'slice' || u.kind === 'array' || u.kind === 'map';
}

/** A value known to be of a kind that is not a channel (a struct that holds one, positionally). */
function isOtherValue(pkg: Package, t: GoType): boolean {
  const u = underlying(pkg, t);
  return u.kind !== 'unknown' && u.kind !== 'chan' && u.kind !== 'interface';
}

/** An exported field or package variable: other packages may use what it holds (package main has no importers). */
function openHolder(pkg: Package, h: Holder & { kind: 'object' | 'field' }): string | null {
  if (pkg.name === 'main') return null;
  if (h.kind === 'field') return /^[A-Z]/.test(h.field.name) ? `kept in exported field ${h.field.name}` : null;
  return !h.obj.fn && h.obj.kind === 'var' && /^[A-Z]/.test(h.obj.name) ? `kept in exported variable ${h.obj.name}` : null;
}

/**
 * Whether a variable or field only ever gets channels the package makes, or nil: through
 * other variables and fields, parameters of package functions, and results of package calls.
 */
function ownedHolder(pkg: Package, h: Holder, cache: Map<GoObject | FieldInfo, boolean>, visiting: Set<unknown>, depth: number): boolean {
  if (h.kind !== 'object' && h.kind !== 'field') return false;
  const key = h.kind === 'object' ? h.obj : h.field;
  const known = cache.get(key);
  if (known !== undefined) return known;
  if (visiting.has(key)) return true; // a cycle adds no source
  if (depth > 8) return false;
  visiting.add(key);
  const writes = writesOf(pkg, h);
  const owned =
    !writes.unseen &&
    writes.values.every((w) =>
      w.element ? ownedContainer(pkg, w.file, w.node, cache, visiting, depth + 1) : madeHere(pkg, w.file, w.node, w.index, cache, visiting, depth + 1),
    );
  visiting.delete(key);
  cache.set(key, owned);
  return owned;
}

/**
 * Whether the slice a variable or field names (`r.chans`) only ever holds channels the package
 * makes: every write to it is nil, `append(itself, ...)` of such channels, or a literal of them.
 */
function ownedContainer(pkg: Package, file: GoFile, expr: SyntaxNode, cache: Map<GoObject | FieldInfo, boolean>, visiting: Set<unknown>, depth: number): boolean {
  const h = strictHolder(pkg, file, unparen(expr));
  if (!h || depth > 8) return false;
  const key = h.kind === 'object' ? h.obj : h.kind === 'field' ? h.field : null;
  if (!key || visiting.has(key)) return !!key;
  visiting.add(key);
  const writes = writesOf(pkg, h);
  const made = (f: GoFile, v: SyntaxNode) => madeHere(pkg, f, v, 0, cache, visiting, depth + 1);
  const owned =
    !writes.unseen &&
    writes.values.every((w) => {
      const v = unparen(w.node);
      if (w.element || w.index !== 0) return false;
      if (v.text === 'nil') return true;
      if (v.type === 'composite_literal') return (v.childForFieldName('body')?.namedChildren ?? []).every((e) => e.type === 'literal_element' && !!e.namedChildren[0] && made(w.file, e.namedChildren[0]));
      const args = v.type === 'call_expression' && v.childForFieldName('function')?.text === 'append' ? v.childForFieldName('arguments')?.namedChildren ?? [] : [];
      const self = args[0] && strictHolder(pkg, w.file, unparen(args[0]));
      const same = !!self && (self.kind === 'object' ? self.obj === key : self.kind === 'field' && self.field === key);
      return same && args.length > 1 && args.slice(1).every((a) => made(w.file, a));
    });
  visiting.delete(key);
  return owned;
}

/** Whether expression `v` (result `index` of it) is nil or a channel the package makes. */
function madeHere(
  pkg: Package,
  file: GoFile,
  value: SyntaxNode,
  index: number,
  cache: Map<GoObject | FieldInfo, boolean>,
  visiting: Set<unknown>,
  depth: number,
): boolean {
  const v = unparen(value);
  if (v.text === 'nil' || (v.type === 'call_expression' && isMakeChan(v))) return true;
  if (v.type === 'identifier' || v.type === 'selector_expression') {
    const h = strictHolder(pkg, file, v);
    return !!h && ownedHolder(pkg, h, cache, visiting, depth);
  }
  if (v.type !== 'call_expression' || depth > 8) return false;
  const callees = calleesOf(pkg, file, v);
  if (callees.length === 0) return false;
  return callees.every((fn) => {
    const fnFile = fileOfExpr(pkg, fn);
    const body = fn.childForFieldName('body');
    if (!body) return false;
    return returnsOf(body).every((ret) => {
      const values = ret.namedChildren[0]?.type === 'expression_list' ? ret.namedChildren[0].namedChildren : ret.namedChildren;
      if (values.length === 0) return false; // a bare return of named results: not followed
      if (values.length === 1 && index > 0) return madeHere(pkg, fnFile, values[0], index, cache, visiting, depth + 1);
      return !!values[index] && madeHere(pkg, fnFile, values[index], 0, cache, visiting, depth + 1);
    });
  });
}

/** The return statements of a function body, not of func literals in it. */
function returnsOf(body: SyntaxNode): SyntaxNode[] {
  return body.descendantsOfType('return_statement').filter((r) => {
    for (let n = r.parent; n && n.id !== body.id; n = n.parent) if (n.type === 'func_literal') return false;
    return true;
  });
}

function useOf(pkg: Package, owner: SyntaxNode | null, use: ValueUse): ChannelUse {
  const op = operation(use.node);
  return { node: use.node, file: use.file, op, ...placeOf(pkg, owner, use.node), select: selectCaseOf(use.node)?.parent ?? null };
}

/** What the channel expression `x` undergoes where it stands. */
function operation(x: SyntaxNode): ChannelOp {
  const parent = x.parent;
  if (!parent) return 'handoff';
  if (parent.type === 'send_statement') return parent.childForFieldName('channel')?.id === x.id ? 'send' : 'handoff';
  if (parent.type === 'unary_expression' && parent.child(0)?.type === '<-') return 'receive';
  if (parent.type === 'range_clause' && parent.childForFieldName('right')?.id === x.id) return 'range';
  if (parent.type === 'binary_expression') return 'inspect';
  if (parent.type === 'expression_statement' && x.type === 'call_expression') return 'discard';
  if (parent.type === 'argument_list') {
    const callee = parent.parent?.childForFieldName('function')?.text;
    if (callee === 'close') return 'close';
    if (callee === 'len' || callee === 'cap') return 'inspect';
  }
  return 'handoff';
}

type Placement = Pick<ChannelUse, 'goroutine' | 'anchor' | 'inCallback' | 'deferred'>;

/**
 * Where a use runs relative to `owner`, the function that made the channel: in it, in a
 * goroutine it starts, deferred, in a callback; through the only call of the function the
 * use is written in (`go worker(ch)`, `drain(ch)`), a few calls deep.
 */
function placeOf(pkg: Package, owner: SyntaxNode | null, node: SyntaxNode): Placement {
  const place: Placement = { goroutine: null, anchor: null, inCallback: false, deferred: false };
  let at = node;
  for (let hops = 0; hops < 4; hops++) {
    let reached: SyntaxNode | null = null;
    for (let n = at.parent; n; n = n.parent) {
      if (owner && n.id === owner.id && n.tree === owner.tree) return { ...place, anchor: at };
      if (n.type === 'defer_statement' && !place.goroutine && !place.inCallback) place.deferred = true;
      if (n.type === 'func_literal') {
        if (isGoroutineLiteral(n)) place.goroutine ??= n.parent!.parent;
        else if (!isCallee(n) && !isDeferredLiteral(n)) {
          reached = n;
          break;
        }
      } else if (FUNCTION_TYPES.has(n.type)) {
        reached = n;
        break;
      }
    }
    if (!reached) return place; // a package-level initializer
    const runs = sitesOf(pkg, reached);
    if (!place.goroutine && runs.sites.length > 0 && runs.sites.every((s) => s.kind === 'go')) place.goroutine = runs.sites[0].call.parent;
    if (!runs.only) {
      if (reached.type === 'func_literal' && !place.goroutine) place.inCallback = true;
      return place;
    }
    if (runs.only.kind === 'defer' && !place.goroutine && !place.inCallback) place.deferred = true;
    at = runs.only.call;
  }
  return place;
}

/**
 * The calls that run a function or func literal, and the only one when it has exactly one
 * and nothing else can call it (not exported, not used as a value). A func literal bound to
 * a variable is run by the calls of that variable.
 */
function sitesOf(pkg: Package, fn: SyntaxNode): { sites: CallSite[]; only: CallSite | null } {
  if (fn.type === 'func_literal') {
    const obj = boundVariable(pkg, fn);
    if (!obj) return { sites: [], only: null };
    const sites: CallSite[] = [];
    for (const use of usesOf(pkg, obj)) {
      const call = use.parent;
      if (call?.type !== 'call_expression' || call.childForFieldName('function')?.id !== use.id) return { sites: [], only: null };
      const kind = call.parent?.type === 'go_statement' ? 'go' : call.parent?.type === 'defer_statement' ? 'defer' : 'call';
      sites.push({ call, file: obj.file!, kind });
    }
    return { sites, only: sites.length === 1 ? sites[0] : null };
  }
  const { sites, escapes } = callersOf(pkg, fn);
  const name = fn.childForFieldName('name')?.text ?? '';
  const closed = escapes.length === 0 && (pkg.name === 'main' || !/^[A-Z]/.test(name));
  return { sites, only: closed && sites.length === 1 ? sites[0] : null };
}

/** The local variable a func literal is bound to where it is written (`worker := func(...) {...}`), if it is never reassigned. */
function boundVariable(pkg: Package, lit: SyntaxNode): GoObject | null {
  const list = lit.parent;
  const decl = list?.parent;
  if (list?.type !== 'expression_list' || !decl) return null;
  const i = list.namedChildren.findIndex((c) => c.id === lit.id);
  let target: SyntaxNode | undefined;
  if (decl.type === 'short_var_declaration' && decl.childForFieldName('right')?.id === list.id) target = decl.childForFieldName('left')?.namedChildren[i];
  else if (decl.type === 'var_spec' && decl.childForFieldName('value')?.id === list.id) target = decl.childrenForFieldName('name')[i];
  if (target?.type !== 'identifier') return null;
  const file = fileOfExpr(pkg, lit);
  const obj = objectOf(pkg, file, target);
  return obj && writesOf(pkg, { kind: 'object', obj }).values.length === 1 ? obj : null;
}

function isDeferredLiteral(lit: SyntaxNode): boolean {
  return lit.parent?.type === 'call_expression' && lit.parent.parent?.type === 'defer_statement';
}

/** Whether channel expression `node` names its variable or field by the model's names and types, not by a field's name alone. */
export function resolvedStrictly(pkg: Package, file: GoFile, node: SyntaxNode): boolean {
  return node.type !== 'selector_expression' || selectionOf(pkg, file, node)?.kind === 'field';
}

/**
 * The select case that sends on or receives from `channel`: `case channel <- v:`,
 * `case <-channel:`, `case v := <-channel:`.
 */
export function selectCaseOf(channel: SyntaxNode): SyntaxNode | null {
  let n = channel.parent;
  while (n?.type === 'parenthesized_expression') n = n.parent;
  if (n?.type === 'unary_expression' && n.child(0)?.type === '<-') {
    n = n.parent;
    if (n?.type === 'receive_statement') n = n.parent;
  } else if (n?.type === 'send_statement' && unparen(n.childForFieldName('channel') ?? n).id === channel.id) {
    n = n.parent;
  } else {
    return null;
  }
  return n?.type === 'communication_case' ? n : null;
}

/** The channel a select case receives from (`case <-ch:`, `case v := <-ch:` → ch). */
export function receivedChannel(clause: SyntaxNode): SyntaxNode | null {
  const comm = clause.childForFieldName('communication');
  const recv = comm?.type === 'receive_statement' ? comm.childForFieldName('right') : comm;
  if (recv?.type !== 'unary_expression' || recv.child(0)?.type !== '<-') return null;
  return recv.namedChildren[0] ? unparen(recv.namedChildren[0]) : null;
}

/** Parameter names in order, one per parameter (`a, b chan int` gives two). */
export function parameterNames(fn: SyntaxNode): string[] {
  const names: string[] = [];
  for (const decl of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    const declared = decl.childrenForFieldName('name');
    if (declared.length === 0) names.push('');
    for (const n of declared) names.push(n.text);
  }
  return names;
}
