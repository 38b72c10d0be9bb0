import type { SyntaxNode } from 'tree-sitter';
import type { GoFile, Package } from '../../engine/types.js';
import { selectorsOfField } from '../package.js';
import { FUNCTION_TYPES } from '../syntax.js';
import { callersOf, calleesOf } from './calls.js';
import { objectOf, usesOf, type GoObject } from './names.js';
import { fieldOf, fieldOfSelector, fileOfNode, typeFromSyntax, type FieldInfo } from './types.js';

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
  const flow: Flow = { holders: [], uses: [], returned: false, results: [] };
  const seenObjects = new Set<GoObject>();
  const seenFields = new Set<FieldInfo>();
  const seenPositions = new Set<string>();
  const work: { node: SyntaxNode; file: GoFile; index: number }[] = [{ node: expr, file, index: result }];
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
  const literal = body?.parent;
  if (literal?.type !== 'composite_literal') return;
  if (keyed && keyed.namedChildren[1]?.id === element.id) {
    const key = keyed.namedChildren[0]?.text ?? '';
    const field = fieldOf(pkg, typeFromSyntax(pkg, file, literal.childForFieldName('type')), key);
    if (field) return hold({ kind: 'field', field });
  }
  if (keyed && keyed.namedChildren[0]?.id === element.id) return;
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
