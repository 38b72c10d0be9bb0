import type { SyntaxNode } from './tree.js';
import { isAssignedTo } from './escape.js';
import { endsByLeaving, everyCase, isCaseClause, jumpTarget, listTerminates, statementsOf, terminates } from './flow.js';
import { declares, variableScope } from './scopes.js';
import {
  boundNames,
  contains,
  enclosingLoops,
  FUNCTION_TYPES,
  insideFuncLiteral,
  ownDescendantsOfType,
} from './syntax.js';

/**
 * A local variable followed from the statement that assigns it to every way out of its
 * scope, to tell whether each way passes a use of it (a call, a close, a hand-off).
 */
export interface TrackedVariable {
  name: string;
  /** The statement that assigns the value being followed. */
  stmt: SyntaxNode;
  /** The statement list the variable lives in: leaving it loses the value. */
  scope: SyntaxNode;
  /** Uses from its declaration on, other than assignments to it. */
  uses: SyntaxNode[];
  fn: SyntaxNode;
}

/**
 * The variable `target` that `stmt` assigns, followed through `fn`; null when it outlives
 * the function or is scoped to an if/for/switch header (see `variableScope`).
 */
export function trackVariable(target: SyntaxNode, stmt: SyntaxNode, fn: SyntaxNode): TrackedVariable | null {
  const name = target.text;
  const scope = variableScope(stmt, name, fn);
  if (!scope) return null;
  const uses = fn
    .descendantsOfType('identifier')
    .filter((id) => id.text === name && id.id !== target.id && id.startIndex >= scope.declaredAt.startIndex)
    .filter((id) => !isAssignedTo(id) && !isLiteralKey(id));
  return { name, stmt, scope: scope.list, uses, fn };
}

/** The key in `T{cancel: f}` names a field, not the variable. */
function isLiteralKey(id: SyntaxNode): boolean {
  const element = id.parent?.type === 'literal_element' ? id.parent : null;
  const keyed = element?.parent;
  return keyed?.type === 'keyed_element' && keyed.namedChildren[0]?.id === element?.id;
}

/**
 * How a path leaves the variable's life:
 * - return, break, continue: a statement that leaves its scope;
 * - next-iteration: a `continue` or the end of a loop body, after which the assignment runs again;
 * - reassigned: a later assignment to the variable;
 * - function-end, loop-end, scope-end: falling off the end of the function, of a loop body
 *   (the loop goes round) or of another block that declares it.
 */
export type ExitKind =
  | 'return'
  | 'break'
  | 'continue'
  | 'next-iteration'
  | 'reassigned'
  | 'function-end'
  | 'loop-end'
  | 'scope-end';

/** A way out of the variable's life: after it, the value is lost if it was not used. */
export interface Exit {
  node: SyntaxNode;
  kind: ExitKind;
  /** Where the path leaves: before statement `index` of `list` (index = length: at its end). */
  list: SyntaxNode;
  index: number;
  /** The next iteration or assignment overwrites the variable (a closure made earlier does not help). */
  overwrites: boolean;
  /** The loop whose next iteration this exit starts, if any. */
  loop?: SyntaxNode;
}

/** Every way out of the variable's life after its assignment. */
export function exitsOf(v: TrackedVariable): Exit[] {
  const exits: Exit[] = [];
  const after = (n: SyntaxNode): boolean => n.startIndex > v.stmt.endIndex;
  const own = ownDescendantsOfType(v.scope, ['return_statement', 'break_statement', 'continue_statement']).filter(after);
  for (const stmt of own) {
    if (stmt.type === 'return_statement') {
      exits.push(exitAt(stmt, 'return'));
      continue;
    }
    const target = jumpTarget(stmt);
    if (!target) continue;
    if (contains(target, v.scope)) {
      exits.push(exitAt(stmt, stmt.type === 'continue_statement' ? 'continue' : 'break'));
    } else if (stmt.type === 'continue_statement' && contains(target, v.stmt)) {
      exits.push({ ...exitAt(stmt, 'next-iteration'), loop: target });
    }
  }
  for (const stmt of ownDescendantsOfType(v.scope, ['assignment_statement', 'short_var_declaration'])) {
    if (after(stmt) && reassigns(stmt, v)) exits.push(exitAt(stmt, 'reassigned'));
  }
  exits.push(...loopEnds(v));
  const end = scopeEnd(v);
  if (end) exits.push(end);
  return exits;
}

function exitAt(stmt: SyntaxNode, kind: ExitKind): Exit {
  const list = stmt.parent!;
  const overwrites = kind === 'next-iteration' || kind === 'reassigned';
  return { node: stmt, kind, list, index: indexIn(list, stmt), overwrites };
}

function indexIn(list: SyntaxNode, stmt: SyntaxNode): number {
  return statementsOf(list).findIndex((s) => s.id === stmt.id);
}

/**
 * A later `x = ...` (or `..., x := ...` in the same scope) that overwrites the variable,
 * not one that assigns a variable of the same name declared in an inner block.
 */
function reassigns(stmt: SyntaxNode, v: TrackedVariable): boolean {
  if (stmt.parent?.type !== 'statement_list') return false;
  if (!boundNames(stmt).some((t) => t.type === 'identifier' && t.text === v.name)) return false;
  if (stmt.type === 'short_var_declaration' && stmt.parent.id !== v.scope.id) return false;
  for (let n: SyntaxNode = stmt; n.id !== v.scope.id && n.parent; n = n.parent) {
    const list = n.parent;
    if (list.type !== 'statement_list' || list.id === v.scope.id) continue;
    if (statementsOf(list).some((s) => s.startIndex < n.startIndex && declares(s, v.name))) return false;
  }
  return true;
}

/** The ends of loop bodies between the assignment and the variable's scope: the next iteration assigns again. */
function loopEnds(v: TrackedVariable): Exit[] {
  const exits: Exit[] = [];
  for (const loop of enclosingLoops(v.stmt)) {
    if (!contains(v.scope, loop)) break;
    const list = loop.childForFieldName('body')?.namedChildren.find((c) => c.type === 'statement_list');
    const body = loop.childForFieldName('body');
    if (!list || !body || endsInTerminator(list)) continue;
    const index = statementsOf(list).length;
    exits.push({ node: body.lastChild ?? body, kind: 'next-iteration', list, index, overwrites: true, loop });
  }
  return exits;
}

/** Falling off the end of the variable's scope (the function's end, or a block's). */
function scopeEnd(v: TrackedVariable): Exit | null {
  if (endsInTerminator(v.scope)) return null;
  const body = v.fn.childForFieldName('body');
  const holder = v.scope.parent;
  const index = statementsOf(v.scope).length;
  if (holder?.id === body?.id) {
    // A function with results cannot fall off its end: the compiler requires a terminating statement.
    if ((v.fn.childForFieldName('result')?.namedChildCount ?? 0) > 0) return null;
    return { node: body?.lastChild ?? v.scope, kind: 'function-end', list: v.scope, index, overwrites: false };
  }
  const node = holder?.type === 'block' ? (holder.lastChild ?? holder) : statementsOf(v.scope)[index - 1];
  const loopBody = holder?.type === 'block' && holder.parent?.type === 'for_statement';
  return { node, kind: loopBody ? 'loop-end' : 'scope-end', list: v.scope, index, overwrites: false };
}

function endsInTerminator(list: SyntaxNode): boolean {
  return listTerminates(statementsOf(list), false);
}

/**
 * Whether the variable is used (called, handed on) on the way from its assignment to
 * `exit`. An approximation of the paths: statements before the exit in its statement list
 * and the lists around it, after the assignment, that use the variable whichever way they go.
 */
export function usedOnTheWayTo(exit: Exit, v: TrackedVariable): boolean {
  if (usesIn(exit.node, v)) return true; // `return ctx, cancel`
  if (!exit.overwrites && closureMadeBefore(v)) return true;
  const assignIndex = listIndexes(v.stmt, v.scope);
  // A statement before the exit that uses the variable, or that never lets control reach the exit.
  const blocksPath = (s: SyntaxNode): boolean => usedOnEveryWayThrough(s, v) || terminates(s, false);
  let list = exit.list;
  let index = exit.index;
  for (;;) {
    const stmts = statementsOf(list);
    const from = assignIndex.get(list.id);
    if (from !== undefined) {
      if (index === from) return true; // the exit lies in another branch than the assignment: not reached from it
      if (stmts.slice(from + 1, index).some(blocksPath)) return true;
      break;
    }
    if (stmts.slice(0, index).some(blocksPath)) return true;
    const up = enclosingStatement(list);
    if (!up || !contains(v.scope, up)) return false;
    list = up.parent!;
    index = indexIn(list, up);
  }
  if (exit.loop && usedEarlierInLoop(exit.loop, v)) return true;
  return statementsAfterAssignment(v, list).some((s) => usedOnEveryWayThrough(s, v));
}

/** The index of the statement holding `stmt` in every statement list from `stmt` up to `scope`. */
function listIndexes(stmt: SyntaxNode, scope: SyntaxNode): Map<number, number> {
  const indexes = new Map<number, number>();
  for (let n: SyntaxNode = stmt; n.parent; n = n.parent) {
    if (n.parent.type === 'statement_list') indexes.set(n.parent.id, indexIn(n.parent, n));
    if (n.parent.id === scope.id) break;
  }
  return indexes;
}

/** The statement (a direct child of a statement list) that holds `node`. */
function enclosingStatement(node: SyntaxNode): SyntaxNode | null {
  let n = node;
  while (n.parent && n.parent.type !== 'statement_list') {
    if (FUNCTION_TYPES.has(n.parent.type)) return null;
    n = n.parent;
  }
  return n.parent ? n : null;
}

/** Statements after the assignment in its own block and the blocks around it, below `common`. */
function statementsAfterAssignment(v: TrackedVariable, common: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let n: SyntaxNode = v.stmt; n.parent && n.parent.id !== common.id; n = n.parent) {
    if (n.parent.type === 'statement_list') out.push(...statementsOf(n.parent).filter((s) => s.startIndex > n.endIndex));
  }
  return out;
}

/**
 * Whether the next iteration may use the previous value before assigning again: a use in
 * the loop body before the assignment (`if cancel != nil { cancel() }` at the top), or in
 * another branch than the assignment (a "stop" case beside the "start" case of a command loop).
 */
function usedEarlierInLoop(loop: SyntaxNode, v: TrackedVariable): boolean {
  const body = loop.childForFieldName('body');
  if (!body) return false;
  return v.uses.some((u) => contains(body, u) && (u.endIndex < v.stmt.startIndex || onOtherBranch(u, v.stmt)));
}

/** Whether `a` and `b` lie in different branches of an if, switch or select (not in one statement list). */
function onOtherBranch(a: SyntaxNode, b: SyntaxNode): boolean {
  let n = a.parent;
  while (n && !contains(n, b)) n = n.parent;
  return !!n && n.type !== 'statement_list' && n.type !== 'block';
}

/** A func literal made before the assignment that reads the variable when it runs (`defer func() { cancel() }()`). */
function closureMadeBefore(v: TrackedVariable): boolean {
  return v.uses.some((u) => u.startIndex < v.stmt.startIndex && insideFuncLiteral(u, v.fn));
}

function usesIn(node: SyntaxNode, v: TrackedVariable): boolean {
  return v.uses.some((u) => contains(node, u));
}

/**
 * Whether every way through `stmt` that reaches the next statement uses the variable.
 * Branches (if, switch, select) are followed; any other statement that uses it counts.
 */
function usedOnEveryWayThrough(stmt: SyntaxNode, v: TrackedVariable): boolean {
  if (!usesIn(stmt, v)) return false;
  switch (stmt.type) {
    case 'block':
      return statementsOf(stmt).some((s) => usedOnEveryWayThrough(s, v));
    case 'labeled_statement':
      return stmt.namedChildren.some((c) => c.type !== 'label_name' && usedOnEveryWayThrough(c, v));
    case 'if_statement':
      return ifUses(stmt, v);
    case 'expression_switch_statement':
    case 'type_switch_statement':
    case 'select_statement':
      return casesUse(stmt, v);
    default:
      return usesFlowingOn(stmt, v);
  }
}

/**
 * A use inside `stmt` after which control may reach the statement after it: not one in a
 * block that ends by leaving the function (`if err != nil { cancel(); return err }` in a loop).
 */
function usesFlowingOn(stmt: SyntaxNode, v: TrackedVariable): boolean {
  return v.uses.some((u) => contains(stmt, u) && !inReturningList(u, stmt));
}

function inReturningList(use: SyntaxNode, stmt: SyntaxNode): boolean {
  // A func literal may run at any time, whatever its own returns do.
  if (insideFuncLiteral(use, stmt)) return false;
  for (let n: SyntaxNode = use; n.id !== stmt.id && n.parent; n = n.parent) {
    if (n.parent.type !== 'statement_list') continue;
    const stmts = statementsOf(n.parent);
    const last = stmts[stmts.length - 1];
    if (last && (last.type === 'return_statement' || (last.type === 'expression_statement' && terminates(last, false)))) return true;
  }
  return false;
}

/**
 * An if statement uses the variable on its way through when its header does
 * (`if cancel != nil { cancel() }`) or when each branch uses it or leaves: a branch that
 * does neither (a missing else included) goes on without it.
 */
function ifUses(stmt: SyntaxNode, v: TrackedVariable): boolean {
  const header = [stmt.childForFieldName('initializer'), stmt.childForFieldName('condition')];
  if (header.some((h) => h && usesIn(h, v))) return true;
  const branches = [stmt.childForFieldName('consequence'), stmt.childForFieldName('alternative')];
  return branches.every((b) => !!b && (usedOnEveryWayThrough(b, v) || terminates(b, false)));
}

/** A switch or select, judged like an if: its header uses the variable, or every case uses it or leaves. */
function casesUse(stmt: SyntaxNode, v: TrackedVariable): boolean {
  const header = stmt.namedChildren.filter((c) => !isCaseClause(c));
  if (header.some((h) => usesIn(h, v))) return true;
  return everyCase(stmt, (stmts) => stmts.some((s) => usedOnEveryWayThrough(s, v)) || listTerminates(stmts, true));
}

const ERROR_NAME = /^err$|[eE]rr$/;

/**
 * Whether `use` runs on the path that falls through every early exit after `from`: not in
 * the branch of an `err != nil` check, nor in an `if` without `else` that ends by leaving
 * (`if resp.StatusCode != 200 { resp.Body.Close(); return err }`).
 */
export function onMainPath(use: SyntaxNode, from: SyntaxNode, body: SyntaxNode): boolean {
  for (let n = use; n.parent && n.id !== body.id; n = n.parent) {
    const branch = n.parent;
    // An if around both the use and `from` chose its branch before `from` ran.
    if (branch.type !== 'if_statement' || contains(n, from)) continue;
    const condition = branch.childForFieldName('condition');
    const consequence = branch.childForFieldName('consequence');
    const alternative = branch.childForFieldName('alternative');
    if (n.id === consequence?.id) {
      if (testsError(condition, '!=')) return false;
      if (testsError(condition, '==')) continue; // the success branch
      if (!alternative && endsByLeaving(consequence)) return false;
    } else if (n.id === alternative?.id && testsError(condition, '==') && !testsError(condition, '!=')) {
      return false;
    }
  }
  return true;
}

/** Whether a condition holds `err <op> nil` for an error-like name. */
function testsError(condition: SyntaxNode | null, op: '!=' | '=='): boolean {
  if (!condition) return false;
  return [condition, ...condition.descendantsOfType('binary_expression')].some((b) => {
    if (b.type !== 'binary_expression' || b.childForFieldName('operator')?.type !== op) return false;
    const [left, right] = [b.childForFieldName('left'), b.childForFieldName('right')];
    return left?.type === 'identifier' && ERROR_NAME.test(left.text) && right?.type === 'nil';
  });
}

/**
 * Where the path that falls through the early exits after `from` leaves the function: the
 * first `return` at its level or around it, or the closing brace of a function without
 * results; null when `from` sits in a loop and the path goes round it, or when the function
 * ends in branches.
 */
export function mainPathExit(from: SyntaxNode, body: SyntaxNode): SyntaxNode | null {
  let stmt: SyntaxNode = from;
  while (stmt.parent && stmt.parent.type !== 'statement_list') stmt = stmt.parent;
  for (let n: SyntaxNode | null = stmt; n && n.id !== body.id; n = n.parent) {
    if (n.type === 'for_statement' || FUNCTION_TYPES.has(n.type)) return null;
    if (n.parent?.type !== 'statement_list') continue;
    const exit = n.parent.namedChildren.find((s) => s.startIndex > n!.endIndex && s.type === 'return_statement');
    if (exit) return exit;
  }
  return body.parent?.childForFieldName('result') ? null : body.lastChild;
}
