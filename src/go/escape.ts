import type { SyntaxNode } from 'tree-sitter';
import { FUNCTION_TYPES } from './syntax.js';

/**
 * How a value leaves the code that made it:
 * - returned: part of a return statement;
 * - stored: assigned to a field, an index, a package var, or put in a composite literal;
 * - aliased: assigned to another variable (which may then go anywhere);
 * - passed: an argument of a call (other than builtins that do not keep it);
 * - sent: sent on a channel.
 */
export type Escape = 'returned' | 'stored' | 'aliased' | 'passed' | 'sent';

const WRAPPERS = new Set([
  'parenthesized_expression',
  'expression_list',
  'literal_element',
  'literal_value',
  'keyed_element',
  'composite_literal',
]);
const NON_RETAINING_BUILTINS = new Set(['len', 'cap', 'print', 'println', 'delete', 'close', 'panic']);

/**
 * Where the value of `expr` (an identifier use or a call) goes, or null when it stays
 * local: used as an operand, compared, discarded into `_`.
 */
export function escapeOf(expr: SyntaxNode): Escape | null {
  let node = expr;
  let parent = node.parent;
  while (parent && (WRAPPERS.has(parent.type) || passesValue(parent))) {
    // In a keyed element the key is a name, not a value; any other element is stored in the literal.
    if (parent.type === 'keyed_element' && parent.namedChildren[0]?.id === node.id) return null;
    if (parent.type === 'literal_value') return 'stored';
    node = parent;
    parent = node.parent;
  }
  if (!parent) return null;
  switch (parent.type) {
    case 'return_statement':
      return 'returned';
    case 'send_statement':
      return parent.childForFieldName('value')?.id === node.id ? 'sent' : null;
    case 'argument_list': {
      const callee = parent.parent?.childForFieldName('function');
      if (callee?.type === 'identifier' && NON_RETAINING_BUILTINS.has(callee.text)) return null;
      return 'passed';
    }
    case 'assignment_statement':
    case 'short_var_declaration':
    case 'var_spec':
      return assignmentEscape(parent, node);
    default:
      return null;
  }
}

/** `&x` and `*x` pass the value (or what it points to) along. */
function passesValue(n: SyntaxNode): boolean {
  const op = n.type === 'unary_expression' ? n.child(0)?.type : undefined;
  return op === '&' || op === '*';
}

/** The escape of a value on the right of an assignment, judged by what it is assigned to. */
function assignmentEscape(assign: SyntaxNode, valueList: SyntaxNode): Escape | null {
  const right = assign.type === 'var_spec' ? assign.childForFieldName('value') : assign.childForFieldName('right');
  if (right?.id !== valueList.id) return null;
  const targets =
    assign.type === 'var_spec'
      ? assign.childrenForFieldName('name')
      : (assign.childForFieldName('left')?.namedChildren ?? []);
  if (targets.every((t) => t.type === 'identifier' && t.text === '_')) return null;
  if (targets.some((t) => t.type !== 'identifier')) return 'stored';
  return 'aliased';
}

/** Whether a func literal is started as a goroutine (`go func(){...}()`). */
export function isGoroutineLiteral(fn: SyntaxNode): boolean {
  if (fn.type !== 'func_literal') return false;
  const call = fn.parent;
  return call?.type === 'call_expression' && call.parent?.type === 'go_statement';
}

/** Whether `node` runs inside a goroutine started within `fn` (captured by a `go func(){...}()`). */
export function capturedByGoroutine(node: SyntaxNode, fn: SyntaxNode): boolean {
  for (let n = node.parent; n && n.id !== fn.id; n = n.parent) {
    if (FUNCTION_TYPES.has(n.type) && isGoroutineLiteral(n)) return true;
  }
  return false;
}

/** The variable, field or index an expression is assigned to (`x := expr`, `s.f = expr`), if any. */
export function assignmentTarget(expr: SyntaxNode): SyntaxNode | null {
  const list = expr.parent;
  if (list?.type !== 'expression_list') return null;
  const assign = list.parent;
  if (!assign) return null;
  let targets: SyntaxNode[];
  if (assign.type === 'var_spec') {
    if (assign.childForFieldName('value')?.id !== list.id) return null;
    targets = assign.childrenForFieldName('name');
  } else if (assign.type === 'assignment_statement' || assign.type === 'short_var_declaration') {
    if (assign.childForFieldName('right')?.id !== list.id) return null;
    targets = assign.childForFieldName('left')?.namedChildren ?? [];
  } else {
    return null;
  }
  const index = list.namedChildren.findIndex((c) => c.id === expr.id);
  return targets[index] ?? null;
}
