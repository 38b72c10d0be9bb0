import type { SyntaxNode } from '../tree.js';
import type { GoFile, Package } from '../../engine/types.js';
import { nodesOfType } from '../nodes.js';
import { isTestCode, parameterIndex, unparen } from '../syntax.js';
import { callersOf } from './calls.js';
import { objectOf, usesOf, type GoObject } from './names.js';
import { isFiniteExternalType, isPureExternalFunc, isTypeDescriptor } from './stdlib.js';
import { declOf, fileOfNode, selectionOf, typeFromSyntax, typeOf, underlying, type FieldInfo, type GoType } from './types.js';
import { writesOf } from './values.js';
import { isConfigured, isConfiguredField, ownerAtCall, ownerOf } from './configured.js';

/*
 * Finite domains: whether an expression can only take values from a set the package fixes,
 * so that a map keyed by it stops growing once each value has been seen. Proved from the
 * package only, and conservatively: a value from another package's call, an exported
 * function's parameter or anything the model cannot follow is not finite.
 */

const LITERALS = new Set(['int_literal', 'float_literal', 'imaginary_literal', 'rune_literal', 'interpreted_string_literal', 'raw_string_literal', 'true', 'false', 'nil', 'iota']);
const MAX_DEPTH = 4;
const BASIC_TYPES = /^(u?int\d*|uintptr|float\d+|string|bool|byte|rune)$/;

const enumTypes = new WeakMap<Package, Set<string>>();

/** Types the package declares constants of (`const Idle State = iota`): an enum. */
function constantTypes(pkg: Package): Set<string> {
  let types = enumTypes.get(pkg);
  if (types) return types;
  types = new Set();
  for (const file of pkg.files) {
    for (const spec of nodesOfType(file, 'const_spec')) {
      const t = spec.childForFieldName('type');
      if (t?.type === 'type_identifier') types.add(t.text);
    }
  }
  enumTypes.set(pkg, types);
  return types;
}

/**
 * A type with few values: bool and the 8-bit integers, an enum (a named type of the package
 * it declares constants of), the standard library's finite types (reflect.Type, os.Signal,
 * ...), or a struct of the package whose every field has such a type.
 */
export function isFiniteType(pkg: Package, t: GoType, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (t.kind === 'basic') return /^(bool|int8|uint8|byte)$/.test(t.name);
  if (t.kind === 'pointer') {
    const e = t.elem;
    return e.kind === 'named' && isTypeDescriptor(e.pkg ?? ownPath(pkg), e.name);
  }
  if (t.kind === 'named' && t.pkg !== null) return isFiniteExternalType(t.pkg, t.name);
  if (t.kind !== 'named') return false;
  // Linting the standard library itself: its own finite types (reflect's Type).
  if (isFiniteExternalType(ownPath(pkg), t.name)) return true;
  if (constantTypes(pkg).has(t.name)) return true;
  const decl = declOf(pkg, t);
  if (decl?.typeNode?.type !== 'struct_type' || decl.fields.length === 0) return false;
  return decl.fields.every((f) => isFiniteType(pkg, typeFromSyntax(pkg, decl.file, f.typeNode), depth + 1));
}

/** The import path of a standard-library package being linted (module std), else its directory. */
function ownPath(pkg: Package): string {
  return pkg.module.modulePath === 'std' ? pkg.dir.replace(/^\.\//, '') : '';
}

/**
 * Whether `expr` takes values from a finite set the package shows: literals and constants,
 * values of finite types, names of other packages (`http.MethodGet`), and what is built
 * from finite values by operators, conversions, composite literals and the standard
 * library's pure formatting functions (`strconv.Itoa(i)`); variables and parameters whose
 * every write in the package is finite (an unexported function's parameter that every
 * production caller passes a constant for); loop counters bounded by a finite value;
 * elements of a fixed list.
 */
export function finiteDomain(pkg: Package, file: GoFile, expr: SyntaxNode, container?: SyntaxNode): boolean {
  return finite(pkg, file, expr, 0, new Set(), container ? ownerOf(pkg, file, container) : null);
}

/** `owner`: the variable the keyed container is reached through (configured.ts), null for a package variable's. */
function finite(pkg: Package, file: GoFile, expr: SyntaxNode, depth: number, seen: Set<GoObject | FieldInfo>, owner: GoObject | null): boolean {
  if (depth > MAX_DEPTH) return false;
  const e = unparen(expr);
  if (LITERALS.has(e.type)) return true;
  if (isFiniteType(pkg, typeOf(pkg, file, e))) return true;
  const sub = (x: SyntaxNode | null | undefined) => !!x && finite(pkg, file, x, depth + 1, seen, owner);
  switch (e.type) {
    case 'identifier': {
      const obj = objectOf(pkg, file, e);
      if (!obj) return false;
      if (obj.kind === 'const' || obj.kind === 'builtin') return true;
      return (obj.kind === 'var' || obj.kind === 'param') && finiteObject(pkg, obj, depth + 1, seen, owner);
    }
    case 'selector_expression': {
      const s = selectionOf(pkg, file, e);
      // Another package's exported name: a constant or a value fixed at its init.
      if (s?.kind === 'package') return true;
      if (s?.kind !== 'field') return false;
      // A field of a finite value (`p.ID` of a configured peer) is finite while the package never changes it at run time.
      // Tried from what was seen before finiteField: a value it visited and rejected is no cycle.
      const before = new Set(seen);
      if (finiteField(pkg, s.field, depth + 1, seen)) return true;
      return finite(pkg, file, e.childForFieldName('operand')!, depth + 1, before, owner) && isConfiguredField(pkg, s.field, owner);
    }
    case 'index_expression':
      return finiteElements(pkg, file, e.childForFieldName('operand')!, depth + 1, seen, owner);
    case 'binary_expression':
      return sub(e.childForFieldName('left')) && sub(e.childForFieldName('right'));
    case 'unary_expression': {
      const op = e.child(0)?.type;
      return op !== '<-' && op !== '*' && sub(e.childForFieldName('operand'));
    }
    case 'type_conversion_expression':
      return sub(e.childForFieldName('operand'));
    case 'composite_literal': {
      const elements = e.childForFieldName('body')?.descendantsOfType('literal_element') ?? [];
      return elements.every((el) => el.namedChildren.every((c) => c.type === 'literal_value' || sub(c)));
    }
    case 'call_expression': {
      const args = e.childForFieldName('arguments')?.namedChildren ?? [];
      const callee = unparen(e.childForFieldName('function')!);
      const s = callee.type === 'selector_expression' ? selectionOf(pkg, file, callee) : null;
      const kind = callee.type === 'identifier' ? objectOf(pkg, file, callee)?.kind : undefined;
      // `T(x)`, `string(b)`, `uint32(n)`: a conversion keeps as many values as it is given.
      const conversion = kind === 'type' || (kind === 'builtin' && BASIC_TYPES.test(callee.text));
      const pure = s?.kind === 'package' && isPureExternalFunc(s.importPath, s.name);
      return (conversion || pure) && args.length > 0 && args.every(sub);
    }
    default:
      return false;
  }
}

/** Every value the package gives a variable or parameter is finite; a loop counter is bounded by a finite value. */
function finiteObject(pkg: Package, obj: GoObject, depth: number, seen: Set<GoObject | FieldInfo>, owner: GoObject | null): boolean {
  if (seen.has(obj)) return true; // a cycle adds no value of its own
  seen.add(obj);
  const file = obj.file;
  if (!file || !obj.decl) return false;
  const uses = usesOf(pkg, obj);
  const stepped = uses.filter(isStepped);
  if (stepped.length) return boundedCounter(pkg, file, obj, depth, seen, owner);
  if (obj.kind === 'param') return finiteParameter(pkg, obj, uses, depth, seen, owner);
  const { values, unseen } = writesOf(pkg, { kind: 'object', obj });
  if (unseen || values.length === 0) return false;
  return values.every((w) =>
    w.element ? finiteElements(pkg, w.file, w.node, depth + 1, seen, owner) : w.index === 0 && finite(pkg, w.file, w.node, depth + 1, seen, owner),
  );
}

/** `x++`, `x--`, `x += d`: a variable changed step by step. */
export function isStepped(use: SyntaxNode): boolean {
  const p = use.parent;
  if (p?.type === 'inc_statement' || p?.type === 'dec_statement') return true;
  const stmt = p?.type === 'expression_list' ? p.parent : null;
  const op = stmt?.type === 'assignment_statement' && stmt.childForFieldName('left')?.id === p!.id ? stmt.childForFieldName('operator')?.type : undefined;
  return op !== undefined && op !== '=';
}

/** `for i := 0; i < n; i++` with `n` finite and `i` changed only by the loop: as many values as `n` allows. */
function boundedCounter(pkg: Package, file: GoFile, obj: GoObject, depth: number, seen: Set<GoObject | FieldInfo>, owner: GoObject | null): boolean {
  const clause = obj.decl!.parent;
  if (clause?.type !== 'for_clause' || clause.childForFieldName('initializer')?.id !== obj.decl!.id) return false;
  const cond = clause.childForFieldName('condition');
  const c = cond ? unparen(cond) : null;
  if (c?.type !== 'binary_expression' || !/^(<|<=|!=)$/.test(c.childForFieldName('operator')?.type ?? '')) return false;
  const left = c.childForFieldName('left');
  const right = c.childForFieldName('right');
  if (left?.type !== 'identifier' || objectOf(pkg, file, left) !== obj || !right) return false;
  const init = obj.decl!.childForFieldName('right')?.namedChildren[obj.index];
  const update = clause.childForFieldName('update');
  const steppedOutsideUpdate = usesOf(pkg, obj).some((u) => isStepped(u) && !(update && u.startIndex >= update.startIndex && u.endIndex <= update.endIndex));
  return !steppedOutsideUpdate && !!init && finite(pkg, file, init, depth + 1, seen, owner) && finite(pkg, file, right, depth + 1, seen, owner);
}

/** A parameter of an unexported function the model sees every production caller of, each passing a finite argument. */
function finiteParameter(pkg: Package, obj: GoObject, uses: SyntaxNode[], depth: number, seen: Set<GoObject | FieldInfo>, owner: GoObject | null): boolean {
  const fn = obj.fn!;
  const name = fn.childForFieldName('name')?.text ?? '';
  if (fn.type === 'func_literal' || (/^[A-Z]/.test(name) && pkg.name !== 'main')) return false;
  if (uses.some((u) => u.parent?.type === 'expression_list' && u.parent.parent?.type === 'assignment_statement' && u.parent.parent.childForFieldName('left')?.id === u.parent.id)) return false;
  const position = parameterIndex(fn, obj.ident!);
  if (position === null) return false;
  const production = !fileOfNode(pkg, fn).isTest;
  const { sites, escapes } = callersOf(pkg, fn);
  const counted = sites.filter((s) => !production || !isTestCode(s.call, s.file.isTest));
  // Tests that take the function as a value (`var NewConn = newConn` in export_test.go) do not pass production values.
  const escaped = escapes.filter((e) => !production || !isTestCode(e, fileOfNode(pkg, e).isTest));
  if (escaped.length || counted.length === 0) return false;
  return counted.every((site) => {
    const arg = site.call.childForFieldName('arguments')?.namedChildren[position];
    return !!arg && arg.type !== 'variadic_argument' && finite(pkg, site.file, arg, depth + 1, seen, ownerAtCall(pkg, owner, fn, site.call, site.file));
  });
}

/** A field whose every write in the package is finite, none unseen. */
function finiteField(pkg: Package, field: FieldInfo, depth: number, seen: Set<GoObject | FieldInfo>): boolean {
  if (seen.has(field)) return true;
  seen.add(field);
  if (isFiniteType(pkg, typeFromSyntax(pkg, field.owner.file, field.typeNode))) return true;
  const { values, unseen } = writesOf(pkg, { kind: 'field', field });
  return !unseen && values.length > 0 && values.every((w) => w.index === 0 && !w.element && finite(pkg, w.file, w.node, depth + 1, seen, null));
}

/**
 * Whether what ranging over `expr` yields is finite: a literal list of finite elements, an
 * integer bound, a variable or field the package only ever sets to such lists, or a
 * configured collection (configured.ts: set up once for the owner or the process, never
 * changed at run time).
 */
function finiteElements(pkg: Package, file: GoFile, expr: SyntaxNode, depth: number, seen: Set<GoObject | FieldInfo>, owner: GoObject | null): boolean {
  if (depth > MAX_DEPTH) return false;
  const e = unparen(expr);
  const u = underlying(pkg, typeOf(pkg, file, e));
  if (u.kind === 'basic' && u.name !== 'string') return finite(pkg, file, e, depth + 1, seen, owner);
  if (e.type === 'composite_literal') return finite(pkg, file, e, depth + 1, seen, owner);
  // A channel is never configured: ranging over one yields whatever is sent.
  if ((u.kind === 'slice' || u.kind === 'array' || u.kind === 'map') && isConfigured(pkg, file, e, owner)) return true;
  let holder: { kind: 'object'; obj: GoObject } | { kind: 'field'; field: FieldInfo } | null = null;
  if (e.type === 'identifier') {
    const obj = objectOf(pkg, file, e);
    if (obj && obj.kind === 'var') holder = { kind: 'object', obj };
  } else if (e.type === 'selector_expression') {
    const s = selectionOf(pkg, file, e);
    if (s?.kind === 'field') holder = { kind: 'field', field: s.field };
  }
  if (!holder) return false;
  const key = holder.kind === 'object' ? holder.obj : holder.field;
  if (seen.has(key)) return false;
  seen.add(key);
  const { values, unseen } = writesOf(pkg, holder);
  return !unseen && values.length > 0 && values.every((w) => !w.element && w.index === 0 && unparen(w.node).type === 'composite_literal' && finite(pkg, w.file, w.node, depth + 1, seen, owner));
}
