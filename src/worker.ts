import { parentPort } from 'node:worker_threads';
import { noteLinesParsed } from './memory.js';
import { runTask, type Task } from './task.js';

/** A pool worker: runs each task it is sent and posts back its result or its failure. */
parentPort?.on('message', (msg: { id: number; task: Task }) => {
  try {
    const result = runTask(msg.task);
    parentPort?.postMessage({ id: msg.id, result });
    noteLinesParsed(result.lines);
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, error: (err as Error).stack ?? String(err) });
  }
});
