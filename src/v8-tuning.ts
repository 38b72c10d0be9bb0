import { setFlagsFromString } from 'node:v8';

/**
 * V8's tiering for a run of a few seconds. By default V8 hands a function to its optimizing
 * compiler after about 66 KB of bytecode has run in it; the model and the rules are a lot of
 * code that runs warm but briefly per package, and compiling it costs more CPU (on V8's
 * background threads) than the optimized code gives back. Twice the budget leaves the
 * lukewarm code in the baseline tiers and still optimizes what is hot: over net/http and over
 * std+cmd it cut CPU by about 12%, the pre-model build's by about 2% (docs/architecture.md).
 *
 * The parser is WebAssembly, and its parse loop is one function of 27 KB. Optimizing it takes
 * V8 150-250 ms of background CPU in every thread that parses, a fixed cost each run pays.
 * Unrolling its loops makes every later compile phase's graph larger and buys the parse no
 * measurable speed: without it, the one-package run (net/http) took 0.94x the CPU, std+cmd 0.97x.
 * V8 flags are per process: set before any worker starts, they hold in the workers too.
 */
export function tuneV8(): void {
  setFlagsFromString('--interrupt-budget=135168');
  setFlagsFromString('--no-wasm-loop-unrolling');
}
