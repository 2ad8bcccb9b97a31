import { join } from 'node:path';
import { comparisonSpec } from '../analysis/compare.js';
import { compareFromFit } from '../analysis/from-fit.js';
import { prepareComparison } from '../analysis/prepare.js';
import { findColumns } from '../data/benchmark.js';
import { parseCsv } from '../data/csv.js';
import { compileModel } from '../model/compile.js';
import { packageRoot } from './app.js';
import type { Engine } from './engine.js';
import { compareOptions, readModels } from './fit-options.js';
import { workerRunFit } from './run-fit.js';

/**
 * The engine over the real modules: the data layer's parser and column checks (so uploads and
 * mappings fail with the CLI's messages), the model layer's priors, the analysis' compareFromFit,
 * and fits on worker threads.
 *
 * @example createApp({ store, engine: defaultEngine() })
 */
export function defaultEngine(modelsDir = join(packageRoot(), 'models')): Engine {
  const models = () => readModels(modelsDir);
  const prepare = (
    table: Parameters<Engine['checkFit']>[0],
    spec: Parameters<Engine['checkFit']>[1],
  ) => {
    const options = compareOptions(spec, { chains: 1, warmup: 1, draws: 1, seed: 1 }, models());
    const prepared = prepareComparison(table, options);
    const mspec = comparisonSpec(prepared, options);
    return { prepared, mspec, options };
  };
  return {
    parseCsv: (bytes, source) => parseCsv(bytes, { source }),
    detectColumns: (table) => findColumns(table),
    checkFit(table, spec) {
      const { prepared, mspec } = prepare(table, spec);
      compileModel(mspec, prepared.table);
    },
    priors(table, spec) {
      const { prepared, mspec } = prepare(table, spec);
      return [...compileModel(mspec, prepared.table).priors];
    },
    models: () =>
      models().map((m) => ({ name: m.name, description: m.description ?? '', formula: m.formula })),
    compareFromFit({ fit, table, draws, rope, threshold }) {
      const { prepared } = prepare(table, fit.spec);
      const c = fit.comparison;
      const settings = c?.settings ?? {};
      return compareFromFit(
        {
          table: prepared.table,
          draws,
          summary: fit.summary ?? undefined,
          family: typeof settings.family === 'string' ? settings.family : undefined,
          formula: typeof settings.formula === 'string' ? settings.formula : undefined,
          scale: settings.scale === 'task' ? 'task' : 'none',
          notes: prepared.notes,
          settings,
        },
        {
          rope: rope ?? (typeof settings.rope === 'number' ? settings.rope : undefined),
          threshold:
            threshold ?? (typeof settings.threshold === 'number' ? settings.threshold : undefined),
          higherIsBetter: prepared.higherIsBetter,
          seed: fit.config.seed,
        },
      );
    },
    runFit: workerRunFit(modelsDir),
  };
}
