import { loopCallsRelated } from '../src/go/call-chains.js';
import type { Rule } from '../src/engine/types.js';
import { containerLabel, growthReason, growthSource, longLivedContainers, siteList, unboundedInserts } from '../src/go/containers.js';

export const appendOnlySlice: Rule = {
  meta: {
    id: 'append-only-slice',
    title: 'Long-lived slice is only ever appended to',
    why:
      'A slice held by a package variable or by a long-lived struct lives as long as the process. ' +
      'When request-time code appends to it (events, log lines, seen ids, subscribers) and nothing in ' +
      'the package ever truncates it, re-makes it, sets it to nil or checks its length, it grows with ' +
      'every request; its backing array is also copied on each growth, so the peak is about twice the data.',
    fix:
      'Cap it: drop the oldest elements when len exceeds a limit (`s = s[len(s)-max:]`, or a ring ' +
      'buffer), reset it after each flush (`s = s[:0]`), or remove elements when they are done ' +
      '(an unsubscribe). Not reported: slices filled only where code runs once (init, main outside its ' +
      'loops, sync.Once, what only those reach, exported Register functions) or in a bounded loop there, and ' +
      'slices shrunk anywhere in the package (`s = s[1:]`, swap-remove, `slices.Delete`, a method of the named slice type).',
    example: {
      bad: 'var events []Event\n\nfunc record(e Event) {\n\tmu.Lock()\n\tevents = append(events, e)\n\tmu.Unlock()\n}',
      good:
        'var events []Event\n\nfunc record(e Event) {\n\tmu.Lock()\n\tevents = append(events, e)\n' +
        '\tif len(events) > maxEvents {\n\t\tevents = events[len(events)-maxEvents:]\n\t}\n\tmu.Unlock()\n}',
    },
    severity: 'warning',
    precision: 'medium',
    inTests: 'skipped',
    optIn:
      'Judged blind on the development corpora, none of its 9 findings grew with use: the slices ' +
      'belonged to one run, one test cluster or one sync, or were filled from other packages at ' +
      'start-up. Turn it on for code you know, or with a heap profile to see which slices are large.',
    tags: ['memory', 'cache'],
  },
  check(pkg, report) {
    for (const c of longLivedContainers(pkg)) {
      if (c.kind !== 'slice') continue;
      const appends = unboundedInserts(pkg, c);
      if (appends.length === 0) continue;
      report({
        node: c.decl,
        file: c.file,
        message:
          `slice in ${containerLabel(c)} only grows: an element is appended ${growthReason(appends)} (${siteList(appends)})`,
        related: [
          ...appends.map((s) => ({ node: s.node, file: s.file, message: `appended to ${c.name} here, ${s.how.reason}` })),
          ...loopCallsRelated(pkg, growthSource(appends).how),
        ],
        evidence: appends.map((s) => ({ node: s.node, file: s.file })),
      });
    }
  },
};
