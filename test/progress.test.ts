/** The progress line: when a run may draw one, and what it draws. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROGRESS_AFTER_MS, ProgressLine, progressWanted } from '../src/progress.js';

describe('progress line', () => {
  it('is drawn only on a terminal, never in a pipe, a file, a CI log or a dumb terminal', () => {
    const tty = { isTTY: true };
    assert.equal(progressWanted(tty, {}), true);
    assert.equal(progressWanted(tty, { TERM: 'xterm-256color' }), true);
    assert.equal(progressWanted({ isTTY: false }, {}), false);
    assert.equal(progressWanted({}, {}), false);
    for (const CI of ['true', '1', 'woodpecker']) assert.equal(progressWanted(tty, { CI }), false, CI);
    for (const CI of ['', 'false', '0']) assert.equal(progressWanted(tty, { CI }), true, JSON.stringify(CI));
    assert.equal(progressWanted(tty, { TERM: 'dumb' }), false);
  });

  it(`says nothing in the first ${PROGRESS_AFTER_MS} ms, then "done of total", and erases itself at the end`, () => {
    let now = 1000;
    const out: string[] = [];
    const line = new ProgressLine((s) => out.push(s), () => now);
    line.update(1, 40);
    now += PROGRESS_AFTER_MS - 1;
    line.update(2, 40);
    assert.deepEqual(out, []);
    now += 1;
    line.update(3, 40);
    // Redrawn at most every 100 ms, except the last.
    now += 50;
    line.update(4, 40);
    line.update(40, 40);
    line.end();
    assert.deepEqual(out, ['\rgoleak-lint: 3 of 40 packages\x1b[K', '\rgoleak-lint: 40 of 40 packages\x1b[K', '\r\x1b[K']);
  });

  it('a quick run leaves nothing to erase', () => {
    const out: string[] = [];
    const line = new ProgressLine((s) => out.push(s), () => 0);
    line.update(1, 1);
    line.end();
    assert.deepEqual(out, []);
  });
});
