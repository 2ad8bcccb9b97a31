import { availableParallelism } from 'node:os';
import { summarizeDraws, summaryOfFit } from '../diagnostics/summarize.js';
import type { Summary, SummaryRow, Thresholds } from '../diagnostics/types.js';
import type { Draws } from '../draws/draws.js';
import type { Fit } from '../draws/fit.js';
import { getSamplerPool, liveSamplerThreads } from '../sampler/pool.js';
import type { ModuleCall } from '../sampler/types.js';

/** This module's URL: the pool's threads import it to run `summarizeBlock`. */
const THIS_MODULE = import.meta.url;

/**
 * Summary rows of a contiguous block of variables (a pool thread runs this; the same
 * `summarizeDraws` as on the main thread).
 *
 * @example summarizeBlock({ nDraws: 1000, nChains: 4, variables: ['a'], values })[0].ess_bulk
 */
export function summarizeBlock(block: Draws): SummaryRow[] {
  return summarizeDraws(block);
}

/**
 * Below this many values (variables x draws x chains) the rows are computed on the calling thread:
 * posting the blocks costs more than it saves (synth_small, 250 variables x 4,000 draws = 1e6
 * values, takes ~0.25 s to summarize on one thread).
 */
export const PARALLEL_SUMMARY_MIN_VALUES = 200_000;

/**
 * `summarizeDraws` with the variables split into contiguous blocks, one per thread of the sampler's
 * pool (the threads that just ran the chains, idle now, at most one per core; each block is a
 * module task calling `summarizeBlock`, so the sampler does not know what it computes). Summary rows are a pure
 * function of each variable's draws, so the rows are identical to `summarizeDraws(draws)`, in the same order. Small
 * draws (fewer than PARALLEL_SUMMARY_MIN_VALUES values) are summarized on the calling thread.
 *
 * @example
 * const rows = await summarizeDrawsInWorkers(fit.draws);
 */
export async function summarizeDrawsInWorkers(draws: Draws): Promise<SummaryRow[]> {
  const V = draws.variables.length;
  const per = draws.nDraws * draws.nChains;
  // the threads that exist (a quick model's chains ran on one worker beside this thread: starting
  // another just for the summary would cost more than it saves), at most one per core
  const threads = Math.min(V, availableParallelism(), liveSamplerThreads());
  if (V * per < PARALLEL_SUMMARY_MIN_VALUES || availableParallelism() < 2 || threads < 1) {
    return summarizeDraws(draws);
  }
  const pool = getSamplerPool();
  const blocks: Promise<SummaryRow[]>[] = [];
  for (let k = 0; k < threads; k++) {
    const from = Math.floor((k * V) / threads);
    const to = Math.floor(((k + 1) * V) / threads);
    const block: Draws = {
      nDraws: draws.nDraws,
      nChains: draws.nChains,
      variables: draws.variables.slice(from, to),
      values: draws.values.slice(from * per, to * per),
    };
    const task: ModuleCall = { path: THIS_MODULE, exportName: 'summarizeBlock', args: block };
    blocks.push(
      pool.run(task, {
        name: 'runModuleTask',
        transferList: [block.values.buffer as ArrayBuffer],
      }) as Promise<SummaryRow[]>,
    );
  }
  return (await Promise.all(blocks)).flat();
}

/**
 * `summarizeFit` with the rows computed on the sampler's worker threads (see
 * `summarizeDrawsInWorkers`): the same Summary, sooner on more than one core.
 *
 * @example
 * const summary = await summarizeFitInWorkers(await sample(model));
 */
export async function summarizeFitInWorkers(
  fit: Fit,
  thresholds?: Partial<Thresholds>,
): Promise<Summary> {
  return summaryOfFit(fit, await summarizeDrawsInWorkers(fit.draws), thresholds);
}
