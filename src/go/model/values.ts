import type { SyntaxNode } from '../tree.js';
import type { GoFile, Package } from '../../engine/types.js';
import { selectorsOfField } from '../package.js';
import { keyedElementsNamed, literalsMayBeOf, literalType, type LiteralElement } from './literals.js';
import { FUNCTION_TYPES, parameterIndex } from '../syntax.js';
import { callersOf, calleesOf } from './calls.js';
import { objectOf, usesOf, type GoObject } from './names.js';
import { declOf, fieldOf, fieldOfSelector, fileOfNode, type FieldInfo } from './types.js';

/**
 * Where a tracked value (a channel, timer, cancel func, body, container) is kept:
 * - object: a local, parameter, result or package variable (closures share the object);
 * - field: a struct field of a package type, whatever value of the type holds it;
 * - element: in a map, slice or channel held by `container` (its expression);
 * - unknown: handed to code the model cannot see (another package, an interface, a
 *   func value from elsewhere). Rules stay silent about what they cannot see.
 */
export type Holder =
  | { kind: 'object'; obj: GoObject }
  | { kind: 'field'; field: FieldInfo }
  | { kind: 'element'; container: SyntaxNode }
  | { kind: 'unknown'; at: SyntaxNode; why: string };

/** A use of the value: an expression that denotes it, where it is not moved on. */
export interface ValueUse {
  node: SyntaxNode;
  file: GoFile;
  /** The method called on it there (`t.Stop()` → "Stop"), if any. */
  method: string | null;
  /** The call it is the callee of (`cancel()`), if it is called itself. */
  called: boolean;
}

export interface Flow {
  holders: Holder[];
  uses: ValueUse[];
  /** Returned to callers outside the package's view (an exported function's result, an interface method). */
  returned: boolean;
  /** Every function whose result `index` the value is returned as (to package callers, outside callers, or both). */
  results: { fn: SyntaxNode; index: number }[];
}

const NON_RETAINING = new Set(['len', 'cap', 'print', 'println', 'delete', 'close', 'panic', 'copy', 'clear']);
const WRAPS = new Set(['parenthesized_expression']);

/**
 * Follows the value of `expr` (usually the call or `make` that creates it) through the
 * package: assignments, fields, parameters of package functions, results returned to
 * package callers, closures, and into containers. `result` picks one result of a call that
 * returns several (1 for the cancel func of `context.WithCancel`).
 */
export function flowOf(pkg: Package, file: GoFile, expr: SyntaxNode, result = 0): Flow {
  return runFlow(pkg, (_hold, push) => push(expr, file, result));
}

/**
 * Follows a value that is already in `holder` (an object or a field): every use of the
 * holder and where the value goes from there, as flowOf does from the expression that
 * stored it. For a range variable, a receiver, or a container's element read into a variable.
 */
export function flowOfHolder(pkg: Package, holder: Holder): Flow {
  return runFlow(pkg, (hold) => hold(holder));
}

function runFlow(pkg: Package, start: (hold: (h: Holder) => void, push: Push) => void): Flow {
  const flow: Flow = { holders: [], uses: [], returned: false, results: [] };
  const seenObjects = new Set<GoObject>();
  const seenFields = new Set<FieldInfo>();
  const seenPositions = new Set<string>();
  const work: { node: SyntaxNode; file: GoFile; index: number }[] = [];
  const hold = (h: Holder) => {
    if (h.kind === 'object') {
      if (seenObjects.has(h.obj)) return;
      seenObjects.add(h.obj);
      flow.holders.push(h);
      for (const use of usesOf(pkg, h.obj)) work.push({ node: use, file: h.obj.scope ? h.obj.file! : fileOfNode(pkg, use), index: 0 });
    } else if (h.kind === 'field') {
      if (seenFields.has(h.field)) return;
      seenFields.add(h.field);
      flow.holders.push(h);
      for (const sel of selectorsOfField(pkg, h.field.name)) {
        const f = fileOfNode(pkg, sel);
        if (fieldOfSelector(pkg, f, sel) === h.field) work.push({ node: sel, file: f, index: 0 });
      }
    } else flow.holders.push(h);
  };
  start(hold, (n, nf, i) => work.push({ node: n, file: nf, index: i }));
  while (work.length) {
    const { node, file: f, index } = work.pop()!;
    const key = `${f.path}:${node.startIndex}:${node.endIndex}:${index}`;
    if (seenPositions.has(key)) continue;
    seenPositions.add(key);
    step(pkg, f, node, index, flow, hold, (n, nf, i) => work.push({ node: n, file: nf, index: i }));
  }
  return flow;
}

type Push = (node: SyntaxNode, file: GoFile, index: number) => void;

/** Where the value denoted by `node` goes from where it stands. `index` picks a result of a multi-value call. */
function step(pkg: Package, file: GoFile, node: SyntaxNode, index: number, flow: Flow, hold: (h: Holder) => void, push: Push): void {
  let x = node;
  while (x.parent && (WRAPS.has(x.parent.type) || isAddressOf(x.parent))) x = x.parent;
  const parent = x.parent;
  if (!parent) return;
  switch (parent.type) {
    case 'expression_list': {
      const stmt = parent.parent;
      const i = parent.namedChildren.findIndex((c) => c.id === x.id);
      // `return f()` of a call with several results returns result `index` of it in that position.
      if (stmt?.type === 'return_statement') return returned(pkg, stmt, parent.namedChildren.length === 1 ? index : i, flow, push);
      const isRight = stmt?.childForFieldName(stmt.type === 'var_spec' ? 'value' : 'right')?.id === parent.id;
      if (stmt && isRight && (stmt.type === 'assignment_statement' || stmt.type === 'short_var_declaration' || stmt.type === 'var_spec')) {
        const targets = stmt.type === 'var_spec' ? stmt.childrenForFieldName('name') : (stmt.childForFieldName('left')?.namedChildren ?? []);
        // `a, b := f()`: the value is result `index` of the call.
        const target = parent.namedChildren.length === 1 && targets.length > 1 ? targets[index] : targets[i];
        if (target) assignTo(pkg, file, target, hold);
        return;
      }
      if (stmt?.type === 'assignment_statement' || stmt?.type === 'short_var_declaration') return; // assigned to: not a use
      return use(file, x, flow);
    }
    case 'var_spec':
      return;
    case 'argument_list':
      return passed(pkg, file, parent, x, hold, push, flow);
    case 'send_statement':
      if (parent.childForFieldName('value')?.id === x.id) hold({ kind: 'element', container: parent.childForFieldName('channel')! });
      else use(file, x, flow);
      return;
    case 'literal_element':
      return inLiteral(pkg, file, parent, hold, push);
    case 'range_clause':
      return use(file, x, flow);
    case 'receive_statement': {
      // `case v := <-ch:` in a select: the received value is bound to v.
      const target = parent.childForFieldName('right')?.id === x.id ? parent.childForFieldName('left')?.namedChildren[0] : null;
      if (target) assignTo(pkg, file, target, hold);
      return;
    }
    default:
      return use(file, x, flow);
  }
}

function isAddressOf(n: SyntaxNode): boolean {
  return n.type === 'unary_expression' && n.child(0)?.type === '&';
}

function use(file: GoFile, x: SyntaxNode, flow: Flow): void {
  const parent = x.parent;
  let method: string | null = null;
  let called = false;
  if (parent?.type === 'selector_expression' && parent.childForFieldName('operand')?.id === x.id) {
    const call = parent.parent;
    if (call?.type === 'call_expression' && call.childForFieldName('function')?.id === parent.id) {
      method = parent.childForFieldName('field')?.text ?? null;
    }
  } else if (parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === x.id) {
    called = true;
  }
  flow.uses.push({ node: x, file, method, called });
}

function assignTo(pkg: Package, file: GoFile, target: SyntaxNode, hold: (h: Holder) => void): void {
  if (target.type === 'identifier') {
    const obj = objectOf(pkg, file, target);
    if (obj) hold({ kind: 'object', obj });
    return;
  }
  if (target.type === 'selector_expression') {
    const field = fieldOfSelector(pkg, file, target);
    hold(field ? { kind: 'field', field } : { kind: 'unknown', at: target, why: `stored in ${target.text}` });
    return;
  }
  if (target.type === 'index_expression') {
    hold({ kind: 'element', container: target.childForFieldName('operand')! });
    return;
  }
  hold({ kind: 'unknown', at: target, why: `stored in ${target.text}` });
}

/** The value is result `i` of the function: it goes wherever its package callers put that result. */
function returned(pkg: Package, stmt: SyntaxNode, i: number, flow: Flow, push: Push): void {
  let fn: SyntaxNode | null = stmt.parent;
  while (fn && !FUNCTION_TYPES.has(fn.type)) fn = fn.parent;
  if (!fn) return;
  const name = fn.childForFieldName('name')?.text ?? '';
  const { sites, escapes } = callersOf(pkg, fn);
  if (!flow.results.some((r) => r.fn.id === fn!.id && r.index === i)) flow.results.push({ fn, index: i });
  if ((/^[A-Z]/.test(name) && pkg.name !== 'main') || escapes.length || sites.length === 0) flow.returned = true;
  for (const site of sites) push(site.call, site.file, i);
}

/** The value is an argument: followed into the parameter of package code, or handed to code the model cannot see. */
function passed(pkg: Package, file: GoFile, args: SyntaxNode, x: SyntaxNode, hold: (h: Holder) => void, push: Push, flow: Flow): void {
  const call = args.parent!;
  const callee = call.childForFieldName('function');
  const i = args.namedChildren.findIndex((c) => c.id === x.id);
  if (callee?.type === 'identifier' && NON_RETAINING.has(callee.text)) return use(file, x, flow);
  if (callee?.type === 'identifier' && callee.text === 'append') {
    if (i > 0) hold({ kind: 'element', container: args.namedChildren[0] });
    else push(call, file, 0);
    return;
  }
  const targets = calleesOf(pkg, file, call);
  if (targets.length === 0) {
    hold({ kind: 'unknown', at: call, why: `passed to ${callee?.text ?? 'a call'}` });
    return;
  }
  for (const target of targets) {
    const param = parameterAt(target, i);
    if (!param) {
      hold({ kind: 'unknown', at: call, why: `passed to ${callee?.text}` });
      continue;
    }
    const obj = objectOf(pkg, fileOfNode(pkg, param), param);
    if (obj) hold({ kind: 'object', obj });
  }
}

/** The identifier of parameter `i` (counting each name), the variadic one for any later index. */
function parameterAt(fn: SyntaxNode, i: number): SyntaxNode | null {
  let k = 0;
  let last: SyntaxNode | null = null;
  for (const decl of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    const names = decl.childrenForFieldName('name');
    if (names.length === 0) k++;
    for (const n of names) {
      if (k === i) return n.text === '_' ? null : n;
      k++;
      last = decl.type === 'variadic_parameter_declaration' ? n : null;
    }
  }
  return last;
}

/** The value is an element of a composite literal: a field of a package struct, or an element the literal holds. */
function inLiteral(pkg: Package, file: GoFile, element: SyntaxNode, hold: (h: Holder) => void, push: Push): void {
  const keyed = element.parent?.type === 'keyed_element' ? element.parent : null;
  const body = (keyed ?? element).parent;
  // `T{...}`, or an elided `{...}` inside another literal.
  const literal = body?.parent?.type === 'composite_literal' ? body.parent : body?.parent?.type === 'literal_element' ? body : null;
  if (!literal) return;
  if (keyed && keyed.childForFieldName('value')?.id === element.id) {
    const key = keyed.childForFieldName('key')?.text ?? '';
    const field = fieldOf(pkg, literalType(pkg, file, literal), key);
    if (field) return hold({ kind: 'field', field });
  }
  if (keyed && keyed.childForFieldName('key')?.id === element.id) return;
  if (!keyed) {
    // `T{a, b}`: a struct literal's elements are its fields, in order.
    const decl = declOf(pkg, literalType(pkg, file, literal));
    const elements = body!.namedChildren.filter((c) => c.type !== 'comment');
    const field = decl?.typeNode?.type === 'struct_type' ? decl.fields[elements.findIndex((c) => c.id === element.id)] : undefined;
    if (field) return hold({ kind: 'field', field });
  }
  hold({ kind: 'element', container: literal });
  push(literal, file, 0);
}

/** Whether some use of the value calls one of `methods` on it (`t.Stop()`), or calls it (`cancel()`) when `call` is set. */
export function releasedBy(flow: Flow, methods: readonly string[], call = false): ValueUse[] {
  return flow.uses.filter((u) => (u.method !== null && methods.includes(u.method)) || (call && u.called));
}

/** Holders the model cannot see into: the value is handed off. */
export function handedOff(flow: Flow): Holder[] {
  return flow.holders.filter((h) => h.kind === 'unknown');
}

/** A value stored into a holder: `node` itself, result `index` of it (a multi-value call), or one of its elements. */
export interface Write {
  node: SyntaxNode;
  file: GoFile;
  index: number;
  /** The holder gets an element of `node` (a range or a receive from a container), not `node` itself. */
  element: boolean;
}

export interface Writes {
  values: Write[];
  /**
   * Why code the model cannot see may store into the holder too, or null: an exported field
   * or package variable, a parameter of a function called from elsewhere or used as a value,
   * a receiver, an address taken.
   */
  unseen: string | null;
}

/**
 * Every value the package stores into an object or field: declarations, assignments,
 * composite-literal keys and positions, the arguments of every call of a parameter's
 * function. The reverse of flowOf: where what a holder holds comes from.
 */
export function writesOf(pkg: Package, holder: Holder): Writes {
  if (holder.kind !== 'object' && holder.kind !== 'field') {
    return { values: [], unseen: holder.kind === 'unknown' ? holder.why : 'an element of a container' };
  }
  let cache = writesByPackage.get(pkg);
  if (!cache) writesByPackage.set(pkg, (cache = new Map()));
  const key = holder.kind === 'object' ? holder.obj : holder.field;
  let writes = cache.get(key);
  if (!writes) cache.set(key, (writes = holder.kind === 'object' ? objectWrites(pkg, holder.obj) : fieldWrites(pkg, holder.field)));
  return writes;
}

/** Answers of writesOf, once per package and holder: shared, do not modify. */
const writesByPackage = new WeakMap<Package, Map<GoObject | FieldInfo, Writes>>();

const outsideView = (name: string, pkg: Package) => /^[A-Z]/.test(name) && pkg.name !== 'main';

function objectWrites(pkg: Package, obj: GoObject): Writes {
  const values: Write[] = [];
  const file = obj.file;
  if (!file || !obj.decl) return { values, unseen: `${obj.name} is predeclared` };
  if (obj.kind === 'receiver') return { values, unseen: `${obj.name} is a receiver` };
  if (obj.kind === 'var' && !obj.fn && outsideView(obj.name, pkg)) return { values, unseen: `${obj.name} is exported` };
  const decl = obj.decl;
  if (decl.type === 'short_var_declaration' || decl.type === 'var_spec') {
    const right = decl.childForFieldName(decl.type === 'var_spec' ? 'value' : 'right')?.namedChildren ?? [];
    const names = decl.type === 'var_spec' ? decl.childrenForFieldName('name') : (decl.childForFieldName('left')?.namedChildren ?? []);
    if (right.length === 1 && names.length > 1) values.push({ node: right[0], file, index: obj.index, element: false });
    else if (right[obj.index]) values.push({ node: right[obj.index], file, index: 0, element: false });
  } else if (decl.type === 'range_clause' || decl.type === 'receive_statement') {
    const right = decl.childForFieldName('right');
    if (right) values.push({ node: right, file, index: obj.index, element: decl.type === 'range_clause' });
  } else if (decl.type === 'parameter_declaration' && obj.kind === 'param') {
    const unseen = parameterWrites(pkg, obj, values);
    if (unseen) return { values, unseen };
  } else if (decl.type !== 'parameter_declaration') {
    return { values, unseen: `${obj.name} is bound by a ${decl.type}` };
  }
  for (const use of usesOf(pkg, obj)) {
    const f = obj.scope ? file : fileOfNode(pkg, use);
    if (use.parent?.type === 'unary_expression' && use.parent.child(0)?.type === '&') return { values, unseen: `the address of ${obj.name} is taken` };
    const w = writeAt(use, f);
    if (w) values.push(w);
  }
  return { values, unseen: null };
}

/** The arguments passed for parameter `obj` at every call of its function; why some are unseen, if so. */
function parameterWrites(pkg: Package, obj: GoObject, values: Write[]): string | null {
  const fn = obj.fn!;
  const name = fn.childForFieldName('name')?.text ?? '';
  if (fn.type !== 'func_literal' && outsideView(name, pkg)) return `${name} is exported`;
  const position = parameterIndex(fn, obj.ident!);
  if (position === null) return `${obj.name} is variadic`;
  const { sites, escapes } = callersOf(pkg, fn);
  if (escapes.length) return `${displayNameOf(fn)} is used as a value`;
  if (sites.length === 0) return `${displayNameOf(fn)} has no caller in the package`;
  for (const site of sites) {
    const arg = site.call.childForFieldName('arguments')?.namedChildren[position];
    if (!arg) return `a call of ${displayNameOf(fn)} passes no argument ${position}`;
    values.push({ node: arg, file: site.file, index: 0, element: false });
  }
  return null;
}

function displayNameOf(fn: SyntaxNode): string {
  return fn.childForFieldName('name')?.text ?? 'a func literal';
}

/** The value stored by an assignment or `:=` whose left side holds `target`, if it does. */
function writeAt(target: SyntaxNode, file: GoFile): Write | null {
  const list = target.parent;
  const stmt = list?.parent;
  if (list?.type !== 'expression_list' || (stmt?.type !== 'assignment_statement' && stmt?.type !== 'short_var_declaration')) return null;
  if (stmt.childForFieldName('left')?.id !== list.id) return null;
  const i = list.namedChildren.findIndex((c) => c.id === target.id);
  const right = stmt.childForFieldName('right')?.namedChildren ?? [];
  if (right.length === 1 && list.namedChildren.length > 1) return { node: right[0], file, index: i, element: false };
  return right[i] ? { node: right[i], file, index: 0, element: false } : null;
}

function fieldWrites(pkg: Package, field: FieldInfo): Writes {
  const values: Write[] = [];
  if (outsideView(field.name, pkg)) return { values, unseen: `field ${field.name} is exported` };
  for (const sel of selectorsOfField(pkg, field.name)) {
    const f = fileOfNode(pkg, sel);
    if (fieldOfSelector(pkg, f, sel) !== field) continue;
    if (sel.parent?.type === 'unary_expression' && sel.parent.child(0)?.type === '&') return { values, unseen: `the address of ${sel.text} is taken` };
    const w = writeAt(sel, f);
    if (w) values.push(w);
  }
  // Literal elements, in the order of a walk over each file's literals, composite ones before
  // elided ones: keyed by the field's name (a literal whose type the model cannot see may be of
  // the owner: counted, to be safe), or at the field's position in a literal of the owner type.
  const hits: { at: LiteralElement; fileIndex: number }[] = [];
  const fileIndex = (f: GoFile) => pkg.files.indexOf(f);
  for (const at of keyedElementsNamed(pkg, field.name)) {
    const type = literalType(pkg, at.file, at.literal);
    if (type.kind === 'unknown' || fieldOf(pkg, type, field.name) === field) hits.push({ at, fileIndex: fileIndex(at.file) });
  }
  const position = field.owner.fields.indexOf(field);
  for (const { file, literal, elided } of position < 0 ? [] : literalsMayBeOf(pkg, field.owner.name)) {
    if (fieldOf(pkg, literalType(pkg, file, literal), field.name) !== field) continue;
    const body = literal.type === 'composite_literal' ? literal.childForFieldName('body') : literal;
    const element = body?.namedChildren.filter((c) => c.type !== 'comment')[position];
    const value = element?.type === 'literal_element' ? element.namedChildren.find((c) => c.type !== 'comment') : element;
    if (element && value && element.type !== 'keyed_element') hits.push({ at: { file, literal, elided, element, value }, fileIndex: fileIndex(file) });
  }
  hits.sort(
    (a, b) =>
      a.fileIndex - b.fileIndex ||
      Number(a.at.elided) - Number(b.at.elided) ||
      a.at.literal.startIndex - b.at.literal.startIndex ||
      b.at.literal.endIndex - a.at.literal.endIndex ||
      a.at.element.startIndex - b.at.element.startIndex,
  );
  for (const { at } of hits) values.push({ node: at.value, file: at.file, index: 0, element: false });
  return { values, unseen: null };
}
