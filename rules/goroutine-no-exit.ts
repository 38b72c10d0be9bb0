import { loopCallsRelated } from '../src/go/call-chains.js';
import type { SyntaxNode } from '../src/go/tree.js';
import { loopCanEnd, neverReturnsAfter, topLevelLoops } from '../src/go/flow.js';
import { perWhat, startsHowOften } from '../src/go/goroutines.js';
import { calledPackageFunc } from '../src/go/imports.js';
import { calleesOf } from '../src/go/model/calls.js';
import { isNamed, typeOf, underlying } from '../src/go/model/types.js';
import { fileOf } from '../src/go/package.js';
import { lineOf, ownDescendantsOfType, unparen } from '../src/go/syntax.js';
import type { GoFile, Package, Report, Rule } from '../src/engine/types.js';
import { nodesOfType } from '../src/go/nodes.js';

export const goroutineNoExit: Rule = {
  meta: {
    id: 'goroutine-no-exit',
    title: 'goroutine runs an endless loop that nothing can stop',
    why:
      'A goroutine whose loop has no return, no break out of it and no ctx.Done() or quit-channel ' +
      'case runs until the process exits, with its stack and everything it references. Started once ' +
      'per process (from main or init, behind a package-level sync.Once or a start-once check, by a ' +
      'function only those call) it is a daemon, and is not reported. Started per call (a method, a ' +
      'request handler), per loop iteration, or per value (a constructor, a sync.Once in a field) it ' +
      'is one more goroutine every time: the value it serves can never be freed and the goroutine ' +
      'count grows with the traffic. The message says which, as the package shows it.',
    fix:
      'Give the loop a way out: a `case <-ctx.Done(): return` in its select, or a quit channel that a ' +
      'Close or Stop method closes. Start process-wide workers once (from main, init or a sync.Once).',
    example: {
      bad: 'func NewCache() *Cache {\n\tc := &Cache{items: map[string]entry{}}\n\tgo func() {\n\t\tfor {\n\t\t\ttime.Sleep(time.Minute)\n\t\t\tc.evictExpired()\n\t\t}\n\t}()\n\treturn c\n}',
      good: 'func NewCache() *Cache {\n\tc := &Cache{items: map[string]entry{}, quit: make(chan struct{})}\n\tgo func() {\n\t\tt := time.NewTicker(time.Minute)\n\t\tdefer t.Stop()\n\t\tfor {\n\t\t\tselect {\n\t\t\tcase <-c.quit:\n\t\t\t\treturn\n\t\t\tcase <-t.C:\n\t\t\t\tc.evictExpired()\n\t\t\t}\n\t\t}\n\t}()\n\treturn c\n}\n\nfunc (c *Cache) Close() { close(c.quit) }',
    },
    severity: 'warning',
    precision: 'medium',
    inTests: 'skipped',
    optIn:
      'Whether an endless worker leaks depends on how often its constructor runs, and that is ' +
      'mostly decided in other packages (a daemon that main starts once is intended), which the ' +
      'package model does not see. Judged blind on the eleven development corpora, 3 of 12 ' +
      'findings grew with use; the rest were process-lifetime workers.',
    tags: ['goroutine'],
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      if (!file.source.includes('go ')) continue;
      for (const goStmt of nodesOfType(file, 'go_statement')) checkGoStatement(goStmt, file, pkg, report);
    }
  },
};

function checkGoStatement(goStmt: SyntaxNode, file: GoFile, pkg: Package, report: (r: Report) => void): void {
  const call = unparen(goStmt.namedChildren[0] ?? goStmt);
  if (call.type !== 'call_expression') return;
  // The package code it runs: a func literal, a function, a method by the receiver's type.
  const targets = calleesOf(pkg, file, call);
  const loops = targets.map(endlessLoopOf);
  const loop = loops[0];
  if (!loop || loops.some((l) => l === null) || loops.some((l) => waitsForSignals(pkg, l!))) return;
  const how = startsHowOften(pkg, goStmt);
  if (how.kind === 'once-per-process') return;
  // A starter that itself never returns once it has started the goroutine lives and dies with it.
  if (how.kind !== 'per-iteration' && neverReturnsAfter(goStmt)) return;
  const loopFile = fileOf(pkg, loop);
  // Another file of the package, so of the same directory: its base name says where, from any working directory.
  const loopAt = loopFile === file ? `line ${lineOf(loop)}` : `${loopFile.path.split('/').pop()}:${lineOf(loop)}`;
  report({
    node: goStmt,
    file,
    message: `goroutine never exits, one ${perWhat(how)}: nothing stops its loop at ${loopAt}${tickerHint(loop)}`,
    related: [{ node: loop, file: loopFile, message: 'this loop never ends' }, ...loopCallsRelated(pkg, how)],
    evidence: [{ node: blockingPoint(loop, loopFile), file: loopFile }],
  });
}

/**
 * A heuristic, named as one: a loop that waits for OS signals (`<-sigs` on a chan os.Signal
 * handed to signal.Notify) serves the process, which has one set of signals; it is its
 * signal handler, whoever starts it.
 */
function waitsForSignals(pkg: Package, loop: SyntaxNode): boolean {
  const file = fileOf(pkg, loop);
  const range = loop.namedChildren.find((c) => c.type === 'range_clause')?.childForFieldName('right');
  const received = ownDescendantsOfType(loop, 'unary_expression')
    .filter((u) => u.child(0)?.type === '<-')
    .map((u) => u.namedChildren[0]);
  return [range, ...received].some((ch) => {
    const t = ch ? underlying(pkg, typeOf(pkg, file, ch)) : null;
    return t?.kind === 'chan' && isNamed(t.elem, 'os', 'Signal');
  });
}

/** `for range t.C` after t.Stop() still blocks: Stop does not close the channel. */
function tickerHint(loop: SyntaxNode): string {
  const range = loop.namedChildren.find((c) => c.type === 'range_clause');
  const right = range?.childForFieldName('right');
  const ranged = right?.type === 'selector_expression' && right.childForFieldName('field')?.text === 'C';
  return ranged ? ` (Stop does not close ${right.text})` : '';
}

/**
 * The loop that keeps a function running forever: a `for` at the top level of its body
 * (possibly labeled) that cannot end. A loop that can only stop by crashing the process or
 * by runtime.Goexit is left alone: it does not pile up.
 */
function endlessLoopOf(fn: SyntaxNode): SyntaxNode | null {
  const loop = topLevelLoops(fn).find((l) => !loopCanEnd(l));
  return loop && !endsByCrashOrGoexit(loop) ? loop : null;
}

const CRASH_OR_GOEXIT = /^(panic|os\.Exit|runtime\.Goexit)$|\.(Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)$/;

function endsByCrashOrGoexit(loop: SyntaxNode): boolean {
  return ownDescendantsOfType(loop, 'call_expression').some((c) =>
    CRASH_OR_GOEXIT.test(c.childForFieldName('function')?.text ?? ''),
  );
}

/**
 * Where the goroutine spends its life: the `for` of a range over a ticker; else the first
 * select, channel receive or send, or time.Sleep in the loop; else the `for` itself (it
 * spins or blocks in a call).
 */
function blockingPoint(loop: SyntaxNode, file: GoFile): SyntaxNode {
  const body = loop.childForFieldName('body');
  if (!body || loop.namedChildren.some((c) => c.type === 'range_clause')) return loop;
  const candidates = ownDescendantsOfType(body, ['select_statement', 'unary_expression', 'send_statement', 'call_expression'])
    .filter((n) => isBlocking(n, file))
    .sort((a, b) => a.startIndex - b.startIndex);
  return candidates[0] ?? loop;
}

function isBlocking(node: SyntaxNode, file: GoFile): boolean {
  switch (node.type) {
    case 'select_statement':
    case 'send_statement':
      return true;
    case 'unary_expression':
      return node.child(0)?.type === '<-';
    default:
      return calledPackageFunc(node, file.imports, 'time', ['Sleep']) !== null;
  }
}
