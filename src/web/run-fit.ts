import { Worker } from 'node:worker_threads';
import { BayesbenchError } from '../errors.js';
import type { ProgressEvent } from '../sampler/types.js';
import type { FitResult } from '../store/store.js';
import type { RunFit } from './engine.js';

/**
 * Run one fit on a worker thread (src/web/fit-worker.ts), so sampling never blocks the server's
 * event loop. Progress events arrive as messages; cancelling terminates the thread (and the chain
 * workers it started). From TypeScript sources (tests, tsx) the worker loads through tsx.
 *
 * @example const runFit = workerRunFit('/repo/models'); await runFit(job, { signal, onProgress });
 */
export function workerRunFit(modelsDir: string): RunFit {
  return (job, ctx) =>
    new Promise<FitResult>((resolve, reject) => {
      const fromSource = import.meta.url.endsWith('.ts');
      const url = new URL(fromSource ? './fit-worker.ts' : './fit-worker.js', import.meta.url);
      // From sources, a CommonJS bootstrap registers tsx's loader in the worker, then imports it.
      const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
      const worker = fromSource
        ? new Worker(bootstrap, { eval: true, workerData: { job, modelsDir } })
        : new Worker(url, { workerData: { job, modelsDir } });
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
          result?: FitResult;
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
      worker.on('error', (err) => finish(() => reject(err)));
      worker.on('exit', (code) =>
        finish(() => reject(new Error(`the fit worker stopped (exit code ${code})`))),
      );
    });
}
