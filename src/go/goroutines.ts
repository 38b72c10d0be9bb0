import type { SyntaxNode } from 'tree-sitter';
import type { Package } from '../engine/types.js';
import { frequencyOf, startOnceGuard, type HowOften } from './model/frequency.js';

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
      return reason.startsWith('per call') ? reason.replace(/ \(no caller in the package[^)]*\)$/, '') : `per call (${reason})`;
    default:
      return `once (${reason})`;
  }
}
