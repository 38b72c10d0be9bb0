import type { Rule } from '../src/engine/types.js';
import { deferInLoop } from './defer-in-loop.js';
import { fakeWeakRef } from './fake-weak-ref.js';
import { goroutineAbandonedSend } from './goroutine-abandoned-send.js';
import { goroutineBlockedReceive } from './goroutine-blocked-receive.js';
import { goroutineNoExit } from './goroutine-no-exit.js';
import { goroutineUnclosedRange } from './goroutine-unclosed-range.js';
import { lostCancel } from './lost-cancel.js';
import { timeAfterInLoop } from './time-after-in-loop.js';
import { timeTickLeak } from './time-tick-leak.js';
import { unclosedBody } from './unclosed-body.js';
import { unstoppedTicker } from './unstopped-ticker.js';
import { unboundedMapCache } from './unbounded-map-cache.js';
import { appendOnlySlice } from './append-only-slice.js';
import { doubleLock } from './double-lock.js';
import { lockNotReleased } from './lock-not-released.js';
import { lockOrder } from './lock-order.js';
import { blocksHoldingLock } from './blocks-holding-lock.js';
import { waitgroupMisuse } from './waitgroup-misuse.js';
import { condWaitMisuse } from './cond-wait-misuse.js';

/** Every rule goleak-lint has, in the order `goleak-lint rules` lists them. */
export const allRules: Rule[] = [
  unstoppedTicker,
  timeTickLeak,
  timeAfterInLoop,
  goroutineAbandonedSend,
  goroutineUnclosedRange,
  goroutineBlockedReceive,
  goroutineNoExit,
  unboundedMapCache,
  appendOnlySlice,
  fakeWeakRef,
  deferInLoop,
  unclosedBody,
  lostCancel,
  doubleLock,
  lockNotReleased,
  lockOrder,
  blocksHoldingLock,
  waitgroupMisuse,
  condWaitMisuse,
];
