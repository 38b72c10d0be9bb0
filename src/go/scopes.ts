import type { SyntaxNode } from './tree.js';
import { statementsOf } from './flow.js';
import { identifierUses } from './nodes.js';
import { bindingOf, boundNames, enclosingFunction, FUNCTION_TYPES } from './syntax.js';

/** Statements whose header (`if x := ...;`) declares variables scoped to the statement. */
const HEADER_SCOPED = new Set(['if_statement', 'for_statement', 'expression_switch_statement', 'type_switch_statement']);

/** `name := ...` or `var name ...` (a short declaration may also assign an existing `name`). */
export function declares(stmt: SyntaxNode, name: string): boolean {
  if (stmt.type === 'short_var_declaration') return boundNames(stmt).some((t) => t.text === name);
  if (stmt.type === 'var_declaration') {
    return stmt.descendantsOfType('var_spec').some((s) => boundNames(s).some((t) => t.text === name));
  }
  return false;
}

/** An `if x := ...;`, `for x := ...;` or `switch x := ...;` header declaring `name` above `child`. */
function declaresInHeader(header: SyntaxNode, child: SyntaxNode, name: string): boolean {
  const init =
    header.type === 'for_statement'
      ? header.namedChildren.find((c) => c.type === 'for_clause')?.childForFieldName('initializer')
      : header.childForFieldName('initializer');
  return !!init && init.id !== child.id && declares(init, name);
}

function declaresParameter(list: SyntaxNode | null, name: string): boolean {
  if (!list || list.type !== 'parameter_list') return false;
  return list.namedChildren.some((p) => p.childrenForFieldName('name').some((n) => n.text === name));
}

/** Whether `name` is a named result of the function: it outlives the function's body. */
export function isNamedResult(fn: SyntaxNode, name: string): boolean {
  return declaresParameter(fn.childForFieldName('result'), name);
}

/**
 * The statement list a variable assigned by `stmt` is declared in, and the declaring node;
 * null when the variable outlives the function (a named result, a captured or package-level
 * variable) or is scoped to an if/for/switch header.
 */
export function variableScope(
  stmt: SyntaxNode,
  name: string,
  fn: SyntaxNode,
): { list: SyntaxNode; declaredAt: SyntaxNode } | null {
  if (stmt.parent?.type !== 'statement_list') return null;
  for (let n: SyntaxNode = stmt; n.parent && n.id !== fn.id; n = n.parent) {
    const parent = n.parent;
    if (parent.type === 'statement_list') {
      const decl = statementsOf(parent).find((s) => s.startIndex <= n.startIndex && declares(s, name));
      if (decl) return { list: parent, declaredAt: decl };
    } else if (HEADER_SCOPED.has(parent.type) && declaresInHeader(parent, n, name)) {
      return null;
    }
    if (FUNCTION_TYPES.has(parent.type)) break;
  }
  if (isNamedResult(fn, name)) return null;
  const body = fn.childForFieldName('body')?.namedChildren.find((c) => c.type === 'statement_list');
  if (body && declaresParameter(fn.childForFieldName('parameters'), name)) return { list: body, declaredAt: body };
  return null;
}

/**
 * The innermost function around `at` that declares `name` (parameter, result, `var`, `:=`);
 * null for a package-level variable, which outlives any function.
 */
export function declaringFunction(name: string, at: SyntaxNode): SyntaxNode | null {
  for (let fn = enclosingFunction(at); fn; fn = enclosingFunction(fn)) {
    const lists = ['receiver', 'parameters', 'result'].map((f) => fn!.childForFieldName(f));
    if (lists.some((l) => declaresParameter(l, name))) return fn;
    const body = fn.childForFieldName('body');
    if (body && declaresLocally(body, name)) return fn;
  }
  return null;
}

/**
 * A `var name`, `name :=` or `for name := range` in a function body, outside its func
 * literals: found from where the body spells the name, up to the declaration that binds it.
 */
function declaresLocally(body: SyntaxNode, name: string): boolean {
  return identifierUses(body, name).some((id) => {
    const decl = bindingOf(id);
    if (!decl || decl.type === 'assignment_statement') return false;
    for (let n = decl.parent; n && n.id !== body.id; n = n.parent) if (n.type === 'func_literal') return false;
    return true;
  });
}

/** The variables a loop's header declares: `i` of `for i := 0; ...`, `k, v` of `for k, v := range m`. */
export function loopVariables(loop: SyntaxNode): Set<string> {
  const names = new Set<string>();
  const header = loop.namedChildren.find((c) => c.type === 'for_clause' || c.type === 'range_clause');
  if (header?.type === 'range_clause') {
    for (const id of boundNames(header)) names.add(id.text);
  } else if (header?.type === 'for_clause') {
    const init = header.childForFieldName('initializer');
    for (const id of init ? boundNames(init) : []) names.add(id.text);
  }
  return names;
}

/** Names that `x := ...` and `var x` declare within `scope`, and with `assignments` those `x = ...` assigns. */
export function namesBoundIn(scope: SyntaxNode, assignments: boolean): Set<string> {
  const names = new Set<string>();
  for (const decl of scope.descendantsOfType(['short_var_declaration', 'var_spec', 'assignment_statement'])) {
    if (decl.type === 'assignment_statement' && !assignments) continue;
    for (const t of boundNames(decl)) if (t.type === 'identifier') names.add(t.text);
  }
  return names;
}

/** Whether some assignment in `scope` assigns to the expression written `target` (`x`, `s.f`). */
export function assignedIn(scope: SyntaxNode, target: string): boolean {
  return scope.descendantsOfType('assignment_statement').some((a) => boundNames(a).some((l) => l.text === target));
}
