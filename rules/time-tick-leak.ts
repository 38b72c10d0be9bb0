import { loopCallsRelated } from '../src/go/call-chains.js';
import { importsPackage, spellsAny } from '../src/go/imports.js';
import { neverReturnsAfter } from '../src/go/flow.js';
import { frequencyOf } from '../src/go/model/frequency.js';
import { flowOf } from '../src/go/model/values.js';
import { enclosingFunction } from '../src/go/syntax.js';
import { howOftenPhrase, leftTheModel, onlyUsedForever, timeCall } from '../src/go/timers.js';
import type { Rule } from '../src/engine/types.js';
import { callsNamed } from '../src/go/nodes.js';

export const timeTickLeak: Rule = {
  meta: {
    id: 'time-tick-leak',
    title: 'time.Tick in a function that returns leaks its ticker',
    why:
      'time.Tick creates a ticker that cannot be stopped. Before Go 1.23 the runtime never frees it: ' +
      'once the code that reads it is done (its function returns, its goroutine ends), the ticker goes on ' +
      'firing into a channel nobody reads, for the life of the process. Made per call, per iteration or ' +
      'per value, this grows without bound. Made once per process (a package variable, init, main outside ' +
      'its loops, code only those call) or read by a loop that never ends, it is one ticker, and is not reported.',
    fix:
      'Use time.NewTicker and `defer t.Stop()`. time.Tick is fine where it runs once per process and ' +
      'in a loop that never ends.',
    example: {
      bad: 'func (c *Client) waitReady(ctx context.Context) error {\n\tfor range time.Tick(100 * time.Millisecond) {\n\t\tif c.ready() {\n\t\t\treturn nil\n\t\t}\n\t}\n\treturn nil\n}',
      good: 'func (c *Client) waitReady(ctx context.Context) error {\n\tt := time.NewTicker(100 * time.Millisecond)\n\tdefer t.Stop()\n\tfor range t.C {\n\t\tif c.ready() {\n\t\t\treturn nil\n\t\t}\n\t}\n\treturn nil\n}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'skipped',
    tags: ['timer', 'memory'],
    goVersion: { below: '1.23', restoredBy: 'asynctimerchan=1' },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      if (!importsPackage(file.imports, 'time') || !spellsAny(file.source, ['Tick'])) continue;
      for (const call of callsNamed(file, ['Tick'])) {
        // Outside a function it is a package variable's initializer: one ticker per process.
        if (!timeCall(pkg, file, call, ['Tick']) || !enclosingFunction(call)) continue;
        const how = frequencyOf(pkg, call);
        if (how.kind === 'once-per-process') continue;
        // A function that never returns reads the ticker for as long as it lives.
        if (neverReturnsAfter(call)) continue;
        // A wrapper that returns the channel (a clock interface) leaves the leak to its caller;
        // where the channel goes out of the model's sight, stay silent.
        const flow = flowOf(pkg, file, call);
        if (leftTheModel(flow) || onlyUsedForever(flow)) continue;
        report({
          node: call,
          file,
          message: `a ticker from time.Tick ${howOftenPhrase(how)} cannot be stopped: before Go 1.23 it is never freed`,
          related: loopCallsRelated(pkg, how),
        });
      }
    }
  },
};
