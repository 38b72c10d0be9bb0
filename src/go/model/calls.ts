import type { SyntaxNode, Tree } from '../tree.js';
import type { GoFile, Package } from '../../engine/types.js';
import { assignedValue } from '../escape.js';
import { keyedElementsNamed } from './literals.js';
import { selectorsOfField } from '../package.js';
import { FUNCTION_TYPES, unparen } from '../syntax.js';
import { objectOf, packageObjects, usesOf, type GoObject } from './names.js';
import { fieldOfSelector, fileOfNode, receiverTypeName, selectionOf, typeIndex, type FieldInfo } from './types.js';

/** How a call site runs its callee. */
export type CallKind = 'call' | 'go' | 'defer';

export interface CallSite {
  call: SyntaxNode;
  file: GoFile;
  kind: CallKind;
}

/**
 * The package code a call runs: a function or method of the package, or a func literal
 * (called in place, or bound to a variable or field that is only ever given literals or
 * package functions). Empty when the callee is another package's code, an interface
 * method, or a func value from elsewhere: the model cannot see it.
 */
export function calleesOf(pkg: Package, file: GoFile, call: SyntaxNode): SyntaxNode[] {
  const callee = call.childForFieldName('function');
  if (!callee) return [];
  const f = unparen(callee);
  if (f.type === 'func_literal') return [f];
  if (f.type === 'identifier') {
    const obj = objectOf(pkg, file, f);
    if (obj?.kind === 'func') return obj.decl ? [obj.decl] : [];
    return obj && (obj.kind === 'var' || obj.kind === 'param') ? funcValuesOfObject(pkg, obj) : [];
  }
  if (f.type !== 'selector_expression') return [];
  const s = selectionOf(pkg, file, f);
  if (s?.kind === 'method') return [s.decl];
  if (s?.kind === 'field') return funcValuesOfField(pkg, s.field);
  if (s) return [];
  // The operand's type is unknown: a heuristic, named as one — the package's only method of that name.
  const methods = methodsNamed(pkg, f.childForFieldName('field')?.text ?? '');
  return methods.length === 1 ? methods : [];
}

/** Every method of that name declared in the package, on any type. */
export function methodsNamed(pkg: Package, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (const decl of typeIndex(pkg).decls.values()) {
    const m = decl.methods.get(name);
    if (m) found.push(m);
  }
  return found;
}

/** The func values a local variable is given, when every one of them is package code. */
function funcValuesOfObject(pkg: Package, obj: GoObject): SyntaxNode[] {
  const file = obj.file!;
  const values: SyntaxNode[] = [];
  const initial = bindingValue(obj);
  if (initial) values.push(initial);
  for (const use of usesOf(pkg, obj)) {
    const v = assignedValue(use);
    if (v) values.push(v);
  }
  return resolveFuncValues(pkg, file, values);
}

const funcValuesByField = new WeakMap<FieldInfo, SyntaxNode[]>();

/** The func values a field is given (assignments, keyed literals), when all are package code; once per field. */
export function funcValuesOfField(pkg: Package, field: FieldInfo): SyntaxNode[] {
  let found = funcValuesByField.get(field);
  if (!found) funcValuesByField.set(field, (found = findFuncValuesOfField(pkg, field)));
  return found;
}

function findFuncValuesOfField(pkg: Package, field: FieldInfo): SyntaxNode[] {
  const values: SyntaxNode[] = [];
  for (const sel of selectorsOfField(pkg, field.name)) {
    const v = assignedValue(sel);
    if (v && fieldOfSelector(pkg, fileOfNode(pkg, sel), sel) === field) values.push(v);
  }
  for (const { element } of keyedElementsNamed(pkg, field.name)) {
    const v = element.namedChildren[1];
    const inner = v?.type === 'literal_element' ? v.namedChildren[0] : v;
    if (inner) values.push(inner);
  }
  return values.length ? resolveFuncValues(pkg, fileOfNode(pkg, values[0]), values) : [];
}

function resolveFuncValues(pkg: Package, file: GoFile, values: SyntaxNode[], depth = 0): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (const value of values) {
    const v = unparen(value);
    const vfile = file.tree === v.tree ? file : fileOfNode(pkg, v);
    if (v.type === 'func_literal') found.push(v);
    else if (v.type === 'identifier') {
      const obj = objectOf(pkg, vfile, v);
      if (obj?.kind !== 'func' || !obj.decl) return [];
      found.push(obj.decl);
    } else if (v.type === 'call_expression') {
      // A constructor of funcs (`down: b.Up(addr)`, Up returning `func() { ... }`): the funcs its callees return.
      const made = funcsReturnedBy(pkg, calleesOf(pkg, vfile, v), depth);
      if (!made.length) return [];
      found.push(...made);
    } else if (v.text !== 'nil') return [];
  }
  return found;
}

/**
 * The func values declared functions return as their one result, when every return of every
 * one of them is package code the model names; empty otherwise (a literal callee, a return of
 * something else, more than two calls deep).
 */
function funcsReturnedBy(pkg: Package, callees: SyntaxNode[], depth: number): SyntaxNode[] {
  if (!callees.length || depth > 1) return [];
  const found: SyntaxNode[] = [];
  for (const fn of callees) {
    const body = fn.type === 'func_literal' ? null : fn.childForFieldName('body');
    // A callee already being followed (`l.next = l.make()`, make returning `l.next()`) names nothing new.
    if (!body || expanding.has(fn)) return [];
    const returns = body.descendantsOfType('return_statement').filter((r) => enclosingFunc(r)?.id === fn.id);
    const values = returns.map((r) => r.namedChildren[0]?.namedChildren);
    if (!values.length || values.some((v) => v?.length !== 1)) return [];
    expanding.add(fn);
    try {
      const resolved = resolveFuncValues(pkg, fileOfNode(pkg, fn), values.map((v) => v![0]), depth + 1);
      if (!resolved.length) return [];
      found.push(...resolved);
    } finally {
      expanding.delete(fn);
    }
  }
  return found;
}

/** The functions funcsReturnedBy is following now, through calls into field and variable values. */
const expanding = new Set<SyntaxNode>();

/** The value a variable is declared with (`f := func(){}`, `var f = g`). */
function bindingValue(obj: GoObject): SyntaxNode | null {
  const decl = obj.decl;
  if (!decl) return null;
  if (decl.type === 'short_var_declaration') return decl.childForFieldName('right')?.namedChildren[obj.index] ?? null;
  if (decl.type === 'var_spec') return decl.childForFieldName('value')?.namedChildren[obj.index] ?? null;
  return null;
}

const callersCache = new WeakMap<Tree, Map<number, CallersOf>>();

export interface CallersOf {
  /** Calls that run it, with how. */
  sites: CallSite[];
  /** Uses other than a call: a method value, a function passed as a value (a handler), a literal stored away. */
  escapes: SyntaxNode[];
}

/** Who runs function (or literal) `fn` within the package. */
export function callersOf(pkg: Package, fn: SyntaxNode): CallersOf {
  let cache = callersCache.get(fn.tree);
  if (!cache) callersCache.set(fn.tree, (cache = new Map()));
  let result = cache.get(fn.id);
  if (!result) cache.set(fn.id, (result = findCallers(pkg, fn)));
  return result;
}

function findCallers(pkg: Package, fn: SyntaxNode): CallersOf {
  const sites: CallSite[] = [];
  const escapes: SyntaxNode[] = [];
  const record = (ref: SyntaxNode, file: GoFile) => {
    const call = ref.parent;
    if (call?.type === 'call_expression' && call.childForFieldName('function')?.id === ref.id) {
      const kind: CallKind = call.parent?.type === 'go_statement' ? 'go' : call.parent?.type === 'defer_statement' ? 'defer' : 'call';
      sites.push({ call, file, kind });
    } else escapes.push(ref);
  };
  if (fn.type === 'func_literal') {
    const file = fileOfNode(pkg, fn);
    let ref: SyntaxNode = fn;
    while (ref.parent?.type === 'parenthesized_expression') ref = ref.parent;
    record(ref, file);
    return { sites, escapes };
  }
  const name = fn.childForFieldName('name')?.text ?? '';
  if (fn.type === 'function_declaration') {
    const obj = packageObjects(pkg).get(name);
    if (!obj) return { sites, escapes };
    for (const use of usesOf(pkg, obj)) record(use, fileOfNode(pkg, use));
    return { sites, escapes };
  }
  for (const sel of selectorsOfField(pkg, name)) {
    const file = fileOfNode(pkg, sel);
    const s = selectionOf(pkg, file, sel);
    const runs = s?.kind === 'method' ? sameMethod(s.decl, fn) : !s && methodsNamed(pkg, name).length === 1;
    if (runs) record(sel, file);
  }
  return { sites, escapes };
}

/**
 * The same method: the very declaration, or another declaration of that method on that type
 * in a file for another platform (`debug_unix.go`, `debug_windows.go`), which the type index
 * does not keep: a call runs whichever the build picks.
 */
function sameMethod(a: SyntaxNode, b: SyntaxNode): boolean {
  if (a.id === b.id && a.tree === b.tree) return true;
  return a.childForFieldName('name')?.text === b.childForFieldName('name')?.text && receiverTypeName(a) === receiverTypeName(b);
}

/** The function or func literal a node belongs to. */
export function enclosingFunc(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
  return null;
}
