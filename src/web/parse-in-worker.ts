import type { Table } from '../data/table.js';
import { runWorkerTask } from './worker-task.js';

/**
 * Heap limit of an upload parse (MB): an upload is at most 5 MB of text (requests.ts LIMITS), whose
 * Table and csv-parse records take well under this.
 */
export const PARSE_HEAP_MB = 512;

/**
 * Parse uploaded CSV bytes on a worker thread (src/web/parse-worker.ts): the same Table and the
 * same DataError messages as parseCsv, without holding the event loop.
 * @example const table = await parseInWorker(bytes, 'runs.csv');
 */
export function parseInWorker(bytes: Uint8Array, source: string): Promise<Table> {
  return runWorkerTask<Table>('parse-worker', { bytes, source }, PARSE_HEAP_MB);
}
