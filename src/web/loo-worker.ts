import { parentPort, workerData } from 'node:worker_threads';
import { looOfStoredFit, type StoredLooInput } from './loo.js';
import { niceThisThread } from './thread-priority.js';
import { workerTaskError } from './worker-task.js';

/**
 * Worker thread of one stored fit's PSIS-LOO (src/web/loo.ts looInWorker starts it): the pointwise
 * log-likelihood and PSIS take seconds on a big table, never on the server's event loop.
 */
const { input, modelsDir } = workerData as { input: StoredLooInput; modelsDir: string };
niceThisThread();
const port = parentPort!;
try {
  port.postMessage({ type: 'done', result: looOfStoredFit(input, modelsDir) });
} catch (err) {
  port.postMessage(workerTaskError(err));
}
