import { loopCallsRelated } from '../src/go/call-chains.js';
import type { SyntaxNode } from '../src/go/tree.js';
import { packageChannels, type Channel, type ChannelUse } from '../src/go/channels.js';
import { freshOverfills, receivesAtMost, sureRuns, type FreshOverfill } from '../src/go/buffers.js';
import { loopExits, statementsEndProcess, statementsLeaveLoop, statementsOf } from '../src/go/flow.js';
import { blockedMessage, failsTest, perWhat, returnsBetween, startsHowOften, whoBlocks } from '../src/go/goroutines.js';
import { frequencyOf, type HowOften } from '../src/go/model/frequency.js';
import { fileOf } from '../src/go/package.js';
import { contains, enclosingFunction, enclosingLoops, lineOf } from '../src/go/syntax.js';
import { displayName } from '../src/go/model/frequency.js';
import type { GoFile, Package, Report, Rule } from '../src/engine/types.js';

export const goroutineAbandonedSend: Rule = {
  meta: {
    id: 'goroutine-abandoned-send',
    title: 'goroutine sends on a channel whose receiver can give up',
    why:
      'A send on an unbuffered channel blocks until someone receives. When the function that made ' +
      'the channel stops listening first (a select that times out or sees ctx.Done(), an early error ' +
      'return, a "first result wins" receive from N goroutines), the goroutine blocks on its send ' +
      'forever, holding its stack and everything it references. Once per call, this is the most common ' +
      'goroutine leak in Go services. The channel is followed from its make through variables, struct ' +
      'fields, parameters and results (`r.resp <- v` with r a request the function built); a goroutine ' +
      'started once per process, and a receiver whose give-up path fails the test (`t.Fatal`), are not reported. ' +
      'Also reported: the function that made the channel sending on it itself before it has handed the channel ' +
      'to anyone (`errC <- err; return errC`): no one can be there to receive; and any send, in whichever ' +
      'goroutine or function, on a channel that nothing in the package receives from and code elsewhere cannot ' +
      'reach; and a goroutine\'s send on a channel whose every receiver is a loop that can stop on something else ' +
      '(`case <-ctx.Done(): return`), in another function: once the loop has returned, the send waits forever. ' +
      'A channel returned out of the package that a call here drops (`start(job)` as a statement) has no ' +
      'receiver for the goroutines that call starts. A capacity the package fixes counts as that number: a named constant, or a parameter every call ' +
      'passes the same constant for. A buffered channel is reported when the one goroutine that sends on it surely sends more values ' +
      '(straight-line sends, loops of a constant count) than the buffer holds plus every receive the package can make (receives in the ' +
      'maker that run at most once, such as a range whose body always returns); and a send on a channel field of a value made fresh ' +
      'in a function (`q := newQueue()`, a constructor that only returns a literal) that finds its buffer full before the value has ' +
      'gone anywhere but to sends on that field and to methods that do the same: nothing can be receiving yet.',
    fix:
      'Give the channel room for every send that may be abandoned: make(chan T, 1) for one sender, ' +
      'make(chan T, n) for n senders. Or make the send itself give up: ' +
      'select { case ch <- v: case <-ctx.Done(): }.',
    example: {
      bad: 'func fetch(ctx context.Context, url string) (*Result, error) {\n\tch := make(chan *Result)\n\tgo func() { ch <- get(url) }()\n\tselect {\n\tcase r := <-ch:\n\t\treturn r, nil\n\tcase <-ctx.Done():\n\t\treturn nil, ctx.Err() // the goroutine blocks on ch <- forever\n\t}\n}',
      good: 'func fetch(ctx context.Context, url string) (*Result, error) {\n\tch := make(chan *Result, 1) // the send never blocks\n\tgo func() { ch <- get(url) }()\n\tselect {\n\tcase r := <-ch:\n\t\treturn r, nil\n\tcase <-ctx.Done():\n\t\treturn nil, ctx.Err()\n\t}\n}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'reported',
    tags: ['goroutine', 'concurrency'],
  },
  check(pkg, report) {
    const overfilled = new Set<SyntaxNode>();
    for (const fill of freshOverfills(pkg)) {
      if (!overfilled.has(fill.send)) reportFreshOverfill(pkg, fill, report); // one finding when several callers overfill it
      overfilled.add(fill.send);
    }
    for (const ch of packageChannels(pkg)) {
      if (ch.buffer !== null && ch.buffer > 0) reportOverfilled(pkg, ch, report);
      if (ch.buffer !== 0 || ch.receivedOutside || ch.uses.some((u) => u.op === 'handoff')) continue;
      const unreceived = ch.owned && !ch.uses.some((u) => u.op === 'receive' || u.op === 'range');
      // Returned out of the package, but a call here drops it: that call's goroutines have no receiver.
      const dropped = unreceived && ch.lostByReturnOnly ? ch.uses.find((u) => u.op === 'discard') : undefined;
      if (dropped) reportUnreceived(pkg, ch, report, dropped);
      if (ch.lost) continue;
      if (unreceived) {
        reportUnreceived(pkg, ch, report, null);
        continue;
      }
      if (ch.owned) reportAfterReceiversQuit(pkg, ch, report);
      const owner = ch.fn;
      if (!owner || ch.uses.some((u) => u.inCallback)) continue;
      const early = sendBeforeHandoff(ch, owner);
      if (early) {
        report({
          node: early.node.parent!,
          file: early.file,
          message: `${displayName(owner)} blocks forever sending on unbuffered ${early.node.text}: it made the channel at line ${lineOf(ch.make)} and has not handed it to anyone yet, so nothing can receive`,
          related: [{ node: ch.make, file: ch.file, message: 'made here' }],
          evidence: [{ node: early.node, file: early.file }],
        });
        continue;
      }
      for (const send of blockingSends(ch, owner)) {
        const goStmt = send.goroutine!;
        const giveUp = whereReceiverGivesUp(pkg, ch, owner, goStmt);
        if (!giveUp) continue;
        const how = leaksHowOften(pkg, goStmt, giveUp);
        if (how.kind === 'once-per-process') continue;
        const name = send.node.text;
        report({
          node: send.node.parent!,
          file: send.file,
          message: `goroutine blocks forever sending on unbuffered ${name}, one ${perWhat(how)}: ${giveUp.reason}`,
          related: [
            { node: goStmt, file: fileOf(pkg, goStmt), message: 'the goroutine is started here' },
            { node: giveUp.node, file: fileOf(pkg, giveUp.node), message: giveUp.label },
            ...loopCallsRelated(pkg, how),
          ],
          evidence: [{ node: send.node, file: send.file }],
        });
      }
    }
  },
};

/**
 * A channel that nothing in the package receives from, nor code elsewhere (the model follows
 * every holder, and each holds only channels the package makes): every send that waits for a
 * receiver blocks forever, in whichever goroutine or function it runs. With `dropped`, a call
 * that drops the channel its callee returns out of the package: the sends of the goroutines
 * that call starts, as often as it runs.
 */
function reportUnreceived(pkg: Package, ch: Channel, report: (r: Report) => void, dropped: ChannelUse | null): void {
  for (const send of ch.uses) {
    if (send.op !== 'send' || hasAlternatives(send.select) || closedBefore(ch, send)) continue;
    if (dropped && !send.goroutine) continue;
    const stmt = send.node.parent!;
    const who = dropped ? { goroutine: send.goroutine, fn: null, how: frequencyOf(pkg, dropped.node) } : whoBlocks(pkg, send.file, stmt, send.goroutine);
    if (!who || who.how.kind === 'once-per-process') continue;
    const started = who.goroutine ? [{ node: who.goroutine, file: fileOf(pkg, who.goroutine), message: 'the goroutine is started here' }] : [];
    const why = dropped ? `the call at line ${lineOf(dropped.node)} drops the channel, and nothing here receives from it` : 'nothing in the package receives from it';
    report({
      node: stmt,
      file: send.file,
      message: blockedMessage(who, `sending on unbuffered ${send.node.text}`, why),
      related: [
        ...started,
        ...(dropped ? [{ node: dropped.node, file: dropped.file, message: 'the channel is dropped here' }] : []),
        { node: ch.make, file: ch.file, message: 'made here and never received from' },
        ...loopCallsRelated(pkg, who.how),
      ],
      evidence: [{ node: send.node, file: send.file }],
    });
  }
}

/**
 * Every receive of the channel is a case of a select in a loop whose other case ends the loop
 * (`case <-ctx.Done(): return`, `case <-s.stop: return`), in a function other than the
 * sender's: once that loop has stopped, nothing receives, and a goroutine's send waits forever.
 * (Receives in the maker are the maker's give-up paths, which whereReceiverGivesUp weighs.)
 */
function reportAfterReceiversQuit(pkg: Package, ch: Channel, report: (r: Report) => void): void {
  const receives = ch.uses.filter((u) => u.op === 'receive' || u.op === 'range');
  let quit: { exit: SyntaxNode; loop: SyntaxNode } | null = null;
  for (const r of receives) {
    if (r.op !== 'receive' || r.deferred || r.anchor === r.node || !r.select || waitsForSender(pkg, r)) return;
    const loop = enclosingLoops(r.select)[0];
    const exit = loop && caseThatStopsListening(pkg, r, []);
    if (!exit) return;
    quit ??= { exit, loop };
  }
  if (!quit) return;
  const receiver = enclosingFunction(quit.loop);
  for (const send of ch.uses) {
    if (send.op !== 'send' || !send.goroutine || hasAlternatives(send.select)) continue;
    if (receives.some((r) => enclosingFunction(r.node)?.id === enclosingFunction(send.node)?.id)) continue;
    const how = startsHowOften(pkg, send.goroutine);
    if (how.kind === 'once-per-process') continue;
    report({
      node: send.node.parent!,
      file: send.file,
      message: `goroutine blocks forever sending on unbuffered ${send.node.text}, one ${perWhat(how)}: its receiver ${displayName(receiver)} can stop at line ${lineOf(quit.exit)}`,
      related: [
        { node: send.goroutine, file: fileOf(pkg, send.goroutine), message: 'the goroutine is started here' },
        { node: quit.loop, file: fileOf(pkg, quit.loop), message: 'the receiving loop' },
        { node: quit.exit, file: fileOf(pkg, quit.exit), message: 'the receiver stops here' },
        ...loopCallsRelated(pkg, how),
      ],
      evidence: [{ node: send.node, file: send.file }],
    });
  }
}

/**
 * A buffered channel that a goroutine the maker starts fills beyond what the package can
 * take out: its sends surely run N times (straight-line code, loops of a constant count),
 * every receive is in the maker and runs at most once, and N exceeds the capacity plus those
 * receives. The goroutine's send past that count waits forever.
 */
function reportOverfilled(pkg: Package, ch: Channel, report: (r: Report) => void): void {
  if (ch.lost || !ch.owned || ch.receivedOutside || !ch.fn || ch.uses.some((u) => u.op === 'handoff' || u.inCallback)) return;
  const room = receivesAtMost(ch);
  if (room === null) return;
  const sends = ch.uses.filter((u) => u.op === 'send');
  const goStmt = sends[0]?.goroutine;
  // One sending goroutine, started where the maker surely runs it: its sends come in source order.
  if (!goStmt || sends.some((s) => s.goroutine?.id !== goStmt.id || hasAlternatives(s.select)) || sureRuns(pkg, goStmt, ch.fn) !== 1) return;
  let sent = 0;
  for (const send of sends.sort((a, b) => a.node.startIndex - b.node.startIndex)) {
    const times = sureRuns(pkg, send.node.parent!, goStmt);
    if (times === 0) return;
    sent += times;
    if (sent <= ch.buffer! + room) continue;
    const how = startsHowOften(pkg, goStmt);
    if (how.kind === 'once-per-process') return;
    const received = room === 0 ? 'nothing receives' : `${displayName(ch.fn)} receives at most ${room === 1 ? 'once' : `${room} times`}`;
    report({
      node: send.node.parent!,
      file: send.file,
      message: `goroutine blocks forever sending on ${send.node.text}, one ${perWhat(how)}: it sends ${sent} values into a buffer of ${ch.buffer} and ${received}`,
      related: [
        { node: goStmt, file: fileOf(pkg, goStmt), message: 'the goroutine is started here' },
        { node: ch.make, file: ch.file, message: `made here with room for ${ch.buffer}` },
        ...loopCallsRelated(pkg, how),
      ],
      evidence: [{ node: send.node, file: send.file }],
    });
    return;
  }
}

/** A send that fills a fresh value's channel field past its buffer before the value has gone anywhere. */
function reportFreshOverfill(pkg: Package, fill: FreshOverfill, report: (r: Report) => void): void {
  const who = whoBlocks(pkg, fill.file, fill.send, null);
  if (!who || who.how.kind === 'once-per-process') return;
  const channel = fill.send.childForFieldName('channel')!;
  const why = `${fill.value.text} made at line ${lineOf(fill.value)} has had ${fill.sent} sends into a buffer of ${fill.buffer} before anything could receive`;
  report({
    node: fill.send,
    file: fill.file,
    message: blockedMessage(who, `sending on ${channel.text}`, why),
    related: [{ node: fill.value, file: fill.valueFile, message: 'the value is made here and has gone nowhere else yet' }, ...loopCallsRelated(pkg, who.how)],
    evidence: [{ node: channel, file: fill.file }],
  });
}

/** A close of the channel earlier in the function that sends (not deferred): the send panics rather than blocks. */
function closedBefore(ch: Channel, send: ChannelUse): boolean {
  const fn = enclosingFunction(send.node);
  return ch.uses.some((u) => u.op === 'close' && !u.deferred && u.node.startIndex < send.node.startIndex && enclosingFunction(u.node)?.id === fn?.id);
}

/**
 * A send the maker itself makes, in its own body, before the channel has gone anywhere: no
 * goroutine started with it, no call given it, no store that someone could read it from;
 * only comparisons and len/cap elsewhere.
 */
function sendBeforeHandoff(ch: Channel, owner: SyntaxNode): ChannelUse | null {
  for (const send of ch.uses) {
    if (send.op !== 'send' || send.anchor?.id !== send.node.id || send.goroutine || hasAlternatives(send.select)) continue;
    if (enclosingFunction(send.node)?.id !== owner.id) continue;
    const after = (u: ChannelUse) => u.anchor !== null && u.anchor.startIndex > send.node.endIndex && !enclosingLoops(send.node).some((l) => contains(l, u.anchor!));
    if (ch.uses.every((u) => u === send || u.op === 'inspect' || after(u))) return send;
  }
  return null;
}

interface GiveUp {
  node: SyntaxNode;
  reason: string;
  label: string;
  /** The select whose other case gives up, when that is how. */
  select?: SyntaxNode;
}

/**
 * How often a goroutine is left blocked: as often as it starts, except that a loop which
 * starts one per iteration and stops at the first give-up (`for { go f(); select { case
 * <-c: case <-t: return } }`) leaves at most one behind each time the loop runs.
 */
function leaksHowOften(pkg: Package, goStmt: SyntaxNode, giveUp: GiveUp): HowOften {
  const how = startsHowOften(pkg, goStmt);
  const loop = giveUp.select && enclosingLoops(giveUp.select)[0];
  if (how.kind !== 'per-iteration' || !loop || enclosingLoops(goStmt)[0]?.id !== loop.id) return how;
  return frequencyOf(pkg, loop.parent ?? loop);
}

/**
 * Sends in goroutines that the channel's maker starts (`go func() { ch <- v }()`,
 * `go worker(ch)`) and that wait for a receiver: not one case among others of a select.
 */
function blockingSends(ch: Channel, owner: SyntaxNode): ChannelUse[] {
  return ch.uses.filter((u) => u.op === 'send' && u.goroutine && u.anchor && contains(owner, u.goroutine) && !hasAlternatives(u.select));
}

function hasAlternatives(select: SyntaxNode | null): boolean {
  return !!select && select.namedChildren.filter((c) => c.type.endsWith('_case')).length > 1;
}

/** Where the function that made the channel can stop receiving before the goroutine's send, if anywhere. */
function whereReceiverGivesUp(pkg: Package, ch: Channel, owner: SyntaxNode, goStmt: SyntaxNode): GiveUp | null {
  const receives = ch.uses.filter((u) => u.op === 'receive' || u.op === 'range');
  // Other goroutines or other functions receive: a pipeline whose shape we do not follow. A
  // deferred receive drains the channel on every way out. A receive in a helper is not followed.
  if (receives.some((u) => u.goroutine || u.deferred || u.anchor !== u.node)) return null;
  if (receives.length === 0) {
    return { node: ch.make, reason: 'nothing ever receives from it', label: 'made here and never received from' };
  }
  const plain = receives.filter((r) => waitsForSender(pkg, r));
  for (const r of receives) {
    if (!r.select || waitsForSender(pkg, r)) continue;
    const exit = caseThatStopsListening(pkg, r, plain);
    if (exit) {
      return {
        node: exit,
        reason: `the select at line ${lineOf(r.select)} can take another case and stop receiving`,
        label: 'the receiver gives up here',
        select: r.select,
      };
    }
  }
  const first = plain.sort((a, b) => a.node.startIndex - b.node.startIndex)[0];
  if (!first) return null;
  const early = returnBefore(pkg, first.file, owner, goStmt, first.node, receives);
  if (early) {
    return {
      node: early,
      reason: `the function can return at line ${lineOf(early)} before it receives`,
      label: 'returns without receiving',
    };
  }
  return fanOutShortfall(pkg, first.file, ch, goStmt, plain);
}

/**
 * A receive that waits until the sender comes: plain, or in a select whose other cases all
 * end the process or fail the test (`case <-time.After(d): t.Fatal("timeout")`).
 */
function waitsForSender(pkg: Package, r: ChannelUse): boolean {
  if (!hasAlternatives(r.select)) return true;
  return r.select!.namedChildren.every((c) => {
    if (!c.type.endsWith('_case') || contains(c, r.node)) return true;
    const body = statementsOf(c);
    return statementsEndProcess(body) || failsTest(pkg, r.file, body);
  });
}

/**
 * The other case of the select around receive `r` that ends the listening: it leaves the
 * loop around the select (or there is no loop), and no plain receive follows the select.
 */
function caseThatStopsListening(pkg: Package, r: ChannelUse, plain: ChannelUse[]): SyntaxNode | null {
  const select = r.select!;
  if (plain.some((p) => p.node.startIndex > select.endIndex)) return null;
  const loop = enclosingLoops(select)[0];
  for (const c of select.namedChildren) {
    // A case that receives later itself (`case <-ctx.Done(): cancel(); <-done`) keeps listening.
    if (!c.type.endsWith('_case') || plain.some((p) => contains(c, p.node)) || contains(c, r.node)) continue;
    const body = statementsOf(c);
    // Ending the process, or failing the test (`case <-time.After(d): t.Fatal("timeout")`), leaks nothing that lives on.
    if (statementsEndProcess(body) || failsTest(pkg, r.file, body)) continue;
    if (!loop || statementsLeaveLoop(body, loop)) return c;
  }
  return null;
}

/**
 * A `return` of `fn` between the `go` statement and the first plain receive, other than
 * one in a select case that has just received (`case r := <-ch: return r`).
 */
function returnBefore(pkg: Package, file: GoFile, fn: SyntaxNode, goStmt: SyntaxNode, receive: SyntaxNode, receives: ChannelUse[]): SyntaxNode | null {
  return (
    returnsBetween(pkg, file, fn, goStmt, receive).find(
      (ret) => !receives.some((r) => r.select && caseOf(r.node, r.select) && contains(caseOf(r.node, r.select)!, ret)),
    ) ?? null
  );
}

/** The case of `select` that holds `node`. */
function caseOf(node: SyntaxNode, select: SyntaxNode): SyntaxNode | null {
  return select.namedChildren.find((c) => c.type.endsWith('_case') && contains(c, node)) ?? null;
}

/**
 * N goroutines started in a loop each send once, and the function receives fewer times:
 * once, outside any loop, or in a loop that can return or break early (first error wins).
 * A loop that receives with no way out drains them all.
 */
function fanOutShortfall(pkg: Package, file: GoFile, ch: Channel, goStmt: SyntaxNode, receives: ChannelUse[]): GiveUp | null {
  const starter = enclosingLoops(goStmt).find((l) => !contains(l, ch.make));
  if (!starter) return null;
  // Receives in the loop that starts the senders pair with them, one each.
  const apart = receives.filter((r) => !enclosingLoops(r.node).some((l) => contains(l, goStmt)));
  const looping = apart.map((r) => enclosingLoops(r.node)[0]).filter((l) => l !== undefined);
  // A way out that fails the test first (`t.Error(err); return`) leaves nothing that passes hanging.
  const exits = (loop: SyntaxNode) =>
    loopExits(loop).filter((e) => !(e.parent?.type === 'statement_list' && failsTest(pkg, file, statementsOf(e.parent))));
  if (looping.some((loop) => exits(loop).length === 0)) return null;
  const exit = looping.map((loop) => exits(loop)[0]).find((e) => e !== undefined);
  if (exit) return { node: exit, reason: `the receiving loop can stop early at line ${lineOf(exit)}`, label: 'stops receiving early' };
  if (apart.length !== 1) return null;
  return { node: apart[0].node.parent ?? apart[0].node, reason: 'it is received from only once', label: 'received from only once' };
}
