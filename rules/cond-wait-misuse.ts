import type { SyntaxNode } from '../src/go/tree.js';
import { isAssignedTo } from '../src/go/escape.js';
import { calleesOf, enclosingFunc } from '../src/go/model/calls.js';
import { displayName } from '../src/go/model/frequency.js';
import { objectOf, usesOf } from '../src/go/model/names.js';
import { fileOfNode, selectionOf, typeFromSyntax, type FieldInfo } from '../src/go/model/types.js';
import { writesOf } from '../src/go/model/values.js';
import { lineOf, unparen } from '../src/go/syntax.js';
import { condCalls, condWaitValues, waitGroupIdentity, type CondCall, type CondWaitValue } from '../src/go/waitgroups.js';
import type { GoFile, Package, Rule } from '../src/engine/types.js';

export const condWaitMisuse: Rule = {
  meta: {
    id: 'cond-wait-misuse',
    title: 'sync.Cond Wait that nothing can wake',
    why:
      'cond.Wait() sleeps until a Signal or Broadcast on that Cond. When the package never signals it, the ' +
      'waiting goroutine sleeps forever. When the Wait is not in a loop that re-checks the condition it ' +
      'waits for (or the loop tests something the loop never changes), a Signal that came before the Wait ' +
      'is lost and the goroutine sleeps forever too: a Cond keeps no state of its own. So it is when Wait is ' +
      'handed on as a func value (`background(c.Wait)`) to code that calls it once, outside such a loop.',
    fix:
      'Wait in a loop on the guarded state, `for !ready { c.Wait() }`, and have whoever changes that state ' +
      'call Signal or Broadcast under the same lock. Where a one-time event is all you need, close a channel instead.',
    example: {
      bad: 'func (q *Queue) Get() Item {\n\tq.mu.Lock()\n\tdefer q.mu.Unlock()\n\tq.cond.Wait() // a Put that signalled before this is lost\n\treturn q.pop()\n}',
      good: 'func (q *Queue) Get() Item {\n\tq.mu.Lock()\n\tdefer q.mu.Unlock()\n\tfor len(q.items) == 0 {\n\t\tq.cond.Wait()\n\t}\n\treturn q.pop()\n}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'reported',
    tags: ['goroutine', 'cond', 'concurrency'],
  },
  check(pkg, report) {
    for (const w of condWaitValues(pkg)) {
      const run = uncheckedRun(pkg, w);
      if (!run) continue;
      report({
        node: w.value,
        file: w.file,
        message: `${displayName(enclosingFunc(w.call))} hands ${w.value.text} to ${run.by}, which calls it (line ${lineOf(run.call)}) without checking first what it waits for: a Signal sent before it is lost`,
        related: [{ node: run.call, file: run.file, message: 'the Wait runs here' }],
        evidence: [{ node: run.call, file: run.file }],
      });
    }
    const calls = condCalls(pkg);
    // Only Conds that outlive a call (fields, package variables): a local one is a test's or a helper's own business.
    for (const wait of calls.filter((c) => c.op === 'Wait' && c.id && !c.id.includes('@'))) {
      const fn = enclosingFunc(wait.call);
      const name = wait.group.text;
      // Signalled somewhere: by the same Cond, or by one the model cannot name that may be it.
      const last = wait.group.text.split('.').at(-1)!;
      const also = storedInto(pkg, wait);
      const signalled = calls.some(
        (c) =>
          (c.op === 'Signal' || c.op === 'Broadcast') &&
          (c.id === wait.id || (c.id === null && c.group.text.split('.').at(-1) === last) || (c.id !== null && also.has(c.id))),
      );
      if (wait.id && !signalled && !wait.handedOff && !neverSet(pkg, wait)) {
        report({
          node: wait.call,
          file: wait.file,
          message: `${displayName(fn)} waits on ${name}, and nothing in the package calls Signal or Broadcast on it: the goroutine sleeps forever`,
          evidence: [{ node: wait.call, file: wait.file }],
        });
        continue;
      }
      const loop = loopAround(wait.call, fn);
      // An `if` on the state under the same lock is a check too (a Broadcast for another reason just returns).
      if (!loop && !guarded(wait.call, fn)) {
        report({
          node: wait.call,
          file: wait.file,
          message: `${displayName(fn)} waits on ${name} without checking first what it waits for: a Signal sent before the Wait is lost, and it sleeps forever`,
          evidence: [{ node: wait.call, file: wait.file }],
        });
        continue;
      }
      const stuck = loop ? unchangingCondition(pkg, loop) : null;
      if (stuck) {
        report({
          node: wait.call,
          file: wait.file,
          message: `${displayName(fn)} waits on ${name} in a loop on ${stuck}, which nothing changes: no Signal lets it out, and it sleeps forever`,
          evidence: [{ node: wait.call, file: wait.file }],
        });
      }
    }
  },
};

/** The field a Wait's Cond is, when it is one (`p.ready.Wait()`). */
function condField(pkg: Package, wait: CondCall): FieldInfo | null {
  const sel = wait.group.type === 'selector_expression' ? selectionOf(pkg, wait.file, wait.group) : null;
  return sel?.kind === 'field' ? sel.field : null;
}

/**
 * Which Conds the package stores into the Wait's field (`&T{wait: cond}`, `t.wait = cond`),
 * by the model's identity: a Signal on `cond` signals the field's Cond.
 */
function storedInto(pkg: Package, wait: CondCall): Set<string> {
  const field = condField(pkg, wait);
  const found = new Set<string>();
  for (const w of field ? writesOf(pkg, { kind: 'field', field }).values : []) {
    const id = w.element ? null : waitGroupIdentity(pkg, w.file, unparen(w.node));
    if (id) found.add(id);
  }
  return found;
}

/** A `*sync.Cond` field that nothing gives a value (the model sees every write to it): nil, so the Wait behind `!= nil` never runs. */
function neverSet(pkg: Package, wait: CondCall): boolean {
  const field = condField(pkg, wait);
  if (!field || typeFromSyntax(pkg, field.owner.file, field.typeNode).kind !== 'pointer') return false;
  const writes = writesOf(pkg, { kind: 'field', field });
  return writes.unseen === null && writes.values.length === 0;
}

function guarded(node: SyntaxNode, fn: SyntaxNode | null): boolean {
  for (let n = node.parent; n && n.id !== fn?.id; n = n.parent) if (n.type === 'if_statement' || n.type === 'expression_switch_statement') return true;
  return false;
}

function loopAround(node: SyntaxNode, fn: SyntaxNode | null): SyntaxNode | null {
  for (let n = node.parent; n && n.id !== fn?.id; n = n.parent) if (n.type === 'for_statement') return n;
  return null;
}

/**
 * A loop `for x { ... }` whose condition is one local variable that nothing assigns after its
 * declaration, and whose body neither breaks nor returns: it runs forever once entered.
 */
function unchangingCondition(pkg: Package, loop: SyntaxNode): string | null {
  const clause = loop.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment');
  const cond = clause && clause.type !== 'for_clause' && clause.type !== 'range_clause' ? unparen(clause) : null;
  if (cond?.type !== 'identifier') return null;
  const body = loop.childForFieldName('body');
  if (!body || body.descendantsOfType(['break_statement', 'return_statement', 'goto_statement']).length) return null;
  const file = fileOfNode(pkg, loop);
  const obj = objectOf(pkg, file, cond);
  if (!obj?.fn || obj.kind !== 'var') return null;
  if (usesOf(pkg, obj).some((u) => isAssignedTo(u) || u.parent?.type === 'unary_expression')) return null;
  return cond.text;
}

/**
 * Where the function a Cond's Wait is handed to (`after(c.Wait)`) calls it, when it does so
 * with no loop around the call (nothing re-checks the state) and no `if` but a nil check of
 * the func itself: the Wait runs once, whenever that code gets there. Null when it is handed
 * on again, or any call of it is in a loop or behind another condition.
 */
function uncheckedRun(pkg: Package, w: CondWaitValue): { call: SyntaxNode; file: GoFile; by: string } | null {
  const targets = calleesOf(pkg, w.file, w.call);
  if (targets.length !== 1) return null;
  const target = targets[0];
  const param = parameterAt(target, w.index);
  const tfile = fileOfNode(pkg, target);
  const obj = param ? objectOf(pkg, tfile, param) : null;
  if (!obj || obj.kind !== 'param') return null;
  let first: SyntaxNode | null = null;
  for (const use of usesOf(pkg, obj)) {
    const parent = use.parent;
    if (parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === use.id) {
      const fn = enclosingFunc(parent);
      if (loopAround(parent, fn) || guardedBeyond(parent, fn, obj.name)) return null;
      first ??= parent;
    } else if (!(parent?.type === 'binary_expression' && parent.namedChildren.some((c) => c.text === 'nil'))) return null;
  }
  return first ? { call: first, file: tfile, by: displayName(target) } : null;
}

function parameterAt(fn: SyntaxNode, index: number): SyntaxNode | null {
  let k = 0;
  for (const decl of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    for (const n of decl.childrenForFieldName('name')) if (k++ === index) return decl.type === 'variadic_parameter_declaration' ? null : n;
  }
  return null;
}

/** An `if` or switch around `node` in `fn` on anything but func `name` itself (`if f != nil`). */
function guardedBeyond(node: SyntaxNode, fn: SyntaxNode | null, name: string): boolean {
  for (let n = node.parent; n && n.id !== fn?.id; n = n.parent) {
    if (n.type === 'expression_switch_statement') return true;
    if (n.type !== 'if_statement') continue;
    const cond = n.childForFieldName('condition');
    const ids = cond ? [cond, ...cond.descendantsOfType('identifier')].filter((x) => x.type === 'identifier' && x.text !== 'nil') : [];
    if (n.childForFieldName('initializer') || ids.some((x) => x.text !== name)) return true;
  }
  return false;
}