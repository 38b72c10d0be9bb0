import { loopCallsRelated } from '../src/go/call-chains.js';
import { importsPackage, spellsAny } from '../src/go/imports.js';
import { neverReturnsAfter } from '../src/go/flow.js';
import { frequencyOf } from '../src/go/model/frequency.js';
import { flowOf } from '../src/go/model/values.js';
import { enclosingFunction } from '../src/go/syntax.js';
import {
  awaitedOutsideSelect,
  copiedOut,
  durationText,
  holderName,
  howOftenPhrase,
  leftTheModel,
  onlyUsedForever,
  stopsOf,
  timeCall,
} from '../src/go/timers.js';
import type { Rule } from '../src/engine/types.js';
import { callsNamed } from '../src/go/nodes.js';

/** A timer that fires within a second frees itself within a second: not worth a finding. */
const SHORT_TIMER_NANOS = 1e9;

export const unstoppedTicker: Rule = {
  meta: {
    id: 'unstopped-ticker',
    title: 'time.NewTicker or time.NewTimer result is never stopped',
    why:
      'Before Go 1.23 the runtime keeps every started timer in its timer heap until it is stopped, ' +
      'whether or not the program still references it. A ticker is never freed: one made per call, per ' +
      'iteration or per value and never stopped keeps firing for the life of the process. A timer is freed ' +
      'when it fires, so an unstopped one costs how many are made times how long each waits: it is reported ' +
      'only when it is made per call or per iteration, with its duration. A timer made once per process or ' +
      'per value, reused with Reset and left unstopped at shutdown, lingers once and is not reported; ' +
      'nor is a timer of at most a second, or a ticker whose only reader is a loop that never ends (that ' +
      'loop is the leak: goroutine-no-exit).',
    fix:
      'Call Stop when done: `defer t.Stop()` right after creating it, or `t.Stop()` in the Close or Stop ' +
      'method of the struct that holds it. The value is followed through variables, closures, fields of ' +
      'its struct type, parameters of the package\'s functions and results returned to its callers; ' +
      'handing it to code outside the package (returned from an exported function, passed to another ' +
      'package, kept in a map or sent on a channel) counts as handled, since the receiver then owns it.',
    example: {
      bad: 'func poll(ctx context.Context) {\n\tt := time.NewTicker(time.Second)\n\tfor {\n\t\tselect {\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\tcase <-t.C:\n\t\t\tcheck()\n\t\t}\n\t}\n}',
      good: 'func poll(ctx context.Context) {\n\tt := time.NewTicker(time.Second)\n\tdefer t.Stop()\n\tfor {\n\t\tselect {\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\tcase <-t.C:\n\t\t\tcheck()\n\t\t}\n\t}\n}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'skipped',
    tags: ['timer', 'memory'],
    goVersion: { below: '1.23', restoredBy: 'asynctimerchan=1' },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      if (!importsPackage(file.imports, 'time') || !spellsAny(file.source, ['NewTicker', 'NewTimer'])) continue;
      for (const call of callsNamed(file, ['NewTicker', 'NewTimer'])) {
        const kind = timeCall(pkg, file, call, ['NewTicker', 'NewTimer']);
        // Outside a function it is a package variable's initializer: once per process.
        if (!kind || !enclosingFunction(call)) continue;
        const ticker = kind === 'NewTicker';
        const how = frequencyOf(pkg, call);
        // A ticker leaks whenever it is made more than once; a timer only when made per call or iteration.
        if (how.kind === 'once-per-process' || (!ticker && how.kind === 'once-per-value')) continue;
        const duration = durationText(pkg, file, call.childForFieldName('arguments')?.namedChildren[0]);
        if (!ticker && duration.nanos !== null && duration.nanos <= SHORT_TIMER_NANOS) continue;
        // Its function never returns: the ticker is in use for as long as it lives.
        if (neverReturnsAfter(call)) continue;
        const flow = flowOf(pkg, file, call);
        if (stopsOf(flow).length || leftTheModel(flow) || copiedOut(flow) || onlyUsedForever(flow)) continue;
        if (!ticker && flow.uses.some((u) => awaitedOutsideSelect(u.node))) continue;
        const label = ticker ? 'ticker' : duration.nanos !== null ? `${duration.text} timer` : 'timer';
        const holder = holderName(flow);
        const held = holder ? `, held in ${holder},` : '';
        const consequence = ticker ? 'each keeps firing and is never freed' : 'each stays in memory until it fires';
        report({ node: call, file, message: `a ${label} ${howOftenPhrase(how)}${held} is never stopped: before Go 1.23 ${consequence}`, related: loopCallsRelated(pkg, how) });
      }
    }
  },
};
