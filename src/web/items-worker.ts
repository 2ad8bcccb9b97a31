import { parentPort, workerData } from 'node:worker_threads';
import { itemsOfStoredFit, type StoredItemsInput } from './items.js';
import { niceThisThread } from './thread-priority.js';
import { workerTaskError } from './worker-task.js';

/**
 * Worker thread of one item view (src/web/items-view.ts starts it): parsing and preparing a
 * 100,000-row dataset takes 0.3-0.7 s, never on the server's event loop.
 */
const { input, modelsDir } = workerData as { input: StoredItemsInput; modelsDir: string };
niceThisThread();
const port = parentPort!;
try {
  port.postMessage({ type: 'done', result: itemsOfStoredFit(input, modelsDir) });
} catch (err) {
  port.postMessage(workerTaskError(err));
}
