import { parentPort, workerData } from 'node:worker_threads';
import { parseCsv } from '../data/csv.js';
import { BayesbenchError, ResourceError } from '../errors.js';
import { runComparison } from '../pipeline/compare.js';
import { type SerializedFitResult, serializeFitResult } from '../store/documents.js';
import type { FitJob } from './engine.js';
import { compareOptions, readModels } from './fit-options.js';
import { niceThisThread } from './thread-priority.js';

/**
 * Worker thread of one fit (src/web/run-fit.ts starts it): parse the dataset, run the comparison
 * (the sampler may start its own chain workers), post progress events and the result: its documents
 * as JSON text made here (never stringified on the server's main thread; a document longer than
 * `maxDocumentChars` fails the fit), its typed arrays transferred, not copied. The parent cancels by
 * terminating this thread, and bounds its heap with `resourceLimits`.
 */
interface WorkerInput {
  job: FitJob;
  modelsDir: string;
  /** Longest comparison or summary JSON text stored (characters). */
  maxDocumentChars: number;
}

// nice 10 for this thread; the sampler's chain threads started from here inherit it.
const { job, modelsDir, maxDocumentChars } = workerData as WorkerInput;
niceThisThread();
const port = parentPort!;

try {
  const table = parseCsv(job.csv, { source: job.datasetName });
  const options = compareOptions(job.spec, job.config, readModels(modelsDir), job.datasetName);
  const started = performance.now();
  // Run from TypeScript sources (tests, tsx), the sampler's chain workers cannot load .ts files
  // inside this worker, so chains then run in this thread; built code (npm start) uses chain workers.
  const fromSource = import.meta.url.endsWith('.ts');
  const run = await runComparison(table, {
    ...options,
    sampler: { ...options.sampler, ...(fromSource ? { parallel: false } : {}) },
    onProgress: (event) => port.postMessage({ type: 'progress', event }),
  });
  const result: SerializedFitResult = serializeFitResult({
    comparison: run.comparison,
    summary: run.summary,
    draws: run.fit.draws,
    stats: run.fit.stats,
    timings: {
      warmup_seconds: run.fit.timing.warmupSeconds,
      sampling_seconds: run.fit.timing.samplingSeconds,
      total_seconds: (performance.now() - started) / 1000,
    },
  });
  for (const [what, text] of [
    ['comparison', result.comparisonJson],
    ['summary', result.summaryJson],
  ] as const) {
    if (text.length > maxDocumentChars) {
      const mb = (n: number) => `${Math.ceil(n / 1e6)} MB`;
      throw new ResourceError(
        `the fit's ${what} document is ${mb(text.length)}, above the stored limit of ${mb(maxDocumentChars)}: compare fewer heuristics or tasks`,
      );
    }
  }
  const transfer = [run.fit.draws.values.buffer, run.fit.stats.values.buffer].filter(
    (b, i, all) => b instanceof ArrayBuffer && all.indexOf(b) === i,
  ) as ArrayBuffer[];
  port.postMessage({ type: 'done', result }, transfer);
} catch (err) {
  port.postMessage({
    type: 'error',
    message: err instanceof Error ? err.message : String(err),
    typed: err instanceof BayesbenchError,
    code: err instanceof BayesbenchError ? err.code : undefined,
    status: err instanceof BayesbenchError ? err.status : undefined,
  });
}
