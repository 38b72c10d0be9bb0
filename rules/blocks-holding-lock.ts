import type { SyntaxNode, Tree } from '../src/go/tree.js';
import { calleeText, chainPhrase, chainRelated } from '../src/go/call-chains.js';
import { channelsAt, selectCaseOf, type Channel } from '../src/go/channels.js';
import { waitGroupCallAt, waitGroupCalls } from '../src/go/waitgroups.js';
import { callSitesOf, knownCallees, lockIdentity, lockSummaryWithin, MAX_CHAIN } from '../src/go/lockorder.js';
import { callsOf, followLock, HELD, isChannelOp, lockSites, UNLOCKED, WRITE } from '../src/go/locks.js';
import { enclosingFunc } from '../src/go/model/calls.js';
import { displayName } from '../src/go/model/frequency.js';
import { fileOfNode } from '../src/go/model/types.js';
import { nodesOfType } from '../src/go/nodes.js';
import { contains, lineOf, unparen } from '../src/go/syntax.js';
import type { GoFile, Package, Rule } from '../src/engine/types.js';

export const blocksHoldingLock: Rule = {
  meta: {
    id: 'blocks-holding-lock',
    title: 'a channel wait holds a mutex its partner must take',
    why:
      'A goroutine that sends on or receives from an unbuffered channel while holding a mutex waits for ' +
      'its partner with the mutex held. When every goroutine that could be that partner has to lock the ' +
      'same mutex first (before its own receive, send or close, or between two rounds of its loop), the ' +
      'partner never gets there: both goroutines block forever, and so does everyone who needs the mutex. ' +
      'A channel that a method also returns to other code counts too: whatever an outside holder does, ' +
      'the partner the package itself runs still has to take the mutex before it answers.',
    fix:
      'Release the mutex before the channel operation (copy what it guards first), or make the operation ' +
      'unable to block for good: a select with a `default`, a `ctx.Done()` or a stop channel, or a buffer ' +
      'that the code can prove large enough.',
    example: {
      bad: 'func (s *Status) Set(v int) {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.updates <- v // the reader locks s.mu before it reads again\n}\n\nfunc (s *Status) loop() {\n\tfor v := range s.updates {\n\t\ts.mu.Lock()\n\t\ts.last = v\n\t\ts.mu.Unlock()\n\t}\n}',
      good: 'func (s *Status) Set(v int) {\n\ts.mu.Lock()\n\ts.pending = v\n\ts.mu.Unlock()\n\ts.updates <- v // sent after the mutex is released\n}',
    },
    severity: 'error',
    precision: 'medium',
    inTests: 'reported',
    tags: ['goroutine', 'lock', 'channel', 'concurrency'],
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      if (!file.source.includes('Lock()') || !file.source.includes('<-')) continue;
      for (const fn of [...nodesOfType(file, 'function_declaration'), ...nodesOfType(file, 'method_declaration'), ...nodesOfType(file, 'func_literal')]) {
        const sites = lockSites(pkg, fn);
        const done = new Set<number>();
        for (const key of new Set(sites.map((s) => s.key))) {
          const first = sites.find((s) => s.key === key)!;
          if (first.op !== 'Lock' && first.op !== 'RLock') continue;
          const id = lockIdentity(pkg, file, first);
          if (!id) continue;
          const paths = followLock(pkg, fn, key);
          if (paths.unsupported) continue;
          const candidates: { at: SyntaxNode; op: SyntaxNode; write: boolean; chain: SyntaxNode[] }[] = [];
          for (const { op, state } of paths.heldOps) {
            if (state & HELD && !(state & UNLOCKED)) candidates.push({ at: op, op, write: !!(state & WRITE), chain: [] });
          }
          for (const { call, state } of paths.heldCalls) {
            if (!(state & HELD) || state & UNLOCKED || call.parent?.type === 'go_statement') continue;
            for (const callee of knownCallees(pkg, file, call)) {
              if (lockSummaryWithin(pkg, callee, MAX_CHAIN).entersHolding.has(id)) continue;
              for (const b of blockingOps(pkg, callee)) candidates.push({ at: call, op: b.op, write: !!(state & WRITE), chain: [call, ...b.chain] });
            }
          }
          for (const { call, state } of paths.heldCalls) {
            if (!(state & HELD) || state & UNLOCKED) continue;
            const wait = waitGroupCallAt(pkg, call);
            if (wait?.op !== 'Wait' || !wait.id || done.has(call.id)) continue;
            const found = doneNeedingLock(pkg, wait.id, fn, id, !!(state & WRITE));
            if (!found) continue;
            done.add(call.id);
            report({
              node: call,
              file,
              message:
                `${displayName(fn)} waits on ${wait.group.text} while holding ${key} (line ${lineOf(first.call)}), and ` +
                `${found.partnerFn} must lock it (line ${lineOf(found.lock)}) to call Done: both block forever`,
              related: [
                { node: first.call, file, message: `${key} is locked here` },
                { node: found.lock, file: fileOfNode(pkg, found.lock), message: 'the partner locks it here' },
                { node: found.use.node, file: found.use.file, message: 'the partner would call Done here' },
              ],
              evidence: [{ node: call, file }],
            });
          }
          for (const c of candidates) {
            if (done.has(c.at.id)) continue;
            const found = partnerNeedingLock(pkg, c.op, fn, id, c.write);
            if (!found) continue;
            done.add(c.at.id);
            const since = sites.filter((s) => s.key === key && (s.op === 'Lock' || s.op === 'RLock') && s.call.startIndex < c.at.startIndex).at(-1) ?? first;
            const opFile = fileOfNode(pkg, c.op);
            const what = c.op.type === 'send_statement' ? 'sends on' : 'receives from';
            const chExpr = channelOf(c.op).text;
            // The chain's last call enters the function that waits: naming that function too would say it twice.
            const via = c.chain.length ? ` (through ${chainPhrase(c.chain.map(calleeText))})` : '';
            report({
              node: c.at,
              file,
              message:
                `${displayName(fn)} ${what} ${chExpr}${via} while holding ${key} (line ${lineOf(since.call)}), and ` +
                `${found.partnerFn} must lock it${found.inLoop ? ' each round' : ''} (line ${lineOf(found.lock)}) to ${found.verb}: both block forever`,
              related: [
                { node: since.call, file, message: `${key} is locked here` },
                { node: found.lock, file: fileOfNode(pkg, found.lock), message: 'the partner locks it here' },
                { node: found.use.node, file: found.use.file, message: `the partner would ${found.verb} here` },
                ...chainRelated(pkg, c.chain, `to the ${c.op.type === 'send_statement' ? 'send' : 'receive'}`),
              ],
              evidence: [{ node: c.op, file: opFile }],
            });
          }
        }
      }
    }
  },
};

function channelOf(op: SyntaxNode): SyntaxNode {
  const ch = op.type === 'send_statement' ? op.childForFieldName('channel') : op.namedChildren[0];
  return unparen(ch ?? op);
}

/** A select with a default or another case can take another way: the operation need not block. */
function canGiveUp(op: SyntaxNode): boolean {
  const clause = selectCaseOf(channelOf(op));
  const select = clause?.parent;
  if (!select) return false;
  return select.namedChildren.filter((c) => c.type === 'communication_case' || c.type === 'default_case').length > 1;
}

const opsCache = new WeakMap<Tree, Map<number, { op: SyntaxNode; chain: SyntaxNode[] }[]>>();

/** The channel operations a function may block on, itself or in the package code it calls (not what it starts with `go`). */
function blockingOps(pkg: Package, fn: SyntaxNode): { op: SyntaxNode; chain: SyntaxNode[] }[] {
  let cache = opsCache.get(fn.tree);
  if (!cache) opsCache.set(fn.tree, (cache = new Map()));
  const known = cache.get(fn.id);
  if (known) return known;
  const ops: { op: SyntaxNode; chain: SyntaxNode[] }[] = [];
  cache.set(fn.id, ops);
  const body = fn.childForFieldName('body');
  if (!body) return ops;
  for (const op of [...body.descendantsOfType('send_statement'), ...body.descendantsOfType('unary_expression')]) {
    if (isChannelOp(op) && enclosingFunc(op)?.id === fn.id && !canGiveUp(op)) ops.push({ op, chain: [] });
  }
  const file = fileOfNode(pkg, fn);
  for (const call of callsOf(file, fn)) {
    if (call.parent?.type === 'go_statement') continue;
    for (const callee of knownCallees(pkg, file, call)) {
      for (const b of blockingOps(pkg, callee)) if (b.chain.length < MAX_CHAIN - 1) ops.push({ op: b.op, chain: [call, ...b.chain] });
    }
  }
  return ops;
}

/** Where a partner reaches its side: a channel use, or a WaitGroup's Done. */
interface PartnerUse {
  node: SyntaxNode;
  file: GoFile;
  deferred: boolean;
}

interface Partner {
  use: PartnerUse;
  partnerFn: string;
  lock: SyntaxNode;
  verb: string;
  /** The lock is taken between two rounds of a loop that comes back to the use. */
  inLoop: boolean;
}

/**
 * The goroutine that would complete `op`, when every possible one has to lock mutex `id`
 * (for writing, when `op` holds it only for reading) before it gets to its side: the channel
 * is unbuffered and seen by the model in the package (a result returned out of it may have
 * holders outside, but they cannot unlock `id` for the package's partners), and each partner use locks `id` earlier in its
 * function, in a loop round it goes through (its own loop or its caller's), or anywhere in it
 * for a deferred close.
 */
function partnerNeedingLock(pkg: Package, op: SyntaxNode, fn: SyntaxNode, id: string, heldWrite: boolean): Partner | null {
  if (canGiveUp(op)) return null;
  const chans: Channel[] = channelsAt(pkg, channelOf(op));
  if (!chans.length || chans.some((c) => c.buffer !== 0 || (c.lost && !c.lostByReturnOnly) || !c.owned)) return null;
  const send = op.type === 'send_statement';
  const wanted = send ? ['receive', 'range', 'close'] : ['send', 'close'];
  const partners = chans.flatMap((c) => c.uses).filter((u) => wanted.includes(u.op) && u.node.id !== channelOf(op).id);
  if (!partners.length) return null;
  // Held outside too: the values may come and go there, so a close of the package is no partner to wait for; one that takes or gives a value is.
  if (chans.some((c) => c.lost || c.receivedOutside) && partners.every((u) => u.op === 'close')) return null;
  let first: Partner | null = null;
  for (const use of partners) {
    const pfn = enclosingFunc(use.node);
    if (!pfn || pfn.id === fn.id) return null;
    const lock = lockBefore(pkg, use, pfn, id, !heldWrite, publishedAt(chans, use, pfn));
    if (!lock) return null;
    const verb = use.op === 'close' ? 'close it' : use.op === 'send' ? 'send' : 'receive';
    // Named by a partner that would take the value, rather than one that would close the channel.
    if (!first || (first.verb === 'close it' && verb !== 'close it')) first = { use, partnerFn: displayName(lock.by ?? pfn), lock: lock.node, verb, inLoop: lock.inLoop };
  }
  return first;
}

/** Where `pfn` (or the loop that calls it) locks `id` before reaching `use`; `write`: only a write lock counts. */
/**
 * Where the function that makes the channel last hands it on before `use` (stores it, captures
 * it in a closure): a lock it takes before then cannot stop the partner, which reaches the
 * channel only after it (a waiter registered under the lock, then waited on outside it). -1 for
 * a channel made elsewhere.
 */
function publishedAt(chans: Channel[], use: PartnerUse, pfn: SyntaxNode): number {
  let at = -1;
  for (const ch of chans) {
    // A channel made after the use (`close(next); next = make(...)`) reaches it in a later call, made there by then.
    if (ch.fn?.id !== pfn.id || ch.make.tree !== pfn.tree || ch.make.startIndex > use.node.startIndex) continue;
    at = Math.max(at, ch.make.startIndex);
    for (const u of ch.uses) {
      if (u.node.id === use.node.id || u.node.tree !== pfn.tree || !contains(pfn, u.node) || u.node.startIndex > use.node.startIndex) continue;
      let top = u.node;
      for (let n = u.node.parent; n && n.id !== pfn.id; n = n.parent) if (n.type === 'func_literal') top = n;
      at = Math.max(at, top.startIndex);
    }
  }
  return at;
}

/** The goroutine that calls Done on WaitGroup `wgId`, when every one of them has to lock `id` first. */
function doneNeedingLock(pkg: Package, wgId: string, fn: SyntaxNode, id: string, heldWrite: boolean): Partner | null {
  const dones = waitGroupCalls(pkg).filter((c) => c.id === wgId && c.op === 'Done');
  if (!dones.length) return null;
  let first: Partner | null = null;
  for (const d of dones) {
    const pfn = enclosingFunc(d.call);
    if (!pfn || pfn.id === fn.id) return null;
    const use = { node: d.call, file: d.file, deferred: d.deferred };
    const lock = lockBefore(pkg, use, pfn, id, !heldWrite, -1);
    if (!lock) return null;
    first ??= { use, partnerFn: displayName(lock.by ?? pfn), lock: lock.node, verb: 'call Done', inLoop: lock.inLoop };
  }
  return first;
}

function lockBefore(
  pkg: Package,
  use: PartnerUse,
  pfn: SyntaxNode,
  id: string,
  write: boolean,
  published: number,
): { node: SyntaxNode; inLoop: boolean; by?: SyntaxNode } | null {
  const pfile = fileOfNode(pkg, pfn);
  const acquiresIn = (f: SyntaxNode, file: GoFile, within: (n: SyntaxNode) => boolean): SyntaxNode | null => {
    // The nearest lock before the use: the one the partner waits in.
    let nearest: SyntaxNode | null = null;
    for (const s of lockSites(pkg, f)) {
      if ((s.op === 'Lock' || (!write && s.op === 'RLock')) && within(s.call) && lockIdentity(pkg, file, s) === id) nearest = s.call;
    }
    if (nearest) return nearest;
    for (const call of callsOf(file, f)) {
      if (!within(call) || call.parent?.type === 'go_statement') continue;
      for (const callee of knownCallees(pkg, file, call)) {
        const a = lockSummaryWithin(pkg, callee, MAX_CHAIN).acquires.find((x) => x.id === id && (!write || !x.read) && x.chain.length < MAX_CHAIN);
        if (a) return a.site;
      }
    }
    return null;
  };
  // A deferred close runs last: what the function locks after the defer comes first.
  const deferAt = use.deferred ? deferOf(use.node) : null;
  const before = (n: SyntaxNode) => n.startIndex > published && (deferAt ? n.startIndex > deferAt.endIndex : n.startIndex < use.node.startIndex);
  const direct = acquiresIn(pfn, pfile, before);
  if (direct) return { node: direct, inLoop: false };
  // A loop round: the partner's own loop around the use, not one that makes a new channel each round.
  for (let n = use.node.parent; n && n.id !== pfn.id; n = n.parent) {
    if (n.type !== 'for_statement' || (published >= 0 && n.startIndex < published)) continue;
    const found = acquiresIn(pfn, pfile, (x) => contains(n!, x));
    if (found) return { node: found, inLoop: true };
  }
  if (published >= 0) return null;
  // Or every caller: it locks before the call, or in a loop round around it.
  const sites = callSitesOf(pkg, pfn);
  if (!sites.length || sites.some((site) => site.kind !== 'call')) return null;
  // Found in a caller: named by that caller (`by`), which is where the partner waits.
  let found: { node: SyntaxNode; inLoop: boolean; by?: SyntaxNode } | null = null;
  for (const site of sites) {
    const cfn = enclosingFunc(site.call);
    if (!cfn) return null;
    let here: { node: SyntaxNode; inLoop: boolean; by?: SyntaxNode } | null = null;
    const earlier = acquiresIn(cfn, site.file, (x) => x.startIndex < site.call.startIndex && x.id !== site.call.id);
    if (earlier) here = { node: earlier, inLoop: false, by: cfn };
    for (let n = site.call.parent; !here && n && n.id !== cfn.id; n = n.parent) {
      if (n.type !== 'for_statement') continue;
      const inLoop = acquiresIn(cfn, site.file, (x) => contains(n!, x));
      if (inLoop) here = { node: inLoop, inLoop: true, by: cfn };
    }
    if (!here) return null;
    found ??= here;
  }
  return found;
}

function deferOf(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'defer_statement') return n;
  return null;
}
