/**
 * Piscina worker: rebuilds the model from its ModelSource and runs one chain (the same code as the
 * in-process path, so the same seed gives bit-identical draws). Progress goes over a MessagePort.
 * It also runs a caller's module task (`runModuleTask`), so other work (summary rows) can use the
 * chains' threads without the sampler knowing what that work is.
 */
import type { MessagePort } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { ConfigError } from '../errors.js';
import { type ChainResult, type ChainSetup, createChainRunner } from './chain.js';
import { importModule, loadModelFromSource } from './load-model.js';
import type { ModelSource, ModuleCall } from './types.js';

/** The last message a worker posts on its progress port (after every ProgressEvent). */
export const END_OF_PROGRESS = 'end-of-progress';

/** The task posted to the worker. */
export interface WorkerTask {
  source: ModelSource;
  setup: ChainSetup;
  port: MessagePort;
  progressEvery: number;
}

/** The worker's answer: a result, or an error flattened to plain data (class names survive). */
export type WorkerAnswer =
  | { ok: true; result: ChainResult }
  | { ok: false; name: string; message: string };

/**
 * Run one chain of a rebuildable model.
 *
 * @example
 * // used by piscina only: pool.run({ source, setup, port, progressEvery }, { transferList: [port] })
 */
export default async function runChainTask(task: WorkerTask): Promise<WorkerAnswer> {
  const { port, setup } = task;
  try {
    const model = await loadModelFromSource(task.source);
    const runner = createChainRunner(model, setup);
    const every = Math.max(1, task.progressEvery);
    for (;;) {
      const done = runner.step(every);
      port.postMessage({
        chain: setup.chain,
        iteration: runner.iteration,
        total: runner.total,
        phase: runner.phase,
        divergent: runner.divergent,
      });
      if (done) break;
    }
    const result = runner.result();
    // the draws go back by transfer, not by copy (at 1M rows a chain's draws are ~85 MB)
    const buffers = [
      result.draws,
      result.stats,
      result.warmupDraws,
      result.warmupStats,
      result.invMetric,
    ].flatMap((a) => (a && a.buffer instanceof ArrayBuffer ? [a.buffer] : []));
    const answer: WorkerAnswer = { ok: true, result };
    return move({
      [transferableSymbol]: [...new Set(buffers)],
      [valueSymbol]: answer,
    }) as unknown as WorkerAnswer;
  } catch (err) {
    const e = err as Error;
    return { ok: false, name: e?.name ?? 'Error', message: e?.message ?? String(err) };
  } finally {
    port.postMessage(END_OF_PROGRESS);
    port.close();
  }
}

/**
 * Run a caller's ModuleCall on this thread (the caller names the module and the export) and return
 * its result (structured-cloned back to the caller).
 *
 * @example
 * // used by piscina only: pool.run(task, { name: 'runModuleTask', transferList })
 */
export async function runModuleTask(task: ModuleCall): Promise<unknown> {
  const fn = (await importModule(task.path))[task.exportName];
  if (typeof fn !== 'function') {
    throw new ConfigError(
      `worker task: export "${task.exportName}" of ${task.path} is not a function`,
    );
  }
  return (fn as (args: unknown) => unknown)(task.args);
}
