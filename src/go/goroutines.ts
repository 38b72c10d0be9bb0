import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { displayName, frequencyOf, functionFrequency, startOnceGuard, withoutNote, type HowOften } from './model/frequency.js';
import { isNamed, typeOf } from './model/types.js';
import { isGoroutineLiteral } from './escape.js';
import { callersOf } from './model/calls.js';
import { jumpTarget, statementsOf } from './flow.js';
import { contains, enclosingFunction, enclosingLoops, ownDescendantsOfType } from './syntax.js';

/**
 * How often a `go` statement starts its goroutine: the model's frequency, or once per
 * process behind a start-once check on package state (a heuristic the model names).
 */
export function startsHowOften(pkg: Package, goStmt: SyntaxNode): HowOften {
  return startOnceGuard(pkg, goStmt) ?? frequencyOf(pkg, goStmt);
}

/** Who is left blocked at a channel operation, and how often that can happen. */
export interface Blocked {
  /** The goroutine that blocks, when the model says which `go` statement starts it. */
  goroutine: SyntaxNode | null;
  /** Otherwise the function whose caller blocks. */
  fn: SyntaxNode | null;
  /** As often as the goroutine starts, or as the function is called. */
  how: HowOften;
}

/**
 * The goroutine the model says runs operation `op`, or whose func literal holds it; or else
 * whoever calls the function it is written in (who blocks once, at the first time round).
 * Null for a function of a _test.go file that nothing in the package calls, other than a
 * test itself: a fake's method that the tests leave alone (they would hang if they called it).
 */
export function whoBlocks(pkg: Package, file: GoFile, op: SyntaxNode, goroutine: SyntaxNode | null): Blocked | null {
  const fn = enclosingFunction(op);
  const started = goroutine ?? (fn && isGoroutineLiteral(fn) ? fn.parent!.parent : null);
  if (started) return { goroutine: started, fn, how: startsHowOften(pkg, started) };
  if (file.isTest && fn && !TEST_ENTRY.test(fn.childForFieldName('name')?.text ?? '') && callersOf(pkg, fn).sites.length === 0) return null;
  return { goroutine: null, fn, how: fn ? functionFrequency(pkg, fn) : frequencyOf(pkg, op) };
}

/** What `go test` runs itself. */
const TEST_ENTRY = /^(Test|Benchmark|Fuzz|Example)/;

/** "goroutine blocks forever sending on ch, one per call of F: why", or "F blocks its caller forever sending on ch: why". */
export function blockedMessage(who: Blocked, doing: string, why: string): string {
  if (who.goroutine) return `goroutine blocks forever ${doing}, one ${perWhat(who.how)}: ${why}`;
  return `${displayName(who.fn)} blocks its caller forever ${doing}: ${why}`;
}

/**
 * "per call of (*Client).Watch", "per iteration of the loop at line 12 of poll", "per value
 * built by NewCache": how many goroutines pile up, for a message that says "one ... ".
 */
export function perWhat(how: HowOften): string {
  const reason = how.reason;
  switch (how.kind) {
    case 'per-iteration':
      if (reason.startsWith('in the loop')) return `per iteration of${reason.slice('in'.length)}`;
      return reason.startsWith('per iteration of') ? reason : `per iteration (${reason})`;
    case 'once-per-value':
      return reason.startsWith('once per value') ? reason.slice('once '.length) : `per value (${reason.replace(/, once per value$/, '')})`;
    case 'per-call':
      // The model's note on a function nothing in the package calls is too long for a message.
      return reason.startsWith('per call') ? withoutNote(reason) : `per call (${reason})`;
    default:
      return `once (${reason})`;
  }
}

const FAILING = new Set(['Fatal', 'Fatalf', 'FailNow', 'Error', 'Errorf', 'Fail', 'Skip', 'Skipf', 'SkipNow']);
const TESTING_TYPES = ['T', 'B', 'F', 'TB'];

/**
 * Whether statements fail (or skip) the test they run in: `t.Fatal(...)`, `t.Errorf(...)`,
 * `b.FailNow()` on a *testing.T, B, F or TB — or, in a _test.go file where the receiver's
 * type is unknown (a suite's `s.T()`), on any receiver by those names. A goroutine left
 * blocked when a test has already failed hangs nothing that passes.
 */
export function failsTest(pkg: Package, file: GoFile, stmts: SyntaxNode[]): boolean {
  return stmts.some((stmt) =>
    ownDescendantsOfType(stmt, 'call_expression').concat(stmt.type === 'call_expression' ? [stmt] : []).some((call) => {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'selector_expression' || !FAILING.has(callee.childForFieldName('field')?.text ?? '')) return false;
      const t = typeOf(pkg, file, callee.childForFieldName('operand')!);
      return TESTING_TYPES.some((name) => isNamed(t, 'testing', name)) || (t.kind === 'unknown' && file.isTest);
    }),
  );
}

/**
 * The `return` statements of `fn` (not of its func literals) that run after `after` and
 * before `before` can: between the two in the source, not around `before`, not in a loop
 * that also holds `before` (a later iteration may come first), and not on a path that fails
 * the test.
 */
export function returnsBetween(pkg: Package, file: GoFile, fn: SyntaxNode, after: SyntaxNode, before: SyntaxNode): SyntaxNode[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  return ownDescendantsOfType(body, 'return_statement').filter(
    (ret) =>
      ret.startIndex > after.endIndex &&
      ret.endIndex < before.startIndex &&
      !contains(ret, before) &&
      !enclosingLoops(ret).some((loop) => contains(loop, before) && !contains(loop, after) && !leavesAfter(before, loop)) &&
      !(ret.parent?.type === 'statement_list' && failsTest(pkg, file, statementsOf(ret.parent))),
  );
}

/** Whether the statements that hold `node` end by returning or breaking out of `loop`: it runs in the last iteration only. */
function leavesAfter(node: SyntaxNode, loop: SyntaxNode): boolean {
  let n = node;
  while (n.parent && n.parent.type !== 'statement_list') n = n.parent;
  const last = n.parent ? statementsOf(n.parent).at(-1) : undefined;
  return last?.type === 'return_statement' || (last?.type === 'break_statement' && jumpTarget(last)?.id === loop.id);
}
