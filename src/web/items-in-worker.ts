import type { StoredItemsInput } from './items.js';
import type { ItemsDoc } from './items-types.js';
import { REBUILD_HEAP_MB } from './rebuild-in-worker.js';
import { runWorkerTask } from './worker-task.js';

/**
 * itemsOfStoredFit (src/web/items.ts) on a worker thread (src/web/items-worker.ts) with the
 * rebuilds' heap limit: the draws are copied in, the parsed dataset lives and dies there.
 * @example await itemsInWorker({ fitId: 3, csv, datasetName, spec, settings, seed: 1, draws, a, b, k: 10 }, modelsDir)
 */
export function itemsInWorker(input: StoredItemsInput, modelsDir: string): Promise<ItemsDoc> {
  return runWorkerTask<ItemsDoc>('items-worker', { input, modelsDir }, REBUILD_HEAP_MB);
}
