import { selectCaseOf } from '../src/go/channels.js';
import { calledPackageFunc, importsPackage } from '../src/go/imports.js';
import { caseGoesRoundLoop } from '../src/go/flow.js';
import { enclosingLoops, isTestCode } from '../src/go/syntax.js';
import type { Rule } from '../src/engine/types.js';
import { nodesOfType } from '../src/go/nodes.js';

export const timeAfterInLoop: Rule = {
  meta: {
    id: 'time-after-in-loop',
    title: "time.After in a loop's select makes a timer per iteration",
    why:
      'Each evaluation of time.After starts a new timer. In a select inside a loop, every iteration ' +
      'that takes another case leaves its timer behind, and before Go 1.23 a timer is freed only when ' +
      'it fires. A busy loop with a long timeout holds thousands of live timers.',
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
      if (!importsPackage(file.imports, 'time')) continue;
      for (const call of nodesOfType(file, 'call_expression')) {
        if (!calledPackageFunc(call, file.imports, 'time', ['After']) || isTestCode(call, file.isTest)) continue;
        const timerCase = selectCaseOf(call);
        const select = timerCase?.parent;
        if (!timerCase || select?.type !== 'select_statement') continue;
        const loop = enclosingLoops(select)[0];
        if (!loop) continue;
        // The timer is left behind only when another case goes round the loop again.
        const others = select.namedChildren.filter(
          (c) => (c.type === 'communication_case' || c.type === 'default_case') && c.id !== timerCase.id,
        );
        if (!others.some((c) => caseGoesRoundLoop(c, loop))) continue;
        report({
          node: call,
          file,
          message:
            "time.After in this loop's select starts a new timer on every iteration, and before Go 1.23 " +
            'each stays in memory until it fires; create one timer before the loop and Reset it',
        });
      }
    }
  },
};
