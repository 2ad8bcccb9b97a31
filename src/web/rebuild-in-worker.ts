import { Worker } from 'node:worker_threads';
import { BayesbenchError } from '../errors.js';
import type { RebuiltReport } from './engine.js';
import type { RebuildInput } from './rebuild.js';

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
  return new Promise((resolve, reject) => {
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(
      fromSource ? './rebuild-worker.ts' : './rebuild-worker.js',
      import.meta.url,
    );
    const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
    const options = {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: REBUILD_HEAP_MB },
    };
    const worker = fromSource
      ? new Worker(bootstrap, { ...options, eval: true })
      : new Worker(url, options);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on(
      'message',
      (msg: {
        type: string;
        report?: RebuiltReport;
        message?: string;
        typed?: boolean;
        code?: string;
        status?: number;
      }) => {
        if (msg.type === 'done' && msg.report) {
          const c = msg.report;
          finish(() => resolve(c));
        } else if (msg.type === 'error') {
          const err = msg.typed
            ? new BayesbenchError(msg.message ?? 'rebuild failed', msg.code, msg.status)
            : new Error(msg.message ?? 'rebuild failed');
          finish(() => reject(err));
        }
      },
    );
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`the rebuild worker stopped (exit code ${code})`))),
    );
  });
}
