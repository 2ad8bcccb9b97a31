import { parentPort, workerData } from 'node:worker_threads';
import { type InputOptions, parseInput } from '../data/input.js';
import { niceThisThread } from './thread-priority.js';
import { workerTaskError } from './worker-task.js';

/**
 * Worker thread of one upload parse (src/web/parse-in-worker.ts starts it): a 5 MB CSV takes
 * 0.3-0.7 s to parse, which would otherwise hold the server's event loop. Reads every input format
 * of the CLI (src/data/input.ts parseInput: long or wide CSV, harness results JSON, per-sample
 * JSONL) and posts the long Table with the reader's notes (plain objects and typed arrays, copied by
 * structured clone), or the reader's DataError.
 */
interface WorkerInput {
  bytes: Uint8Array;
  source: string;
  options: InputOptions;
}

const { bytes, source, options } = workerData as WorkerInput;
niceThisThread();
const port = parentPort!;
try {
  port.postMessage({ type: 'done', result: parseInput(bytes, source, options) });
} catch (err) {
  port.postMessage(workerTaskError(err));
}
