import type { SyntaxNode } from './tree.js';
import {
  boundNames,
  contains,
  enclosingFunction,
  enclosingLoops,
  FUNCTION_TYPES,
  ownDescendantsOfType,
  unparen,
} from './syntax.js';

/** Calls that end the process (or panic): nothing after them runs. */
const PROCESS_ENDING = 'panic|os\\.Exit|log\\.(?:Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)';
const PROCESS_ENDING_CALLS = new RegExp(`^(?:${PROCESS_ENDING})$`);
/** Calls that never return to the code after them: the process-ending ones and runtime.Goexit. */
const NO_RETURN_CALLS = new RegExp(`^(?:${PROCESS_ENDING}|runtime\\.Goexit)$`);
/**
 * The same judged by method name on any receiver (`logger.Fatal`, `t.FailNow`): looser, so
 * code built on `terminates` takes more paths to end and errs towards silence.
 */
const NO_RETURN_METHODS = /^panic$|\.(Exit|Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln|Goexit|FailNow)$/;

const BREAKABLE_TYPES = new Set(['for_statement', 'expression_switch_statement', 'type_switch_statement', 'select_statement']);
const SWITCH_TYPES = new Set(['expression_switch_statement', 'type_switch_statement']);
const CASE_TYPES = new Set(['expression_case', 'type_case', 'default_case', 'communication_case']);

/** The statements of a block, a select case or a switch case, in order. */
export function statementsOf(node: SyntaxNode): SyntaxNode[] {
  if (node.type === 'block') {
    const list = node.namedChildren.find((c) => c.type === 'statement_list');
    return list ? statementsOf(list) : [];
  }
  if (node.type === 'statement_list') return node.namedChildren.filter((c) => c.type !== 'comment');
  const list = node.namedChildren.find((c) => c.type === 'statement_list');
  return list ? statementsOf(list) : [];
}

/** Whether a node is one case (or the default) of a switch or select. */
export function isCaseClause(node: SyntaxNode): boolean {
  return CASE_TYPES.has(node.type);
}

/** Whether statements end with a call that ends the process (or panics): nothing after them leaks. */
export function statementsEndProcess(stmts: SyntaxNode[]): boolean {
  const last = stmts[stmts.length - 1];
  const call = last?.type === 'expression_statement' ? last.namedChildren[0] : null;
  return call?.type === 'call_expression' && PROCESS_ENDING_CALLS.test(call.childForFieldName('function')?.text ?? '');
}

/**
 * Whether a block's last statement leaves the code after it: return, break, continue, goto,
 * or a process-ending call. Unlike `terminates`, only the last statement is read.
 */
export function endsByLeaving(block: SyntaxNode): boolean {
  const stmts = statementsOf(block);
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  if (['return_statement', 'break_statement', 'continue_statement', 'goto_statement'].includes(last.type)) return true;
  return statementsEndProcess(stmts);
}

/**
 * The statement a `break` or `continue` leaves: the one its label names, else the innermost
 * loop (or, for `break`, switch or select) around it; null when there is none in its function.
 */
export function jumpTarget(jump: SyntaxNode): SyntaxNode | null {
  const label = jump.namedChildren.find((c) => c.type === 'label_name')?.text;
  for (let n = jump.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    if (label) {
      if (n.type === 'labeled_statement' && n.childForFieldName('label')?.text === label) {
        return n.namedChildren.find((c) => c.type !== 'label_name' && c.type !== 'comment') ?? null;
      }
    } else if (n.type === 'for_statement' || (jump.type === 'break_statement' && BREAKABLE_TYPES.has(n.type))) {
      return n;
    }
  }
  return null;
}

/**
 * Whether control never gets from the end of `stmts` back to the top of `loop`: the last
 * statement returns, panics, exits, breaks out of the loop, or continues an outer loop.
 */
export function statementsLeaveLoop(stmts: SyntaxNode[], loop: SyntaxNode): boolean {
  const last = stmts[stmts.length - 1];
  return last ? statementLeavesLoop(last, loop) : false;
}

function statementLeavesLoop(stmt: SyntaxNode, loop: SyntaxNode): boolean {
  switch (stmt.type) {
    case 'return_statement':
    case 'goto_statement':
      return true;
    case 'break_statement':
    case 'continue_statement': {
      // `break` to the loop or one around it; `continue` of a loop around it.
      const target = jumpTarget(stmt);
      if (!target || !contains(target, loop)) return false;
      return stmt.type === 'break_statement' || target.id !== loop.id;
    }
    case 'expression_statement': {
      const call = stmt.namedChildren[0];
      return call?.type === 'call_expression' && NO_RETURN_CALLS.test(call.childForFieldName('function')?.text ?? '');
    }
    case 'block':
      return statementsLeaveLoop(statementsOf(stmt), loop);
    case 'if_statement': {
      const alternative = stmt.childForFieldName('alternative');
      const consequence = stmt.childForFieldName('consequence');
      return !!alternative && !!consequence && statementLeavesLoop(consequence, loop) && statementLeavesLoop(alternative, loop);
    }
    default:
      return false;
  }
}

/**
 * Whether control can get from `stmt` back to the top of `loop`: a `continue` of the loop
 * follows it, or no statement list between them ends by leaving the loop.
 */
export function comesRoundAgain(stmt: SyntaxNode, loop: SyntaxNode): boolean {
  const body = loop.childForFieldName('body');
  if (!body) return false;
  return continuesIn(body, loop, stmt.endIndex) || restReachesLoopTop(stmt, loop);
}

/**
 * Whether a select or switch case can send control back to the top of `loop`: it holds a
 * `continue` of that loop, or it ends without leaving the loop and the code after the
 * select does not leave it either (`if err != nil { ... }; return res` at the loop's end).
 */
export function caseGoesRoundLoop(clause: SyntaxNode, loop: SyntaxNode): boolean {
  if (continuesIn(clause, loop)) return true;
  if (statementsLeaveLoop(statementsOf(clause), loop)) return false;
  return restReachesLoopTop(clause.parent ?? clause, loop);
}

/** Whether `scope` holds a `continue` of `loop` that starts after index `after`. */
function continuesIn(scope: SyntaxNode, loop: SyntaxNode, after = -1): boolean {
  return scope
    .descendantsOfType('continue_statement')
    .some((c) => c.startIndex > after && jumpTarget(c)?.id === loop.id);
}

/** Whether the statements that follow `stmt`, up to the end of the loop body, can end without leaving `loop`. */
function restReachesLoopTop(stmt: SyntaxNode, loop: SyntaxNode): boolean {
  const body = loop.childForFieldName('body');
  for (let n: SyntaxNode | null = stmt; n && n.id !== body?.id; n = n.parent) {
    const list = n.parent;
    if (list?.type !== 'statement_list') continue;
    const rest = list.namedChildren.filter((c) => c.startIndex > n!.endIndex && c.type !== 'comment');
    if (statementsLeaveLoop(rest, loop)) return false;
  }
  return true;
}

/**
 * Whether control never goes from `stmt` to the statement after it: return, goto, break,
 * continue, panic and exits, endless loops, and branches that all do so. In a switch or
 * select case (`inCase`) a plain `break` only leaves the case, so it does not count.
 */
export function terminates(stmt: SyntaxNode, inCase: boolean): boolean {
  switch (stmt.type) {
    case 'return_statement':
    case 'goto_statement':
    case 'continue_statement':
      return true;
    case 'break_statement':
      return !inCase || stmt.namedChildren.some((c) => c.type === 'label_name');
    case 'expression_statement': {
      const call = unparen(stmt.namedChildren[0] ?? stmt);
      return call.type === 'call_expression' && NO_RETURN_METHODS.test(call.childForFieldName('function')?.text ?? '');
    }
    case 'block':
      return listTerminates(statementsOf(stmt), inCase);
    case 'labeled_statement':
      return stmt.namedChildren.some((c) => c.type !== 'label_name' && terminates(c, inCase));
    case 'if_statement': {
      const consequence = stmt.childForFieldName('consequence');
      const alternative = stmt.childForFieldName('alternative');
      return !!consequence && !!alternative && terminates(consequence, inCase) && terminates(alternative, inCase);
    }
    case 'for_statement':
      return !loopFallsThrough(stmt);
    case 'expression_switch_statement':
    case 'type_switch_statement':
    case 'select_statement':
      return everyCase(stmt, (stmts) => listTerminates(stmts, true));
    default:
      return false;
  }
}

/** A statement of the list terminates: the statements after it, and the list's end, are not reached. */
export function listTerminates(stmts: SyntaxNode[], inCase: boolean): boolean {
  return stmts.some((s) => terminates(s, inCase));
}

/**
 * Whether every case of a switch or select satisfies `holds`, a case ending in `fallthrough`
 * taking the next case's answer. A switch without a default can skip all its cases.
 */
export function everyCase(stmt: SyntaxNode, holds: (stmts: SyntaxNode[]) => boolean): boolean {
  const cases = stmt.namedChildren.filter(isCaseClause);
  if (SWITCH_TYPES.has(stmt.type) && !cases.some((c) => c.type === 'default_case')) return false;
  const caseHolds = (i: number): boolean => {
    const stmts = statementsOf(cases[i]);
    if (holds(stmts)) return true;
    return stmts[stmts.length - 1]?.type === 'fallthrough_statement' && i + 1 < cases.length && caseHolds(i + 1);
  };
  return cases.every((_, i) => caseHolds(i));
}

/** A loop's clause (`i := 0; i < n; i++`, `k, v := range m`) or bare condition; null for `for {}`. */
export function loopClause(loop: SyntaxNode): SyntaxNode | null {
  return loop.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment') ?? null;
}

/**
 * Whether a `for` loop can end: it has a condition, ranges over something, or holds a
 * `return`, a `break` that leaves it, or a `goto`. Panics and process exits do not count:
 * code after them never runs either.
 */
export function loopCanEnd(loop: SyntaxNode): boolean {
  const header = loopClause(loop);
  if (header) {
    if (header.type === 'for_clause') {
      if (header.childForFieldName('condition')) return true;
    } else if (header.type !== 'range_clause' || !rangesForever(header)) {
      return true;
    }
  }
  return loopExits(loop).length > 0 || !loop.childForFieldName('body');
}

/**
 * Whether control can reach the statement after a loop: its condition or range can end it,
 * or a `break` (or a `goto`) leaves it. A `return` inside ends the function, not the loop.
 */
function loopFallsThrough(loop: SyntaxNode): boolean {
  if (!loopCanEnd(loop)) return false;
  const header = loopClause(loop);
  const endless = !header || (header.type === 'for_clause' && !header.childForFieldName('condition'));
  if (!endless || !loop.childForFieldName('body')) return true;
  return loopExits(loop).some((exit) => exit.type !== 'return_statement');
}

/** The statements that leave a loop early: `return`, a `break` of it, `goto`. */
export function loopExits(loop: SyntaxNode): SyntaxNode[] {
  const body = loop.childForFieldName('body');
  if (!body) return [];
  return ownDescendantsOfType(body, ['return_statement', 'break_statement', 'goto_statement']).filter(
    (exit) => exit.type !== 'break_statement' || jumpTarget(exit)?.id === loop.id,
  );
}

/**
 * A range over `time.Tick(...)`, a ticker's channel, or a variable bound to either never
 * ends by itself: nobody closes those channels.
 */
function rangesForever(range: SyntaxNode): boolean {
  const right = range.childForFieldName('right');
  if (!right) return false;
  if (isTickChannel(right)) return true;
  if (right.type !== 'identifier') return false;
  const fn = enclosingFunction(range);
  const body = fn?.childForFieldName('body');
  if (!body) return false;
  return body.descendantsOfType('short_var_declaration').some((decl) => {
    const names = boundNames(decl);
    const values = decl.childForFieldName('right')?.namedChildren ?? [];
    const i = names.findIndex((n) => n.text === right.text);
    return i >= 0 && values[i] !== undefined && isTickChannel(values[i]);
  });
}

function isTickChannel(expr: SyntaxNode): boolean {
  if (expr.type === 'call_expression') return /(^|\.)Tick$/.test(expr.childForFieldName('function')?.text ?? '');
  return expr.type === 'selector_expression' && expr.childForFieldName('field')?.text === 'C';
}

/** The `for` statements at the top level of a function's body, labeled or not. */
export function topLevelLoops(fn: SyntaxNode): SyntaxNode[] {
  const body = fn.childForFieldName('body');
  return (body ? statementsOf(body) : [])
    .map((s) => (s.type === 'labeled_statement' ? s.namedChildren.find((c) => c.type === 'for_statement') : s))
    .filter((s): s is SyntaxNode => s?.type === 'for_statement');
}

/**
 * Whether a function never returns once it reaches `from`: `from` lies in a loop that
 * cannot end (a server loop, a `for range time.Tick(...)`), or such a loop follows it at
 * the top level of the function's body.
 */
export function neverReturnsAfter(from: SyntaxNode): boolean {
  if (enclosingLoops(from).some((loop) => !loopCanEnd(loop))) return true;
  const fn = enclosingFunction(from);
  return !!fn && topLevelLoops(fn).some((loop) => loop.startIndex > from.endIndex && !loopCanEnd(loop));
}
