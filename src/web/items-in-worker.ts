import { pairMatrix, type StoredMatrixInput } from './item-matrix.js';
import type { ItemMatrix, ItemsDoc } from './items-types.js';
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

/**
 * itemsDoc (src/web/items.ts) of one pair on a worker thread (src/web/items-pair-worker.ts): the
 * worker is sent only the pair's part of the matrix (pairMatrix); the document lists all the
 * fit's heuristics, as itemsDoc of the whole matrix does.
 * @example await itemsDocInWorker(matrix, 'snapkv', 'full_kv', 10)
 */
export async function itemsDocInWorker(
  matrix: ItemMatrix,
  a: string,
  b: string,
  k: number,
): Promise<ItemsDoc> {
  const data = { matrix: pairMatrix(matrix, a, b), a, b, k };
  const doc = await runWorkerTask<ItemsDoc>('items-pair-worker', data, REBUILD_HEAP_MB);
  return { ...doc, heuristics: [...matrix.posterior.heuristics] };
}
