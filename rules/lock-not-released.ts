import type { SyntaxNode } from '../src/go/tree.js';
import { followLock, HELD, lockSites, sameMutexThroughout, unlockedElsewhere, type LockSite } from '../src/go/locks.js';
import { fileOfNode, signature, underlying } from '../src/go/model/types.js';
import { callersOf } from '../src/go/model/calls.js';
import { displayName } from '../src/go/model/frequency.js';
import { nodesOfType } from '../src/go/nodes.js';
import { docComment, lineOf } from '../src/go/syntax.js';
import type { Package, Rule } from '../src/engine/types.js';

export const lockNotReleased: Rule = {
  meta: {
    id: 'lock-not-released',
    title: 'a path out of the function leaves a mutex locked',
    why:
      'A function that locks a mutex and unlocks it on some paths but returns (or breaks out) on another ' +
      'path with it still locked leaves it locked for good: the next goroutine to call Lock blocks forever, ' +
      'and every goroutine after it piles up behind. Early returns on error or "nothing to do" paths are ' +
      'where the Unlock is most often missed.',
    fix:
      'Unlock on every path: `defer mu.Unlock()` right after the Lock when the whole function may hold it, ' +
      'or an Unlock before each return, break and continue that leaves the critical section.',
    example: {
      bad: 'func (d *Devices) cleanup() error {\n\td.mu.Lock()\n\tif d.deleted == 0 {\n\t\treturn nil // d.mu stays locked\n\t}\n\td.deleted = 0\n\td.mu.Unlock()\n\treturn nil\n}',
      good: 'func (d *Devices) cleanup() error {\n\td.mu.Lock()\n\tdefer d.mu.Unlock()\n\tif d.deleted == 0 {\n\t\treturn nil\n\t}\n\td.deleted = 0\n\treturn nil\n}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'reported',
    tags: ['goroutine', 'lock', 'concurrency'],
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      if (!file.source.includes('Lock()')) continue;
      for (const fn of [...nodesOfType(file, 'function_declaration'), ...nodesOfType(file, 'method_declaration'), ...nodesOfType(file, 'func_literal')]) {
        const sites = lockSites(pkg, fn);
        for (const key of new Set(sites.map((s) => s.key))) {
          const own = sites.filter((s) => s.key === key);
          // Entered with the lock held (`...Locked` helpers unlock first): not followed.
          const direct = own.some((s) => isUnlock(s) && !s.deferred);
          if ((!direct && !literalUnlocks(pkg, fn, key)) || isUnlock(own[0])) continue;
          // `if c { mu.Lock() } ... if c { mu.Unlock() }` with a loop between, where the paths forget c.
          if (sameConditionPair(fn, own)) continue;
          const paths = followLock(pkg, fn, key);
          if (paths.deferredUnlock || paths.unsupported || (!direct && !paths.helperUnlock)) continue;
          const held = paths.exits.filter((e) => e.state & HELD);
          if (!held.length) continue;
          if (returnsLockedOnPurpose(pkg, fn) || callersUnlock(pkg, fn, key) || unlockedElsewhere(pkg, fn, key)) continue;
          const lock = own.find((s) => !isUnlock(s))!;
          // A root variable given a new value (`le = setUp()`) may leave behind a mutex nobody uses again.
          if (!sameMutexThroughout(pkg, fn, lock)) continue;
          const exit = held[0];
          const how = exit.node.type === 'return_statement' ? `returns at line ${lineOf(exit.node)}` : `can end at line ${lineOf(exit.node)}`;
          report({
            node: exit.node.type === 'return_statement' ? exit.node : lock.call,
            file,
            message: `${displayName(fn)} ${how} with ${key} locked since line ${lineOf(lock.call)} while other paths unlock it: the next Lock blocks forever`,
            related: [{ node: lock.call, file, message: `${key} is locked here` }],
            evidence: [{ node: lock.call, file }],
          });
        }
      }
    }
  },
};

/**
 * Heuristics, named as such, for a function that hands its lock to the caller: its name or
 * doc comment speaks of locking (`lockAndGet`, "returns with mu held"), or it returns a func
 * (the release: `return conn, tx.closemuRUnlockRelease, nil`).
 */
const HANDS_LOCK = /\b(held|locked)\b[^.]*\b(return|caller)|\bcaller\b[^.]*\b(unlock|release)|\breturns?\b[^.]*\bwith\b[^.]*\b(held|locked)\b/i;

function returnsLockedOnPurpose(pkg: Package, fn: SyntaxNode): boolean {
  const name = fn.childForFieldName('name')?.text ?? '';
  if (/lock/i.test(name)) return true;
  if (fn.type !== 'func_literal' && HANDS_LOCK.test(docComment(fn))) return true;
  const file = fileOfNode(pkg, fn);
  return signature(pkg, file, fn).results.some((t) => underlying(pkg, t).kind === 'func');
}

/** Whether a func literal inside `fn` unlocks `key` (a release helper, perhaps). */
function literalUnlocks(pkg: Package, fn: SyntaxNode, key: string): boolean {
  return fn.descendantsOfType('func_literal').some((l) => l.id !== fn.id && lockSites(pkg, l).some((s) => s.key === key && isUnlock(s)));
}

function isUnlock(site: LockSite): boolean {
  return site.op === 'Unlock' || site.op === 'RUnlock';
}

/**
 * A function whose callers unlock the same mutex after calling it returns it locked on
 * purpose (`mu` of the key, unlocked by the caller after the call).
 */
function callersUnlock(pkg: Package, fn: SyntaxNode, key: string): boolean {
  const field = key.split('.').at(-1)!;
  for (const site of callersOf(pkg, fn).sites) {
    let caller: SyntaxNode | null = site.call.parent;
    while (caller && !['function_declaration', 'method_declaration', 'func_literal'].includes(caller.type)) caller = caller.parent;
    if (!caller) continue;
    const after = lockSites(pkg, caller).filter((s) => isUnlock(s) && s.call.startIndex > site.call.endIndex);
    if (after.some((s) => s.key.split('.').at(-1) === field)) return true;
  }
  return false;
}

/**
 * Every lock of the mutex, and some unlock of it, sit directly under two different `if`
 * statements on the same condition (`if c { mu.Lock() } ... if c { mu.Unlock() }`). A lock
 * and an unlock in the same `if` are followed as usual.
 */
function sameConditionPair(fn: SyntaxNode, own: LockSite[]): boolean {
  const guard = (site: LockSite): { id: number; cond: string } | null => {
    for (let n = site.call.parent; n && n.id !== fn.id; n = n.parent) {
      if (n.type === 'if_statement') {
        const cond = n.childForFieldName('condition')?.text.replace(/\s+/g, '');
        return cond === undefined ? null : { id: n.id, cond };
      }
      if (n.type === 'for_statement' || n.type === 'func_literal') return null;
    }
    return null;
  };
  const locks = own.filter((s) => !isUnlock(s)).map(guard);
  const first = locks[0];
  if (!first || !locks.every((g) => g?.cond === first.cond)) return false;
  return own.some((s) => {
    const g = isUnlock(s) ? guard(s) : null;
    return g !== null && g.cond === first.cond && locks.every((l) => l!.id !== g.id);
  });
}
