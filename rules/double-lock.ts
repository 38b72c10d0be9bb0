import type { SyntaxNode } from '../src/go/tree.js';
import {
  fieldOfKey,
  followLock,
  lockSiteOf,
  lockedMutexes,
  lockSites,
  READ,
  receiverLocks,
  sameMutexThroughout,
  UNLOCKED,
  unlockedElsewhere,
  WRITE,
  type LockSite,
} from '../src/go/locks.js';
import { calleeText, chainPhrase, chainRelated } from '../src/go/call-chains.js';
import { calleesOf } from '../src/go/model/calls.js';
import { conditional, knownCallees, lockIdentity, lockSummaryWithin, MAX_CHAIN } from '../src/go/lockorder.js';
import { objectOf } from '../src/go/model/names.js';
import { declOf, fileOfNode, methodOf, receiverTypeName, typeOf } from '../src/go/model/types.js';
import { displayName } from '../src/go/model/frequency.js';
import { nodesOfType } from '../src/go/nodes.js';
import { contains, enclosingFunction, lineOf } from '../src/go/syntax.js';
import type { GoFile, Package, Rule } from '../src/engine/types.js';

export const doubleLock: Rule = {
  meta: {
    id: 'double-lock',
    title: 'a mutex is locked again while the goroutine holds it',
    why:
      "Go's mutexes are not reentrant: a goroutine that calls Lock on a mutex it already holds, itself, " +
      'through a method it calls on the same value, or a few calls further down the package (a String ' +
      'method that fmt calls on the locked value, a back-pointer to the owner), blocks forever, and so does every goroutine that needs ' +
      'the mutex after it. A second RLock while holding a read lock deadlocks too as soon as a writer waits ' +
      'in between: the waiting writer blocks new readers, and the first reader never gets to unlock.',
    fix:
      'Do not call methods that lock from code that holds the lock: split them into an exported method that ' +
      'locks and an unexported `...Locked` one that expects the lock held, and call the latter. Release the ' +
      'lock before every path that goes round a loop to lock it again.',
    example: {
      bad: 'func (s *Server) Stop() {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.drain() // drain locks s.mu too: Stop blocks forever\n}\n\nfunc (s *Server) drain() {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.draining = true\n}',
      good: 'func (s *Server) Stop() {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.drainLocked()\n}\n\n// drainLocked expects s.mu held.\nfunc (s *Server) drainLocked() {\n\ts.draining = true\n}',
    },
    severity: 'error',
    precision: 'high',
    inTests: 'reported',
    tags: ['goroutine', 'lock', 'concurrency'],
  },
  check(pkg, report) {
    // Asked only when a read lock is taken again.
    let writers: Set<string> | null = null;
    const written = (key: string) => (writers ??= writerKeys(pkg)).has(lastField(key));
    for (const { file, fn, key, sites, first } of lockedMutexes(pkg)) {
      const paths = followLock(pkg, fn, key);
      if (paths.unsupported || unlockedElsewhere(pkg, fn, key)) continue;
      const name = displayName(fn);
      for (const { site, state } of paths.relocks) {
        if (!sameMutexThroughout(pkg, fn, site)) continue;
        const readOnly = site.op === 'RLock' && !(state & WRITE);
        if (readOnly && !written(key)) continue;
        const since = sites.find((s) => s.key === key && s.call.startIndex < site.call.startIndex && (s.op === 'Lock' || s.op === 'RLock'));
        const where = state & UNLOCKED ? 'on a path where' : 'while';
        const message = readOnly
          ? `${name} read-locks ${key} again ${where} it holds a read lock${since ? ` (line ${lineOf(since.call)})` : ''}: a writer waiting in between blocks both forever`
          : `${name} locks ${key} again ${where} it already holds it${since ? ` (line ${lineOf(since.call)})` : ''}: the goroutine blocks forever`;
        report({ node: site.call, file, message, related: since ? [{ node: since.call, file, message: `${key} is locked here` }] : [] });
      }
      for (const { call, state } of paths.heldCalls) {
        if (!(state & (WRITE | READ)) || state & UNLOCKED) continue; // only where it is surely held
        const found = relockingCallee(pkg, file, call, key, state) ?? relockingThroughCalls(pkg, file, call, first, state);
        if (!found) continue;
        if (found.read && !written(key)) continue;
        const since = lastLockBefore(sites, key, call);
        report({
          node: call,
          file,
          message: `${name} calls ${found.name} while holding ${key}${since ? ` (line ${lineOf(since.call)})` : ''}, which ${found.read ? 'read-locks' : 'locks'} it again${found.via ?? ''}: ${found.read ? 'a waiting writer blocks it forever' : 'the goroutine blocks forever'}`,
          related: [
            ...(since ? [{ node: since.call, file, message: `${key} is locked here` }] : []),
            { node: found.decl, file: pkg.files.find((f) => f.tree === found.decl.tree)!, message: `${found.name} locks ${key} again` },
            ...chainRelated(pkg, found.calls ?? [], `to where ${key} is locked again`),
          ],
        });
      }
    }
  },
};

function lastField(key: string): string {
  return key.split('.').at(-1)!;
}

/** Fields (by name) the package write-locks somewhere: an RLock taken twice deadlocks only when a writer can come between. */
function writerKeys(pkg: Package): Set<string> {
  const keys = new Set<string>();
  for (const file of pkg.files) {
    if (!file.source.includes('.Lock()')) continue;
    for (const fn of [...nodesOfType(file, 'function_declaration'), ...nodesOfType(file, 'method_declaration'), ...nodesOfType(file, 'func_literal')]) {
      for (const s of lockSites(pkg, fn)) if (s.op === 'Lock') keys.add(lastField(s.key));
    }
  }
  return keys;
}

function lastLockBefore(sites: LockSite[], key: string, call: SyntaxNode): LockSite | null {
  let found: LockSite | null = null;
  for (const s of sites) if (s.key === key && (s.op === 'Lock' || s.op === 'RLock') && s.call.startIndex < call.startIndex) found = s;
  return found;
}

/**
 * Whether a lock call locks its function's own value (its receiver, through fields: `s.mu`,
 * `r.store.mu`) or a package variable, not a local or a parameter that may be another value of
 * the type (a child directory looked up in a map).
 */
function ownValue(pkg: Package, lockCall: SyntaxNode): boolean {
  const file = fileOfNode(pkg, lockCall);
  const site = lockSiteOf(pkg, file, lockCall);
  let root = site?.mutex ?? null;
  while (root && root.type === 'selector_expression') root = root.childForFieldName('operand');
  if (root?.type !== 'identifier') return false;
  const obj = objectOf(pkg, file, root);
  return obj?.kind === 'receiver' || (obj?.kind === 'var' && !obj.fn);
}

function fnOf(node: SyntaxNode): SyntaxNode {
  return enclosingFunction(node) ?? node;
}

/** A call that locks the held mutex again: the function it runs, and the calls on from there to the lock, if any. */
interface Relocking {
  name: string;
  decl: SyntaxNode;
  read: boolean;
  via?: string;
  calls?: SyntaxNode[];
}

/** Printing functions that call a value's String or Error method. */
const PRINTS = /^(fmt\.(Print|Sprint|Fprint|Errorf|Append)\w*|log\.(Print|Fatal|Panic)\w*)$/;

/**
 * The package code `call` runs that locks the same mutex again, named by the model's types
 * (`Store.mu`), through up to three more calls (`s.queue.Add(r)` → ... → `r.store.Status()`
 * read-locking Store.mu): only when the first call is not on another value of the mutex's own
 * type (a walk over children or peers locks their mutexes, not this one). Also a value whose
 * String or Error method locks it, handed to fmt or log while it is held.
 */
function relockingThroughCalls(
  pkg: Package,
  file: GoFile,
  call: SyntaxNode,
  first: LockSite,
  state: number,
): Relocking | null {
  if (call.parent?.type === 'go_statement') return null;
  const id = lockIdentity(pkg, file, first);
  if (!id || id.includes('@')) return null;
  const owner = id.split('.')[0];
  const callee = call.childForFieldName('function');
  const operand = callee?.type === 'selector_expression' ? callee.childForFieldName('operand') : null;
  // Another value of the mutex's own type (a child, a peer): its mutex, not this one.
  const root = first.key.split('.')[0];
  const operandType = operand ? declOf(pkg, typeOf(pkg, file, operand)) : null;
  if (operand && operand.text !== root && operandType?.name === owner) return null;
  // Through an interface, a method of the mutex's own type runs on another value of it (a parent, a peer).
  const viaInterface = operandType?.typeNode?.type === 'interface_type';
  const targets: SyntaxNode[] = [...knownCallees(pkg, file, call)];
  const printed = new Set<number>();
  if (PRINTS.test(callee?.text ?? '')) {
    // fmt calls String (or Error) on the value holding the mutex.
    for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (arg.text !== root) continue;
      const t = typeOf(pkg, file, arg);
      const m = methodOf(pkg, t, 'String') ?? methodOf(pkg, t, 'Error');
      if (m) printed.add(m.id), targets.push(m);
    }
  }
  for (const target of targets) {
    if (viaInterface && target.type === 'method_declaration' && receiverTypeName(target) === owner) continue;
    // Not back into the function itself: a recursion over a nested value locks the nested one's mutex.
    const summary = lockSummaryWithin(pkg, target, MAX_CHAIN);
    if (summary.entersHolding.has(id)) continue;
    // On the same value, the callee's own locks are relockingCallee's to judge (it knows locks a parameter asks for).
    const sameValue = operand?.text === root;
    const a = summary.acquires.find(
      (x) => x.id === id && x.chain.length <= 3 && (!sameValue || x.chain.length > 0) && !contains(fnOf(call), x.site) && !conditional(x) && ownValue(pkg, x.site),
    );
    if (!a) continue;
    const read = a.read && !(state & WRITE);
    const chain = [...(printed.has(target.id) ? [displayName(target)] : []), ...a.chain.map(calleeText)];
    const via = chain.length ? ` (through ${chainPhrase(chain)})` : '';
    return { name: printed.has(target.id) ? (callee?.text ?? '') : displayName(target), decl: target, read, via, calls: a.chain };
  }
  return null;
}

/**
 * The method of the same receiver that `call` runs and that locks the mutex of `key`
 * again (`s.mu` held, `s.drain()` locks `s.mu`): a write lock always deadlocks, a read lock
 * only when a write lock is held or a writer can come between.
 */
function relockingCallee(
  pkg: Package,
  file: GoFile,
  call: SyntaxNode,
  key: string,
  state: number,
): Relocking | null {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'selector_expression' || call.parent?.type === 'go_statement') return null;
  const operand = callee.childForFieldName('operand')?.text;
  if (!operand) return null;
  const field = fieldOfKey(key, operand);
  if (field === null) return null;
  for (const target of calleesOf(pkg, file, call)) {
    if (target.type !== 'method_declaration') continue;
    const locks = receiverLocks(pkg, target);
    if (locks.has(`${field}:w`)) return { name: displayName(target), decl: target, read: false };
    if (locks.has(`${field}:r`)) {
      if (state & WRITE) return { name: displayName(target), decl: target, read: false };
      return { name: displayName(target), decl: target, read: true };
    }
  }
  return null;
}
