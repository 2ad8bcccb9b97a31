import { parentPort, workerData } from 'node:worker_threads';
import { itemMatrixOfStoredFit, type StoredMatrixInput } from './item-matrix.js';
import { niceThisThread } from './thread-priority.js';
import { workerTaskError } from './worker-task.js';

/**
 * Worker thread that builds the item matrix of one fit (src/web/items-in-worker.ts starts it):
 * parsing and preparing a 100,000-row dataset takes 0.3-0.7 s, never on the server's event loop.
 * The matrix's typed arrays are moved back, not copied.
 */
const { input, modelsDir } = workerData as { input: StoredMatrixInput; modelsDir: string };
niceThisThread();
const port = parentPort!;
try {
  const matrix = itemMatrixOfStoredFit(input, modelsDir);
  const { scores, posterior } = matrix;
  const moved = [
    scores.slotTask,
    scores.slotItem,
    scores.start,
    scores.slot,
    scores.mean,
    scores.seeds,
    posterior.cells,
    posterior.logits,
    posterior.taskScale,
  ].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []));
  port.postMessage({ type: 'done', result: matrix }, moved);
} catch (err) {
  port.postMessage(workerTaskError(err));
}
