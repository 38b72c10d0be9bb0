import { TOOL_NAME } from './version.js';

/** Runs shorter than this show no progress line. */
export const PROGRESS_AFTER_MS = 2000;
const REDRAW_MS = 100;

/**
 * Whether a run may draw a progress line on stderr: only to a terminal, never in a pipe,
 * a file or a CI log (CI sets CI; a dumb terminal cannot redraw a line).
 */
export function progressWanted(stderr: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (stderr.isTTY !== true) return false;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0') return false;
  return env.TERM !== 'dumb';
}

/**
 * `goleak-lint: 12 of 340 packages`, redrawn in place once the run has taken longer than
 * PROGRESS_AFTER_MS, and erased when it ends, so the report starts on a clean line.
 */
export class ProgressLine {
  private readonly start: number;
  private lastDraw = -Infinity;
  private shown = false;

  constructor(
    private readonly write: (s: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.start = now();
  }

  update(done: number, total: number): void {
    const t = this.now();
    if (t - this.start < PROGRESS_AFTER_MS || (t - this.lastDraw < REDRAW_MS && done < total)) return;
    this.lastDraw = t;
    this.shown = true;
    this.write(`\r${TOOL_NAME}: ${done} of ${total} package${total === 1 ? '' : 's'}\x1b[K`);
  }

  end(): void {
    if (this.shown) this.write('\r\x1b[K');
    this.shown = false;
  }
}
