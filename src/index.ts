/**
 * bayesbench's public library API: the one barrel. Script users `import { sample, fit, compare } from 'bayesbench'`.
 */

export type { Column, FactorColumn, NumericColumn, Table } from './data/table.js';
export type {
  DiagnosticWarning,
  SamplerSummary,
  Summary,
  SummaryRow,
  Thresholds,
} from './diagnostics/types.js';
export type { Draws, SamplerStats } from './draws/draws.js';
export { chainOf, createDraws, drawIndex, SAMPLER_FIELDS, variableBlock } from './draws/draws.js';
export * from './errors.js';
export type { CompiledModel, Family, ModelSpec, PriorRow } from './model/spec.js';
export type {
  Fit,
  LogDensity,
  MetricKind,
  ModelSource,
  ProgressEvent,
  ReportingModel,
  SamplerConfig,
} from './sampler/types.js';

// --- sampler (issue 2): add exports below this line

// --- diagnostics and draws I/O (issue 3): add exports below this line

// data (CSV -> Table, benchmark column mapping, synthetic data):
export { asFactor, cellText, rowLocation, selectRows } from './data/access.js';
export { type CsvOptions, parseCsv, readCsvFile } from './data/csv.js';
export { type DataRecord, tableFromRecords } from './data/records.js';
// --- data and model layer (issue 4): add exports below this line
export type { CompileOptions, Model } from './model/compile.js';
export { compileModel, defaultPriors } from './model/compile.js';
export type { GroupTerm, ParsedFormula, PopTerm } from './model/formula.js';
export { parseFormula } from './model/formula.js';
export type { ParsedPrior, PriorDist } from './model/priors.js';
export { parsePrior } from './model/priors.js';
export type { GroupInfo } from './model/spec.js';

// --- comparison analysis (issue 5): add exports below this line

// --- report, store, web (issue 6): add exports below this line
