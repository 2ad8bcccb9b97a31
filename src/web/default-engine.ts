import { join } from 'node:path';
import { findColumns } from '../data/benchmark.js';
import { parseCsv } from '../data/csv.js';
import { compileModel } from '../model/compile.js';
import { comparisonPriors, modelInputTable } from '../pipeline/compare.js';
import type { FitRecord } from '../store/store.js';
import type { Engine } from './engine.js';
import { readModels } from './fit-options.js';
import { itemMatrixInWorker } from './items-in-worker.js';
import { looInWorker } from './loo.js';
import { parseInWorker } from './parse-in-worker.js';
import { packageRoot } from './paths.js';
import { planInWorker } from './plan.js';
import { prepareFor } from './rebuild.js';
import { rebuildInWorker } from './rebuild-in-worker.js';
import { workerRunFit } from './run-fit.js';

/** The formula a finished fit recorded (settings.formula), or null. */
const recordedFormula = (fit: FitRecord): string | null =>
  typeof fit.comparison?.settings?.formula === 'string' ? fit.comparison.settings.formula : null;

/** The ROPE a finished fit's comparison used (settings.rope), as an optional field. */
const storedRope = (fit: FitRecord): { rope?: number } => {
  const r = fit.comparison?.settings?.rope;
  return typeof r === 'number' && Number.isFinite(r) ? { rope: r } : {};
};

/**
 * The engine over the real modules: the data layer's parser and column checks (so uploads and
 * mappings fail with the CLI's messages), the model layer's priors, comparison rebuilds for another
 * ROPE/threshold, PSIS-LOO and plans of stored fits and fits, all on worker threads.
 *
 * @example createApp({ store, engine: defaultEngine() })
 */
export function defaultEngine(modelsDir = join(packageRoot(), 'models')): Engine {
  const models = () => readModels(modelsDir);
  return {
    parseCsv: (bytes, source) => parseCsv(bytes, { source }),
    parseUpload: parseInWorker,
    detectColumns: (table) => findColumns(table),
    checkFit(table, spec) {
      const { prepared, mspec, options } = prepareFor(table, spec, modelsDir);
      compileModel(mspec, modelInputTable(prepared, options));
    },
    // what the fit will record in settings.priors: compare's priors after its internal
    // standardization, in the score's units (not the raw-score brms defaults)
    priors(table, spec) {
      const { prepared, mspec, options } = prepareFor(table, spec, modelsDir);
      return comparisonPriors(modelInputTable(prepared, options), mspec);
    },
    models: () =>
      models().map((m) => ({ name: m.name, description: m.description ?? '', formula: m.formula })),
    rebuildReport: ({ fit, csv, draws, rope, threshold }) =>
      rebuildInWorker({
        csv,
        datasetName: fit.datasetName,
        input: {
          spec: fit.spec,
          seed: fit.config.seed,
          comparison: fit.comparison,
          summary: fit.summary,
          draws,
          rope,
          threshold,
        },
        modelsDir,
      }),
    loo: ({ fit, csv, draws }) =>
      looInWorker(
        {
          csv,
          datasetName: fit.datasetName,
          spec: fit.spec,
          formula: recordedFormula(fit),
          draws,
        },
        modelsDir,
      ),
    plan: ({ fit, csv, draws, query }) =>
      planInWorker(
        {
          csv,
          datasetName: fit.datasetName,
          spec: fit.spec,
          formula: recordedFormula(fit),
          seed: fit.config.seed,
          ...storedRope(fit),
          draws,
          query,
        },
        modelsDir,
      ),
    itemMatrix: ({ fit, settings, csv, draws }) =>
      itemMatrixInWorker(
        {
          fitId: fit.id,
          csv,
          datasetName: fit.datasetName,
          spec: fit.spec,
          settings,
          seed: fit.config.seed,
          draws,
        },
        modelsDir,
      ),
    runFit: workerRunFit(modelsDir),
  };
}
