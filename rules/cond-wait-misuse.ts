import type { SyntaxNode } from '../src/go/tree.js';
import { isAssignedTo } from '../src/go/escape.js';
import { enclosingFunc } from '../src/go/model/calls.js';
import { displayName } from '../src/go/model/frequency.js';
import { objectOf, usesOf } from '../src/go/model/names.js';
import { fileOfNode, selectionOf } from '../src/go/model/types.js';
import { unparen } from '../src/go/syntax.js';
import { condCalls, type CondCall } from '../src/go/waitgroups.js';
import type { Package, Rule } from '../src/engine/types.js';

export const condWaitMisuse: Rule = {
  meta: {
    id: 'cond-wait-misuse',
    title: 'sync.Cond Wait that nothing can wake',
    why:
      'cond.Wait() sleeps until a Signal or Broadcast on that Cond. When the package never signals it, the ' +
      'waiting goroutine sleeps forever. When the Wait is not in a loop that re-checks the condition it ' +
      'waits for (or the loop tests something the loop never changes), a Signal that came before the Wait ' +
      'is lost and the goroutine sleeps forever too: a Cond keeps no state of its own.',
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
    const calls = condCalls(pkg);
    // Only Conds that outlive a call (fields, package variables): a local one is a test's or a helper's own business.
    for (const wait of calls.filter((c) => c.op === 'Wait' && c.id && !c.id.includes('@'))) {
      const fn = enclosingFunc(wait.call);
      const name = wait.group.text;
      // Signalled somewhere: by the same Cond, or by one the model cannot name that may be it.
      const last = wait.group.text.split('.').at(-1)!;
      const also = storedInto(pkg, last);
      const signalled = calls.some(
        (c) =>
          (c.op === 'Signal' || c.op === 'Broadcast') &&
          (c.id === wait.id || (c.id === null && c.group.text.split('.').at(-1) === last) || also.has(c.group.text)),
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

/**
 * What the package stores into a field of that name (`&T{wait: cond}`, `t.wait = cond`): a
 * Signal on `cond` signals the field's Cond.
 */
function storedInto(pkg: Package, field: string): Set<string> {
  const found = new Set<string>();
  const re = new RegExp(`(?:\\b${field}\\s*:|\\.${field}\\s*=)\\s*&?([\\w.]+)`, 'g');
  for (const f of pkg.files) for (const m of f.source.matchAll(re)) found.add(m[1]);
  return found;
}

/** A `*sync.Cond` field that nothing in the package gives a value: nil, so the Wait behind `!= nil` never runs. */
function neverSet(pkg: Package, wait: CondCall): boolean {
  const g = wait.group;
  if (g.type !== 'selector_expression') return false;
  const field = g.childForFieldName('field')?.text ?? '';
  if (!/^\*/.test(fieldTypeText(pkg, wait) ?? '')) return false;
  return !pkg.files.some((f) => new RegExp(`\\b${field}\\s*(:|=[^=])`).test(f.source));
}

function fieldTypeText(pkg: Package, wait: CondCall): string | null {
  const g = wait.group;
  const sel = selectionOf(pkg, wait.file, g);
  return sel?.kind === 'field' ? (sel.field.typeNode?.text ?? null) : null;
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
