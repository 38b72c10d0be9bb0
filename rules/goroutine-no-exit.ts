import type { SyntaxNode } from 'tree-sitter';
import { loopCanEnd, neverReturnsAfter, topLevelLoops } from '../src/go/flow.js';
import { calledPackageFunc, importPathOf } from '../src/go/imports.js';
import { guardedByPackageState, onceThatRuns, onlyCalledOncePerProcess, runsOncePerProcess } from '../src/go/once.js';
import { fileOf, packageFunction, packageMethods, packageVarNames } from '../src/go/package.js';
import { declaredAnywhereIn } from '../src/go/scopes.js';
import {
  enclosingDeclaredFunction,
  enclosingLoops,
  functionName,
  isTestCode,
  lineOf,
  ownDescendantsOfType,
  unparen,
} from '../src/go/syntax.js';
import { declaredTypeName, receiverOf } from '../src/go/types.js';
import type { GoFile, Package, Report, Rule } from '../src/engine/types.js';
import { nodesOfType } from '../src/go/nodes.js';

export const goroutineNoExit: Rule = {
  meta: {
    id: 'goroutine-no-exit',
    title: 'goroutine runs an endless loop that nothing can stop',
    why:
      'A goroutine whose loop has no return, no break out of it and no ctx.Done() or quit-channel ' +
      'case runs until the process exits. Started from main or init that is a daemon; started from a ' +
      'constructor, a method or a request handler it is one more goroutine, with its stack and ' +
      'everything it references, for every call: the value it serves can never be freed and the ' +
      'goroutine count grows with the traffic.',
    fix:
      'Give the loop a way out: a `case <-ctx.Done(): return` in its select, or a quit channel that a ' +
      'Close or Stop method closes. Start process-wide workers once (from main, init or a sync.Once).',
    example: {
      bad: 'func NewCache() *Cache {\n\tc := &Cache{items: map[string]entry{}}\n\tgo func() {\n\t\tfor {\n\t\t\ttime.Sleep(time.Minute)\n\t\t\tc.evictExpired()\n\t\t}\n\t}()\n\treturn c\n}',
      good: 'func NewCache() *Cache {\n\tc := &Cache{items: map[string]entry{}, quit: make(chan struct{})}\n\tgo func() {\n\t\tt := time.NewTicker(time.Minute)\n\t\tdefer t.Stop()\n\t\tfor {\n\t\t\tselect {\n\t\t\tcase <-c.quit:\n\t\t\t\treturn\n\t\t\tcase <-t.C:\n\t\t\t\tc.evictExpired()\n\t\t\t}\n\t\t}\n\t}()\n\treturn c\n}\n\nfunc (c *Cache) Close() { close(c.quit) }',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'skipped',
    tags: ['goroutine'],
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      if (file.isTest || !file.source.includes('go ')) continue;
      for (const goStmt of nodesOfType(file, 'go_statement')) checkGoStatement(goStmt, file, pkg, report);
    }
  },
};

function checkGoStatement(goStmt: SyntaxNode, file: GoFile, pkg: Package, report: (r: Report) => void): void {
  const starter = enclosingDeclaredFunction(goStmt);
  if (!starter) return; // a package-level initializer: once per process
  const target = goroutineTarget(unparen(goStmt.namedChildren[0] ?? goStmt), starter, file, pkg);
  if (!target) return;
  const loops = target.bodies.map(endlessLoopOf);
  const loop = loops[0];
  if (!loop || loops.some((l) => l === null) || !startedPerCall(goStmt, starter, pkg)) return;
  const loopFile = fileOf(pkg, loop);
  const loopAt = loopFile === file ? `line ${lineOf(loop)}` : `${loopFile.path}:${lineOf(loop)}`;
  report({
    node: goStmt,
    file,
    message:
      `goroutine running ${target.name} never exits: the loop at ${loopAt} never ends and nothing stops it` +
      `${tickerHint(loop)}, so ${whatLeaks(goStmt, starter, pkg)}; add a \`case <-ctx.Done(): return\` ` +
      `(or a quit channel closed by a Close method) to the loop`,
    related: [{ node: loop, file: loopFile, message: 'this loop never ends' }],
    evidence: [{ node: blockingPoint(loop, loopFile), file: loopFile }],
  });
}

/** How often the goroutine is started: per pass of an endless loop, per value of a sync.Once, per call. */
function whatLeaks(goStmt: SyntaxNode, starter: SyntaxNode, pkg: Package): string {
  const startingLoop = enclosingLoops(goStmt).find((l) => !loopCanEnd(l));
  if (startingLoop) return `every pass of the loop at line ${lineOf(startingLoop)} leaks one goroutine`;
  const once = onceThatRuns(goStmt, starter, pkg);
  if (once) {
    const owner = starter.type === 'method_declaration' ? receiverOf(starter)?.type : null;
    return `every ${owner ?? 'value'} leaks one goroutine (${once.text} starts one per value)`;
  }
  return `every call of ${starterName(starter)} leaks one goroutine`;
}

/** `for range t.C` after t.Stop() still blocks: Stop does not close the channel. */
function tickerHint(loop: SyntaxNode): string {
  const range = loop.namedChildren.find((c) => c.type === 'range_clause');
  const right = range?.childForFieldName('right');
  const ranged = right?.type === 'selector_expression' && right.childForFieldName('field')?.text === 'C';
  return ranged ? ` (stopping the ticker does not close ${right.text})` : '';
}

/**
 * Whether the `go` statement starts a goroutine each time its function is called: not in
 * main, init, test code or code only they call, not under a package-level sync.Once or
 * start-once flag, and not in a function that itself runs forever once it has started the
 * goroutine (the two live and die together).
 */
function startedPerCall(goStmt: SyntaxNode, starter: SyntaxNode, pkg: Package): boolean {
  if (runsOncePerProcess(starter, pkg.name) || isTestCode(goStmt, false)) return false;
  if (onlyCalledOncePerProcess(starter, pkg) || guardedByPackageState(goStmt, starter, pkg)) return false;
  const once = onceThatRuns(goStmt, starter, pkg);
  if (once?.type === 'identifier' && packageVarNames(pkg).has(once.text)) return false;
  const inEndlessLoop = enclosingLoops(goStmt).some((loop) => !loopCanEnd(loop));
  return inEndlessLoop || !neverReturnsAfter(goStmt);
}

interface GoroutineTarget {
  /** How the message names what the goroutine runs. */
  name: string;
  /** The function bodies it may run: one, or every method of that name in the package. */
  bodies: SyntaxNode[];
}

/** What `go f(...)` runs, when its code is in the package: a func literal, a function, methods by name. */
function goroutineTarget(call: SyntaxNode, starter: SyntaxNode, file: GoFile, pkg: Package): GoroutineTarget | null {
  if (call.type !== 'call_expression') return null;
  const fn = unparen(call.childForFieldName('function') ?? call);
  if (fn.type === 'func_literal') return { name: 'a func literal', bodies: [fn] };
  if (fn.type === 'identifier') {
    const decl = packageFunction(pkg, fn.text);
    if (!decl || declaredAnywhereIn(starter, fn.text)) return null; // a func value held in a local or parameter
    return { name: `function ${fn.text}`, bodies: [decl] };
  }
  if (fn.type !== 'selector_expression') return null;
  const operand = fn.childForFieldName('operand');
  const method = fn.childForFieldName('field')?.text;
  if (!method || importPathOf(fn, file.imports)) return null;
  const methods = packageMethods(pkg, method);
  const type = operand ? declaredTypeName(operand, starter) : null;
  // A value of a known type runs that type's method, or one from another package.
  const bodies = type ? methods.filter((m) => receiverOf(m)?.type === type) : methods;
  return bodies.length > 0 ? { name: `method ${fn.text}`, bodies } : null;
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

/** `Start`, or `Server.Start` for a method. */
function starterName(fn: SyntaxNode): string {
  const name = functionName(fn) ?? 'the function';
  const receiver = fn.type === 'method_declaration' ? receiverOf(fn) : null;
  return receiver ? `${receiver.type}.${name}` : name;
}
