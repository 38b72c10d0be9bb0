import { calledPackageFunc, importsPackage } from '../src/go/imports.js';
import { escapeOf } from '../src/go/escape.js';
import { neverReturnsAfter } from '../src/go/flow.js';
import { runsOncePerProcess } from '../src/go/once.js';
import { enclosingDeclaredFunction, enclosingFunction, isTestCode } from '../src/go/syntax.js';
import type { Rule } from '../src/engine/types.js';
import { nodesOfType } from '../src/go/nodes.js';

export const timeTickLeak: Rule = {
  meta: {
    id: 'time-tick-leak',
    title: 'time.Tick in a function that returns leaks its ticker',
    why:
      'time.Tick creates a ticker that cannot be stopped. Before Go 1.23 the runtime never frees it: ' +
      'when the function that called time.Tick returns, the ticker goes on firing into a channel nobody ' +
      'reads, for the life of the process. Called per request or per connection, this grows without bound.',
    fix:
      'Use time.NewTicker and `defer t.Stop()`. time.Tick is fine where it runs once and forever: ' +
      'in package main, in init, and in a loop that never ends.',
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
    if (pkg.name === 'main') return;
    for (const file of pkg.files) {
      if (!importsPackage(file.imports, 'time')) continue;
      for (const call of nodesOfType(file, 'call_expression')) {
        if (!calledPackageFunc(call, file.imports, 'time', ['Tick'])) continue;
        if (!enclosingFunction(call)) continue; // a package-level var: one ticker per process
        if (runsOncePerProcess(enclosingDeclaredFunction(call), pkg.name) || isTestCode(call, file.isTest)) continue;
        // A wrapper that returns the channel (a clock interface) leaves the leak to its caller.
        if (neverReturnsAfter(call) || escapeOf(call) === 'returned') continue;
        report({
          node: call,
          file,
          message:
            'time.Tick leaks its ticker once this function returns: before Go 1.23 it is never freed; ' +
            'use time.NewTicker with defer t.Stop()',
        });
      }
    }
  },
};
