import type { SyntaxNode } from '../tree.js';
import type { GoFile, Package } from '../../engine/types.js';
import { selectorsOfField } from '../package.js';
import { parameterIndex, unparen } from '../syntax.js';
import { callersOf } from './calls.js';
import { frequencyOf, functionFrequency, innermostLoop, isBoundedLoop, onlyTestsRun } from './frequency.js';
import { objectOf, usesOf, type GoObject } from './names.js';
import { fieldOfSelector, fileOfNode, selectionOf, typeFromSyntax, typeOfObject, underlying, UNKNOWN, type FieldInfo } from './types.js';
import { flowOfHolder, writesOf, type Holder } from './values.js';

/*
 * Configured values: a collection (or the struct holding it) that is set up once and only
 * read afterwards — the configured peers of a cluster, a constructor's list of servers, a
 * config struct's fields. Ranging over one yields as many keys as it holds, however often
 * the loop runs, so domain.ts takes its elements for a finite domain.
 *
 * Fixed "for a value" when every write and every change of its elements runs once per
 * process or once per value (init, main, a constructor, what only they reach, a bounded loop
 * there): that bounds the keys of a map held by the same value (the insert's `owner`, the
 * receiver or constructed local the map is reached through). Fixed "for the process" when
 * they all run once per process: that bounds any map, a package variable's too. A collection
 * appended to, indexed into, reassigned or handed to unseen code where code runs per call is
 * not fixed.
 *
 * A heuristic, named as one (OUTSIDE_IS_CONFIGURATION): code outside the package is taken to
 * treat the package's exported fields and returned collections as configuration — set before
 * the value is used, not grown per call. A config struct's fields are exported by nature;
 * the package can only show what it does with them itself.
 */

const MAX_DEPTH = 4;

const sameNode = (a: SyntaxNode, b: SyntaxNode) => a.id === b.id && a.tree === b.tree;

interface Context {
  depth: number;
  seen: Set<GoObject | FieldInfo>;
}

/**
 * Whether the value of `expr` is fixed for the life of `owner` (a local or receiver denoting
 * the value a keyed map belongs to), or for the process when `owner` is null.
 */
export function isConfigured(pkg: Package, file: GoFile, expr: SyntaxNode, owner: GoObject | null): boolean {
  return fixed(pkg, file, expr, owner, { depth: 0, seen: new Set() });
}

/** Whether the package never changes field `field` where code runs per call (see fixedField). */
export function isConfiguredField(pkg: Package, field: FieldInfo, owner: GoObject | null): boolean {
  return fixedField(pkg, field, owner, { depth: 0, seen: new Set() });
}

/**
 * The local or receiver a container use `x.m` is reached through (`x`). Null for a map that
 * lives for the process (a package variable's, or a field of one), whose keys must be fixed for the process.
 */
export function ownerOf(pkg: Package, file: GoFile, containerUse: SyntaxNode): GoObject | null {
  const operand = containerUse.type === 'selector_expression' ? unparen(containerUse.childForFieldName('operand')!) : null;
  const obj = operand?.type === 'identifier' ? objectOf(pkg, file, operand) : null;
  return obj?.fn ? obj : null;
}

/**
 * The owner as a call site of `fn` sees it: a receiver of `fn` is the call's operand
 * (`c.dial(p)` binds it to `c`); any other local of `fn` means nothing there.
 */
export function ownerAtCall(pkg: Package, owner: GoObject | null, fn: SyntaxNode, call: SyntaxNode, file: GoFile): GoObject | null {
  if (!owner?.fn || !sameNode(owner.fn, fn) || owner.kind !== 'receiver') return null;
  const callee = unparen(call.childForFieldName('function')!);
  return callee.type === 'selector_expression' ? ownerOf(pkg, file, callee) : null;
}

function fixed(pkg: Package, file: GoFile, expr: SyntaxNode, owner: GoObject | null, ctx: Context): boolean {
  if (ctx.depth > MAX_DEPTH) return false;
  const e = unparen(expr);
  const deeper = { ...ctx, depth: ctx.depth + 1 };
  switch (e.type) {
    case 'identifier': {
      const obj = objectOf(pkg, file, e);
      if (!obj) return false;
      if (obj === owner) return true;
      if (ctx.seen.has(obj)) return true; // a cycle adds no value of its own
      ctx.seen.add(obj);
      if (obj.kind === 'var') return fixedVariable(pkg, obj, owner, deeper);
      return obj.kind === 'param' && fixedParameter(pkg, obj, owner, deeper);
    }
    case 'selector_expression': {
      const s = selectionOf(pkg, file, e);
      return s?.kind === 'field' && fixedField(pkg, s.field, owner, ctx) && fixed(pkg, file, e.childForFieldName('operand')!, owner, deeper);
    }
    // An element, a part, or what a pointer points to of a fixed value.
    case 'index_expression':
    case 'slice_expression':
      return fixed(pkg, file, e.childForFieldName('operand')!, owner, deeper);
    case 'unary_expression':
      return e.child(0)?.type === '*' && fixed(pkg, file, e.childForFieldName('operand')!, owner, deeper);
    default:
      return false;
  }
}

/** A package variable set up once per process, or a local whose every value is fixed; neither changed at run time. */
function fixedVariable(pkg: Package, obj: GoObject, owner: GoObject | null, ctx: Context): boolean {
  if (!obj.fn) {
    if (/^[A-Z]/.test(obj.name) && pkg.name !== 'main') return false;
    return usesOf(pkg, obj).every((u) => !isReplaced(u) || setUp(pkg, u, null)) && unchanged(pkg, { kind: 'object', obj }, null);
  }
  const { values, unseen } = writesOf(pkg, { kind: 'object', obj });
  if (unseen || values.length === 0) return false;
  return values.every((w) => (w.element || w.index === 0) && fixed(pkg, w.file, w.node, owner, ctx)) && unchanged(pkg, { kind: 'object', obj }, owner);
}

/**
 * A parameter never reassigned nor changed at run time, of a function that runs once per
 * process, or once per value when it builds the owner (`c := &C{}` in `New(peers []string)`),
 * or whose every call in the package passes a fixed value.
 */
function fixedParameter(pkg: Package, obj: GoObject, owner: GoObject | null, ctx: Context): boolean {
  const fn = obj.fn!;
  if (usesOf(pkg, obj).some(isReplaced) || !unchanged(pkg, { kind: 'object', obj }, owner)) return false;
  if (fn.type === 'func_literal') return false;
  const how = functionFrequency(pkg, fn).kind;
  if (how === 'once-per-process') return true;
  if (how === 'once-per-value' && owner && builtIn(owner, fn)) return true;
  const name = fn.childForFieldName('name')?.text ?? '';
  if (/^[A-Z]/.test(name) && pkg.name !== 'main') return false;
  const position = parameterIndex(fn, obj.ident!);
  const { sites, escapes } = callersOf(pkg, fn);
  const production = sites.filter((s) => !onlyTestsRun(pkg, s.call));
  if (position === null || escapes.length || production.length === 0) return false;
  return production.every((site) => {
    const arg = site.call.childForFieldName('arguments')?.namedChildren[position];
    return !!arg && arg.type !== 'variadic_argument' && fixed(pkg, site.file, arg, ownerAtCall(pkg, owner, fn, site.call, site.file), ctx);
  });
}

/** A local of `fn` that `fn` builds: `c := &C{...}`, `c := C{...}`, `c := new(C)`, `var c C`. */
function builtIn(owner: GoObject, fn: SyntaxNode): boolean {
  if (owner.kind !== 'var' || !owner.fn || !sameNode(owner.fn, fn) || !owner.decl) return false;
  if (owner.decl.type === 'var_spec') return !owner.decl.childForFieldName('value');
  if (owner.decl.type !== 'short_var_declaration') return false;
  let v: SyntaxNode | null = owner.decl.childForFieldName('right')?.namedChildren[owner.index] ?? null;
  if (v) v = unparen(v);
  if (v?.type === 'unary_expression' && v.child(0)?.type === '&') v = v.namedChildren[0];
  return v?.type === 'composite_literal' || (v?.type === 'call_expression' && v.childForFieldName('function')?.text === 'new');
}

/**
 * A field the package assigns (`x.f = v`, `x.f = append(x.f, e)`) only where code sets up a
 * value, and never changes at run time. Literals (`T{f: v}`) build a new value: they leave a
 * fixed one as it was. Exported fields: see OUTSIDE_IS_CONFIGURATION.
 */
function fixedField(pkg: Package, field: FieldInfo, owner: GoObject | null, ctx: Context): boolean {
  if (ctx.seen.has(field)) return true;
  ctx.seen.add(field);
  for (const sel of selectorsOfField(pkg, field.name)) {
    const f = fileOfNode(pkg, sel);
    if (fieldOfSelector(pkg, f, sel) === field && isReplaced(sel) && !setUp(pkg, sel, owner)) return false;
  }
  return unchanged(pkg, { kind: 'field', field }, owner);
}

/** Whether every write of the holder's elements or fields, through any alias the model follows, runs where the value is set up. */
function unchanged(pkg: Package, holder: Holder, owner: GoObject | null): boolean {
  const type = holder.kind === 'object' ? typeOfObject(pkg, holder.obj) : holder.kind === 'field' ? typeFromSyntax(pkg, holder.field.owner.file, holder.field.typeNode) : UNKNOWN;
  const kind = underlying(pkg, type).kind;
  // A string or a number handed on is a copy: nothing can change it through the copy.
  if (kind === 'basic') return true;
  const flow = flowOfHolder(pkg, holder);
  for (const u of flow.uses) if (changesThrough(u.node) && !setUp(pkg, u.node, owner)) return false;
  // Another package's function given a slice header or a struct copy cannot add to it (OUTSIDE_IS_CONFIGURATION for its elements).
  const copied = kind === 'slice' || kind === 'array' || kind === 'struct';
  for (const h of flow.holders) {
    if (h.kind === 'unknown' && !(copied && h.at.type === 'call_expression') && !setUp(pkg, h.at, owner)) return false;
    if (h.kind === 'element' && !setUp(pkg, h.container, owner)) return false;
  }
  return true;
}

/** `x = v`, `x++`, `&x`: the variable or field itself gets another value (or may, through its address). */
function isReplaced(use: SyntaxNode): boolean {
  let n = use;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  const p = n.parent;
  if (p?.type === 'inc_statement' || p?.type === 'dec_statement') return true;
  if (p?.type === 'unary_expression' && p.child(0)?.type === '&') return true;
  const stmt = p?.type === 'expression_list' ? p.parent : null;
  return stmt?.type === 'assignment_statement' && stmt.childForFieldName('left')?.id === p!.id;
}

/**
 * `x[i] = v`, `x.f = v`, `x[i].f++`, `&x[i]`, `copy(x, src)`, `x.Add(e)`: a use that writes
 * into the value rather than reading it (a method of its own may do either).
 */
function changesThrough(use: SyntaxNode): boolean {
  let n = use;
  let into = false;
  for (;;) {
    const p = n.parent;
    if (!p) return false;
    if (p.type === 'parenthesized_expression') n = p;
    else if ((p.type === 'index_expression' || p.type === 'selector_expression') && p.childForFieldName('operand')?.id === n.id) {
      const call = p.parent;
      if (p.type === 'selector_expression' && call?.type === 'call_expression' && call.childForFieldName('function')?.id === p.id) return true;
      n = p;
      into = true;
    } else if (p.type === 'unary_expression' && p.child(0)?.type === '*') {
      n = p;
      into = true;
    } else break;
  }
  const args = n.parent;
  if (args?.type === 'argument_list' && args.namedChildren[0]?.id === n.id && args.parent?.childForFieldName('function')?.text === 'copy') return true;
  return into && isReplaced(n);
}

/**
 * Whether `node` runs only where a value is set up: once per process, or once per value when
 * an owner is given — counting a bounded loop there (`for _, p := range cfg.Peers`) as once.
 */
function setUp(pkg: Package, node: SyntaxNode, owner: GoObject | null): boolean {
  if (onlyTestsRun(pkg, node)) return true;
  const file = fileOfNode(pkg, node);
  let at = node;
  for (let i = 0; i <= MAX_DEPTH; i++) {
    const how = frequencyOf(pkg, at).kind;
    if (how === 'once-per-process' || (how === 'once-per-value' && owner !== null)) return true;
    const loop = how === 'per-iteration' ? innermostLoop(at) : null;
    if (!loop || !isBoundedLoop(pkg, file, loop, false)) return false;
    at = loop;
  }
  return false;
}
