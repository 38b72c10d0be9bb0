import type { SyntaxNode } from './tree.js';

export const FUNCTION_TYPES = new Set(['function_declaration', 'method_declaration', 'func_literal']);

/** The innermost function declaration, method or func literal around a node. */
export function enclosingFunction(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
  return null;
}

/** The declared name of a function or method; null for a func literal. */
export function functionName(fn: SyntaxNode): string | null {
  return fn.type === 'func_literal' ? null : (fn.childForFieldName('name')?.text ?? null);
}

/** The innermost named function declaration around a node, looking through func literals. */
export function enclosingDeclaredFunction(node: SyntaxNode): SyntaxNode | null {
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
    if (fn.type !== 'func_literal') return fn;
  }
  return null;
}

const TESTING_PARAM = /^\*?testing\.(T|B|F|TB)$|^\*check\.C$/;

/**
 * Test code: a `_test.go` file, or a function that takes a `*testing.T`, `*testing.B`,
 * `*testing.F`, `testing.TB` or gocheck's `*check.C` (test helpers in ordinary files).
 * Such code ends with the test.
 */
export function isTestCode(node: SyntaxNode, inTestFile: boolean): boolean {
  if (inTestFile) return true;
  const fn = enclosingDeclaredFunction(node);
  const params = fn?.childForFieldName('parameters')?.namedChildren ?? [];
  return params.some((p) => TESTING_PARAM.test(p.childForFieldName('type')?.text ?? ''));
}

/** The `for` statements between a node and its enclosing function, innermost first. */
export function enclosingLoops(node: SyntaxNode): SyntaxNode[] {
  const loops: SyntaxNode[] = [];
  for (let n = node.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    if (n.type === 'for_statement') loops.push(n);
  }
  return loops;
}

/** Whether `inner` lies within `outer` (or is it). */
export function contains(outer: SyntaxNode, inner: SyntaxNode): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** Descendants of the given types that belong to `root`'s own function body, not to nested func literals. */
export function ownDescendantsOfType(root: SyntaxNode, types: string | string[]): SyntaxNode[] {
  const found = root.descendantsOfType(types);
  const literals = root.descendantsOfType('func_literal').filter((l) => l.id !== root.id);
  if (literals.length === 0) return found;
  return found.filter((n) => !literals.some((l) => contains(l, n)));
}

/** Whether `expr` is the function of a call: `expr(...)`. */
export function isCallee(expr: SyntaxNode): boolean {
  return expr.parent?.type === 'call_expression' && expr.parent.childForFieldName('function')?.id === expr.id;
}

/** The field or method selected on `operand` (`resp.Body` → "Body" for `resp`), if any. */
export function selectedField(operand: SyntaxNode): string | null {
  const sel = operand.parent;
  if (sel?.type !== 'selector_expression' || sel.childForFieldName('operand')?.id !== operand.id) return null;
  return sel.childForFieldName('field')?.text ?? null;
}

/** Whether `node` lies in a func literal nested in `scope`: code that may run at another time. */
export function insideFuncLiteral(node: SyntaxNode, scope: SyntaxNode): boolean {
  for (let n = node.parent; n && n.id !== scope.id; n = n.parent) if (n.type === 'func_literal') return true;
  return false;
}

/** Whether `expr` is, or mentions, one of `names`. */
export function mentionsAny(expr: SyntaxNode, names: Set<string>): boolean {
  if (expr.type === 'identifier') return names.has(expr.text);
  return expr.descendantsOfType('identifier').some((id) => names.has(id.text));
}

/**
 * The names on the left of a declaration, an assignment or a range clause: `a, b` of
 * `a, b := ...`, `var a, b T`, `a, b = ...`, `for a, b := range ...`; a parameter's names.
 */
export function boundNames(node: SyntaxNode): SyntaxNode[] {
  if (node.type === 'var_spec' || node.type === 'parameter_declaration') return node.childrenForFieldName('name');
  return node.childForFieldName('left')?.namedChildren ?? [];
}

/**
 * The declaration, assignment or range clause whose left side (boundNames) holds identifier
 * `id` (`x` of `x, err := f()`, `var x T`, `x = y`, `for _, x := range s`), or null.
 */
export function bindingOf(id: SyntaxNode): SyntaxNode | null {
  const parent = id.parent;
  if (parent?.type === 'var_spec') return parent.childrenForFieldName('name').some((n) => n.id === id.id) ? parent : null;
  const stmt = parent?.type === 'expression_list' ? parent.parent : null;
  if (stmt?.type !== 'assignment_statement' && stmt?.type !== 'short_var_declaration' && stmt?.type !== 'range_clause') return null;
  return stmt.childForFieldName('left')?.id === parent!.id ? stmt : null;
}

/** Strips parentheses around an expression. */
export function unparen(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildCount === 1) n = n.namedChildren[0];
  return n;
}

/** 1-based line of a node. */
export function lineOf(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}

/**
 * The comment lines right above a declaration: a function, or a spec (above the `type` or
 * `var` keyword when the spec stands alone in its declaration).
 */
export function docComment(decl: SyntaxNode): string {
  let anchor = decl;
  const group = decl.parent;
  if (group?.type.endsWith('_declaration') && group.namedChildren.filter((c) => c.type === decl.type).length === 1) anchor = group;
  const lines: string[] = [];
  let row = anchor.startPosition.row;
  for (let c = anchor.previousNamedSibling; c?.type === 'comment' && c.endPosition.row === row - 1; c = c.previousNamedSibling) {
    lines.unshift(c.text);
    row = c.startPosition.row;
  }
  return lines.join('\n');
}

/** The position of parameter `ident` (the identifier that declares it) among fn's parameters; null for a variadic one. */
export function parameterIndex(fn: SyntaxNode, ident: SyntaxNode): number | null {
  let k = 0;
  for (const decl of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    const names = decl.childrenForFieldName('name');
    if (names.length === 0) k++;
    for (const n of names) {
      if (n.id === ident.id) return decl.type === 'variadic_parameter_declaration' ? null : k;
      k++;
    }
  }
  return null;
}
