// Preloaded into a measured goleak-lint run with `node --import <this file>`: on exit,
// writes the process's peak resident set size in kilobytes (getrusage's ru_maxrss, which
// covers every thread, so the worker threads too) to the file named by
// GOLEAK_BENCH_RSS_FILE. Worker threads run preloads as well; only the main thread writes.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.GOLEAK_BENCH_RSS_FILE;
if (isMainThread && file) {
  process.on('exit', () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));
}
