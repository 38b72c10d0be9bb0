import type { SyntaxNode } from './tree.js';
import type { Package } from '../engine/types.js';
import { boundNames, enclosingFunction, unparen } from './syntax.js';
import { nodesOfType } from './nodes.js';

/** `T` for `T`, `*T` and `T[int]`; `pkg.T` for another package's type. */
function typeName(type: SyntaxNode | null): string | null {
  return type ? type.text.replace(/^\*/, '').replace(/\[.*$/, '') || null : null;
}

/** A method's receiver: its name and its type without `*` and type arguments. */
export function receiverOf(method: SyntaxNode): { name: string; type: string } | null {
  const param = method.childForFieldName('receiver')?.namedChildren.find((c) => c.type === 'parameter_declaration');
  const type = typeName(param?.childForFieldName('type') ?? null);
  if (!param || !type) return null;
  return { name: param.childForFieldName('name')?.text ?? '', type };
}

/**
 * The type name (see `typeName`) of identifier `id` when function `fn` declares it: its
 * receiver, a parameter, `x := &T{...}`, `var x T`. Null when unknown (a call result, a
 * value from elsewhere); the first declaration of the name in `fn` decides.
 */
export function declaredTypeName(id: SyntaxNode, fn: SyntaxNode): string | null {
  if (id.type !== 'identifier') return null;
  const name = id.text;
  const receiver = fn.type === 'method_declaration' ? receiverOf(fn) : null;
  if (receiver?.name === name) return receiver.type;
  for (const decl of fn.descendantsOfType(['parameter_declaration', 'var_spec', 'short_var_declaration'])) {
    const i = boundNames(decl).findIndex((n) => n.text === name);
    if (i < 0) continue;
    if (decl.type !== 'short_var_declaration') return typeName(decl.childForFieldName('type'));
    let value = decl.childForFieldName('right')?.namedChildren[i];
    if (value?.type === 'unary_expression' && value.child(0)?.type === '&') value = value.namedChildren[0];
    return value?.type === 'composite_literal' ? typeName(value.childForFieldName('type')) : null;
  }
  return null;
}

/**
 * The type name of a variable as its function shows it: a receiver, parameter or
 * `x := &T{}` (declaredTypeName), or an element taken from a collection whose type the
 * package declares: `x := r.models[k]`, `for _, x := range uses`.
 */
export function operandTypeName(operand: SyntaxNode, pkg: Package): string | null {
  const fn = enclosingFunction(operand);
  if (operand.type !== 'identifier' || !fn) return null;
  const declared = declaredTypeName(operand, fn);
  if (declared) return declared;
  for (const decl of fn.descendantsOfType(['short_var_declaration', 'var_spec', 'range_clause'])) {
    const i = boundNames(decl).findIndex((n) => n.text === operand.text);
    if (i < 0) continue;
    const right = decl.childForFieldName(decl.type === 'var_spec' ? 'value' : 'right');
    if (decl.type === 'range_clause') return i === 1 && right ? elementTypeName(collectionType(right, fn, pkg)) : null;
    const value = right?.namedChildren[i] ?? right?.namedChildren[0];
    const collection = value?.type === 'index_expression' ? value.childForFieldName('operand') : null;
    return collection ? elementTypeName(collectionType(collection, fn, pkg)) : null;
  }
  return null;
}

/** `T` for the element of `map[K]*T`, `[]*T` or `[n]T`. */
function elementTypeName(type: SyntaxNode | null): string | null {
  const kind = type?.type;
  let element: SyntaxNode | null = null;
  if (kind === 'map_type') element = type!.childForFieldName('value');
  else if (kind === 'slice_type' || kind === 'array_type') element = type!.childForFieldName('element');
  return element ? element.text.replace(/^\*/, '').replace(/\[.*$/, '') : null;
}

/** The declared type of a collection: a struct field declared once in the package, or a parameter or var of `fn`. */
function collectionType(expr: SyntaxNode, fn: SyntaxNode, pkg: Package): SyntaxNode | null {
  const e = unparen(expr);
  if (e.type === 'selector_expression') {
    const field = e.childForFieldName('field')?.text;
    const declares = (d: SyntaxNode) => d.childrenForFieldName('name').some((n) => n.text === field);
    const decls = pkg.files.flatMap((f) => nodesOfType(f, 'field_declaration').filter(declares));
    return decls.length === 1 ? decls[0].childForFieldName('type') : null;
  }
  if (e.type !== 'identifier') return null;
  const declares = (d: SyntaxNode) => boundNames(d).some((n) => n.text === e.text);
  const decl = fn.descendantsOfType(['parameter_declaration', 'var_spec']).find(declares);
  return decl?.childForFieldName('type') ?? null;
}
