import type { SyntaxNode } from 'tree-sitter';
import { assignmentOf } from '../src/go/escape.js';
import { neverReturnsAfter } from '../src/go/flow.js';
import { calledPackageFunc, importsPackage } from '../src/go/imports.js';
import { runsOncePerProcess } from '../src/go/once.js';
import { exitsOf, trackVariable, usedOnTheWayTo, type ExitKind } from '../src/go/paths.js';
import { boundNames, enclosingFunction, enclosingLoops, insideFuncLiteral, isTestCode } from '../src/go/syntax.js';
import type { GoFile, Report, Rule } from '../src/engine/types.js';
import { nodesOfType } from '../src/go/nodes.js';

/** golang.org/x/net/context forwards to the standard package: same leak. */
const CONTEXT_PACKAGES = ['context', 'golang.org/x/net/context'];
const CONSTRUCTORS = [
  'WithCancel',
  'WithTimeout',
  'WithDeadline',
  'WithCancelCause',
  'WithTimeoutCause',
  'WithDeadlineCause',
];

export const lostCancel: Rule = {
  meta: {
    id: 'lost-cancel',
    title: 'context cancel func discarded or not called on every path',
    why:
      'A context made with context.WithCancel, WithTimeout or WithDeadline (or their Cause variants) stays ' +
      'alive until its cancel function is called or its parent is cancelled: under a cancellable parent it ' +
      "sits in the parent's children map, a WithTimeout or WithDeadline context keeps a runtime timer armed " +
      'until the deadline, under a parent of a custom Context type a goroutine waits for either to finish, ' +
      'and every goroutine waiting on its Done channel keeps waiting. Under a long-lived parent (a ' +
      "server's base context, a connection's context) each call that loses its cancel function leaks the " +
      'child context, what it references, and its timer or goroutines.',
    fix:
      'Call the cancel function on every path: `defer cancel()` right after the call is the simple way. ' +
      'When the context must outlive the function, hand the cancel function on (return it, store it in a ' +
      'field, pass it to the code that finishes the work). In a loop, cancel the previous context before ' +
      'making the next one.',
    example: {
      bad:
        'func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {\n' +
        '\tctx, cancel := context.WithTimeout(ctx, c.timeout)\n' +
        '\tif err := c.ready(ctx); err != nil {\n' +
        '\t\treturn nil, err // leaks ctx: cancel is never called on this path\n' +
        '\t}\n' +
        '\tres, err := c.fetch(ctx, key)\n' +
        '\tcancel()\n' +
        '\treturn res, err\n' +
        '}',
      good:
        'func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {\n' +
        '\tctx, cancel := context.WithTimeout(ctx, c.timeout)\n' +
        '\tdefer cancel()\n' +
        '\tif err := c.ready(ctx); err != nil {\n' +
        '\t\treturn nil, err\n' +
        '\t}\n' +
        '\treturn c.fetch(ctx, key)\n' +
        '}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'skipped',
    tags: ['context', 'goroutine', 'memory'],
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      const paths = CONTEXT_PACKAGES.filter((p) => importsPackage(file.imports, p));
      if (paths.length === 0) continue;
      for (const call of nodesOfType(file, 'call_expression')) {
        const ctor = constructorOf(call, file, paths);
        if (!ctor) continue;
        const fn = enclosingFunction(call);
        // A package-level context, main.main and init live as long as the process.
        if (!fn || runsOncePerProcess(fn, pkg.name) || isTestCode(call, file.isTest)) continue;
        const finding = judge(call, ctor, fn, file);
        if (finding) report(finding);
      }
    }
  },
};

/** `WithTimeout` when `call` is `context.WithTimeout(...)` (or another constructor with a cancel function). */
function constructorOf(call: SyntaxNode, file: GoFile, paths: string[]): string | null {
  for (const p of paths) {
    const name = calledPackageFunc(call, file.imports, p, CONSTRUCTORS);
    if (name) return name;
  }
  return null;
}

/** Where the cancel function goes: discarded, a local variable to follow, or handed off (null). */
type Holder =
  | { kind: 'discarded'; node: SyntaxNode }
  | { kind: 'variable'; name: string; target: SyntaxNode; stmt: SyntaxNode };

function cancelHolder(call: SyntaxNode): Holder | null {
  if (call.parent?.type === 'expression_statement') return { kind: 'discarded', node: call };
  const assign = assignmentOf(call);
  if (!assign) return null; // returned, passed on: the receiver owns it
  let stmt: SyntaxNode | null = assign;
  if (assign.type === 'var_spec') while (stmt && stmt.type !== 'var_declaration') stmt = stmt.parent;
  const target = boundNames(assign)[1];
  if (!target || !stmt) return null;
  if (target.type !== 'identifier') return null; // stored in a field or a map
  if (target.text === '_') return { kind: 'discarded', node: target };
  return { kind: 'variable', name: target.text, target, stmt };
}

/** What each way out of the cancel variable's life does, for the related locations. */
const EXIT_MESSAGES: Record<ExitKind, (name: string) => string> = {
  return: (name) => `returns here without calling ${name}`,
  break: (name) => `breaks out here without calling ${name}`,
  continue: (name) => `goes round the loop here without calling ${name}`,
  'next-iteration': (name) => `the next iteration overwrites ${name} before it is called`,
  reassigned: (name) => `${name} is overwritten here before it is called`,
  'function-end': (name) => `the function ends here without calling ${name}`,
  'loop-end': (name) => `the loop goes round here without calling ${name}`,
  'scope-end': (name) => `${name} goes out of scope here without being called`,
};

function judge(call: SyntaxNode, ctor: string, fn: SyntaxNode, file: GoFile): Report | null {
  const holder = cancelHolder(call);
  if (!holder) return null;
  const harm = harmOf(ctor);
  if (holder.kind === 'discarded') {
    // Made once before an endless loop: the context lives as long as the function anyway.
    if (enclosingLoops(call).length === 0 && neverReturnsAfter(call)) return null;
    return {
      node: call,
      file,
      message: `the cancel function returned by context.${ctor} is discarded: ${harm}; keep it and defer ${callText('cancel', ctor)}`,
      related: [{ node: holder.node, file, message: 'the cancel function is dropped here' }],
    };
  }
  const v = trackVariable(holder.target, holder.stmt, fn);
  if (!v) return null;
  // Any use of the variable on the way out counts as calling it (or handing it on).
  const leaks = exitsOf(v).filter((exit) => !usedOnTheWayTo(exit, v));
  if (leaks.length === 0) return null;
  const name = holder.name;
  const fix = `defer ${callText(name, ctor)} right after this call`;
  let message: string;
  if (!v.uses.some((u) => u.startIndex > holder.stmt.endIndex || insideFuncLiteral(u, fn))) {
    message = `${name} from context.${ctor} is never called: ${harm}; ${fix}`;
  } else if (leaks.some((l) => l.overwrites)) {
    message = `${name} from context.${ctor} is overwritten before it is called: ${harm}; call ${callText(name, ctor)} before making the next context`;
  } else {
    message = `${name} from context.${ctor} is not called on every path: ${harm}; ${fix}`;
  }
  const related = leaks.map((l) => ({ node: l.node, file, message: EXIT_MESSAGES[l.kind](name) }));
  return { node: call, file, message, related };
}

function harmOf(ctor: string): string {
  return ctor.startsWith('WithCancel')
    ? 'the context, and whatever waits on its Done channel, stays alive until the parent is cancelled'
    : 'the context and its timer stay alive until the deadline passes or the parent is cancelled';
}

function callText(name: string, ctor: string): string {
  return ctor === 'WithCancelCause' ? `${name}(nil)` : `${name}()`;
}
