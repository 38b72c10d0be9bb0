import type { SyntaxNode } from 'tree-sitter';
import type { Package } from '../engine/types.js';
import { escapeOf, isAssignedTo, isGoroutineLiteral } from './escape.js';
import { fieldValues, packageFunction, packageMethods, selectorsOfField } from './package.js';
import { enclosingFunction, FUNCTION_TYPES, isCallee, isTestCode, unparen } from './syntax.js';
import { identifierUses, nodesOfType } from './nodes.js';

/**
 * What one use of a channel does with it:
 * - send / receive / range / close: the channel operations;
 * - inspect: len, cap, a comparison, `ch = nil`: nothing that unblocks anyone;
 * - handoff: the channel goes where we cannot follow (returned, stored, passed to a call
 *   other than a goroutine we can read): somebody else may send, receive or close.
 */
export type ChannelOp = 'send' | 'receive' | 'range' | 'close' | 'inspect' | 'handoff';

export interface ChannelUse {
  node: SyntaxNode;
  op: ChannelOp;
  /** The `go` statement whose goroutine performs the use; null for the function itself. */
  goroutine: SyntaxNode | null;
  /** In a func literal that is neither a goroutine nor deferred: runs at a time we cannot tell. */
  inCallback: boolean;
  /** In a deferred call: runs on every path out of the function. */
  deferred: boolean;
  /** For a send or receive that is one case of a select: the select. */
  select: SyntaxNode | null;
}

/** A channel made by `make(chan T[, n])` in a function and bound to a local variable. */
export interface LocalChannel {
  name: string;
  make: SyntaxNode;
  /** The function (declaration or literal) that makes it. */
  fn: SyntaxNode;
  /** Capacity: a constant, or null when it is not a constant. */
  buffer: number | null;
  uses: ChannelUse[];
}

const channelsOfPackage = new WeakMap<Package, LocalChannel[]>();

/**
 * Every channel that a function of the package's non-test code makes with
 * `make(chan ...)` and keeps in a local variable; computed once per package.
 */
export function packageChannels(pkg: Package): LocalChannel[] {
  let channels = channelsOfPackage.get(pkg);
  if (channels) return channels;
  channels = [];
  for (const file of pkg.files) {
    if (file.isTest || !file.source.includes('chan')) continue;
    const makesByFunction = new Map<number, { fn: SyntaxNode; makes: SyntaxNode[] }>();
    for (const call of nodesOfType(file, 'call_expression')) {
      const fn = isMakeChan(call) ? enclosingFunction(call) : null;
      if (!fn) continue;
      const entry = makesByFunction.get(fn.id) ?? { fn, makes: [] };
      entry.makes.push(call);
      makesByFunction.set(fn.id, entry);
    }
    for (const { fn, makes } of makesByFunction.values()) {
      const body = fn.childForFieldName('body');
      if (body && !isTestCode(body, false)) channels.push(...channelsOf(fn, body, makes, pkg));
    }
  }
  channelsOfPackage.set(pkg, channels);
  return channels;
}

function channelsOf(fn: SyntaxNode, body: SyntaxNode, makes: SyntaxNode[], pkg: Package): LocalChannel[] {
  const channels: LocalChannel[] = [];
  const ambiguous = new Set<string>();
  for (const call of makes) {
    const binding = localBinding(call);
    if (!binding) continue;
    const name = binding.text;
    // A name bound to several channels in one function is too hard to follow.
    if (ambiguous.has(name) || channels.some((c) => c.name === name)) {
      ambiguous.add(name);
      continue;
    }
    const uses = identifierUses(body, name)
      .filter((u) => u.id !== binding.id)
      .flatMap((u) => classifyUse(u, fn, pkg));
    channels.push({ name, make: call, fn, buffer: bufferOf(call), uses });
  }
  return channels.filter((c) => !ambiguous.has(c.name));
}

function isMakeChan(call: SyntaxNode): boolean {
  if (call.childForFieldName('function')?.text !== 'make') return false;
  return call.childForFieldName('arguments')?.namedChildren[0]?.type === 'channel_type';
}

function bufferOf(make: SyntaxNode): number | null {
  const size = make.childForFieldName('arguments')?.namedChildren[1];
  if (!size) return 0;
  return size.type === 'int_literal' ? Number(size.text.replace(/_/g, '')) : null;
}

/** The identifier a `make` is declared into (`ch := make(...)`, `var ch = make(...)`). */
function localBinding(make: SyntaxNode): SyntaxNode | null {
  const list = make.parent;
  const decl = list?.parent;
  if (list?.type !== 'expression_list' || !decl) return null;
  const index = list.namedChildren.findIndex((c) => c.id === make.id);
  if (decl.type === 'short_var_declaration' && decl.childForFieldName('right')?.id === list.id) {
    const target = decl.childForFieldName('left')?.namedChildren[index];
    return target?.type === 'identifier' ? target : null;
  }
  if (decl.type === 'var_spec' && decl.childForFieldName('value')?.id === list.id) {
    return decl.childrenForFieldName('name')[index] ?? null;
  }
  return null;
}

/**
 * What a use of the channel does. A channel passed to a goroutine that runs a function
 * of this package is followed into that function's parameter.
 */
function classifyUse(use: SyntaxNode, fn: SyntaxNode, pkg: Package, depth = 0): ChannelUse[] {
  const where = placeOf(use, fn);
  const op = operation(use);
  if (op !== 'handoff') return [{ node: use, op, ...where }];
  const goCall = goroutineCallArgument(use);
  if (goCall && depth === 0) {
    const followed = followIntoGoroutine(goCall.call, goCall.index, pkg);
    if (followed) return followed.map((u) => ({ ...u, goroutine: goCall.call.parent, inCallback: false, deferred: false }));
  }
  return [{ node: use, op: 'handoff', ...where }];
}

/** What the expression `use` (a channel variable or field) undergoes where it stands. */
export function operation(use: SyntaxNode): ChannelOp {
  const parent = use.parent;
  if (!parent) return 'inspect';
  if (parent.type === 'send_statement') return parent.childForFieldName('channel')?.id === use.id ? 'send' : 'handoff';
  if (parent.type === 'unary_expression' && parent.child(0)?.type === '<-') return 'receive';
  if (parent.type === 'range_clause' && parent.childForFieldName('right')?.id === use.id) return 'range';
  if (parent.type === 'binary_expression') return 'inspect';
  if (parent.type === 'argument_list') {
    const callee = parent.parent?.childForFieldName('function')?.text;
    if (callee === 'close') return 'close';
    if (callee === 'len' || callee === 'cap') return 'inspect';
  }
  if (parent.type === 'expression_list' && parent.parent?.type === 'assignment_statement') {
    // `ch = nil` (disable a select case) neither unblocks nor hands off; other re-assignments are not followed.
    const assign = parent.parent;
    if (assign.childForFieldName('left')?.id === parent.id) return 'handoff';
  }
  return escapeOf(use) === null ? 'inspect' : 'handoff';
}

/** Where a use runs relative to `fn`: in `fn` itself, in a goroutine it starts, deferred, or in a callback. */
function placeOf(use: SyntaxNode, fn: SyntaxNode): Omit<ChannelUse, 'node' | 'op'> {
  let goroutine: SyntaxNode | null = null;
  let inCallback = false;
  let deferred = false;
  for (let n = use.parent; n && n.id !== fn.id; n = n.parent) {
    if (n.type === 'defer_statement' && !goroutine && !inCallback) deferred = true;
    if (!FUNCTION_TYPES.has(n.type)) continue;
    if (isGoroutineLiteral(n)) goroutine ??= n.parent?.parent ?? null;
    else if (!isDeferredLiteral(n) && !isCallee(n)) inCallback = true;
  }
  return { goroutine, inCallback: inCallback && !goroutine, deferred, select: selectCaseOf(use)?.parent ?? null };
}

function isDeferredLiteral(lit: SyntaxNode): boolean {
  return lit.parent?.type === 'call_expression' && lit.parent.parent?.type === 'defer_statement';
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

/** `go f(ch)`: the call and the argument's index. */
function goroutineCallArgument(use: SyntaxNode): { call: SyntaxNode; index: number } | null {
  const args = use.parent;
  const call = args?.parent;
  if (args?.type !== 'argument_list' || call?.type !== 'call_expression' || call.parent?.type !== 'go_statement') return null;
  return { call, index: args.namedChildren.findIndex((a) => a.id === use.id) };
}

/**
 * The uses of the parameter that receives argument `index` of `go f(...)`, when f is a
 * func literal or a package-level function of this package; null when f cannot be read.
 */
function followIntoGoroutine(call: SyntaxNode, index: number, pkg: Package): ChannelUse[] | null {
  const target = call.parent ? goroutineBody(call.parent, pkg) : null;
  if (!target) return null;
  const param = parameterNames(target)[index];
  const body = target.childForFieldName('body');
  if (!param || !body || param === '_') return null;
  return identifierUses(body, param).flatMap((u) => classifyUse(u, target, pkg, 1));
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

/**
 * The code that runs as the goroutine of a `go` statement: a func literal, a package
 * function, or a method of the package when only one type has a method of that name.
 */
export function goroutineBody(goStmt: SyntaxNode, pkg: Package): SyntaxNode | null {
  const call = goStmt.namedChildren.find((c) => c.type === 'call_expression');
  const callee = call ? unparen(call.childForFieldName('function') ?? call) : null;
  if (callee?.type === 'func_literal') return callee;
  if (callee?.type === 'identifier') return packageFunction(pkg, callee.text);
  if (callee?.type === 'selector_expression') {
    const methods = packageMethods(pkg, callee.childForFieldName('field')?.text ?? '');
    if (methods.length === 1) return methods[0];
  }
  return null;
}

/**
 * What the package does anywhere with channel field `field` (of any value of any type
 * with such a field): the operations, with assignments to the field (initialisation) left out.
 */
export function fieldChannelOps(pkg: Package, field: string): Set<ChannelOp> {
  const ops = new Set<ChannelOp>();
  for (const sel of selectorsOfField(pkg, field)) if (!isAssignedTo(sel)) ops.add(operation(sel));
  return ops;
}

/**
 * Whether every value the package puts in channel field `field` is made here with
 * `make(chan ...)` (in `x.field = make(...)` or `T{field: make(...)}`), and there is at
 * least one: a channel that comes from elsewhere may be closed elsewhere.
 */
export function fieldChannelMadeHere(pkg: Package, field: string): boolean {
  const values = fieldValues(pkg, field);
  return values.length > 0 && values.every((v) => v.text === 'nil' || (v.type === 'call_expression' && isMakeChan(v)));
}
