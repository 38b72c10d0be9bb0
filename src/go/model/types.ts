import type { SyntaxNode, Tree } from '../tree.js';
import type { GoFile, Package } from '../../engine/types.js';
import { nodesOfType } from '../nodes.js';
import { unparen } from '../syntax.js';
import { objectOf, packageObjects, type GoObject } from './names.js';
import { externalField, externalFunc, externalMethod, externalVar } from './stdlib.js';

/** A type as the package's syntax shows it. `pkg` of a named type is its import path, null for this package. */
export type GoType =
  | { kind: 'named'; name: string; pkg: string | null }
  | { kind: 'pointer'; elem: GoType }
  | { kind: 'slice'; elem: GoType }
  | { kind: 'array'; elem: GoType }
  | { kind: 'map'; key: GoType; value: GoType }
  | { kind: 'chan'; elem: GoType; dir: 'both' | 'send' | 'recv' }
  | { kind: 'func'; params: GoType[]; results: GoType[] }
  | { kind: 'struct'; node: SyntaxNode; file: GoFile }
  | { kind: 'interface' }
  | { kind: 'basic'; name: string }
  | { kind: 'tuple'; types: GoType[] }
  | { kind: 'unknown' };

export const UNKNOWN: GoType = { kind: 'unknown' };
const BOOL: GoType = { kind: 'basic', name: 'bool' };
const INT: GoType = { kind: 'basic', name: 'int' };

/** A type the package declares, with its methods. */
export interface TypeDecl {
  name: string;
  spec: SyntaxNode;
  file: GoFile;
  /** The type expression on the right of the declaration. */
  typeNode: SyntaxNode | null;
  methods: Map<string, SyntaxNode>;
  fields: FieldInfo[];
}

/** A struct field of a type the package declares; one object per declaration, shared by every use. */
export interface FieldInfo {
  name: string;
  owner: TypeDecl;
  /** The field's identifier; for an embedded field, its type node. */
  ident: SyntaxNode;
  decl: SyntaxNode;
  typeNode: SyntaxNode | null;
  embedded: boolean;
}

interface TypeIndex {
  decls: Map<string, TypeDecl>;
  fieldsByName: Map<string, FieldInfo[]>;
}

const indexes = new WeakMap<Package, TypeIndex>();
const exprTypes = new WeakMap<Tree, Map<number, GoType>>();

/** The types the package declares, by name, with their fields and methods. */
export function typeIndex(pkg: Package): TypeIndex {
  let index = indexes.get(pkg);
  if (index) return index;
  index = { decls: new Map(), fieldsByName: new Map() };
  for (const file of pkg.files) {
    for (const spec of nodesOfType(file, 'type_spec')) {
      const name = spec.childForFieldName('name')?.text;
      // Types declared in a function are local; methods and fields of package types are what rules follow.
      if (!name || spec.parent?.parent?.type !== 'source_file' || index.decls.has(name)) continue;
      index.decls.set(name, { name, spec, file, typeNode: spec.childForFieldName('type'), methods: new Map(), fields: [] });
    }
  }
  for (const decl of index.decls.values()) {
    const struct = decl.typeNode?.type === 'struct_type' ? decl.typeNode : null;
    for (const f of struct?.descendantsOfType('field_declaration') ?? []) {
      if (f.parent?.parent?.id !== struct!.id) continue;
      const typeNode = f.childForFieldName('type');
      const names = f.childrenForFieldName('name');
      const fields: FieldInfo[] = names.length
        ? names.map((ident) => ({ name: ident.text, owner: decl, ident, decl: f, typeNode, embedded: false }))
        : typeNode
          ? [{ name: embeddedName(typeNode), owner: decl, ident: typeNode, decl: f, typeNode, embedded: true }]
          : [];
      for (const field of fields) {
        decl.fields.push(field);
        const list = index.fieldsByName.get(field.name);
        if (list) list.push(field);
        else index.fieldsByName.set(field.name, [field]);
      }
    }
  }
  for (const file of pkg.files) {
    for (const m of file.tree.rootNode.namedChildren) {
      if (m.type !== 'method_declaration') continue;
      const recv = receiverTypeName(m);
      const name = m.childForFieldName('name')?.text;
      const decl = recv ? index.decls.get(recv) : undefined;
      if (decl && name && !decl.methods.has(name)) decl.methods.set(name, m);
    }
  }
  indexes.set(pkg, index);
  return index;
}

/** `T` of a method `func (r *T[K]) m()`. */
export function receiverTypeName(method: SyntaxNode): string | null {
  const param = method.childForFieldName('receiver')?.namedChildren.find((c) => c.type === 'parameter_declaration');
  let t = param?.childForFieldName('type') ?? null;
  while (t && (t.type === 'pointer_type' || t.type === 'parenthesized_type')) t = t.namedChildren[0] ?? null;
  if (t?.type === 'generic_type') t = t.childForFieldName('type');
  return t?.type === 'type_identifier' ? t.text : null;
}

function embeddedName(type: SyntaxNode): string {
  let t: SyntaxNode = type;
  while (t.type === 'pointer_type' && t.namedChildren[0]) t = t.namedChildren[0];
  if (t.type === 'generic_type') t = t.childForFieldName('type') ?? t;
  if (t.type === 'qualified_type') return t.childForFieldName('name')?.text ?? t.text;
  return t.text;
}

/** The type a type expression denotes, seen from `file`. */
export function typeFromSyntax(pkg: Package, file: GoFile, node: SyntaxNode | null): GoType {
  if (!node) return UNKNOWN;
  switch (node.type) {
    case 'type_identifier':
      if (typeIndex(pkg).decls.has(node.text)) return { kind: 'named', name: node.text, pkg: null };
      return /^(u?int\d*|uintptr|float\d+|complex\d+|string|bool|byte|rune|any|error)$/.test(node.text)
        ? node.text === 'any'
          ? { kind: 'interface' }
          : { kind: 'basic', name: node.text }
        : UNKNOWN;
    case 'qualified_type': {
      const path = file.imports.byName.get(node.childForFieldName('package')?.text ?? '');
      const name = node.childForFieldName('name')?.text;
      return path && name ? { kind: 'named', name, pkg: path } : UNKNOWN;
    }
    case 'generic_type':
      return typeFromSyntax(pkg, file, node.childForFieldName('type'));
    case 'pointer_type':
      return { kind: 'pointer', elem: typeFromSyntax(pkg, file, node.namedChildren[0] ?? null) };
    case 'parenthesized_type':
    case 'type_elem':
      return typeFromSyntax(pkg, file, node.namedChildren[0] ?? null);
    case 'slice_type':
      return { kind: 'slice', elem: typeFromSyntax(pkg, file, node.childForFieldName('element')) };
    case 'array_type':
    case 'implicit_length_array_type':
      return { kind: 'array', elem: typeFromSyntax(pkg, file, node.childForFieldName('element')) };
    case 'map_type':
      return {
        kind: 'map',
        key: typeFromSyntax(pkg, file, node.childForFieldName('key')),
        value: typeFromSyntax(pkg, file, node.childForFieldName('value')),
      };
    case 'channel_type': {
      const text = node.text;
      const dir = text.startsWith('<-') ? 'recv' : /^chan\s*<-/.test(text) ? 'send' : 'both';
      return { kind: 'chan', dir, elem: typeFromSyntax(pkg, file, node.childForFieldName('value')) };
    }
    case 'function_type':
      return signature(pkg, file, node);
    case 'struct_type':
      return { kind: 'struct', node, file };
    case 'interface_type':
      return { kind: 'interface' };
    default:
      return UNKNOWN;
  }
}

/** The func type of a function declaration, method, func literal or function type. */
export function signature(pkg: Package, file: GoFile, fn: SyntaxNode): GoType & { kind: 'func' } {
  const list = (field: string): GoType[] => {
    const node = fn.childForFieldName(field);
    if (!node) return [];
    if (node.type !== 'parameter_list') return [typeFromSyntax(pkg, file, node)];
    return node.namedChildren.flatMap((p) => {
      if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') return [];
      let t = typeFromSyntax(pkg, file, p.childForFieldName('type'));
      if (p.type === 'variadic_parameter_declaration') t = { kind: 'slice', elem: t };
      return Array(Math.max(1, p.childrenForFieldName('name').length)).fill(t);
    });
  };
  return { kind: 'func', params: list('parameters'), results: list('result') };
}

/** The type a named type of this package is declared with, through other named types of the package. */
export function underlying(pkg: Package, t: GoType): GoType {
  let cur = t;
  for (let i = 0; i < 10 && cur.kind === 'named' && cur.pkg === null; i++) {
    const decl = typeIndex(pkg).decls.get(cur.name);
    if (!decl) return UNKNOWN;
    cur = typeFromSyntax(pkg, decl.file, decl.typeNode);
  }
  return cur;
}

/** The type with one pointer taken off, if it is a pointer. */
export function deref(t: GoType): GoType {
  return t.kind === 'pointer' ? t.elem : t;
}

/** Whether `t` is the named type `pkg.name` or a pointer to it (`pkg` null: this package). */
export function isNamed(t: GoType, pkg: string | null, name: string): boolean {
  const d = deref(t);
  return d.kind === 'named' && d.pkg === pkg && d.name === name;
}

/** The package's own declared type behind `t` (through one pointer), if any. */
export function declOf(pkg: Package, t: GoType): TypeDecl | null {
  const d = deref(t);
  return d.kind === 'named' && d.pkg === null ? (typeIndex(pkg).decls.get(d.name) ?? null) : null;
}

/** Field `name` of a value of type `t`, embedded fields searched breadth first as Go does. */
export function fieldOf(pkg: Package, t: GoType, name: string): FieldInfo | null {
  let level: TypeDecl[] = [];
  const first = declOf(pkg, t);
  if (first) level.push(first);
  const seen = new Set<string>();
  for (let depth = 0; depth < 5 && level.length; depth++) {
    const next: TypeDecl[] = [];
    for (const decl of level) {
      if (seen.has(decl.name)) continue;
      seen.add(decl.name);
      const field = decl.fields.find((f) => f.name === name);
      if (field) return field;
      for (const e of decl.fields) {
        const inner = e.embedded ? declOf(pkg, typeFromSyntax(pkg, decl.file, e.typeNode)) : null;
        if (inner) next.push(inner);
      }
    }
    level = next;
  }
  return null;
}

/** Method `name` of a value of type `t` declared in this package, promoted methods included. */
export function methodOf(pkg: Package, t: GoType, name: string): SyntaxNode | null {
  const decl = declOf(pkg, t);
  if (!decl) return null;
  const own = decl.methods.get(name);
  if (own) return own;
  for (const e of decl.fields) {
    if (!e.embedded) continue;
    const m = methodOf(pkg, typeFromSyntax(pkg, decl.file, e.typeNode), name);
    if (m) return m;
  }
  return null;
}

/** What `x.name` selects: a field, a method of the package, an imported package's member, or nothing known. */
export type Selection =
  | { kind: 'field'; field: FieldInfo }
  | { kind: 'method'; decl: SyntaxNode; receiver: GoType }
  | { kind: 'external-method'; receiver: GoType; name: string }
  | { kind: 'package'; importPath: string; name: string };

export function selectionOf(pkg: Package, file: GoFile, sel: SyntaxNode): Selection | null {
  const operand = sel.childForFieldName('operand');
  const name = sel.childForFieldName('field')?.text;
  if (!operand || !name) return null;
  const op = unparen(operand);
  if (op.type === 'identifier') {
    const obj = objectOf(pkg, file, op);
    if (obj?.kind === 'import') return { kind: 'package', importPath: obj.importPath!, name };
  }
  const t = typeOf(pkg, file, operand);
  const field = fieldOf(pkg, t, name);
  if (field) return { kind: 'field', field };
  const method = methodOf(pkg, t, name);
  if (method) return { kind: 'method', decl: method, receiver: t };
  const d = deref(t);
  if (d.kind === 'named' && d.pkg !== null) return { kind: 'external-method', receiver: t, name };
  return null;
}

/** The fields of that name on every struct type of the package. */
export function fieldsNamed(pkg: Package, name: string): readonly FieldInfo[] {
  return typeIndex(pkg).fieldsByName.get(name) ?? [];
}

/**
 * The field `x.name` refers to. Where the operand's type cannot be seen (a value from
 * another package's call, an interface), a heuristic, named as one: the field is taken to
 * be the package's only field of that name when exactly one struct type declares it.
 */
export function fieldOfSelector(pkg: Package, file: GoFile, sel: SyntaxNode): FieldInfo | null {
  const s = selectionOf(pkg, file, sel);
  if (s?.kind === 'field') return s.field;
  if (s) return null;
  const candidates = fieldsNamed(pkg, sel.childForFieldName('field')?.text ?? '');
  return candidates.length === 1 ? candidates[0] : null;
}

/** The type of an expression where the package shows it; `unknown` where it does not. */
export function typeOf(pkg: Package, file: GoFile, expr: SyntaxNode): GoType {
  let cache = exprTypes.get(file.tree);
  if (!cache) exprTypes.set(file.tree, (cache = new Map()));
  const known = cache.get(expr.id);
  if (known) return known;
  cache.set(expr.id, UNKNOWN); // cycles end as unknown
  const t = computeType(pkg, file, expr);
  cache.set(expr.id, t);
  return t;
}

function computeType(pkg: Package, file: GoFile, expr: SyntaxNode): GoType {
  switch (expr.type) {
    case 'parenthesized_expression':
      return expr.namedChildren[0] ? typeOf(pkg, file, expr.namedChildren[0]) : UNKNOWN;
    case 'identifier': {
      const obj = objectOf(pkg, file, expr);
      return obj ? typeOfObject(pkg, obj) : UNKNOWN;
    }
    case 'composite_literal':
      return typeFromSyntax(pkg, file, expr.childForFieldName('type'));
    case 'func_literal':
      return signature(pkg, file, expr);
    case 'unary_expression': {
      const op = expr.child(0)?.type;
      const operand = expr.childForFieldName('operand');
      const t = operand ? typeOf(pkg, file, operand) : UNKNOWN;
      if (op === '&') return { kind: 'pointer', elem: t };
      if (op === '*') return t.kind === 'pointer' ? t.elem : UNKNOWN;
      if (op === '<-') {
        const u = underlying(pkg, t);
        return u.kind === 'chan' ? u.elem : UNKNOWN;
      }
      if (op === '!') return BOOL;
      return t;
    }
    case 'binary_expression': {
      const op = expr.childForFieldName('operator')?.type ?? expr.child(1)?.type;
      if (op && ['==', '!=', '<', '<=', '>', '>=', '&&', '||'].includes(op)) return BOOL;
      const left = expr.childForFieldName('left');
      return left ? typeOf(pkg, file, left) : UNKNOWN;
    }
    case 'index_expression': {
      const operand = expr.childForFieldName('operand');
      const u = operand ? underlying(pkg, deref(typeOf(pkg, file, operand))) : UNKNOWN;
      if (u.kind === 'map') return u.value;
      if (u.kind === 'slice' || u.kind === 'array') return u.elem;
      if (u.kind === 'basic' && u.name === 'string') return { kind: 'basic', name: 'byte' };
      return UNKNOWN;
    }
    case 'slice_expression': {
      const operand = expr.childForFieldName('operand');
      const t = operand ? typeOf(pkg, file, operand) : UNKNOWN;
      const u = underlying(pkg, deref(t));
      return u.kind === 'array' ? { kind: 'slice', elem: u.elem } : t;
    }
    case 'type_assertion_expression':
      return typeFromSyntax(pkg, file, expr.childForFieldName('type'));
    case 'type_conversion_expression':
      return typeFromSyntax(pkg, file, expr.childForFieldName('type'));
    case 'selector_expression': {
      const s = selectionOf(pkg, file, expr);
      if (!s) return UNKNOWN;
      if (s.kind === 'field') return typeFromSyntax(pkg, s.field.owner.file, s.field.typeNode);
      if (s.kind === 'method') return signature(pkg, fileOfNode(pkg, s.decl), s.decl);
      if (s.kind === 'package') return externalVar(s.importPath, s.name) ?? packageFuncType(s.importPath, s.name);
      const d = deref(s.receiver);
      if (d.kind !== 'named' || d.pkg === null) return UNKNOWN;
      const results = externalMethod(d.pkg, d.name, s.name);
      return externalField(d.pkg, d.name, s.name) ?? (results ? { kind: 'func', params: [], results } : UNKNOWN);
    }
    case 'call_expression':
      return single(callResults(pkg, file, expr));
    case 'int_literal':
      return INT;
    case 'float_literal':
      return { kind: 'basic', name: 'float64' };
    case 'interpreted_string_literal':
    case 'raw_string_literal':
      return { kind: 'basic', name: 'string' };
    case 'rune_literal':
      return { kind: 'basic', name: 'rune' };
    case 'true':
    case 'false':
      return BOOL;
    default:
      return UNKNOWN;
  }
}

function packageFuncType(path: string, name: string): GoType {
  const results = externalFunc(path, name);
  return results ? { kind: 'func', params: [], results } : UNKNOWN;
}

function single(types: GoType[]): GoType {
  if (types.length === 1) return types[0];
  return types.length ? { kind: 'tuple', types } : UNKNOWN;
}

/** The result types of a call, as many as it returns; empty when unknown. */
export function callResults(pkg: Package, file: GoFile, call: SyntaxNode): GoType[] {
  const callee = call.childForFieldName('function');
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  if (!callee) return [];
  const f = unparen(callee);
  if (f.type === 'identifier') {
    const obj = objectOf(pkg, file, f);
    if (obj?.kind === 'builtin') {
      if (f.text === 'make') return [typeFromSyntax(pkg, file, args[0] ?? null)];
      if (f.text === 'new') return [{ kind: 'pointer', elem: typeFromSyntax(pkg, file, args[0] ?? null) }];
      if (f.text === 'append') return args[0] ? [typeOf(pkg, file, args[0])] : [];
      if (f.text === 'len' || f.text === 'cap' || f.text === 'copy') return [INT];
      return [];
    }
    if (obj?.kind === 'type') return [{ kind: 'named', name: obj.name, pkg: null }];
  }
  if (f.type === 'selector_expression') {
    const s = selectionOf(pkg, file, f);
    if (s?.kind === 'package') return externalFunc(s.importPath, s.name) ?? [];
    if (s?.kind === 'external-method') {
      const d = deref(s.receiver) as GoType & { kind: 'named' };
      return externalMethod(d.pkg!, d.name, s.name) ?? [];
    }
    const operand = f.childForFieldName('operand');
    if (!s && operand) {
      const results = interfaceMethodResults(pkg, typeOf(pkg, file, operand), f.childForFieldName('field')?.text ?? '');
      if (results) return results;
    }
  }
  if (['pointer_type', 'parenthesized_type', 'qualified_type', 'generic_type', 'slice_type', 'map_type', 'channel_type', 'array_type'].includes(f.type)) {
    return [typeFromSyntax(pkg, file, f)];
  }
  const t = underlying(pkg, typeOf(pkg, file, f));
  return t.kind === 'func' ? t.results : [];
}

/**
 * The declared results of method `name` of an interface type the package declares (its
 * embedded interfaces of the package included): `Do(*http.Request) (*http.Response, error)`
 * of `type Doer interface{...}`. Null when `t` is no such interface or lacks the method.
 */
export function interfaceMethodResults(pkg: Package, t: GoType, name: string, depth = 0): GoType[] | null {
  const decl = declOf(pkg, t);
  if (!decl || decl.typeNode?.type !== 'interface_type' || depth > 5) return null;
  for (const elem of decl.typeNode.namedChildren) {
    if (elem.type === 'method_elem' && elem.childForFieldName('name')?.text === name) return signature(pkg, decl.file, elem).results;
    if (elem.type === 'type_elem') {
      const inner = interfaceMethodResults(pkg, typeFromSyntax(pkg, decl.file, elem), name, depth + 1);
      if (inner) return inner;
    }
  }
  return null;
}

/** The type of a declared object: a declared type, or the type of the value it is bound to. */
export function typeOfObject(pkg: Package, obj: GoObject): GoType {
  const decl = obj.decl;
  const file = obj.file;
  if (!decl || !file) return obj.name === 'nil' ? UNKNOWN : obj.name === 'true' || obj.name === 'false' ? BOOL : UNKNOWN;
  switch (decl.type) {
    case 'parameter_declaration':
      return typeFromSyntax(pkg, file, decl.childForFieldName('type'));
    case 'variadic_parameter_declaration':
      return { kind: 'slice', elem: typeFromSyntax(pkg, file, decl.childForFieldName('type')) };
    case 'function_declaration':
      return signature(pkg, file, decl);
    case 'var_spec':
    case 'const_spec': {
      const declaredType = decl.childForFieldName('type');
      if (declaredType) return typeFromSyntax(pkg, file, declaredType);
      return valueType(pkg, file, decl.childForFieldName('value')?.namedChildren ?? [], obj.index);
    }
    case 'short_var_declaration':
      return valueType(pkg, file, decl.childForFieldName('right')?.namedChildren ?? [], obj.index);
    case 'range_clause': {
      const right = decl.childForFieldName('right');
      const u = right ? underlying(pkg, deref(typeOf(pkg, file, right))) : UNKNOWN;
      if (u.kind === 'map') return obj.index === 0 ? u.key : u.value;
      if (u.kind === 'slice' || u.kind === 'array') return obj.index === 0 ? INT : u.elem;
      if (u.kind === 'chan') return u.elem;
      if (u.kind === 'basic') return u.name === 'string' && obj.index === 1 ? { kind: 'basic', name: 'rune' } : INT;
      return UNKNOWN;
    }
    case 'receive_statement': {
      if (obj.index === 1) return BOOL;
      const right = decl.childForFieldName('right');
      return right ? typeOf(pkg, file, right) : UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}

function valueType(pkg: Package, file: GoFile, values: SyntaxNode[], index: number): GoType {
  if (values.length === 1 && index > 0) {
    const t = typeOf(pkg, file, values[0]);
    if (t.kind === 'tuple') return t.types[index] ?? UNKNOWN;
    // `v, ok := m[k]`, `v, ok := x.(T)`, `v, ok := <-ch`
    return index === 1 ? BOOL : UNKNOWN;
  }
  const v = values[index];
  if (!v) return UNKNOWN;
  const t = typeOf(pkg, file, v);
  return t.kind === 'tuple' ? (t.types[0] ?? UNKNOWN) : t;
}

/** The file of the package that holds a node. */
export function fileOfNode(pkg: Package, node: SyntaxNode): GoFile {
  let byTree = filesByTree.get(pkg);
  if (!byTree) filesByTree.set(pkg, (byTree = new Map(pkg.files.map((f) => [f.tree, f]))));
  const file = byTree.get(node.tree);
  if (!file) throw new Error('node is not from this package');
  return file;
}

const filesByTree = new WeakMap<Package, Map<Tree, GoFile>>();

/** The package-level function of that name. */
export function packageFunc(pkg: Package, name: string): SyntaxNode | null {
  const obj = packageObjects(pkg).get(name);
  return obj?.kind === 'func' ? obj.decl : null;
}
