import type { SyntaxNode } from 'tree-sitter';
import { packageChannels, receivedChannel, type ChannelUse, type LocalChannel } from '../src/go/channels.js';
import { runsOncePerProcess } from '../src/go/once.js';
import { fileOf } from '../src/go/package.js';
import { contains, enclosingDeclaredFunction, lineOf, ownDescendantsOfType } from '../src/go/syntax.js';
import type { Package, Report, Rule } from '../src/engine/types.js';

export const goroutineBlockedReceive: Rule = {
  meta: {
    id: 'goroutine-blocked-receive',
    title: 'goroutine receives from a channel nobody sends to or closes',
    why:
      'A receive blocks until a value is sent or the channel is closed. When the function that made ' +
      'the channel never sends on it nor closes it (or returns early, on an error path, before it does), ' +
      'the goroutine waiting on it blocks forever, with its stack and everything it references.',
    fix:
      'Make sure every path signals the goroutine: `defer close(done)` right after starting it, or send ' +
      '/ close before each return. If the goroutine should also stop on cancellation, select on ctx.Done().',
    example: {
      bad: 'func (s *Server) handle(conn net.Conn) error {\n\tdone := make(chan struct{})\n\tgo func() {\n\t\t<-done\n\t\tconn.Close()\n\t}()\n\tif err := s.auth(conn); err != nil {\n\t\treturn err // done is never closed: the goroutine waits forever\n\t}\n\tclose(done)\n\treturn nil\n}',
      good: 'func (s *Server) handle(conn net.Conn) error {\n\tdone := make(chan struct{})\n\tdefer close(done)\n\tgo func() {\n\t\t<-done\n\t\tconn.Close()\n\t}()\n\treturn s.auth(conn)\n}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'reported',
    tags: ['goroutine', 'concurrency'],
  },
  check(pkg, report) {
    const byFunction = new Map<number, LocalChannel[]>();
    for (const ch of packageChannels(pkg)) {
      if (ch.uses.some((u) => u.op === 'handoff' || u.inCallback)) continue;
      if (runsOncePerProcess(enclosingDeclaredFunction(ch.make), pkg.name)) continue;
      byFunction.set(ch.fn.id, [...(byFunction.get(ch.fn.id) ?? []), ch]);
    }
    for (const channels of byFunction.values()) {
      const silent = new Set(channels.filter((ch) => !ch.uses.some(wakes)).map((ch) => ch.name));
      for (const ch of channels) {
        for (const recv of ch.uses.filter((u) => u.op === 'receive' && u.goroutine && blocksOnlyOn(u, silent, ch))) {
          const why = silent.has(ch.name)
            ? { reason: `nothing ever sends on or closes ${ch.name}`, node: ch.make, label: `${ch.name} is made here and never sent on or closed` }
            : earlyReturn(ch, recv);
          if (why) reportReceive(recv, ch, why, pkg, report);
        }
      }
    }
  },
};

/** A send or a close: what unblocks a receiver. */
function wakes(u: ChannelUse): boolean {
  return u.op === 'send' || u.op === 'close';
}

/**
 * A plain receive, or a select whose every case receives from a channel that nothing
 * ever sends on or closes (a select with a default never blocks).
 */
function blocksOnlyOn(recv: ChannelUse, silent: Set<string>, ch: LocalChannel): boolean {
  if (!recv.select) return true;
  return recv.select.namedChildren
    .filter((c) => c.type.endsWith('_case'))
    .every((c) => {
      if (c.type !== 'communication_case') return false;
      const received = receivedChannel(c);
      const operand = received?.type === 'identifier' ? received.text : null;
      return operand === ch.name || (operand !== null && silent.has(operand));
    });
}

/**
 * When only the function itself sends on or closes the channel, not deferred, and it can
 * return after starting the goroutine but before the first of those: that return.
 */
function earlyReturn(ch: LocalChannel, recv: ChannelUse): { reason: string; node: SyntaxNode; label: string } | null {
  const goStmt = recv.goroutine!;
  const wakers = ch.uses.filter(wakes);
  if (wakers.some((w) => w.goroutine || w.deferred || w.inCallback || w.node.startIndex < goStmt.endIndex)) return null;
  const first = wakers.reduce((a, b) => (a.node.startIndex <= b.node.startIndex ? a : b));
  const body = ch.fn.childForFieldName('body');
  const ret = body
    ? ownDescendantsOfType(body, 'return_statement').find(
        (r) => r.startIndex > goStmt.endIndex && r.endIndex < first.node.startIndex && !contains(r, first.node),
      )
    : undefined;
  if (!ret) return null;
  return {
    reason: `the function can return at line ${lineOf(ret)} before it sends on or closes ${ch.name}`,
    node: ret,
    label: `returns without signalling ${ch.name}`,
  };
}

function reportReceive(
  recv: ChannelUse,
  ch: LocalChannel,
  why: { reason: string; node: SyntaxNode; label: string },
  pkg: Package,
  report: (r: Report) => void,
): void {
  const node = recv.node.parent!;
  const file = fileOf(pkg, node);
  report({
    node,
    file,
    message:
      `goroutine blocks forever receiving from ${ch.name}: ${why.reason}; ` +
      `close(${ch.name}) on every path (defer it), or send before each return`,
    related: [
      { node: recv.goroutine!, file: fileOf(pkg, recv.goroutine!), message: 'the goroutine is started here' },
      { node: why.node, file: fileOf(pkg, why.node), message: why.label },
    ],
    evidence: [{ node, file }],
  });
}
