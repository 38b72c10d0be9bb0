import type { SyntaxNode } from './tree.js';
import { boundNames, FUNCTION_TYPES, unparen } from './syntax.js';

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
  const targets = boundNames(assign);
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

/** The assignment, `:=` or var spec whose values include `expr` (`x, y := expr`), if any. */
export function assignmentOf(expr: SyntaxNode): SyntaxNode | null {
  const list = expr.parent;
  const assign = list?.type === 'expression_list' ? list.parent : null;
  if (!list || !assign) return null;
  if (assign.type === 'var_spec') return assign.childForFieldName('value')?.id === list.id ? assign : null;
  if (assign.type !== 'assignment_statement' && assign.type !== 'short_var_declaration') return null;
  return assign.childForFieldName('right')?.id === list.id ? assign : null;
}

/** The variable, field or index an expression is assigned to (`x := expr`, `s.f = expr`), if any. */
export function assignmentTarget(expr: SyntaxNode): SyntaxNode | null {
  const assign = assignmentOf(expr);
  if (!assign) return null;
  const index = expr.parent!.namedChildren.findIndex((c) => c.id === expr.id);
  return boundNames(assign)[index] ?? null;
}

/** The value assigned to `target` in `target = value`, if `target` is on the left of one. */
export function assignedValue(target: SyntaxNode): SyntaxNode | null {
  const list = target.parent;
  const assign = list?.parent;
  if (list?.type !== 'expression_list' || assign?.type !== 'assignment_statement') return null;
  if (assign.childForFieldName('left')?.id !== list.id) return null;
  const i = list.namedChildren.findIndex((c) => c.id === target.id);
  return assign.childForFieldName('right')?.namedChildren[i] ?? null;
}

/** Whether an expression is on the left of an assignment or a declaration: assigned, not read. */
export function isAssignedTo(expr: SyntaxNode): boolean {
  const list = expr.parent;
  if (list?.type === 'expression_list') {
    const stmt = list.parent;
    if (stmt?.type === 'assignment_statement' || stmt?.type === 'short_var_declaration') {
      return stmt.childForFieldName('left')?.id === list.id;
    }
  }
  return list?.type === 'var_spec' && list.childrenForFieldName('name').some((n) => n.id === expr.id);
}

/** The root name assigned to in `x[i] = v`, `s.f = v` or `xs = append(xs, v)`, for a value `v` on the right. */
export function storeTarget(value: SyntaxNode): string | null {
  // Through parentheses and `&`: `s.f = &v`.
  const wraps = (n: SyntaxNode) => n.type === 'parenthesized_expression' || (n.type === 'unary_expression' && n.child(0)?.type === '&');
  let v = value;
  while (v.parent && wraps(v.parent)) v = v.parent;
  const target = assignmentTarget(v);
  return target?.parent?.parent?.type === 'assignment_statement' ? rootIdentifier(target) : null;
}

/** `resp` of `resp.Body`, `f` of `f.Name()`, `items` of `items[i].mu`. */
export function rootIdentifier(expr: SyntaxNode): string | null {
  let n = unparen(expr);
  for (;;) {
    if (n.type === 'identifier') return n.text;
    const inner = n.childForFieldName('operand') ?? n.childForFieldName('function');
    if (!inner) return null;
    n = unparen(inner);
  }
}

/** The call whose argument list holds `value` (through `&x`, parentheses, literals). */
export function receivingCall(value: SyntaxNode): SyntaxNode | null {
  for (let n = value.parent; n; n = n.parent) {
    if (n.type === 'argument_list') return n.parent;
    if (FUNCTION_TYPES.has(n.type)) return null;
  }
  return null;
}
