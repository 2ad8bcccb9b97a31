import { Worker } from 'node:worker_threads';
import { BayesbenchError, ConfigError, ResourceError } from '../errors.js';
import type { ProgressEvent } from '../sampler/types.js';
import type { StoredFitResult } from '../store/store.js';
import type { RunFit } from './engine.js';

/** Heap limit of one fit's worker thread (MB) unless BAYESBENCH_FIT_MEMORY_MB says otherwise. */
export const DEFAULT_FIT_MEMORY_MB = 1024;

/** Longest comparison or summary document a fit stores (characters of JSON, ~bytes). */
export const DEFAULT_MAX_DOCUMENT_CHARS = 64_000_000;

/** Limits of the fit worker threads. */
export interface FitWorkerLimits {
  /** V8 old-generation heap of the fit's thread, MB (`resourceLimits.maxOldGenerationSizeMb`). */
  memoryMb?: number;
  /** Longest JSON document stored for a fit (characters). */
  maxDocumentChars?: number;
}

/**
 * The fit memory limit from the environment: BAYESBENCH_FIT_MEMORY_MB (a whole number of MB, 64 or
 * more), or the default.
 * @example fitMemoryMb({ BAYESBENCH_FIT_MEMORY_MB: '2048' }) // 2048
 */
export function fitMemoryMb(env: Record<string, string | undefined> = process.env): number {
  const raw = env.BAYESBENCH_FIT_MEMORY_MB;
  if (raw === undefined || raw === '') return DEFAULT_FIT_MEMORY_MB;
  if (!/^\d+$/.test(raw) || Number(raw) < 64) {
    throw new ConfigError(
      `BAYESBENCH_FIT_MEMORY_MB must be a whole number of MB, 64 or more (got "${raw.slice(0, 40)}")`,
    );
  }
  return Number(raw);
}

/**
 * Run one fit on a worker thread (src/web/fit-worker.ts), so sampling never blocks the server's
 * event loop. The thread's heap is capped (`memoryMb`, Node's worker `resourceLimits`): a fit that
 * needs more dies alone and rejects with a ResourceError, the server goes on. Its documents come
 * back as JSON text made on the thread (the main thread only stores them). Progress events arrive
 * as messages; cancelling terminates the thread (and the chain workers it started). From TypeScript
 * sources (tests, tsx) the worker loads through tsx.
 *
 * @example const runFit = workerRunFit('/repo/models'); await runFit(job, { signal, onProgress });
 */
export function workerRunFit(modelsDir: string, limits: FitWorkerLimits = {}): RunFit {
  const memoryMb = limits.memoryMb ?? fitMemoryMb();
  const maxDocumentChars = limits.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
  return (job, ctx) =>
    new Promise<StoredFitResult>((resolve, reject) => {
      const fromSource = import.meta.url.endsWith('.ts');
      const url = new URL(fromSource ? './fit-worker.ts' : './fit-worker.js', import.meta.url);
      // From sources, a CommonJS bootstrap registers tsx's loader in the worker, then imports it.
      const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
      const options = {
        workerData: { job, modelsDir, maxDocumentChars },
        resourceLimits: { maxOldGenerationSizeMb: memoryMb },
      };
      const worker = fromSource
        ? new Worker(bootstrap, { ...options, eval: true })
        : new Worker(url, options);
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        ctx.signal.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () => {
        finish(() => reject(new BayesbenchError('cancelled', 'cancelled', 409)));
        void worker.terminate();
      };
      if (ctx.signal.aborted) {
        onAbort();
        return;
      }
      ctx.signal.addEventListener('abort', onAbort);
      worker.on(
        'message',
        (msg: {
          type: string;
          event?: ProgressEvent;
          result?: StoredFitResult;
          message?: string;
          typed?: boolean;
          code?: string;
          status?: number;
        }) => {
          if (msg.type === 'progress' && msg.event) ctx.onProgress(msg.event);
          else if (msg.type === 'done' && msg.result) {
            const result = msg.result;
            finish(() => resolve(result));
            void worker.terminate();
          } else if (msg.type === 'error') {
            const err = msg.typed
              ? new BayesbenchError(msg.message ?? 'fit failed', msg.code, msg.status)
              : new Error(msg.message ?? 'fit failed');
            finish(() => reject(err));
            void worker.terminate();
          }
        },
      );
      worker.on('error', (err: NodeJS.ErrnoException) =>
        finish(() =>
          reject(
            err.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new ResourceError(
                  `the fit ran out of memory (limit ${memoryMb} MB): compare fewer heuristics or tasks, take fewer draws, or raise BAYESBENCH_FIT_MEMORY_MB`,
                )
              : err,
          ),
        ),
      );
      worker.on('exit', (code) =>
        finish(() => reject(new Error(`the fit worker stopped (exit code ${code})`))),
      );
    });
}
