import type { SyntaxNode } from '../src/go/tree.js';
import { statementsOf } from '../src/go/flow.js';
import { failsTest } from '../src/go/goroutines.js';
import { enclosingFunc } from '../src/go/model/calls.js';
import { displayName } from '../src/go/model/frequency.js';
import { nodesOfType } from '../src/go/nodes.js';
import { contains, lineOf } from '../src/go/syntax.js';
import { waitGroupCalls, type WaitGroupCall } from '../src/go/waitgroups.js';
import type { Rule } from '../src/engine/types.js';

export const waitgroupMisuse: Rule = {
  meta: {
    id: 'waitgroup-misuse',
    title: 'a WaitGroup counter that Wait cannot see reach zero',
    why:
      'wg.Wait() returns only when every Add is matched by a Done. A goroutine that returns early without ' +
      'calling Done, a Wait inside the very goroutine the counter counts, or a Wait inside the loop that ' +
      'starts the goroutines an Add before the loop counted, leaves the counter above zero: Wait and its ' +
      'goroutine block forever. An Add inside the started goroutine races the Wait: Wait may return before ' +
      'the goroutine is counted, and leave it running on.',
    fix:
      'Call `defer wg.Done()` first thing in the goroutine; call wg.Add before the `go` statement, in the ' +
      'goroutine that waits; call wg.Wait once, after the loop that starts the goroutines, outside them.',
    example: {
      bad: 'wg.Add(len(jobs))\nfor _, j := range jobs {\n\tgo func(j Job) {\n\t\tdefer wg.Done()\n\t\tj.Run()\n\t}(j)\n\twg.Wait() // waits for all of them after starting one\n}',
      good: 'wg.Add(len(jobs))\nfor _, j := range jobs {\n\tgo func(j Job) {\n\t\tdefer wg.Done()\n\t\tj.Run()\n\t}(j)\n}\nwg.Wait()',
    },
    severity: 'error',
    precision: 'high',
    inTests: 'reported',
    tags: ['goroutine', 'waitgroup', 'concurrency'],
  },
  check(pkg, report) {
    const calls = waitGroupCalls(pkg).filter((c) => c.id);
    if (!calls.length) return;
    const of = (id: string, op: string) => calls.filter((c) => c.id === id && c.op === op);
    for (const file of pkg.files) {
      if (!file.source.includes('WaitGroup') && !file.source.includes('Wait()')) continue;
      for (const goStmt of nodesOfType(file, 'go_statement')) {
        const lit = goroutineLiteral(goStmt);
        const starter = enclosingFunc(goStmt);
        if (!lit || !starter) continue;
        const inLit = calls.filter((c) => contains(lit, c.call) && enclosingFunc(c.call)?.id === lit.id);
        for (const id of new Set(inLit.map((c) => c.id!))) {
          const mine = inLit.filter((c) => c.id === id);
          const addsBefore = of(id, 'Add').filter((a) => enclosingFunc(a.call)?.id === starter.id && a.call.startIndex < goStmt.startIndex);
          const waits = of(id, 'Wait');
          const name = mine[0].group.text;
          // The goroutine counts itself: Wait may run before the Add.
          const add = mine.find((c) => c.op === 'Add');
          const waitAfter = waits.find((w) => enclosingFunc(w.call)?.id === starter.id && w.call.startIndex > goStmt.endIndex);
          if (add && !addsBefore.length && waitAfter && !of(id, 'Add').some((a) => enclosingFunc(a.call)?.id === starter.id)) {
            report({
              node: add.call,
              file,
              message: `the goroutine started at line ${lineOf(goStmt)} calls ${name}.Add itself, so ${name}.Wait() at line ${lineOf(waitAfter.call)} can return before it is counted and leave it running`,
              related: [{ node: waitAfter.call, file, message: 'waits here' }],
            });
          }
          if (!addsBefore.length) continue;
          // The goroutine waits for the counter that counts it.
          const wait = mine.find((c) => c.op === 'Wait');
          // Every Done comes after the Wait (a barrier's Done-then-Wait is fine).
          const dones0 = mine.filter((c) => c.op === 'Done');
          if (wait && dones0.length && dones0.every((d) => d.deferred || d.call.startIndex > wait.call.endIndex)) {
            report({
              node: wait.call,
              file,
              message: `the goroutine started at line ${lineOf(goStmt)} calls ${name}.Wait() while ${name} still counts it (Add at line ${lineOf(addsBefore[0].call)}, its Done comes later): it waits for itself forever`,
              related: [{ node: addsBefore[0].call, file, message: 'counted here' }],
              evidence: [{ node: wait.call, file }],
            });
          }
          // A return that skips the Done.
          const dones = mine.filter((c) => c.op === 'Done');
          // Only where each goroutine is counted on its own (`wg.Add(1)` beside its `go`): an Add(n) for
          // a loop may count only the goroutines meant to call Done.
          const perGoroutine = addsBefore.some((a) => a.call.childForFieldName('arguments')?.namedChildren[0]?.text === '1' && sameLoop(a.call, goStmt, starter));
          if (dones.length && !dones.some((d) => d.deferred) && waits.length && perGoroutine) {
            // A return after a failed test only hangs a test that already failed.
            const skipped = ownReturns(lit).find((r) => !doneBefore(r, lit, dones) && !failsTest(pkg, file, blockOf(r)));
            if (skipped) {
              report({
                node: skipped,
                file,
                message: `the goroutine started at line ${lineOf(goStmt)} returns at line ${lineOf(skipped)} without calling ${name}.Done(), so ${name}.Wait() (line ${lineOf(waits[0].call)}) blocks forever`,
                related: [
                  { node: dones[0].call, file, message: 'Done is called only here' },
                  { node: waits[0].call, file: waits[0].file, message: 'waits here' },
                ],
                evidence: [{ node: waits[0].call, file: waits[0].file }],
              });
            }
          }
        }
      }
      // A Wait inside the loop that starts the goroutines counted before the loop.
      for (const wait of calls.filter((c) => c.op === 'Wait' && c.file === file)) {
        const fn = enclosingFunc(wait.call);
        const loop = innermostLoop(wait.call, fn);
        if (!fn || !loop) continue;
        const id = wait.id!;
        const body = loop.childForFieldName('body');
        if (!body) continue;
        const inLoopAdds = of(id, 'Add').filter((a) => contains(loop, a.call));
        const before = of(id, 'Add').find((a) => enclosingFunc(a.call)?.id === fn.id && a.call.endIndex <= loop.startIndex);
        const started = body.descendantsOfType('go_statement').find((g) => {
          const lit = goroutineLiteral(g);
          return g.endIndex <= wait.call.startIndex && lit && of(id, 'Done').some((d) => contains(lit, d.call));
        });
        if (!before || inLoopAdds.length || !started) continue;
        report({
          node: wait.call,
          file,
          message: `${displayName(fn)} calls ${wait.group.text}.Wait() in the loop that starts the goroutines it counts (Add at line ${lineOf(before.call)}): the first Wait also waits for later rounds' and blocks forever`,
          related: [
            { node: before.call, file, message: 'counted here, for every round' },
            { node: started, file, message: 'one goroutine per round' },
          ],
          evidence: [{ node: wait.call, file }],
        });
      }
    }
  },
};

/** `go func() { ... }()`: the literal. */
function goroutineLiteral(goStmt: SyntaxNode): SyntaxNode | null {
  const call = goStmt.namedChildren.find((c) => c.type === 'call_expression');
  const f = call?.childForFieldName('function');
  return f?.type === 'func_literal' ? f : null;
}

function sameLoop(a: SyntaxNode, b: SyntaxNode, fn: SyntaxNode): boolean {
  return innermostLoop(a, fn)?.id === innermostLoop(b, fn)?.id;
}

function innermostLoop(node: SyntaxNode, fn: SyntaxNode | null): SyntaxNode | null {
  for (let n = node.parent; n && n.id !== fn?.id; n = n.parent) if (n.type === 'for_statement') return n;
  return null;
}

/** The return statements of a func literal's own body. */
function ownReturns(lit: SyntaxNode): SyntaxNode[] {
  return lit.descendantsOfType('return_statement').filter((r) => enclosingFunc(r)?.id === lit.id);
}

const BLOCKS = new Set(['block', 'statement_list', 'expression_case', 'default_case', 'communication_case', 'type_case']);

/** The statements before `ret` in its own block. */
function blockOf(ret: SyntaxNode): SyntaxNode[] {
  const block = ret.parent;
  return block && BLOCKS.has(block.type) ? statementsOf(block).filter((s) => s.startIndex < ret.startIndex) : [];
}

/** Whether a Done runs on the way to `ret`: a statement before it, in its block or an enclosing one, is the Done. */
function doneBefore(ret: SyntaxNode, lit: SyntaxNode, dones: WaitGroupCall[]): boolean {
  for (let stmt: SyntaxNode = ret; stmt.parent && stmt.id !== lit.id; stmt = stmt.parent) {
    const block = stmt.parent;
    if (!BLOCKS.has(block.type)) continue;
    for (const s of statementsOf(block)) {
      if (s.startIndex >= stmt.startIndex) break;
      if (s.type === 'expression_statement' && dones.some((d) => d.call.parent?.id === s.id)) return true;
    }
  }
  return false;
}
