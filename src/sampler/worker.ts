/**
 * Piscina worker: rebuilds the model from its ModelSource and runs a group of chains, one after
 * another (the same code as the in-process path, so the same seed gives bit-identical draws).
 * Progress goes over a MessagePort.
 * It also runs a caller's module task (`runModuleTask`), so other work (summary rows) can use the
 * chains' threads without the sampler knowing what that work is.
 */

import { createRequire } from 'node:module';
import { receiveMessageOnPort } from 'node:worker_threads';
import type * as PiscinaModule from 'piscina';
import { ConfigError } from '../errors.js';
import { type ChainResult, createChainRunner } from './chain.js';
import { importModule, loadModelFromSource } from './load-model.js';
import type { ModuleCall } from './types.js';
import {
  END_OF_PROGRESS,
  STOP_CHAINS,
  type WorkerAnswer,
  type WorkerTask,
} from './worker-protocol.js';

// piscina is CommonJS and already loaded in this thread by piscina's own worker: `require` takes it
// from the require cache (the same instance, so `move` marks answers that piscina's worker knows)
// without the ES module loader's CommonJS export scan, which costs CPU at every start of a thread
// (BENCHMARKS.md §12.5)
const { move, transferableSymbol, valueSymbol } = createRequire(import.meta.url)(
  'piscina',
) as typeof PiscinaModule;

/**
 * Run a group of chains of a rebuildable model, in turn (the model is rebuilt once).
 *
 * @example
 * // used by piscina only: pool.run({ source, setups, port, progressEvery }, { transferList: [port] })
 */
export default async function runChainTask(task: WorkerTask): Promise<WorkerAnswer> {
  const { port } = task;
  try {
    const model = await loadModelFromSource(task.source);
    const every = Math.max(1, task.progressEvery);
    const results: ChainResult[] = [];
    for (const setup of task.setups) {
      const runner = createChainRunner(model, setup);
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
        if (receiveMessageOnPort(port)?.message === STOP_CHAINS) {
          return { ok: false, name: 'AbortError', message: 'sampling cancelled' };
        }
      }
      results.push(runner.result());
    }
    // the draws go back by transfer, not by copy (at 1M rows a chain's draws are ~85 MB)
    const buffers = results.flatMap((result) =>
      [
        result.draws,
        result.stats,
        result.warmupDraws,
        result.warmupStats,
        result.invMetric,
      ].flatMap((a) => (a && a.buffer instanceof ArrayBuffer ? [a.buffer] : [])),
    );
    const answer: WorkerAnswer = { ok: true, results };
    // (the symbols' unique types do not survive `require`: the object is piscina's Transferable)
    const movable = {
      [transferableSymbol]: [...new Set(buffers)],
      [valueSymbol]: answer,
    } as unknown as Parameters<typeof move>[0];
    return move(movable) as unknown as WorkerAnswer;
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
