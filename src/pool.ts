import { Worker } from 'node:worker_threads';
import { runTask, type Task, type TaskResult } from './task.js';

type Outcome = { result: TaskResult } | { error: string; task: Task };

/**
 * Runs tasks on `jobs` worker threads, largest first so that no worker is left with a
 * big package at the end. With one job, or one task, runs in this thread: starting a
 * worker costs more than a small run.
 */
export async function runTasks(tasks: Task[], jobs: number, sizeOf: (t: Task) => number): Promise<Outcome[]> {
  if (jobs <= 1 || tasks.length <= 1) return tasks.map((task) => runInline(task));
  const queue = [...tasks].sort((a, b) => sizeOf(b) - sizeOf(a));
  const outcomes: Outcome[] = [];
  const workerCount = Math.min(jobs, queue.length);
  await Promise.all(Array.from({ length: workerCount }, () => drain(queue, outcomes)));
  return outcomes;
}

function runInline(task: Task): Outcome {
  try {
    return { result: runTask(task) };
  } catch (err) {
    return { error: (err as Error).stack ?? String(err), task };
  }
}

/** One worker takes tasks off the shared queue until it is empty. */
async function drain(queue: Task[], outcomes: Outcome[]): Promise<void> {
  const worker = new Worker(new URL('./worker.js', import.meta.url));
  let id = 0;
  try {
    for (let task = queue.shift(); task; task = queue.shift()) {
      const current = task;
      const reply = await new Promise<{ result?: TaskResult; error?: string }>((resolve) => {
        const myId = ++id;
        const onMessage = (msg: { id: number; result?: TaskResult; error?: string }) => {
          if (msg.id !== myId) return;
          worker.off('message', onMessage);
          worker.off('error', onError);
          resolve(msg);
        };
        const onError = (err: Error) => {
          worker.off('message', onMessage);
          resolve({ error: err.stack ?? String(err) });
        };
        worker.on('message', onMessage);
        worker.once('error', onError);
        worker.postMessage({ id: myId, task: current });
      });
      outcomes.push(reply.result ? { result: reply.result } : { error: reply.error ?? 'worker failed', task: current });
    }
  } finally {
    await worker.terminate();
  }
}
