import { parentPort, workerData } from 'node:worker_threads';
import { parseCsv } from '../data/csv.js';
import { niceThisThread } from './thread-priority.js';
import { workerTaskError } from './worker-task.js';

/**
 * Worker thread of one upload parse (src/web/parse-in-worker.ts starts it): a 5 MB CSV takes
 * 0.3-0.7 s to parse, which would otherwise hold the server's event loop. Posts the Table (plain
 * objects and typed arrays, copied by structured clone) or the parser's DataError.
 */
interface WorkerInput {
  bytes: Uint8Array;
  source: string;
}

const { bytes, source } = workerData as WorkerInput;
niceThisThread();
const port = parentPort!;
try {
  port.postMessage({ type: 'done', result: parseCsv(bytes, { source }) });
} catch (err) {
  port.postMessage(workerTaskError(err));
}
