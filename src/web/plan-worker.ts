import { parentPort, workerData } from 'node:worker_threads';
import { planOfStoredFit, type StoredPlanInput } from './plan.js';
import { niceThisThread } from './thread-priority.js';
import { workerTaskError } from './worker-task.js';

/**
 * Worker thread of one stored fit's plan (src/web/plan.ts planInWorker starts it): the simulated
 * outcomes and the greedy batches take CPU seconds (BENCHMARKS.md §10), never on the server's event
 * loop.
 */
const { input, modelsDir } = workerData as { input: StoredPlanInput; modelsDir: string };
niceThisThread();
const port = parentPort!;
try {
  port.postMessage({ type: 'done', result: planOfStoredFit(input, modelsDir) });
} catch (err) {
  port.postMessage(workerTaskError(err));
}
