import { loopCallsRelated } from '../src/go/call-chains.js';
import { packageChannels, resolvedStrictly } from '../src/go/channels.js';
import { loopExits } from '../src/go/flow.js';
import { perWhat, startsHowOften } from '../src/go/goroutines.js';
import { fileOf } from '../src/go/package.js';
import type { Rule } from '../src/engine/types.js';

export const goroutineUnclosedRange: Rule = {
  meta: {
    id: 'goroutine-unclosed-range',
    title: 'goroutine ranges over a channel that nobody closes',
    why:
      'A `for v := range ch` loop ends only when ch is closed. When nothing ever closes the channel, ' +
      'the goroutine running the loop waits for the next value forever once the senders are done, ' +
      'keeping its stack and everything it references. Started per request or per object, each one ' +
      'is a goroutine leaked. The channel is followed from its make through variables, the struct ' +
      'fields of their type, parameters and results: a close anywhere in the package counts, a channel ' +
      'handed to code the package cannot see is not reported, nor a goroutine started once per process.',
    fix:
      'Close the channel when the last value has been sent: `defer close(ch)` in the (single) sender, ' +
      'or close it after a sync.WaitGroup of the senders is done, or in the Close method of the type ' +
      'that owns it.',
    example: {
      bad: 'func process(items []Item) {\n\tch := make(chan Item)\n\tgo func() {\n\t\tfor it := range ch { // never ends\n\t\t\thandle(it)\n\t\t}\n\t}()\n\tfor _, it := range items {\n\t\tch <- it\n\t}\n}',
      good: 'func process(items []Item) {\n\tch := make(chan Item)\n\tgo func() {\n\t\tfor it := range ch {\n\t\t\thandle(it)\n\t\t}\n\t}()\n\tfor _, it := range items {\n\t\tch <- it\n\t}\n\tclose(ch)\n}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'reported',
    tags: ['goroutine', 'concurrency'],
  },
  check(pkg, report) {
    const reported = new Set<string>();
    for (const ch of packageChannels(pkg)) {
      // Handed where the model cannot see, or sharing its variables with channels from elsewhere: someone else may close it.
      if (ch.lost || !ch.owned || ch.uses.some((u) => u.op === 'close' || u.op === 'handoff')) continue;
      for (const r of ch.uses) {
        const range = r.node.parent!;
        if (r.op !== 'range' || !r.goroutine || !resolvedStrictly(pkg, r.file, r.node)) continue;
        // A loop that can return or break (a sentinel value) is not stuck.
        const key = `${r.file.path}:${range.startIndex}`;
        if (reported.has(key) || loopExits(range.parent!).length > 0) continue;
        const how = startsHowOften(pkg, r.goroutine);
        if (how.kind === 'once-per-process') continue;
        reported.add(key);
        report({
          node: range,
          file: r.file,
          message: `goroutine ranges over ${r.node.text}, one ${perWhat(how)}: nothing in the package closes it, so the loop never ends`,
          related: [
            { node: r.goroutine, file: fileOf(pkg, r.goroutine), message: 'the goroutine is started here' },
            { node: ch.make, file: ch.file, message: 'made here, never closed' },
            ...loopCallsRelated(pkg, how),
          ],
          evidence: [{ node: range, file: r.file }],
        });
      }
    }
  },
};
