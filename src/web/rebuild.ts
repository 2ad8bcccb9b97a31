import type { Bounded } from '../analysis/bounded.js';
import { compareFromFit, SCALE_MODES } from '../analysis/from-fit.js';
import { prepareComparison } from '../analysis/prepare.js';
import type { Comparison } from '../analysis/types.js';
import type { Table } from '../data/table.js';
import type { Summary } from '../diagnostics/types.js';
import type { Draws } from '../draws/draws.js';
import { comparisonSpec } from '../pipeline/compare.js';
import { renderComparisonPlots } from '../report/comparison-plots.js';
import { comparisonViewModel } from '../report/comparison-view-model.js';
import type { FitConfig, FitSpec } from '../store/store.js';
import type { RebuiltReport } from './engine.js';
import { compareOptions, readModels } from './fit-options.js';
import { ITEM_MODEL } from './items-types.js';

/** What a rebuild of the comparison for another ROPE/threshold needs from a finished fit. */
export interface RebuildInput {
  spec: FitSpec;
  seed: FitConfig['seed'];
  comparison: Comparison | null;
  summary: Summary | null;
  table: Table;
  draws: Draws;
  rope?: number;
  threshold?: number;
}

/**
 * Prepare a table for a fit's spec as a fit does (for checks, priors and rebuilds).
 * @example prepareFor(table, spec, '/repo/models').prepared.table
 */
export function prepareFor(table: Table, spec: FitSpec, modelsDir: string) {
  const options = compareOptions(
    spec,
    { chains: 1, warmup: 1, draws: 1, seed: 1 },
    readModels(modelsDir),
  );
  const prepared = prepareComparison(table, options);
  const mspec = comparisonSpec(prepared, options);
  return { prepared, mspec, options };
}

/**
 * The bounded-score likelihood the stored fit was fitted with, so that its draws are read on the
 * scale they were sampled on even when today's preparation would choose another (a rule added after
 * the fit was stored, e.g. binomial counts from src/data/benchmark-sizes.ts, or items per task
 * given differently): the preparation's when it agrees with the stored `settings.bounded` (for a
 * binomial, the same items of every task); the stored binomial (its `items_per_task`) or
 * logit-normal one (upper bound, rows of the squeeze) otherwise; none when the fit had none. The
 * paired item model fits per-example scores as they are (compare.ts runComparison): never bounded.
 * @example fittedBounded(prepared.bounded, 55, {}) // null: the fit stored no bounded score
 */
export function fittedBounded(
  prepared: Bounded | null,
  rows: number,
  settings: Record<string, unknown>,
): Bounded | null {
  if (settings.model === ITEM_MODEL) return null;
  const stored = settings.bounded as
    | {
        upper?: unknown;
        likelihood?: unknown;
        reason?: unknown;
        items_per_task?: unknown;
        items_source?: unknown;
      }
    | undefined;
  if (!stored || typeof stored !== 'object' || typeof stored.upper !== 'number') return null;
  const likelihood = stored.likelihood === 'binomial' ? 'binomial' : 'logit-normal';
  const reason = typeof stored.reason === 'string' ? stored.reason : 'bounded score';
  if (likelihood === 'binomial') {
    const perTask = storedItems(stored.items_per_task);
    // fits stored before items_per_task was kept: counts cannot be rebuilt from settings alone
    if (!perTask) return prepared;
    if (prepared?.likelihood === 'binomial' && sameItems(prepared.items?.perTask, perTask)) {
      return prepared;
    }
    const source = typeof stored.items_source === 'string' ? stored.items_source : 'the fit';
    return {
      upper: stored.upper,
      n: rows,
      reason,
      likelihood: 'binomial',
      items: { perTask, source },
    };
  }
  if (prepared && (prepared.likelihood ?? 'logit-normal') === likelihood) return prepared;
  return { upper: stored.upper, n: rows, reason };
}

/** A stored items_per_task (task -> whole n >= 1), or null when absent or malformed. */
function storedItems(value: unknown): Record<string, number> | null {
  if (!value || typeof value !== 'object') return null;
  const out: Record<string, number> = {};
  for (const [task, n] of Object.entries(value)) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) return null;
    out[task] = n;
  }
  return out;
}

function sameItems(
  a: Readonly<Record<string, number>> | undefined,
  b: Readonly<Record<string, number>>,
): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  return Object.keys(a).length === keys.length && keys.every((k) => a[k] === b[k]);
}

/**
 * The comparison of a finished fit rebuilt from its stored draws with another ROPE or threshold (no
 * refit). Runs where it is called: the web app calls it on a worker thread (rebuild-worker.ts).
 * @example rebuildComparison({ spec, seed: 1, comparison, summary, table, draws, rope: 0.5 }, modelsDir)
 */
export function rebuildComparison(input: RebuildInput, modelsDir: string): Comparison {
  const { prepared } = prepareFor(input.table, input.spec, modelsDir);
  const settings = input.comparison?.settings ?? {};
  return compareFromFit(
    {
      table: prepared.table,
      draws: input.draws,
      summary: input.summary ?? undefined,
      family: typeof settings.family === 'string' ? settings.family : undefined,
      formula: typeof settings.formula === 'string' ? settings.formula : undefined,
      scale: SCALE_MODES.find((m) => m === settings.scale) ?? 'none',
      bounded: fittedBounded(prepared.bounded, prepared.table.nRows, settings),
      proportionUpper: prepared.proportionUpper,
      notes: prepared.notes,
      settings,
    },
    {
      rope: input.rope ?? (typeof settings.rope === 'number' ? settings.rope : undefined),
      threshold:
        input.threshold ??
        (typeof settings.threshold === 'number' ? settings.threshold : undefined),
      higherIsBetter: prepared.higherIsBetter,
      seed: input.seed,
    },
  );
}

/**
 * The report parts that depend on the ROPE/threshold, rebuilt from the stored draws: the comparison,
 * its view model and its plots (all of it CPU work the web app keeps off its event loop).
 * @example rebuildReport({ ...input, rope: 0.5 }, modelsDir).vm.rope // 0.5
 */
export function rebuildReport(input: RebuildInput, modelsDir: string): RebuiltReport {
  const comparison = rebuildComparison(input, modelsDir);
  const vm = comparisonViewModel(comparison, { rope: input.rope, threshold: input.threshold });
  const plots = renderComparisonPlots(comparison, { rope: input.rope }) as unknown as Record<
    string,
    string
  >;
  return { comparison, vm, plots };
}
