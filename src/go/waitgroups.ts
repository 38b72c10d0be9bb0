import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { objectOf } from './model/names.js';
import { declOf, isNamed, typeOf } from './model/types.js';
import { callsNamed, nodesOfType } from './nodes.js';
import { unparen } from './syntax.js';

export type WaitGroupOp = 'Add' | 'Done' | 'Wait' | 'Go';

/** A call on a sync.WaitGroup: `wg.Add(1)`, `s.stop.Done()`, `wg.Wait()`. */
export interface WaitGroupCall {
  call: SyntaxNode;
  file: GoFile;
  op: WaitGroupOp;
  /** The WaitGroup expression. */
  group: SyntaxNode;
  /**
   * Which WaitGroup, as the model names it: `Stopper.stop` for a field, the variable's name at
   * package level, one identity per declaration for a local variable or parameter.
   */
  id: string | null;
  deferred: boolean;
}

const OPS = new Set(['Add', 'Done', 'Wait', 'Go']);
const cache = new WeakMap<Package, WaitGroupCall[]>();

/** Every call on a sync.WaitGroup in the package (test files included). */
export function waitGroupCalls(pkg: Package): WaitGroupCall[] {
  const known = cache.get(pkg);
  if (known) return known;
  const calls: WaitGroupCall[] = [];
  for (const file of pkg.files) {
    if (!file.source.includes('WaitGroup')) continue;
    for (const call of callsNamed(file, [...OPS])) {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'selector_expression') continue;
      const op = callee.childForFieldName('field')?.text ?? '';
      const operand = callee.childForFieldName('operand');
      if (!OPS.has(op) || !operand) continue;
      const group = unparen(operand);
      if (!isNamed(typeOf(pkg, file, group), 'sync', 'WaitGroup')) continue;
      calls.push({ call, file, op: op as WaitGroupOp, group, id: waitGroupIdentity(pkg, file, group), deferred: call.parent?.type === 'defer_statement' });
    }
  }
  cache.set(pkg, calls);
  return calls;
}

/** Which WaitGroup or Cond an expression is, by the model: `T.f` for a field, a variable by its declaration. */
export function waitGroupIdentity(pkg: Package, file: GoFile, group: SyntaxNode): string | null {
  let g = group;
  if (g.type === 'unary_expression' && g.child(0)?.type === '&') g = unparen(g.namedChildren[0] ?? g);
  if (g.type === 'identifier') {
    const obj = objectOf(pkg, file, g);
    if (!obj || (obj.kind !== 'var' && obj.kind !== 'param')) return null;
    return obj.fn ? `${obj.name}@${obj.file?.path}:${obj.ident?.startIndex}` : obj.name;
  }
  if (g.type === 'selector_expression') {
    const operand = g.childForFieldName('operand');
    const decl = operand ? declOf(pkg, typeOf(pkg, file, operand)) : null;
    return decl ? `${decl.name}.${g.childForFieldName('field')?.text}` : null;
  }
  return null;
}

/** The WaitGroup call a node is, if it is one. */
export function waitGroupCallAt(pkg: Package, call: SyntaxNode): WaitGroupCall | null {
  return waitGroupCalls(pkg).find((c) => c.call.id === call.id && c.call.tree === call.tree) ?? null;
}

export type CondOp = 'Wait' | 'Signal' | 'Broadcast';

/** A call on a sync.Cond, named as WaitGroups are; `handedOff` when the Cond is also passed to a function. */
export interface CondCall {
  call: SyntaxNode;
  file: GoFile;
  op: CondOp;
  group: SyntaxNode;
  id: string | null;
  handedOff: boolean;
}

const condCache = new WeakMap<Package, CondCall[]>();

function namesSyncCond(file: GoFile): boolean {
  if (!file.source.includes('Cond')) return false;
  for (const [name, path] of file.imports.byName) if (path === 'sync' && new RegExp(`\\b${name}\\.(New)?Cond\\b`).test(file.source)) return true;
  return file.imports.dotImports.has('sync');
}

/** Every Wait, Signal and Broadcast on a sync.Cond in the package. */
export function condCalls(pkg: Package): CondCall[] {
  const known = condCache.get(pkg);
  if (known) return known;
  const calls: CondCall[] = [];
  const passed = new Set<string>();
  // A sync.Cond the model can type is named by the package (`sync.Cond`, `sync.NewCond`); without one, no Wait is on a known Cond.
  if (!pkg.files.some(namesSyncCond)) {
    condCache.set(pkg, calls);
    return calls;
  }
  for (const file of pkg.files) {
    if (!file.source.includes('Cond')) continue;
    for (const call of nodesOfType(file, 'call_expression')) {
      const callee = call.childForFieldName('function');
      // A Cond passed as an argument (`go worker(c)`, `register(s.cond)`) may be signalled where the model cannot see.
      for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
        if (isNamed(typeOf(pkg, file, arg), 'sync', 'Cond')) {
          const id = waitGroupIdentity(pkg, file, unparen(arg));
          if (id) passed.add(id);
        }
      }
      if (callee?.type !== 'selector_expression') continue;
      const op = callee.childForFieldName('field')?.text ?? '';
      const operand = callee.childForFieldName('operand');
      if ((op !== 'Wait' && op !== 'Signal' && op !== 'Broadcast') || !operand) continue;
      const group = unparen(operand);
      if (!isNamed(typeOf(pkg, file, group), 'sync', 'Cond')) {
        // Another package's type, or one the model cannot see: a Signal there may be on any Cond.
        if (op !== 'Wait' && typeOf(pkg, file, group).kind === 'unknown') calls.push({ call, file, op, group, id: null, handedOff: false });
        continue;
      }
      calls.push({ call, file, op, group, id: waitGroupIdentity(pkg, file, group), handedOff: false });
    }
  }
  for (const c of calls) c.handedOff = !!c.id && passed.has(c.id);
  condCache.set(pkg, calls);
  return calls;
}

/** A Cond's Wait handed on as a func value (`after(c.Wait)`): argument `index` of `call`. */
export interface CondWaitValue {
  value: SyntaxNode;
  call: SyntaxNode;
  index: number;
  file: GoFile;
  id: string | null;
}

const waitValueCache = new WeakMap<Package, CondWaitValue[]>();

/** Every `c.Wait` of a sync.Cond passed as an argument, not called in place. */
export function condWaitValues(pkg: Package): CondWaitValue[] {
  const known = waitValueCache.get(pkg);
  if (known) return known;
  const found: CondWaitValue[] = [];
  for (const file of pkg.files) {
    if (!file.source.includes('.Wait)') && !file.source.includes('.Wait,')) continue;
    for (const call of nodesOfType(file, 'call_expression')) {
      (call.childForFieldName('arguments')?.namedChildren ?? []).forEach((arg, index) => {
        const v = unparen(arg);
        const operand = v.type === 'selector_expression' && v.childForFieldName('field')?.text === 'Wait' ? v.childForFieldName('operand') : null;
        if (!operand || !isNamed(typeOf(pkg, file, unparen(operand)), 'sync', 'Cond')) return;
        found.push({ value: v, call, index, file, id: waitGroupIdentity(pkg, file, unparen(operand)) });
      });
    }
  }
  waitValueCache.set(pkg, found);
  return found;
}
