import { parseCsv } from '../data/csv.js';
import type { Draws } from '../draws/draws.js';
import { ConfigError } from '../errors.js';
import { type LooInput, type LooJson, looJson, looOfRun } from '../pipeline/loo.js';
import type { FitRecord, FitSpec } from '../store/store.js';
import { prepareFor } from './rebuild.js';
import { REBUILD_HEAP_MB } from './rebuild-in-worker.js';
import { runWorkerTask } from './worker-task.js';

/**
 * PSIS-LOO of a stored comparison fit (GET /api/fits/:id/loo and the report page's "Model check"
 * section): the `bayesbench loo --json` document (src/pipeline/loo.ts) computed from the fit's
 * stored draws and its dataset prepared as the fit prepared it, without refitting.
 */

/** What the LOO of a stored fit needs: its dataset's bytes, its spec, its formula and draws. */
export interface StoredLooInput {
  csv: Uint8Array;
  datasetName: string;
  spec: FitSpec;
  /** The formula the fit recorded (settings.formula): the rebuilt model must be that one. */
  formula: string | null;
  draws: Draws;
}

/** Families whose pointwise log-likelihood the comparison model has (src/model/log-lik.ts). */
const LOO_FAMILIES = ['gaussian', 'student'];

const squash = (f: string) => f.replace(/\s+/g, '');

/**
 * Why a finished fit has no LOO in the web app (one line for a 400), or null when it has one: only
 * comparison fits of the gaussian or student model (not the paired item model, whose rows are
 * per-example and whose likelihood integrates the item effects out).
 * @example looRefusal(fit) // null, or 'fit 3: PSIS-LOO is computed for ...'
 */
export function looRefusal(fit: FitRecord): string | null {
  const settings = fit.comparison?.settings ?? {};
  const family = typeof settings.family === 'string' ? settings.family : 'gaussian';
  if (settings.model === 'heuristic-task-item') {
    return `fit ${fit.id}: PSIS-LOO is computed for comparison fits of the gaussian or student model, not the paired item model`;
  }
  if (!LOO_FAMILIES.includes(family)) {
    return `fit ${fit.id}: PSIS-LOO is computed for comparison fits of the gaussian or student model, not family ${family}`;
  }
  return null;
}

/**
 * The `bayesbench loo --json` document of a stored fit, here (the web app calls it on a worker
 * thread, loo-worker.ts): the dataset parsed and prepared as the fit did (prepareFor), the fitted
 * table and model spec as `runComparison` built them, the stored draws. A model that is not the one
 * the fit recorded (settings.formula) is refused rather than scored.
 * @example looOfStoredFit({ csv, datasetName, spec, formula, draws }, modelsDir).elpd_loo
 */
export function looOfStoredFit(input: StoredLooInput, modelsDir: string): LooJson {
  const table = parseCsv(input.csv, { source: input.datasetName });
  const { prepared, mspec } = prepareFor(table, input.spec, modelsDir);
  if (input.formula !== null && squash(input.formula) !== squash(mspec.formula)) {
    throw new ConfigError(
      `PSIS-LOO: the fit's model (${input.formula}) is not the comparison model ${mspec.formula}`,
    );
  }
  const run: LooInput = { spec: mspec, prepared, fit: { draws: input.draws } };
  return looJson(run, looOfRun(run));
}

/**
 * looOfStoredFit on a worker thread (src/web/loo-worker.ts) with the rebuild's heap limit: the
 * draws are copied in, the S x N log-lik matrix lives and dies there.
 * @example await looInWorker({ csv, datasetName, spec, formula, draws }, modelsDir)
 */
export function looInWorker(input: StoredLooInput, modelsDir: string): Promise<LooJson> {
  return runWorkerTask<LooJson>('loo-worker', { input, modelsDir }, REBUILD_HEAP_MB);
}
