import { parentPort, workerData } from 'node:worker_threads';
import { itemsDoc } from './items.js';
import type { ItemMatrix } from './items-types.js';
import { niceThisThread } from './thread-priority.js';
import { workerTaskError } from './worker-task.js';

/**
 * Worker thread of one pair's item document on a fit whose cell draws are too many to summarize
 * on the server's thread (src/web/items-view.ts ITEMS_ON_THREAD): gets the pair's part of the
 * item matrix (src/web/item-matrix.ts pairMatrix), answers itemsDoc of it.
 */
const { matrix, a, b, k } = workerData as { matrix: ItemMatrix; a: string; b: string; k: number };
niceThisThread();
const port = parentPort!;
try {
  port.postMessage({ type: 'done', result: itemsDoc(matrix, a, b, k) });
} catch (err) {
  port.postMessage(workerTaskError(err));
}
