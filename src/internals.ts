/**
 * Everything the library holds, for tools built on bayesbench's parts (kernels, view models, plots,
 * the web app's pieces): `import { nutsTransition } from 'bayesbench/internals'`. Not a stable API:
 * names here may change in any release. The stable API is src/index.ts (`from 'bayesbench'`).
 */

export { type CellDraws, cellDraws } from './analysis/cells.js';
export {
  type Decision,
  decide,
  type PairProbabilities,
  PROBABLE,
  type RopeProbabilities,
  ropeProbabilities,
} from './analysis/decision.js';
export { formatComparison } from './analysis/format.js';
export {
  compareFromFit,
  type DecisionOptions,
  type FitInput,
  type FromFitOptions,
  type ScaleMode,
  scaleTable,
} from './analysis/from-fit.js';
export { fromColumns, type HeuristicDraws } from './analysis/matrix.js';
export { overallCells } from './analysis/overall-cells.js';
export { type PairwiseOptions, pairwiseComparisons } from './analysis/pairwise.js';
export { ppcByTask } from './analysis/ppc.js';
export { type RankSummary, rankSummary } from './analysis/ranks.js';
export {
  confidentlyBetter,
  type Recommendation,
  recommend,
  TIE_RULE,
  tieGroups,
} from './analysis/recommend.js';
export {
  confidentAboutBest,
  flipsAgainst,
  LOTO_METHOD,
  LOTO_MIN_TASKS,
  type LotoScopeInput,
  leaveOneTaskOut,
  robustnessSentence,
} from './analysis/robustness.js';
export { defaultRope, taskScales } from './analysis/rope.js';
export type {
  Comparison,
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
export { varianceComponents } from './analysis/variance.js';
// data (CSV -> Table, benchmark column mapping, synthetic data):
export { asFactor, cellText, rowLocation, selectRows } from './data/access.js';
export {
  type ColumnMapping,
  type ColumnOverrides,
  type ComparisonData,
  detectColumns,
  findColumns,
  type PrepareOptions,
  prepareComparisonData,
} from './data/benchmark.js';
export { type CsvOptions, parseCsv, readCsvFile } from './data/csv.js';
export { type DataRecord, tableFromRecords } from './data/records.js';
export {
  generateSynthetic,
  type SynthOptions,
  type SynthTruth,
  synthBatches,
  synthRecords,
  synthRows,
} from './data/synth.js';
export type { Column, FactorColumn, NumericColumn, Table } from './data/table.js';
// diagnostics (docs/ALGORITHMS.md §5; posterior 1.7.1):
export { autocovariance, meanAutocovariance } from './diagnostics/autocovariance.js';
export {
  DEFAULT_THRESHOLDS,
  diagnosticWarnings,
  REMEDIES,
  resolveThresholds,
} from './diagnostics/checks.js';
export {
  essBasic,
  essBulk,
  essCore,
  essMean,
  essMedian,
  essQuantile,
  essSd,
  essTail,
} from './diagnostics/ess.js';
export {
  type LogLikMatrix,
  type LooCompareRow,
  type LooResult,
  loo,
  looCompare,
  relativeEff,
} from './diagnostics/loo.js';
export { mcseMean, mcseMedian, mcseQuantile, mcseSd } from './diagnostics/mcse.js';
export { drawsMean, mad, median, quantile7, sd } from './diagnostics/measures.js';
export { gpdFit, paretoKThreshold, psis, psisTailLength } from './diagnostics/psis.js';
export { averageRanks, foldDraws, uScale, zScale } from './diagnostics/rank.js';
export { rhat, rhatBasic, rhatBulk, rhatCore, rhatTail } from './diagnostics/rhat.js';
export { ebfmi, samplerDiagnostics } from './diagnostics/sampler.js';
export { splitChains } from './diagnostics/split.js';
export {
  isSamplerField,
  summarize,
  summarizeDraws,
  summarizeFit,
  summaryOfFit,
} from './diagnostics/summarize.js';
export { type RowWorkspace, rowWorkspace, summaryRow } from './diagnostics/summary-row.js';
export {
  type DiagnosticWarning,
  type SamplerSummary,
  SUMMARY_COLUMNS,
  type Summary,
  type SummaryRow,
  type Thresholds,
} from './diagnostics/types.js';
// draws I/O (draws CSV, CmdStan CSV) and the terminal renderings of a Summary:
export { bindChains } from './draws/bind.js';
export { isCmdStanCsv, readCmdStanCsv, type SourceText } from './draws/cmdstan.js';
export { type DrawsInput, readDrawsCsv, writeDrawsCsv } from './draws/csv.js';
export type { Draws, SamplerStats } from './draws/draws.js';
export { chainOf, createDraws, drawIndex, SAMPLER_FIELDS, variableBlock } from './draws/draws.js';
export type { Fit, FitSettings, MetricKind } from './draws/fit.js';
export { readDrawsFiles } from './draws/read.js';
export { selectVariables } from './draws/select.js';
export * from './errors.js';
export type { Rng } from './math/rng.js';
export { createRng } from './math/rng.js';
export type { CompileOptions, Model } from './model/compile.js';
export { compileModel, defaultPriors } from './model/compile.js';
export type { GroupTerm, ParsedFormula, PopTerm } from './model/formula.js';
export { parseFormula } from './model/formula.js';
export { type PointwiseLogLik, pointwiseLogLik } from './model/log-lik.js';
export { nestApplies } from './model/nested-data.js';
export { isNestedModel, type NestedModel } from './model/nested-model.js';
export { posteriorPredict } from './model/predict.js';
export { prepareTable } from './model/prepare.js';
export type { ParsedPrior, PriorDist } from './model/priors.js';
export { parsePrior } from './model/priors.js';
export type { CompiledModel, Family, GroupInfo, ModelSpec, PriorRow } from './model/spec.js';
export { parseModelSpec, readModelSpecFile } from './model/specfile.js';
// comparison analysis (src/analysis/: compare, decisions, ranks, recommendations, calibration):
export {
  type CalibrationOptions,
  type CalibrationResult,
  rankHistogram,
  runCalibration,
  simulateBenchmark,
} from './pipeline/calibration.js';
export { CHECK_METHOD, checkVariants, modelCheck } from './pipeline/check.js';
export {
  COMPARE_SAMPLER_DEFAULTS,
  type CompareOptions,
  type ComparisonRun,
  compare,
  comparisonSpec,
  DEFAULT_FORMULA,
  readModelSpec,
  runComparison,
} from './pipeline/compare.js';
// pipeline (src/pipeline/: compile -> sample -> summarize in one call, summaries on worker threads):
export type { FitOptions, FitResult } from './pipeline/fit.js';
export { fit } from './pipeline/fit.js';
export { logLikCsv, looJson, looOfRun, type RunLoo } from './pipeline/loo.js';
export {
  REFIT_METHOD,
  type RefitRobustnessOptions,
  refitRobustness,
} from './pipeline/robustness-refit.js';
export {
  PARALLEL_SUMMARY_MIN_VALUES,
  summarizeDrawsInWorkers,
  summarizeFitInWorkers,
} from './pipeline/summarize-in-workers.js';
// report (src/report/: pure Comparison/Summary/Draws -> SVG strings, view models, static HTML):
export { type BannerItem, type DiagnosticsBanner, diagnosticsBanner } from './report/banner.js';
export { categoryForestPlot } from './report/category-forest-plot.js';
export { type ComparisonPlots, renderComparisonPlots } from './report/comparison-plots.js';
export {
  type ComparisonViewModel,
  comparisonViewModel,
  type PairGroup,
  type PairRow,
} from './report/comparison-view-model.js';
export {
  autocorrelationPlot,
  densityPlot,
  rankPlot,
  tracePlot,
} from './report/diagnostic-plots.js';
export { escapeHtml } from './report/escape.js';
export { forestPlot } from './report/forest-plot.js';
export { formatCheck, formatLoo } from './report/loo-text.js';
export { pairwiseHeatmap } from './report/pairwise-heatmap.js';
export { pBestBars } from './report/pbest-bars.js';
export { ppcPlot } from './report/ppc-plot.js';
export { rankProbabilityHeatmap } from './report/rank-heatmap.js';
export {
  ropeSensitivityFromPair,
  ropeSensitivityPlot,
} from './report/rope-sensitivity-plot.js';
export { renderStaticReport, reportCss, type StaticReportInput } from './report/static-report.js';
export { type SummaryViewModel, summaryViewModel } from './report/summary-view-model.js';
export { standaloneSvg } from './report/svg.js';
export { taskEffectsPlot } from './report/task-effects-plot.js';
export { taskMeansHeatmap } from './report/task-heatmap.js';
export {
  formatBanner,
  formatSummaryTable,
  formatWithMcse,
  mcseDecimals,
  type SummaryTableOptions,
  type TextBannerOptions,
} from './report/text.js';
export {
  topLevelRankPlots,
  topLevelVariables,
  type VariableExplorerPlots,
  variableExplorer,
} from './report/variable-explorer.js';
export type { GradientCheck } from './sampler/check-gradient.js';
export { checkGradient } from './sampler/check-gradient.js';
export { leapfrog } from './sampler/leapfrog.js';
export type { Metric } from './sampler/metric.js';
export { createMetric, kineticEnergy, unitMetric } from './sampler/metric.js';
export type { HmcState, NutsInfo, NutsParams, NutsWorkspace } from './sampler/nuts.js';
export {
  createHmcState,
  createNutsInfo,
  createNutsWorkspace,
  nutsTransition,
} from './sampler/nuts.js';
export { destroySamplerPool, warmSamplerPool } from './sampler/pool.js';
export { sample } from './sampler/sample.js';
export type {
  LogDensity,
  ModelSource,
  ModuleCall,
  ProgressEvent,
  ReportingModel,
  SamplerConfig,
} from './sampler/types.js';
export { adaptationWindows } from './sampler/warmup.js';
// store + web (src/store/, src/web/: SQLite store, Express app, job runner, `serve`):
export {
  type ColumnMap,
  type DatasetInfo,
  type FitConfig,
  type FitRecord,
  type FitSpec,
  type FitStatus,
  openStore,
  type Store,
  type StoredFitResult,
} from './store/store.js';
export { type AppOptions, createApp } from './web/app.js';
export type { Engine, FitJob, RunFit } from './web/engine.js';
export { createRunner, type Runner, type RunnerOptions } from './web/runner.js';
export { type RunningServer, type ServeOptions, startServer } from './web/server.js';
