import type { SyntaxNode } from './tree.js';
import type { Package } from '../engine/types.js';
import { constantInt, type Channel } from './channels.js';
import { loopClause, loopExits, statementsLeaveLoop, statementsOf } from './flow.js';
import { callersOf } from './model/calls.js';
import { objectOf, usesOf } from './model/names.js';
import { isStepped } from './model/domain.js';
import { fileOf } from './package.js';
import { contains, enclosingLoops, FUNCTION_TYPES, isCallee, ownDescendantsOfType } from './syntax.js';

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
  const { sites, escapes } = callersOf(pkg, fn);
  const name = fn.childForFieldName('name')?.text ?? '';
  if (escapes.length > 0 || (pkg.name !== 'main' && /^[A-Z]/.test(name)) || sites.length !== 1 || sites[0].kind !== 'call') return null;
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
