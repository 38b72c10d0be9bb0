import { loopCallsRelated } from '../src/go/call-chains.js';
import type { SyntaxNode } from '../src/go/tree.js';
import { channelsAt, packageChannels, receivedChannel, resolvedStrictly, selectCaseOf, type Channel, type ChannelUse } from '../src/go/channels.js';
import { neverDone } from '../src/go/cancels.js';
import { isGoroutineLiteral } from '../src/go/escape.js';
import { callersOf } from '../src/go/model/calls.js';
import { blockedMessage, returnsBetween, whoBlocks } from '../src/go/goroutines.js';
import { fileOf, selectorsOfField } from '../src/go/package.js';
import { loopClause, statementsEndProcess, statementsLeaveLoop, statementsOf } from '../src/go/flow.js';
import { displayName } from '../src/go/model/frequency.js';
import { contains, enclosingFunction, enclosingLoops, FUNCTION_TYPES, lineOf, unparen } from '../src/go/syntax.js';
import type { GoFile, Package, Rule } from '../src/engine/types.js';
import { objectOf } from '../src/go/model/names.js';
import { writesOf } from '../src/go/model/values.js';

export const goroutineBlockedReceive: Rule = {
  meta: {
    id: 'goroutine-blocked-receive',
    title: 'goroutine receives from a channel nobody sends to or closes',
    why:
      'A receive blocks until a value is sent or the channel is closed. When nothing in the package ' +
      'sends on the channel or closes it — followed from its make through variables, the struct fields ' +
      'of their type, parameters and results — or the function that made it returns early, on an error ' +
      'path, before it does, the goroutine waiting on it blocks forever, with its stack and everything ' +
      'it references. A channel nobody sends on or closes blocks whoever receives, so a plain receive in ' +
      'any function is reported too: its caller waits forever. A channel handed to code the package cannot ' +
      'see (another package, an exported field) may be closed there and is not reported, unless it is handed ' +
      'out receive-only (`func (s *Stopper) ShouldStop() <-chan struct{}`), which lets code elsewhere receive ' +
      'but not close it; nor is a goroutine started once per process, nor a method of a test file that ' +
      'nothing in the package calls (a fake the tests leave alone). A goroutine that waits only for `ctx.Done()` of a context ' +
      'nothing cancels is reported too: context.Background or TODO, or a WithCancel child of one whose cancel func goes ' +
      'where nothing calls it (as lost-cancel finds), through variables and parameters every caller fills so. And a goroutine\'s ' +
      'plain receive, started once a context is done (`case <-ctx.Done(): go drain()`), from an unbuffered channel nothing closes ' +
      'whose every send, in another function, is a select case beside one that stops once a context is done: those senders have stopped.',
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
    reportNeverDone(pkg, report);
    const reported = new Set<string>();
    for (const ch of packageChannels(pkg)) {
      if (ch.lost || !ch.owned || ch.uses.some((u) => u.op === 'handoff')) continue;
      const silent = isSilent(ch);
      for (const recv of ch.uses) {
        // A channel nothing wakes blocks whoever receives; otherwise only a goroutine the maker left can be stuck.
        if (recv.op !== 'receive' || !(recv.goroutine || silent) || !resolvedStrictly(pkg, recv.file, recv.node)) continue;
        const key = `${recv.file.path}:${recv.node.startIndex}`;
        if (reported.has(key) || !blocksOnlyOnSilent(pkg, recv) || guardedByLength(recv, ch)) continue;
        const why = silent
          ? { reason: 'nothing in the package sends on or closes it', node: ch.make, label: 'made here, never sent on or closed' }
          : (earlyReturn(pkg, ch, recv) ?? sendersQuit(pkg, ch, recv));
        if (!why) continue;
        const node = recv.node.parent!;
        const who = whoBlocks(pkg, recv.file, node, recv.goroutine);
        if (!who || who.how.kind === 'once-per-process') continue;
        reported.add(key);
        const started = who.goroutine ? [{ node: who.goroutine, file: fileOf(pkg, who.goroutine), message: 'the goroutine is started here' }] : [];
        report({
          node,
          file: recv.file,
          message: blockedMessage(who, `receiving from ${recv.node.text}`, why.reason),
          related: [...started, { node: why.node, file: fileOf(pkg, why.node), message: why.label }, ...loopCallsRelated(pkg, who.how)],
          evidence: [{ node, file: recv.file }],
        });
      }
    }
  },
};

/**
 * For a goroutine's plain receive from an unbuffered channel, started in a select case that
 * sees a context done (`case <-ctx.Done(): go drain()`): nothing closes the channel, and every
 * send, in a function other than the receiver's, is a select case beside one that stops sending
 * when a context is done (`case <-ctx.Done(): return`). The senders have stopped by the time
 * the goroutine starts, so its receive waits forever.
 */
function sendersQuit(pkg: Package, ch: Channel, recv: ChannelUse): { reason: string; node: SyntaxNode; label: string } | null {
  if (ch.buffer !== 0 || !recv.goroutine || recv.select || !startedOnceDone(pkg, recv.goroutine)) return null;
  let quit: { exit: SyntaxNode; fn: SyntaxNode } | null = null;
  for (const w of ch.uses.filter(wakes)) {
    const fn = enclosingFunction(w.node);
    if (w.op !== 'send' || !w.select || !fn || fn.id === enclosingFunction(recv.node)?.id) return null;
    const loop = enclosingLoops(w.select)[0];
    const exit = w.select.namedChildren.find((c) => {
      if (c.type !== 'communication_case' || contains(c, w.node)) return false;
      const signal = receivedChannel(c);
      const body = statementsOf(c);
      return !!signal && isDone(pkg, fileOf(pkg, c), signal) && !statementsEndProcess(body) && (!loop || statementsLeaveLoop(body, loop));
    });
    if (!exit) return null;
    quit ??= { exit, fn };
  }
  if (!quit) return null;
  return { reason: `its sender ${displayName(quit.fn)} has given up at line ${lineOf(quit.exit)}`, node: quit.exit, label: 'the sender stops here' };
}

/** Whether a `go` statement runs in a select case that receives from a context's Done channel. */
function startedOnceDone(pkg: Package, goStmt: SyntaxNode): boolean {
  for (let n = goStmt.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    const signal = n.type === 'communication_case' ? receivedChannel(n) : null;
    if (signal && isDone(pkg, fileOf(pkg, n), signal)) return true;
  }
  return false;
}

/** `ctx.Done()`, or a local variable every write of which is one (`ctxDone := ctx.Done()`). */
function isDone(pkg: Package, file: GoFile, expr: SyntaxNode): boolean {
  const e = unparen(expr);
  if (e.type === 'call_expression') {
    const f = e.childForFieldName('function');
    return f?.type === 'selector_expression' && f.childForFieldName('field')?.text === 'Done' && e.childForFieldName('arguments')?.namedChildCount === 0;
  }
  const obj = e.type === 'identifier' ? objectOf(pkg, file, e) : null;
  if (obj?.kind !== 'var' || !obj.fn) return false;
  const writes = writesOf(pkg, { kind: 'object', obj });
  return !writes.unseen && writes.values.length > 0 && writes.values.every((w) => !w.element && w.node.type === 'call_expression' && isDone(pkg, w.file, w.node));
}

/** A send or a close: what unblocks a receiver. */
function wakes(u: ChannelUse): boolean {
  return u.op === 'send' || u.op === 'close';
}

/** Followed everywhere, and nothing ever sends on it or closes it. */
function isSilent(ch: Channel): boolean {
  return !ch.lost && ch.owned && !ch.uses.some((u) => wakes(u) || u.op === 'handoff');
}

/**
 * A plain receive, or a select whose every case receives from a channel that nothing
 * ever sends on or closes (a select with a default never blocks).
 */
function blocksOnlyOnSilent(pkg: Package, recv: ChannelUse): boolean {
  if (!recv.select) return true;
  return recv.select.namedChildren
    .filter((c) => c.type.endsWith('_case'))
    .every((c) => {
      if (c.type !== 'communication_case') return false;
      const received = receivedChannel(c);
      if (!received) return false;
      if (received.id === recv.node.id) return true;
      const others = channelsAt(pkg, received);
      return others.length > 0 && others.every(isSilent);
    });
}

/** `for len(ch) > 0 { <-ch }`, `if len(ch) > 0 { <-ch }`: the receive runs only when a value is waiting. */
function guardedByLength(recv: ChannelUse, ch: Channel): boolean {
  const lengths = ch.uses.filter((u) => u.op === 'inspect' && u.node.parent?.parent?.childForFieldName('function')?.text === 'len');
  for (let n = recv.node.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    const header = n.type === 'if_statement' ? n.childForFieldName('condition') : n.type === 'for_statement' ? loopClause(n) : null;
    if (header && lengths.some((l) => contains(header, l.node))) return true;
  }
  return false;
}

/**
 * When only the function that made the channel sends on or closes it, not deferred, and it
 * can return after starting the goroutine but before the first of those: that return.
 */
function earlyReturn(pkg: Package, ch: Channel, recv: ChannelUse): { reason: string; node: SyntaxNode; label: string } | null {
  const owner = ch.fn;
  const goStmt = recv.goroutine!;
  // Started by the maker as it runs, not from a callback it hands on.
  if (!owner || !recv.anchor || !contains(owner, goStmt)) return null;
  const wakers = ch.uses.filter(wakes);
  const anchors: SyntaxNode[] = [];
  for (const w of wakers) {
    if (!w.anchor || w.goroutine || w.deferred || w.inCallback || w.anchor.startIndex < goStmt.endIndex) return null;
    anchors.push(w.anchor);
  }
  const first = anchors.reduce((a, b) => (a.startIndex <= b.startIndex ? a : b));
  const ret = returnsBetween(pkg, fileOf(pkg, owner), owner, goStmt, first)[0];
  if (!ret) return null;
  return {
    reason: `the function can return at line ${lineOf(ret)} before it sends on or closes it`,
    node: ret,
    label: 'returns without signalling the goroutine',
  };
}

/**
 * A goroutine's plain receive from `ctx.Done()` (not one case among others of a select) where
 * the context is never cancelled: Background or TODO, or a WithCancel child of one whose
 * cancel function nothing calls. The Done channel never closes, so the goroutine waits forever.
 */
function reportNeverDone(pkg: Package, report: Parameters<Rule['check']>[1]): void {
  // Each `x.Done` selector (found from the text), when it is called and received from: `<-x.Done()`.
  for (const done of selectorsOfField(pkg, 'Done')) {
    const call = done.parent;
    if (call?.type !== 'call_expression' || call.childForFieldName('function')?.id !== done.id) continue;
    if ((call.childForFieldName('arguments')?.namedChildCount ?? 1) > 0) continue;
    let operand: SyntaxNode = call;
    while (operand.parent?.type === 'parenthesized_expression') operand = operand.parent;
    const recv = operand.parent;
    if (recv?.type !== 'unary_expression' || recv.child(0)?.type !== '<-') continue;
    const file = fileOf(pkg, done);
    const clause = selectCaseOf(call);
    if (clause && clause.parent!.namedChildren.filter((c) => c.type.endsWith('_case')).length > 1) continue;
    const goStmt = goroutineOf(pkg, recv);
    const ctx = done.childForFieldName('operand')!;
    if (!goStmt || !neverDone(pkg, file, ctx)) continue;
    const who = whoBlocks(pkg, file, recv, goStmt);
    if (!who || who.how.kind === 'once-per-process') continue;
    report({
      node: recv,
      file,
      message: blockedMessage(who, `receiving from ${call.text}`, `nothing ever cancels ${ctx.text} or its parents`),
      related: [{ node: goStmt, file: fileOf(pkg, goStmt), message: 'the goroutine is started here' }, ...loopCallsRelated(pkg, who.how)],
      evidence: [{ node: recv, file }],
    });
  }
}

/** The `go` statement that runs the function holding `node`: its literal's, or the only `go` of a declared function nothing else calls. */
function goroutineOf(pkg: Package, node: SyntaxNode): SyntaxNode | null {
  const fn = enclosingFunction(node);
  if (!fn) return null;
  if (isGoroutineLiteral(fn)) return fn.parent!.parent;
  if (fn.type === 'func_literal') return null;
  const { sites, escapes } = callersOf(pkg, fn);
  return escapes.length === 0 && sites.length === 1 && sites[0].kind === 'go' ? sites[0].call.parent : null;
}
