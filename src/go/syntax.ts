import type { SyntaxNode } from 'tree-sitter';

export const FUNCTION_TYPES = new Set(['function_declaration', 'method_declaration', 'func_literal']);
const BREAKABLE_TYPES = new Set([
  'for_statement',
  'expression_switch_statement',
  'type_switch_statement',
  'select_statement',
]);

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

/** `main` or `init` of package main, or any `init`: code that runs once per process. */
export function runsOncePerProcess(fn: SyntaxNode | null, packageName: string): boolean {
  if (!fn || fn.type !== 'function_declaration') return false;
  const name = functionName(fn);
  return name === 'init' || (name === 'main' && packageName === 'main');
}

const TESTING_PARAM = /^\*?testing\.(T|B|F|TB)$/;

/**
 * Test code: a `_test.go` file, or a function that takes a `*testing.T`, `*testing.B`,
 * `*testing.F` or `testing.TB` (test helpers in ordinary files). Such code ends with the test.
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

/** Identifiers named `name` within `scope` (a function body, a file). */
export function identifierUses(scope: SyntaxNode, name: string): SyntaxNode[] {
  return scope.descendantsOfType('identifier').filter((n) => n.text === name);
}

/** The label of a labeled loop, if any. */
function loopLabel(loop: SyntaxNode): string | null {
  const parent = loop.parent;
  if (parent?.type !== 'labeled_statement') return null;
  return parent.childForFieldName('label')?.text ?? null;
}

/** Whether a `break` statement leaves `loop`. */
function breakLeaves(brk: SyntaxNode, loop: SyntaxNode): boolean {
  const label = brk.namedChildren.find((c) => c.type === 'label_name')?.text;
  if (label) return label === loopLabel(loop);
  for (let n = brk.parent; n; n = n.parent) {
    if (BREAKABLE_TYPES.has(n.type)) return n.id === loop.id;
  }
  return false;
}

/**
 * Whether a `for` loop can end: it has a condition, ranges over something, or holds a
 * `return`, a `break` that leaves it, or a `goto`. Panics and process exits do not count:
 * code after them never runs either.
 */
export function loopCanEnd(loop: SyntaxNode): boolean {
  const header = loop.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment');
  if (header) {
    if (header.type === 'for_clause') {
      if (header.childForFieldName('condition')) return true;
    } else if (header.type !== 'range_clause' || !rangesForever(header)) {
      return true;
    }
  }
  return loopExits(loop).length > 0 || !loop.childForFieldName('body');
}

/** The statements that leave a loop early: `return`, a `break` out of it, `goto`. */
export function loopExits(loop: SyntaxNode): SyntaxNode[] {
  const body = loop.childForFieldName('body');
  if (!body) return [];
  return ownDescendantsOfType(body, ['return_statement', 'break_statement', 'goto_statement']).filter(
    (exit) => exit.type !== 'break_statement' || breakLeaves(exit, loop),
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
    const names = decl.childForFieldName('left')?.namedChildren ?? [];
    const values = decl.childForFieldName('right')?.namedChildren ?? [];
    const i = names.findIndex((n) => n.text === right.text);
    return i >= 0 && values[i] !== undefined && isTickChannel(values[i]);
  });
}

function isTickChannel(expr: SyntaxNode): boolean {
  if (expr.type === 'call_expression') return /(^|\.)Tick$/.test(expr.childForFieldName('function')?.text ?? '');
  return expr.type === 'selector_expression' && expr.childForFieldName('field')?.text === 'C';
}

/**
 * Whether a function never returns once it reaches `from`: `from` lies in a loop that
 * cannot end (a server loop, a `for range time.Tick(...)`), or such a loop follows it at
 * the top level of the function's body.
 */
export function neverReturnsAfter(from: SyntaxNode): boolean {
  if (enclosingLoops(from).some((loop) => !loopCanEnd(loop))) return true;
  const fn = enclosingFunction(from);
  const statements = fn?.childForFieldName('body')?.namedChildren.find((c) => c.type === 'statement_list');
  if (!statements) return false;
  return statements.namedChildren.some((s) => {
    const loop = s.type === 'labeled_statement' ? s.namedChildren.find((c) => c.type === 'for_statement') : s;
    return loop?.type === 'for_statement' && s.startIndex > from.endIndex && !loopCanEnd(loop);
  });
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
