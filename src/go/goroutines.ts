import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { frequencyOf, startOnceGuard, withoutNote, type HowOften } from './model/frequency.js';
import { isNamed, typeOf } from './model/types.js';
import { jumpTarget, statementsOf } from './flow.js';
import { contains, enclosingLoops, ownDescendantsOfType } from './syntax.js';

/**
 * How often a `go` statement starts its goroutine: the model's frequency, or once per
 * process behind a start-once check on package state (a heuristic the model names).
 */
export function startsHowOften(pkg: Package, goStmt: SyntaxNode): HowOften {
  return startOnceGuard(pkg, goStmt) ?? frequencyOf(pkg, goStmt);
}

/**
 * "per call of (*Client).Watch", "per iteration of the loop at line 12 of poll", "per value
 * built by NewCache": how many goroutines pile up, for a message that says "one ... ".
 */
export function perWhat(how: HowOften): string {
  const reason = how.reason;
  switch (how.kind) {
    case 'per-iteration':
      return reason.startsWith('in the loop') ? `per iteration of${reason.slice('in'.length)}` : `per iteration (${reason})`;
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
