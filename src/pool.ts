import { Worker } from 'node:worker_threads';
import { noteLinesParsed } from './memory.js';
import { initParser } from './parser/index.js';
import { runTask, type Task, type TaskResult } from './task.js';

export type Outcome = { result: TaskResult; task: Task } | { error: string; task: Task };

/**
 * Runs tasks on `jobs` worker threads, largest first so that no worker is left with a
 * big package at the end. With one job, or one task, runs in this thread: starting a
 * worker costs more than a small run. `onDone` is called as each task ends.
 */
export async function runTasks(
  tasks: Task[],
  jobs: number,
  sizeOf: (t: Task) => number,
  onDone: () => void = () => {},
): Promise<Outcome[]> {
  if (jobs <= 1 || tasks.length <= 1) {
    const outcomes: Outcome[] = [];
    for (const task of tasks) {
      const outcome = await runInline(task);
      outcomes.push(outcome);
      onDone();
      if ('result' in outcome) noteLinesParsed(outcome.result.lines);
      // tree-sitter frees a tree's native memory in a callback on the event loop: without
      // this turn, an inline run holds every tree it ever parsed until it ends.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return outcomes;
  }
  const queue = [...tasks].sort((a, b) => sizeOf(b) - sizeOf(a));
  const outcomes: Outcome[] = [];
  const workerCount = Math.min(jobs, queue.length);
  await Promise.all(Array.from({ length: workerCount }, () => drain(queue, outcomes, onDone)));
  return outcomes;
}

async function runInline(task: Task): Promise<Outcome> {
  try {
    await initParser();
    return { result: runTask(task), task };
  } catch (err) {
    return { error: (err as Error).stack ?? String(err), task };
  }
}

/**
 * One worker takes tasks off the shared queue until it is empty. A worker that dies
 * (a crash in native code, out of memory) fails only its current task; a new worker
 * takes the rest.
 */
async function drain(queue: Task[], outcomes: Outcome[], onDone: () => void): Promise<void> {
  let worker: Worker | null = null;
  let id = 0;
  try {
    for (let task = queue.shift(); task; task = queue.shift()) {
      worker ??= new Worker(new URL('./worker.js', import.meta.url));
      const reply = await send(worker, ++id, task);
      if (reply.dead) {
        await worker.terminate();
        worker = null;
      }
      outcomes.push(reply.result ? { result: reply.result, task } : { error: reply.error ?? 'worker failed', task });
      onDone();
    }
  } finally {
    await worker?.terminate();
  }
}

function send(worker: Worker, id: number, task: Task): Promise<{ result?: TaskResult; error?: string; dead?: boolean }> {
  return new Promise((resolve) => {
    const onMessage = (msg: { id: number; result?: TaskResult; error?: string }) => {
      if (msg.id !== id) return;
      cleanup();
      resolve(msg);
    };
    const onError = (err: Error) => {
      cleanup();
      resolve({ error: err.stack ?? String(err), dead: true });
    };
    const onExit = (code: number) => {
      cleanup();
      resolve({ error: `worker exited with code ${code}`, dead: true });
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ id, task });
  });
}
