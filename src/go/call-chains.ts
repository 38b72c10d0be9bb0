import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import type { HowOften } from './model/frequency.js';
import { fileOfNode } from './model/types.js';

/**
 * How a chain of calls is told. A message names at most its first and last call
 * (`a → ... → d`), so that it stays one short sentence however deep the chain; the related
 * locations give every call, in order.
 */

export interface RelatedCall {
  node: SyntaxNode;
  file: GoFile;
  message: string;
}

/** `a`, `a → b`, or `a → ... → d` for three calls and more. */
export function chainPhrase(names: string[]): string {
  return (names.length > 2 ? [names[0], '...', names.at(-1)!] : names).join(' → ');
}

/** What a call of the chain calls: `s.queue.Add` for `s.queue.Add(r)`. */
export function calleeText(call: SyntaxNode): string {
  return (call.childForFieldName('function') ?? call).text.replace(/\s+/g, ' ');
}

/** Each call of a chain as a related location: "call 2 of 3 from the loop to the insert: c.deliver". */
export function chainRelated(pkg: Package, calls: SyntaxNode[], path: string): RelatedCall[] {
  return calls.map((call, i) => ({
    node: call,
    file: fileOfNode(pkg, call),
    message: `call ${i + 1} of ${calls.length} ${path}: ${calleeText(call)}`,
  }));
}

/** The calls through which a loop repeats what a message says happens "per iteration of the loop at ..." (HowOften.via). */
export function loopCallsRelated(pkg: Package, how: HowOften): RelatedCall[] {
  return how.via ? chainRelated(pkg, how.via, 'from the loop') : [];
}
