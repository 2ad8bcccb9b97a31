/**
 * fit: data + formula -> compiled model -> NUTS draws -> summary, in one call (the library face of
 * `bayesbench fit`). Orchestration: the one layer that calls the model layer, the sampler and
 * diagnostics together.
 */
import { type DataRecord, tableFromRecords } from '../data/records.js';
import type { Table } from '../data/table.js';
import { summarizeFit } from '../diagnostics/summarize.js';
import type { Summary, Thresholds } from '../diagnostics/types.js';
import type { Fit } from '../draws/fit.js';
import { compileModel, type Model, normalizeSpec } from '../model/compile.js';
import { prepareTable } from '../model/prepare.js';
import type { Family } from '../model/spec.js';
import { sample } from '../sampler/sample.js';
import type { SamplerConfig } from '../sampler/types.js';
import { summarizeFitInWorkers } from './summarize-in-workers.js';

/** Options of `fit`: the model (formula, family, priors) and the sampler settings. */
export interface FitOptions extends SamplerConfig {
  formula: string;
  family?: Family;
  /** Prior statements, e.g. ['sd ~ student_t(3, 0, 2.5)']. */
  priors?: string[];
  name?: string;
  /** Group terms to sample centred, or 'auto' (default); see ModelSpec.centred. */
  centred?: string[] | 'auto';
  /** Drop rows with missing values in the columns the model uses (default: throw DataError). */
  dropMissing?: boolean;
  /** Diagnostic thresholds passed to summarizeFit. */
  thresholds?: Partial<Thresholds>;
}

/** What `fit` returns. */
export interface FitResult {
  model: Model;
  fit: Fit;
  summary: Summary;
  /** Rows dropped for missing values (0 unless dropMissing). */
  dropped: number;
}

/**
 * Fit a brms-style model with NUTS: `fit(table | records, {formula, family, priors, ...sampler options})`.
 * Chains run on worker threads (the model is rebuilt there from spec + table).
 *
 * @example
 * const { summary } = await fit(records, { formula: 'score ~ 1 + (1|heuristic) + (1|task)', seed: 1 });
 * summary.variables.find((v) => v.variable === 'sd_task__Intercept')?.mean
 */
export async function fit(
  data: Table | readonly DataRecord[],
  options: FitOptions,
): Promise<FitResult> {
  const table: Table = Array.isArray(data)
    ? tableFromRecords(data as DataRecord[])
    : (data as Table);
  const { formula, family, priors, name, centred, dropMissing, thresholds, ...config } = options;
  const spec = normalizeSpec({
    formula,
    ...(family !== undefined ? { family } : {}),
    priors: priors ?? [],
    ...(name !== undefined ? { name } : {}),
    ...(centred !== undefined ? { centred } : {}),
  });
  const prepared = prepareTable(spec, table, dropMissing ?? false);
  const model = compileModel(spec, prepared.table);
  const result = await sample(model, config);
  // the rows on the chains' worker threads when the chains ran there (same rows either way)
  const summary =
    config.parallel === false
      ? summarizeFit(result, thresholds)
      : await summarizeFitInWorkers(result, thresholds);
  return { model, fit: result, summary, dropped: prepared.dropped };
}
