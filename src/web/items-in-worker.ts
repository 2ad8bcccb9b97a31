import type { StoredMatrixInput } from './item-matrix.js';
import type { ItemMatrix } from './items-types.js';
import { REBUILD_HEAP_MB } from './rebuild-in-worker.js';
import { runWorkerTask } from './worker-task.js';

/**
 * itemMatrixOfStoredFit (src/web/item-matrix.ts) on a worker thread (src/web/items-worker.ts)
 * with the rebuilds' heap limit: the draws are copied in, the parsed dataset lives and dies there,
 * the matrix comes back.
 * @example await itemMatrixInWorker({ fitId: 3, csv, datasetName, spec, settings, seed: 1, draws }, modelsDir)
 */
export function itemMatrixInWorker(
  input: StoredMatrixInput,
  modelsDir: string,
): Promise<ItemMatrix> {
  return runWorkerTask<ItemMatrix>('items-worker', { input, modelsDir }, REBUILD_HEAP_MB);
}
