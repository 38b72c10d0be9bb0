import type { SyntaxNode } from 'tree-sitter';
import { fieldChannelMadeHere, fieldChannelOps, goroutineBody, packageChannels } from '../src/go/channels.js';
import { loopExits } from '../src/go/flow.js';
import { runsOncePerProcess } from '../src/go/once.js';
import { channelFieldNames, fileOf } from '../src/go/package.js';
import { enclosingDeclaredFunction, isTestCode, ownDescendantsOfType } from '../src/go/syntax.js';
import type { GoFile, Package, Report, Rule } from '../src/engine/types.js';
import { nodesOfType } from '../src/go/nodes.js';

export const goroutineUnclosedRange: Rule = {
  meta: {
    id: 'goroutine-unclosed-range',
    title: 'goroutine ranges over a channel that nobody closes',
    why:
      'A `for v := range ch` loop ends only when ch is closed. When nothing ever closes the channel, ' +
      'the goroutine running the loop waits for the next value forever once the senders are done, ' +
      'keeping its stack and everything it references. Started per request or per object, each one ' +
      'is a goroutine leaked.',
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
    checkLocalChannels(pkg, report);
    for (const file of pkg.files) {
      if (file.isTest) continue;
      for (const goStmt of nodesOfType(file, 'go_statement')) {
        if (isTestCode(goStmt, false) || runsOncePerProcess(enclosingDeclaredFunction(goStmt), pkg.name)) continue;
        checkFieldChannels(goStmt, file, pkg, report);
      }
    }
  },
};

/**
 * Channels made in a function and ranged over by a goroutine, with no close anywhere and no
 * hand-off; a loop that can return or break (a sentinel value) is not stuck.
 */
function checkLocalChannels(pkg: Package, report: (r: Report) => void): void {
  for (const ch of packageChannels(pkg)) {
    if (runsOncePerProcess(enclosingDeclaredFunction(ch.make), pkg.name)) continue;
    if (ch.uses.some((u) => u.op === 'close' || u.op === 'handoff' || u.inCallback)) continue;
    for (const r of ch.uses) {
      const range = r.node.parent!;
      if (r.op !== 'range' || !r.goroutine || loopExits(range.parent!).length > 0) continue;
      const rangeFile = fileOf(pkg, range);
      report({
        node: range,
        file: rangeFile,
        message:
          `goroutine ranges over ${ch.name}, which nothing closes: the loop never ends, so the goroutine ` +
          `blocks forever once the senders stop; close(${ch.name}) after the last send`,
        related: [
          { node: r.goroutine, file: fileOf(pkg, r.goroutine), message: 'the goroutine is started here' },
          { node: ch.make, file: fileOf(pkg, ch.make), message: `${ch.name} is made here and never closed` },
        ],
        evidence: [{ node: range, file: rangeFile }],
      });
    }
  }
}

/** Ranges over a channel field (`for v := range s.events`) in a goroutine, when no code of the package closes that field. */
function checkFieldChannels(goStmt: SyntaxNode, goFile: GoFile, pkg: Package, report: (r: Report) => void): void {
  const body = goroutineBody(goStmt, pkg)?.childForFieldName('body');
  if (!body) return;
  for (const range of ownDescendantsOfType(body, 'range_clause')) {
    const right = range.childForFieldName('right');
    const field = right?.type === 'selector_expression' ? right.childForFieldName('field')?.text : undefined;
    if (!field || !channelFieldNames(pkg).has(field) || loopExits(range.parent!).length > 0) continue;
    const ops = fieldChannelOps(pkg, field);
    if (ops.has('close') || ops.has('handoff') || !fieldChannelMadeHere(pkg, field)) continue;
    const rangeFile = fileOf(pkg, range);
    report({
      node: range,
      file: rangeFile,
      message:
        `goroutine ranges over field ${field}, which no code in the package closes: the loop never ends, ` +
        `so the goroutine outlives its value; close the channel in the method that shuts the value down`,
      related: [{ node: goStmt, file: goFile, message: 'the goroutine is started here' }],
      evidence: [{ node: range, file: rangeFile }],
    });
  }
}
