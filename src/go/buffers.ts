import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { constantInt, type Channel } from './channels.js';
import { loopClause, loopExits, statementsLeaveLoop, statementsOf } from './flow.js';
import { callersOf, calleesOf } from './model/calls.js';
import { objectOf, usesOf, type GoObject } from './model/names.js';
import { nodesOfType } from './nodes.js';
import { isStepped } from './model/domain.js';
import { fileOf } from './package.js';
import { contains, enclosingLoops, FUNCTION_TYPES, isCallee, ownDescendantsOfType, unparen } from './syntax.js';

/**
 * Counting a buffered channel's values: how many times a send surely runs, and how many
 * times the package can receive at most. When a goroutine surely sends more values than the
 * buffer holds plus every receive the package can make, its last sends wait forever.
 */

/** Statements that stand between a node and the function or `go` statement it runs in without making it conditional. */
const STRAIGHT = new Set(['block', 'statement_list', 'expression_statement', 'send_statement', 'call_expression', 'argument_list']);
const JUMPS = ['return_statement', 'break_statement', 'continue_statement', 'goto_statement'];

/**
 * How many times `node` surely runs each time `stop` (a function, or a `go` statement) runs:
 * it is reached in straight-line code (no branch, no earlier statement that may return or
 * jump), through `for` loops of a constant count that nothing leaves early (each multiplies),
 * and through the only call of an unexported function the package never uses as a value.
 * 0 when that cannot be told.
 */
export function sureRuns(pkg: Package, node: SyntaxNode, stop: SyntaxNode, depth = 0): number {
  let times = 1;
  for (let at = node, n = node.parent; n; at = n, n = n.parent) {
    if (n.id === stop.id && n.tree === stop.tree) return times;
    if (n.type === 'statement_list' && earlierJump(n, at)) return 0;
    if (n.type === 'for_statement') {
      const count = constantCount(pkg, n);
      if (count === null || at.type !== 'block') return 0;
      times *= count;
    } else if (FUNCTION_TYPES.has(n.type)) {
      if (n.type === 'func_literal' && n.parent?.parent?.id === stop.id && stop.type === 'go_statement') return times;
      const call = n.type === 'func_literal' ? (isCallee(n) ? n.parent : null) : onlyCall(pkg, n);
      if (!call || depth > 3) return 0;
      const more = sureRuns(pkg, call, stop, depth + 1);
      return times * more;
    } else if (!STRAIGHT.has(n.type)) {
      return 0;
    }
  }
  return 0;
}

/** A statement before `stmt` in `list` that may leave it: a return, break, continue or goto (not in a func literal). */
function earlierJump(list: SyntaxNode, stmt: SyntaxNode): boolean {
  return list.namedChildren.some((s) => s.endIndex <= stmt.startIndex && (JUMPS.includes(s.type) || ownDescendantsOfType(s, JUMPS).length > 0));
}

/** The only call of a declared function that nothing else can call: unexported, never used as a value. */
function onlyCall(pkg: Package, fn: SyntaxNode): SyntaxNode | null {
  const name = fn.childForFieldName('name')?.text ?? '';
  if (pkg.name !== 'main' && /^[A-Z]/.test(name)) return null;
  const { sites, escapes } = callersOf(pkg, fn);
  if (escapes.length > 0 || sites.length !== 1 || sites[0].kind !== 'call') return null;
  return sites[0].call;
}

/**
 * The number of iterations of `for i := 0; i < K; i++` with K a constant the package fixes,
 * `i` not changed in the body, and no way out of the loop but its condition.
 */
function constantCount(pkg: Package, loop: SyntaxNode): number | null {
  const clause = loopClause(loop);
  if (clause?.type !== 'for_clause' || loopExits(loop).length > 0) return null;
  const init = clause.childForFieldName('initializer');
  const cond = clause.childForFieldName('condition');
  const update = clause.childForFieldName('update');
  const left = init?.type === 'short_var_declaration' ? init.childForFieldName('left')?.namedChildren : undefined;
  const start = init?.childForFieldName('right')?.namedChildren;
  if (left?.length !== 1 || start?.length !== 1 || start[0].text !== '0') return null;
  const i = left[0].text;
  if (cond?.type !== 'binary_expression' || cond.childForFieldName('left')?.text !== i || cond.childForFieldName('operator')?.text !== '<') return null;
  if (update?.text.replace(/\s/g, '') !== `${i}++`) return null;
  const file = fileOf(pkg, loop);
  const counter = objectOf(pkg, file, left[0]);
  const body = loop.childForFieldName('body');
  if (!counter || !body || usesOf(pkg, counter).some((u) => contains(body, u) && isStepped(u))) return null;
  const k = constantInt(pkg, file, cond.childForFieldName('right')!);
  return k !== null && k >= 0 ? k : null;
}

/**
 * How many values the package can receive from a channel at most, when every receive is in
 * the function that made it (not in a goroutine, a callback or a deferred call) and each runs
 * at most once: outside any loop, or the loop's own range (or a receive of its body) when
 * every iteration of that loop leaves it. Null when that cannot be bounded.
 */
export function receivesAtMost(ch: Channel): number | null {
  let n = 0;
  for (const r of ch.uses) {
    if (r.op !== 'receive' && r.op !== 'range') continue;
    if (r.goroutine || r.deferred || r.inCallback || r.anchor !== r.node || !ch.fn) return null;
    if (!enclosingLoops(r.node).filter((l) => contains(ch.fn!, l)).every(leavesEveryTime)) return null;
    n++;
  }
  return n;
}

/** Whether each iteration of `loop` ends it: its body's last statement leaves it, or is a select whose every case does. */
function leavesEveryTime(loop: SyntaxNode): boolean {
  const body = loop.childForFieldName('body');
  if (!body) return false;
  const stmts = statementsOf(body);
  if (statementsLeaveLoop(stmts, loop)) return true;
  const last = stmts[stmts.length - 1];
  return (
    last?.type === 'select_statement' &&
    last.namedChildren.filter((c) => c.type.endsWith('_case')).every((c) => statementsLeaveLoop(statementsOf(c), loop))
  );
}

/** A send that finds the buffer of a channel field full, on a value nothing else has seen yet. */
export interface FreshOverfill {
  send: SyntaxNode;
  file: GoFile;
  /** The local variable that holds the fresh value, where it is declared. */
  value: SyntaxNode;
  valueFile: GoFile;
  /** How many sends the channel has had by then, and its capacity. */
  sent: number;
  buffer: number;
}

/**
 * Sends on a channel field of a value made fresh in a function (`c := &T{ch: make(chan X, 1)}`,
 * or through a constructor that only returns such a literal) that fill its buffer before the
 * value has gone anywhere: the function's statements, in order, and the methods it calls on
 * the value, walked in order, do nothing with it but send on that field. Nobody else holds the
 * value yet, so nothing can receive, and the send past the capacity waits forever.
 */
export function freshOverfills(pkg: Package): FreshOverfill[] {
  const found: FreshOverfill[] = [];
  for (const file of pkg.files) {
    if (!file.source.includes('chan')) continue;
    for (const decl of nodesOfType(file, 'short_var_declaration')) {
      // freshChannelFields needs a literal that spells `chan`, or a call of a constructor that makes one.
      const text = decl.text;
      if (!text.includes('chan') && ![...constructorsMakingChannels(pkg)].some((name) => text.includes(name))) continue;
      const body = decl.parent?.type === 'statement_list' ? decl.parent : null;
      const left = decl.childForFieldName('left')?.namedChildren ?? [];
      const right = decl.childForFieldName('right')?.namedChildren ?? [];
      if (!body || left.length !== 1 || right.length !== 1 || left[0].type !== 'identifier') continue;
      const fields = freshChannelFields(pkg, file, right[0]);
      const obj = fields && fields.size > 0 ? objectOf(pkg, file, left[0]) : null;
      if (!fields || !obj) continue;
      const rest = statementsOf(body).filter((s) => s.startIndex > decl.endIndex);
      const state: Walk = { obj, counts: new Map(), fields, value: left[0], valueFile: file, found: null };
      walkFresh(pkg, file, rest, obj, state, 0);
      if (state.found) found.push(state.found);
    }
  }
  return found;
}

interface Walk {
  obj: GoObject;
  fields: Map<string, number>;
  counts: Map<string, number>;
  value: SyntaxNode;
  valueFile: GoFile;
  found: FreshOverfill | null;
}

/**
 * Walks statements in order with `inst` holding the fresh value: 'stop' once a send overfills
 * (recorded in the state) or once the value may go anywhere else; 'on' when the statements
 * end with the value still unseen by others.
 */
function walkFresh(pkg: Package, file: GoFile, stmts: SyntaxNode[], inst: GoObject, state: Walk, depth: number): 'on' | 'stop' {
  for (const stmt of stmts) {
    const mentions = ownDescendantsOfType(stmt, 'identifier').filter((id) => objectOf(pkg, file, id) === inst);
    const jumps = JUMPS.some((t) => stmt.type === t) || ownDescendantsOfType(stmt, JUMPS).length > 0 || stmt.descendantsOfType('func_literal').length > 0;
    if (mentions.length === 0) {
      if (jumps) return 'stop';
      continue;
    }
    if (mentions.length !== 1) return 'stop';
    const sel = mentions[0].parent;
    const field = sel?.type === 'selector_expression' && sel.childForFieldName('operand')?.id === mentions[0].id ? sel.childForFieldName('field')?.text : undefined;
    if (stmt.type === 'send_statement' && field && stmt.childForFieldName('channel')?.id === sel!.id && state.fields.has(field)) {
      const sent = (state.counts.get(field) ?? 0) + 1;
      state.counts.set(field, sent);
      const buffer = state.fields.get(field)!;
      if (sent > buffer) state.found = { send: stmt, file, value: state.value, valueFile: state.valueFile, sent, buffer };
      if (sent > buffer || jumps) return 'stop';
      continue;
    }
    const call = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : null;
    if (jumps || depth > 3 || call?.type !== 'call_expression' || call.childForFieldName('function')?.id !== sel?.id) return 'stop';
    const callees = calleesOf(pkg, file, call);
    const method = callees.length === 1 && callees[0].type === 'method_declaration' ? callees[0] : null;
    const receiver = method?.childForFieldName('receiver')?.namedChildren[0]?.childForFieldName('name');
    const body = method?.childForFieldName('body');
    if (!method || !receiver || !body) return 'stop';
    const methodFile = fileOf(pkg, method);
    const recv = objectOf(pkg, methodFile, receiver);
    if (!recv || walkFresh(pkg, methodFile, statementsOf(body), recv, state, depth + 1) === 'stop') return 'stop';
  }
  return 'on';
}

/**
 * The channel fields, with their constant capacities, of a fresh struct value: a composite
 * literal (`&T{...}`, `T{...}`) whose elements start no goroutine and hold no func literal,
 * or a call of a package function whose body only returns such a literal.
 */
function freshChannelFields(pkg: Package, file: GoFile, value: SyntaxNode, depth = 0): Map<string, number> | null {
  let v = unparen(value);
  if (v.type === 'unary_expression' && v.child(0)?.type === '&') v = unparen(v.namedChildren[0]);
  if (v.type === 'composite_literal') {
    if (!v.text.includes('chan')) return null;
    if (v.descendantsOfType(['func_literal', 'go_statement']).length > 0) return null;
    const fields = new Map<string, number>();
    for (const keyed of v.childForFieldName('body')?.namedChildren ?? []) {
      if (keyed.type !== 'keyed_element') continue;
      const key = keyed.childForFieldName('key')?.text ?? '';
      const made = unparen(keyed.childForFieldName('value')?.namedChildren[0] ?? keyed);
      const size = made.type === 'call_expression' && made.childForFieldName('function')?.text === 'make' ? made.childForFieldName('arguments')?.namedChildren : undefined;
      if (size?.[0]?.type !== 'channel_type') continue;
      const n = size[1] ? constantInt(pkg, file, size[1]) : 0;
      if (n !== null) fields.set(key, n);
    }
    return fields;
  }
  if (v.type !== 'call_expression' || depth > 0) return null;
  // Only a function whose body spells `chan` can return a literal that makes one (calleesOf is the cost here).
  const name = v.childForFieldName('function')?.text.split('.').at(-1) ?? '';
  if (!constructorsMakingChannels(pkg).has(name)) return null;
  const callees = calleesOf(pkg, file, v);
  const body = callees.length === 1 ? callees[0].childForFieldName('body') : null;
  const only = body ? statementsOf(body) : [];
  if (only.length !== 1 || only[0].type !== 'return_statement') return null;
  const values = only[0].namedChildren[0]?.type === 'expression_list' ? only[0].namedChildren[0].namedChildren : only[0].namedChildren;
  return values.length === 1 ? freshChannelFields(pkg, fileOf(pkg, callees[0]), values[0], depth + 1) : null;
}

const makersByPackage = new WeakMap<Package, Set<string>>();

/**
 * Names of the package's functions and methods whose body is one return that mentions `chan`:
 * the only ones freshChannelFields can follow into.
 */
function constructorsMakingChannels(pkg: Package): Set<string> {
  let names = makersByPackage.get(pkg);
  if (names) return names;
  names = new Set();
  for (const file of pkg.files) {
    if (!file.source.includes('chan')) continue;
    for (const fn of [...nodesOfType(file, 'function_declaration'), ...nodesOfType(file, 'method_declaration')]) {
      const body = fn.childForFieldName('body');
      const only = body?.text.includes('chan') ? statementsOf(body) : [];
      if (only.length === 1 && only[0].type === 'return_statement') names.add(fn.childForFieldName('name')?.text ?? '');
    }
  }
  makersByPackage.set(pkg, names);
  return names;
}
