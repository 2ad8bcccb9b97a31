import type { InputOptions, InputTable } from '../data/input.js';
import { runWorkerTask } from './worker-task.js';

/**
 * Heap limit of an upload parse (MB): an upload is at most 5 MB of text (requests.ts LIMITS), whose
 * Table and csv-parse records take well under this.
 */
export const PARSE_HEAP_MB = 512;

/**
 * Options a worker parse takes: the reader's, without the injected parser (functions do not cross
 * the thread boundary).
 */
export type WorkerInputOptions = Omit<InputOptions, 'parseLong'>;

/**
 * Parse uploaded bytes on a worker thread (src/web/parse-worker.ts): the long Table, notes and
 * format of parseInput (`source` is the upload's name; its extension picks the format), with the
 * same DataError messages, without holding the event loop.
 * @example const { table } = await parseInWorker(bytes, 'runs.csv');
 */
export function parseInWorker(
  bytes: Uint8Array,
  source: string,
  options: WorkerInputOptions = {},
): Promise<InputTable> {
  return runWorkerTask<InputTable>('parse-worker', { bytes, source, options }, PARSE_HEAP_MB);
}
