import type { RebuiltReport } from './engine.js';
import type { RebuildInput } from './rebuild.js';
import { runWorkerTask } from './worker-task.js';

/**
 * Heap limit of a rebuild worker (MB): a rebuild holds the draws (copied in) and the pairs of the
 * document; a runaway one fails as a 500 for that page instead of taking the server's heap.
 */
export const REBUILD_HEAP_MB = 1024;

/**
 * Rebuild a report (comparison, view model, plots) on a worker thread (src/web/rebuild-worker.ts). The draws are copied into the
 * worker (the store keeps its own). From TypeScript sources (tests, tsx) the worker loads via tsx.
 * @example await rebuildInWorker({ csv, datasetName, input, modelsDir })
 */
export function rebuildInWorker(data: {
  csv: Uint8Array;
  datasetName: string;
  input: Omit<RebuildInput, 'table'>;
  modelsDir: string;
}): Promise<RebuiltReport> {
  return runWorkerTask<RebuiltReport>('rebuild-worker', data, REBUILD_HEAP_MB);
}
