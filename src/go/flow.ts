import type { SyntaxNode } from 'tree-sitter';
import { contains, FUNCTION_TYPES } from './syntax.js';

const NO_RETURN_CALLS = /^(panic|os\.Exit|log\.(Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)|runtime\.Goexit)$/;

const PROCESS_ENDING_CALLS = /^(panic|os\.Exit|log\.(Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln))$/;

/** Whether statements end with a call that ends the process (or panics): nothing after them leaks. */
export function statementsEndProcess(stmts: SyntaxNode[]): boolean {
  const last = stmts[stmts.length - 1];
  const call = last?.type === 'expression_statement' ? last.namedChildren[0] : null;
  return call?.type === 'call_expression' && PROCESS_ENDING_CALLS.test(call.childForFieldName('function')?.text ?? '');
}

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

/**
 * Whether control never gets from the end of `stmts` back to the top of `loop`: the last
 * statement returns, panics, exits, or breaks or continues to a label outside the loop.
 */
export function statementsLeaveLoop(stmts: SyntaxNode[], loop: SyntaxNode): boolean {
  const last = stmts[stmts.length - 1];
  return last ? statementLeavesLoop(last, loop) : false;
}

/**
 * Whether a select or switch case can send control back to the top of `loop`: it holds a
 * `continue` of that loop, or it ends without leaving the loop and the code after the
 * select does not leave it either (`if err != nil { ... }; return res` at the loop's end).
 */
export function caseGoesRoundLoop(clause: SyntaxNode, loop: SyntaxNode): boolean {
  const continues = clause
    .descendantsOfType('continue_statement')
    .some((c) => continueTarget(c) === loop.id);
  if (continues) return true;
  if (statementsLeaveLoop(statementsOf(clause), loop)) return false;
  return restReachesLoopTop(clause.parent ?? clause, loop);
}

/** The loop a `continue` goes back to (by node id), or null when it is inside a func literal. */
function continueTarget(stmt: SyntaxNode): number | null {
  const label = stmt.namedChildren.find((c) => c.type === 'label_name')?.text;
  for (let n = stmt.parent; n; n = n.parent) {
    if (FUNCTION_TYPES.has(n.type)) return null;
    if (n.type !== 'for_statement') continue;
    if (!label || (n.parent?.type === 'labeled_statement' && n.parent.childForFieldName('label')?.text === label)) {
      return n.id;
    }
  }
  return null;
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

function statementLeavesLoop(stmt: SyntaxNode, loop: SyntaxNode): boolean {
  switch (stmt.type) {
    case 'return_statement':
    case 'goto_statement':
      return true;
    case 'break_statement':
    case 'continue_statement': {
      const label = stmt.namedChildren.find((c) => c.type === 'label_name')?.text;
      if (!label) return false;
      const target = labeledStatement(stmt, label);
      // `break L` where L labels this loop or one around it; `continue L` for a loop around it.
      if (!target) return false;
      if (stmt.type === 'break_statement') return contains(target, loop);
      return contains(target, loop) && target.namedChildren.find((c) => c.type === 'for_statement')?.id !== loop.id;
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

function labeledStatement(from: SyntaxNode, label: string): SyntaxNode | null {
  for (let n = from.parent; n; n = n.parent) {
    if (n.type === 'labeled_statement' && n.childForFieldName('label')?.text === label) return n;
  }
  return null;
}
