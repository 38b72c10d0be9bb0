import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { durationOf, formatDuration } from './duration.js';
import { neverReturnsAfter } from './flow.js';
import { calledPackageFunc } from './imports.js';
import { withoutNote, type HowOften } from './model/frequency.js';
import { objectOf } from './model/names.js';
import { releasedBy, type Flow } from './model/values.js';
import { unparen } from './syntax.js';

/**
 * Which of `names` of package time `call` calls (`time.NewTicker`, an alias, a dot import),
 * where no local or package name shadows the import.
 */
export function timeCall(pkg: Package, file: GoFile, call: SyntaxNode, names: readonly string[]): string | null {
  const name = calledPackageFunc(call, file.imports, 'time', names);
  if (!name) return null;
  const callee = unparen(call.childForFieldName('function')!);
  if (callee.type !== 'selector_expression') return objectOf(pkg, file, callee) === null ? name : null;
  return objectOf(pkg, file, callee.childForFieldName('operand')!)?.kind === 'import' ? name : null;
}

/**
 * How often, as a phrase after a noun: "a ticker per call of (*Conn).Read", "a timer made in
 * the loop at line 12 of poll", "a ticker per iteration of the loop at line 31 of Watch".
 */
export function howOftenPhrase(how: HowOften): string {
  const reason = withoutNote(how.reason);
  if (reason.startsWith('in ')) return `made ${reason}`;
  if (/^(per|once|behind) /.test(reason)) return reason;
  const kind = how.kind === 'per-iteration' ? 'per iteration' : how.kind === 'per-call' ? 'per call' : how.kind.replace(/-/g, ' ');
  return `${kind} (${reason})`;
}

/** `30s`, or the duration's source text when the package does not fix it. */
export function durationText(pkg: Package, file: GoFile, arg: SyntaxNode | undefined): { nanos: number | null; text: string } {
  if (!arg) return { nanos: null, text: '?' };
  const nanos = durationOf(pkg, file, arg);
  if (nanos !== null) return { nanos, text: formatDuration(nanos) };
  const text = arg.text.replace(/\s+/g, ' ');
  return { nanos, text: text.length > 40 ? `${text.slice(0, 37)}...` : text };
}

/** The uses that stop the timer or ticker: `t.Stop()`, or the method value `t.Stop` (`defer stop()` of `stop := t.Stop`). */
export function stopsOf(flow: Flow): SyntaxNode[] {
  const called = releasedBy(flow, ['Stop']).map((u) => u.node);
  const values = flow.uses.filter((u) => {
    const sel = u.node.parent;
    return u.method === null && sel?.type === 'selector_expression' && sel.childForFieldName('field')?.text === 'Stop';
  });
  return [...called, ...values.map((u) => u.node)];
}

/**
 * Whether every use of the value lies where its function never returns: an endless loop
 * that reads the ticker keeps it busy for good, and the loop (a goroutine that never
 * exits, goroutine-no-exit) is what leaks, not the ticker.
 */
export function onlyUsedForever(flow: Flow): boolean {
  return flow.uses.length > 0 && flow.uses.every((u) => neverReturnsAfter(u.node));
}

/** A value copied out of the timer (`*t = *time.NewTimer(d)`): its new home is not followed. */
export function copiedOut(flow: Flow): boolean {
  return flow.uses.some((u) => u.node.parent?.type === 'unary_expression' && u.node.parent.child(0)?.type === '*');
}

/** Kept in a map, slice or channel, or handed to code the model cannot see: whoever takes it out owns it. */
export function leftTheModel(flow: Flow): boolean {
  return flow.returned || flow.holders.some((h) => h.kind === 'unknown' || h.kind === 'element');
}

/** How a message names where the value is first kept: `t`, `field Client.ticker`; null when it is not kept. */
export function holderName(flow: Flow): string | null {
  const h = flow.holders.find((x) => x.kind === 'field' || x.kind === 'object');
  if (h?.kind === 'field') return `field ${h.field.owner.name}.${h.field.name}`;
  if (h?.kind === 'object') return h.obj.fn ? h.obj.name : `package variable ${h.obj.name}`;
  return null;
}

/** Whether `use` is read as `<-use.C` outside any select: the code waits for the timer to fire, which frees it. */
export function awaitedOutsideSelect(use: SyntaxNode): boolean {
  const sel = use.parent;
  if (sel?.type !== 'selector_expression' || sel.childForFieldName('field')?.text !== 'C') return false;
  const recv = sel.parent;
  if (recv?.type !== 'unary_expression' || recv.child(0)?.type !== '<-') return false;
  let stmt = recv.parent;
  if (stmt?.type === 'expression_list') stmt = stmt.parent;
  if (stmt?.type === 'receive_statement') stmt = stmt.parent;
  return stmt?.type !== 'communication_case';
}
