import { Worker } from 'node:worker_threads';
import { BayesbenchError } from '../errors.js';

/**
 * What a task worker posts back: its result, or its error with the fields a BayesbenchError needs
 * to keep its status (a DataError stays a 400 across the thread boundary).
 */
export type WorkerTaskMessage<T> =
  | { type: 'done'; result: T }
  | { type: 'error'; message: string; typed: boolean; code?: string; status?: number };

/**
 * The error message a task worker posts for a thrown value.
 * @example port.postMessage(workerTaskError(err))
 */
export function workerTaskError(err: unknown): WorkerTaskMessage<never> {
  return {
    type: 'error',
    message: err instanceof Error ? err.message : String(err),
    typed: err instanceof BayesbenchError,
    code: err instanceof BayesbenchError ? err.code : undefined,
    status: err instanceof BayesbenchError ? err.status : undefined,
  };
}

/**
 * Run one task on a new worker thread with a bounded heap and resolve with what it posts: `file`
 * is the worker module's name next to this one without extension (`'parse-worker'`); from
 * TypeScript sources (tests, tsx) the worker loads through tsx. The worker is terminated once it
 * has answered; an exit without an answer (e.g. out of memory) rejects.
 *
 * @example const table = await runWorkerTask<Table>('parse-worker', { bytes, source }, 512);
 */
export function runWorkerTask<T>(file: string, workerData: unknown, heapMb: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(`./${file}${fromSource ? '.ts' : '.js'}`, import.meta.url);
    const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
    const options = { workerData, resourceLimits: { maxOldGenerationSizeMb: heapMb } };
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
    worker.on('message', (msg: WorkerTaskMessage<T>) => {
      if (msg.type === 'done') finish(() => resolve(msg.result));
      else {
        const err = msg.typed
          ? new BayesbenchError(msg.message, msg.code, msg.status)
          : new Error(msg.message);
        finish(() => reject(err));
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`the ${file} worker stopped (exit code ${code})`))),
    );
  });
}
