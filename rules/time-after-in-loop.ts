import { loopCallsRelated } from '../src/go/call-chains.js';
import type { SyntaxNode } from '../src/go/tree.js';
import { channelsAt, receivedChannel, selectCaseOf } from '../src/go/channels.js';
import { typeOf, underlying } from '../src/go/model/types.js';
import { importsPackage, spellsAny } from '../src/go/imports.js';
import { caseGoesRoundLoop, statementsLeaveLoop, statementsOf } from '../src/go/flow.js';
import { frequencyOf } from '../src/go/model/frequency.js';
import { objectOf } from '../src/go/model/names.js';
import { enclosingLoops } from '../src/go/syntax.js';
import { durationOf } from '../src/go/duration.js';
import { durationText, howOftenPhrase, timeCall } from '../src/go/timers.js';
import type { GoFile, Package, Rule } from '../src/engine/types.js';
import { callsNamed } from '../src/go/nodes.js';

export const timeAfterInLoop: Rule = {
  meta: {
    id: 'time-after-in-loop',
    title: "time.After in a loop's select makes a timer per iteration",
    why:
      'Each evaluation of time.After starts a new timer. In a select inside a loop, every iteration ' +
      'that takes another case leaves its timer behind, and before Go 1.23 a timer is freed only when ' +
      'it fires: a busy loop holds as many live timers as it iterates in one timeout. The message gives ' +
      'the timeout. A case that leaves no timer behind is not counted: one that sleeps at least as long ' +
      'as the timer, a stop signal the loop also leaves on elsewhere (once closed, the loop ends), and ' +
      'a notification channel the package only ever closes and never sends on (a new term\'s channel): ' +
      'it wins once per notification, not per iteration.',
    fix:
      'Create one timer before the loop (time.NewTimer, defer Stop) and Reset it each iteration, ' +
      'or compute a deadline once (context.WithTimeout) and select on ctx.Done().',
    example: {
      bad: 'for {\n\tselect {\n\tcase msg := <-msgs:\n\t\thandle(msg)\n\tcase <-time.After(time.Minute):\n\t\treturn errIdle\n\t}\n}',
      good: 'idle := time.NewTimer(time.Minute)\ndefer idle.Stop()\nfor {\n\tselect {\n\tcase msg := <-msgs:\n\t\thandle(msg)\n\t\tidle.Reset(time.Minute)\n\tcase <-idle.C:\n\t\treturn errIdle\n\t}\n}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'skipped',
    tags: ['timer', 'memory'],
    goVersion: { below: '1.23', restoredBy: 'asynctimerchan=1' },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      if (!importsPackage(file.imports, 'time') || !spellsAny(file.source, ['After'])) continue;
      for (const call of callsNamed(file, ['After'])) {
        if (!timeCall(pkg, file, call, ['After'])) continue;
        const timerCase = selectCaseOf(call);
        const select = timerCase?.parent;
        if (!timerCase || select?.type !== 'select_statement') continue;
        const loop = enclosingLoops(select)[0];
        if (!loop) continue;
        // The timer is left behind only when another case goes round the loop again.
        const others = select.namedChildren.filter(
          (c) => (c.type === 'communication_case' || c.type === 'default_case') && c.id !== timerCase.id,
        );
        const duration = durationText(pkg, file, call.childForFieldName('arguments')?.namedChildren[0]);
        const leavesTimer = (c: SyntaxNode) =>
          caseGoesRoundLoop(c, loop) && !stopSignal(pkg, file, c, loop) && !outlasts(pkg, file, c, duration.nanos) && !closedSignal(pkg, file, c);
        if (!others.some(leavesTimer)) continue;
        const how = frequencyOf(pkg, call);
        if (how.kind !== 'per-iteration') continue;
        const timer = duration.nanos !== null ? `a ${duration.text} timer from time.After` : `a timer from time.After(${duration.text})`;
        report({
          node: call,
          file,
          message: `${timer} ${howOftenPhrase(how)} stays until it fires whenever another case wins (before Go 1.23)`,
          related: loopCallsRelated(pkg, how),
        });
      }
    }
  },
};

/**
 * A heuristic, named as one: a case receiving from a channel that another select of the
 * loop leaves the loop on (`case <-stop: return`) is a stop signal. Once it fires it stays
 * ready, so the loop ends at that other select: the timer is left behind once, not per iteration.
 */
function stopSignal(pkg: Package, file: GoFile, clause: SyntaxNode, loop: SyntaxNode): boolean {
  const ch = clause.type === 'communication_case' ? receivedChannel(clause) : null;
  if (!ch) return false;
  const same = (other: SyntaxNode) => {
    if (other.text !== ch.text) return false;
    return ch.type !== 'identifier' || objectOf(pkg, file, other) === objectOf(pkg, file, ch);
  };
  return loop
    .descendantsOfType('communication_case')
    .some((c) => c.id !== clause.id && receivedChannel(c) !== null && same(receivedChannel(c)!) && statementsLeaveLoop(statementsOf(c), loop));
}

/**
 * A case receiving from a channel that is only ever closed, never sent on (a notification
 * such as `<-s.FirstCommitInTermNotify()` that a new term replaces): each channel wins once
 * when it is closed, so the timer is left behind once per notification, not per iteration.
 * By the model: every make site the case can receive from, with no send in the package,
 * and out of the package only as a receive-only channel (the case's own type says so).
 */
function closedSignal(pkg: Package, file: GoFile, clause: SyntaxNode): boolean {
  const ch = clause.type === 'communication_case' ? receivedChannel(clause) : null;
  if (!ch) return false;
  const channels = channelsAt(pkg, ch);
  if (!channels.length || channels.some((c) => !c.uses.some((u) => u.op === 'close'))) return false;
  if (channels.some((c) => c.uses.some((u) => u.op === 'send' || u.op === 'handoff'))) return false;
  const t = underlying(pkg, typeOf(pkg, file, ch));
  return channels.every((c) => c.lost === null) || (t.kind === 'chan' && t.dir === 'recv');
}

/** A case that sleeps at least as long as the timer before going round: the timer has fired, and is freed, by then. */
function outlasts(pkg: Package, file: GoFile, clause: SyntaxNode, nanos: number | null): boolean {
  if (nanos === null) return false;
  return statementsOf(clause).some((stmt) => {
    const call = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : null;
    const arg = call?.type === 'call_expression' && timeCall(pkg, file, call, ['Sleep']) ? call.childForFieldName('arguments')?.namedChildren[0] : null;
    const slept = arg ? durationOf(pkg, file, arg) : null;
    return slept !== null && slept >= nanos;
  });
}

