/**
 * bayesbench's public library API (`import { sample, fit, compare } from 'bayesbench'`): the
 * sampler for your own log density, the diagnostics of the R package posterior, brms-style models,
 * the heuristic comparison, CSV and draws I/O, and the store and web app. These names are stable;
 * everything else (kernels, view models, plots, the web app's parts) is under
 * `bayesbench/internals` (src/internals.ts), which may change in any release.
 *
 * @example
 * import { compare, readCsvFile } from 'bayesbench';
 * const comparison = await compare(await readCsvFile('runs.csv'), { sampler: { seed: 1 } });
 */

export { formatComparison } from './analysis/format.js';
export { compareFromFit, type DecisionOptions } from './analysis/from-fit.js';
export type {
  BudgetCrossing,
  BudgetCurvePoint,
  Comparison,
  ComparisonBackbones,
  ComparisonBudgets,
  ComparisonCategory,
  ComparisonCell,
  ComparisonDiagnostics,
  ComparisonHeuristic,
  ComparisonPair,
  ComparisonRobustness,
  ComparisonTask,
  ComparisonVarianceComponent,
  RobustnessFlip,
  RobustnessTask,
} from './analysis/types.js';
// data and draws I/O
export { type CsvOptions, parseCsv, readCsvFile } from './data/csv.js';
export { type DataRecord, tableFromRecords } from './data/records.js';
export type { Table } from './data/table.js';

// diagnostics (docs/ALGORITHMS.md §5; the R package posterior 1.7.1)
export { DEFAULT_THRESHOLDS } from './diagnostics/checks.js';
export { essBulk, essTail } from './diagnostics/ess.js';
export { mcseMean, mcseMedian, mcseQuantile, mcseSd } from './diagnostics/mcse.js';
export { rhat } from './diagnostics/rhat.js';
export { summarize, summarizeDraws, summarizeFit } from './diagnostics/summarize.js';
export type {
  DiagnosticWarning,
  Summary,
  SummaryRow,
  Thresholds,
} from './diagnostics/types.js';
export { readDrawsCsv, writeDrawsCsv } from './draws/csv.js';
export type { Draws, SamplerStats } from './draws/draws.js';
export type { Fit, FitSettings, MetricKind } from './draws/fit.js';
export * from './errors.js';
// models and the comparison
export { compileModel } from './model/compile.js';
export type { CompiledModel, Family, ModelSpec, PriorRow } from './model/spec.js';
export {
  type CompareOptions,
  type ComparisonRun,
  compare,
  runComparison,
} from './pipeline/compare.js';
export { type FitOptions, type FitResult, fit } from './pipeline/fit.js';
export { summarizeFitInWorkers } from './pipeline/summarize-in-workers.js';
// sampling your own log density (the LogDensity contract, docs/ARCHITECTURE.md "The seven nouns")
export { checkGradient, type GradientCheck } from './sampler/check-gradient.js';
export { destroySamplerPool, warmSamplerPool } from './sampler/pool.js';
export { sample } from './sampler/sample.js';
export type {
  LogDensity,
  ModelSource,
  ModuleCall,
  ProgressEvent,
  SamplerConfig,
} from './sampler/types.js';
// store and web app
export { openStore, type Store } from './store/store.js';
export { type AppOptions, createApp } from './web/app.js';
export { type RunningServer, type ServeOptions, startServer } from './web/server.js';
