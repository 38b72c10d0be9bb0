import type { SyntaxNode } from 'tree-sitter';
import type { GoFile, Package } from '../engine/types.js';
import { importNames } from './imports.js';
import { fieldValues, fileOf, packageVarNames } from './package.js';
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

/** A named type of an imported package, with that package's variables that hold one. */
export interface ImportedType {
  /** Import path: `net/http`. */
  path: string;
  /** Type name: `Client`. */
  name: string;
  /** Package-level variables of that package holding a value of the type: `DefaultClient`. */
  variables: readonly string[];
}

/** An imported type as one file writes it: the names the file imports its package under. */
interface Spelling {
  type: ImportedType;
  names: string[];
}

function spellingIn(file: GoFile, type: ImportedType): Spelling {
  return { type, names: importNames(file.imports, type.path) };
}

/**
 * Whether `expr`, seen from `at` in `file`, visibly has the imported type (or a pointer to
 * it): one of its package's variables of that type, a literal or `new` of it, or a variable,
 * parameter or struct field declared or built as one in the package. Always false when
 * `file` does not import the type's package.
 */
export function hasImportedType(expr: SyntaxNode, at: SyntaxNode, file: GoFile, pkg: Package, type: ImportedType): boolean {
  const spelling = spellingIn(file, type);
  if (spelling.names.length === 0) return false;
  const e = unparen(expr);
  if (buildsValueOf(e, spelling)) return true;
  if (e.type === 'identifier') return variableHasType(e.text, at, spelling, pkg);
  if (e.type === 'selector_expression') {
    const field = e.childForFieldName('field')?.text;
    return !!field && fieldHasType(field, pkg, type);
  }
  return false;
}

/** `http.DefaultClient`, `&http.Client{...}`, `http.Client{...}`, `new(http.Client)`. */
function buildsValueOf(expr: SyntaxNode, spelling: Spelling): boolean {
  const e = unparen(expr);
  if (e.type === 'selector_expression') {
    const operand = e.childForFieldName('operand')?.text ?? '';
    const field = e.childForFieldName('field')?.text ?? '';
    return spelling.names.includes(operand) && spelling.type.variables.includes(field);
  }
  if (e.type === 'unary_expression' && e.child(0)?.type === '&') {
    const operand = e.childForFieldName('operand');
    return !!operand && buildsValueOf(operand, spelling);
  }
  if (e.type === 'composite_literal') return isTypeNode(e.childForFieldName('type'), spelling);
  if (e.type === 'call_expression' && e.childForFieldName('function')?.text === 'new') {
    return isTypeNode(e.childForFieldName('arguments')?.namedChildren[0] ?? null, spelling);
  }
  return false;
}

/** Whether a type node is the type or a pointer to it: `http.Client`, `*http.Client`. */
function isTypeNode(type: SyntaxNode | null, spelling: Spelling): boolean {
  const text = type?.text.replace(/^\*/, '') ?? '';
  return spelling.names.some((name) => text === `${name}.${spelling.type.name}`);
}

/**
 * Whether a variable named `name`, seen from `at`, is declared or assigned as the type:
 * a parameter, var or assignment in an enclosing function, or a package-level var.
 */
function variableHasType(name: string, at: SyntaxNode, spelling: Spelling, pkg: Package): boolean {
  for (let fn = enclosingFunction(at); fn; fn = enclosingFunction(fn)) {
    const params = [fn.childForFieldName('receiver'), fn.childForFieldName('parameters')];
    for (const list of params) {
      for (const p of list?.namedChildren ?? []) {
        const declares = p.childrenForFieldName('name').some((n) => n.text === name);
        if (declares && isTypeNode(p.childForFieldName('type'), spelling)) return true;
      }
    }
    const body = fn.childForFieldName('body');
    if (body && declaresAs(body, name, spelling)) return true;
  }
  if (!packageVarNames(pkg).has(name)) return false;
  return pkg.files.some((f) => declaresAs(f.tree.rootNode, name, spellingIn(f, spelling.type)));
}

/** A `var name http.Client`, `name := &http.Client{...}` or `name = http.DefaultClient` within `scope`. */
function declaresAs(scope: SyntaxNode, name: string, spelling: Spelling): boolean {
  for (const spec of scope.descendantsOfType('var_spec')) {
    const i = boundNames(spec).findIndex((n) => n.text === name);
    if (i < 0) continue;
    if (isTypeNode(spec.childForFieldName('type'), spelling)) return true;
    const value = spec.childForFieldName('value')?.namedChildren[i];
    if (value && buildsValueOf(value, spelling)) return true;
  }
  for (const assign of scope.descendantsOfType(['short_var_declaration', 'assignment_statement'])) {
    const i = boundNames(assign).findIndex((t) => t.type === 'identifier' && t.text === name);
    const value = assign.childForFieldName('right')?.namedChildren[i];
    if (i >= 0 && value && buildsValueOf(value, spelling)) return true;
  }
  return false;
}

/**
 * Whether a struct field of that name has the type: every struct of the package that
 * declares it gives it that type (the same name on another type makes it ambiguous), or,
 * for another package's struct, the package puts one in it (`o.Client = &http.Client{}`).
 */
function fieldHasType(field: string, pkg: Package, type: ImportedType): boolean {
  let declared = false;
  for (const file of pkg.files) {
    for (const decl of nodesOfType(file, 'field_declaration')) {
      if (!decl.childrenForFieldName('name').some((n) => n.text === field)) continue;
      if (!isTypeNode(decl.childForFieldName('type'), spellingIn(file, type))) return false;
      declared = true;
    }
  }
  if (declared) return true;
  return fieldValues(pkg, field).some((value) => buildsValueOf(value, spellingIn(fileOf(pkg, value), type)));
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
