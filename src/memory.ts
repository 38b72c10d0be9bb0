import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Lines of Go a thread parses between two full garbage collections. A tree-sitter tree
 * takes about 20 bytes of native memory per byte of source (server.go: 100 KB of source,
 * 2 MB of tree), so this bounds the dead trees a thread holds to some 30-60 MB.
 */
export const LINES_BETWEEN_COLLECTIONS = 50_000;

let linesSinceCollection = 0;
let collect: (() => void) | null | undefined;

/**
 * Counts the lines a finished task parsed and, every LINES_BETWEEN_COLLECTIONS, collects
 * the garbage once the current turn of the event loop is over.
 *
 * Why: V8 does not know how big a tree is. A tree's JS object is small and the native
 * tree behind it large; the trees of a package live as long as its check, so they reach
 * V8's old generation, which V8 collects only when the JS heap grows, and the JS heap
 * stays small. Dead trees therefore pile up until a major collection, in every worker on
 * its own schedule. A collection after every task holds the pile down too, but costs a
 * third more CPU time; one per LINES_BETWEEN_COLLECTIONS lines is some 25 per run over
 * Go's std+cmd, lost in the noise of CPU time.
 * Resident size is no trigger: freed native memory stays with the allocator.
 */
export function noteLinesParsed(lines: number): void {
  linesSinceCollection += lines;
  if (linesSinceCollection < LINES_BETWEEN_COLLECTIONS) return;
  linesSinceCollection = 0;
  collect ??= exposedGc();
  // After this turn: the task's own trees are dead by then, and tree-sitter frees a tree
  // in a callback on the event loop, so the next turn can run it.
  if (collect) setImmediate(collect);
}

/** The `gc` function, exposed at run time since a worker thread cannot take --expose-gc. */
function exposedGc(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}
