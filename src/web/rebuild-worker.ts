import { parentPort, workerData } from 'node:worker_threads';
import { parseCsv } from '../data/csv.js';
import { type RebuildInput, rebuildReport } from './rebuild.js';
import { niceThisThread } from './thread-priority.js';
import { workerTaskError } from './worker-task.js';

/**
 * Worker thread of one comparison rebuild (another ROPE or threshold on the report page): parses the
 * dataset, runs compareFromFit and builds the view model and plots here, so the server's event loop never spends the seconds a big
 * fit's rebuild takes. src/web/rebuild-in-worker.ts starts it and bounds how many run at once.
 */
interface WorkerInput {
  csv: Uint8Array;
  datasetName: string;
  input: Omit<RebuildInput, 'table'>;
  modelsDir: string;
}

const { csv, datasetName, input, modelsDir } = workerData as WorkerInput;
niceThisThread();
const port = parentPort!;
try {
  const table = parseCsv(csv, { source: datasetName });
  port.postMessage({ type: 'done', result: rebuildReport({ ...input, table }, modelsDir) });
} catch (err) {
  port.postMessage(workerTaskError(err));
}
