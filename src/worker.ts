import { parentPort } from 'node:worker_threads';
import { noteLinesParsed } from './memory.js';
import { initParser } from './parser/index.js';
import { runTask, type Task } from './task.js';

/** A pool worker: runs each task it is sent and posts back its result or its failure. */
parentPort?.on('message', async (msg: { id: number; task: Task }) => {
  try {
    // The parser loads once per worker (the WebAssembly one asynchronously); the pool sends
    // a worker its next task only after this one's reply.
    await initParser();
    const result = runTask(msg.task);
    parentPort?.postMessage({ id: msg.id, result });
    noteLinesParsed(result.lines);
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, error: (err as Error).stack ?? String(err) });
  }
});
