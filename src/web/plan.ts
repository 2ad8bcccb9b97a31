import type { PlanDocument } from '../analysis/plan-from-fit.js';
import { costFromColumn } from '../analysis/plan-inputs.js';
import { parseCsv } from '../data/csv.js';
import type { Table } from '../data/table.js';
import type { Draws } from '../draws/draws.js';
import { ConfigError, DataError } from '../errors.js';
import { planFromRun } from '../pipeline/plan.js';
import type { FitSpec } from '../store/store.js';
import type { PlanQuery } from './plan-query.js';
import { prepareFor } from './rebuild.js';
import { REBUILD_HEAP_MB } from './rebuild-in-worker.js';
import { runWorkerTask } from './worker-task.js';

/**
 * "What to run next" for a stored comparison fit (GET /api/fits/:id/plan, plan.csv and the report
 * page's panel): the `bayesbench plan --json` document (src/analysis/plan-from-fit.ts) computed
 * from the fit's stored draws and its dataset prepared as the fit prepared it, without refitting.
 */

/** What planning a stored fit needs: its dataset's bytes, its spec, formula, sampler seed and draws. */
export interface StoredPlanInput {
  csv: Uint8Array;
  datasetName: string;
  spec: FitSpec;
  /** The formula the fit recorded (settings.formula): the rebuilt model must be that one. */
  formula: string | null;
  /** The fit's sampler seed (the cell means' new-level draws use it, as `plan` does). */
  seed: number;
  /** The ROPE of the fit's comparison (settings.rope), the stopping rule's scale; absent: the planner's default. */
  rope?: number;
  draws: Draws;
  query: PlanQuery;
}

const squash = (f: string) => f.replace(/\s+/g, '');

/**
 * `?cost=COLUMN`: the cost of a run from a column of the dataset (costFromColumn), with the
 * request's parameter named in the messages instead of the CLI's `--cost`.
 */
function costColumn(table: Table, column: string, mapping: { heuristic: string; task: string }) {
  if (!table.columns[column]) {
    throw new DataError(`cost: "${column}" is not a column of ${table.source ?? 'the dataset'}`);
  }
  try {
    return costFromColumn(table, column, mapping.heuristic, mapping.task);
  } catch (err) {
    if (err instanceof DataError) throw new DataError(err.message.replace(/^--cost/, 'cost'));
    throw err;
  }
}

/**
 * The `bayesbench plan --json` document of a stored fit, here (the web app calls it on a worker
 * thread, plan-worker.ts): the dataset parsed and prepared as the fit did (prepareFor), then
 * planFromRun on the stored draws with the fit's seed and ROPE, exactly what `plan` does after its fit.
 * @example planOfStoredFit({ csv, datasetName, spec, formula, seed: 1, draws, query: { runs: 3 } }, modelsDir)
 */
export function planOfStoredFit(input: StoredPlanInput, modelsDir: string): PlanDocument {
  const table = parseCsv(input.csv, { source: input.datasetName });
  const { prepared, mspec } = prepareFor(table, input.spec, modelsDir);
  if (input.formula !== null && squash(input.formula) !== squash(mspec.formula)) {
    throw new ConfigError(
      `plan: the fit's model (${input.formula}) is not the comparison model ${mspec.formula}`,
    );
  }
  const q = input.query;
  const cost = q.cost === undefined ? undefined : costColumn(table, q.cost, prepared.mapping);
  // the grouping terms come from the draws' names (no compiled model), as the report rebuilt
  // from stored draws does; the ROPE is the one the fit's comparison used
  return planFromRun(
    {
      prepared,
      spec: mspec,
      fit: { draws: input.draws, config: { seed: input.seed } },
      comparison: { settings: input.rope === undefined ? {} : { rope: input.rope } },
    },
    {
      ...(q.runs !== undefined ? { runs: q.runs } : {}),
      ...(q.stopRuns !== undefined ? { stopRuns: q.stopRuns } : {}),
      ...(q.stopThreshold !== undefined ? { stopThreshold: q.stopThreshold } : {}),
      ...(q.seed !== undefined ? { seed: q.seed } : {}),
      ...(cost ? { cost } : {}),
    },
  );
}

/**
 * planOfStoredFit on a worker thread (src/web/plan-worker.ts) with the rebuild's heap limit: the
 * draws are copied in, the simulated outcomes live and die there.
 * @example await planInWorker(input, modelsDir)
 */
export function planInWorker(input: StoredPlanInput, modelsDir: string): Promise<PlanDocument> {
  return runWorkerTask<PlanDocument>('plan-worker', { input, modelsDir }, REBUILD_HEAP_MB);
}
