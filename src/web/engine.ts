import type { PlanDocument } from '../analysis/plan-from-fit.js';
import type { Comparison } from '../analysis/types.js';
import type { InputTable } from '../data/input.js';
import type { Table } from '../data/table.js';
import type { Draws } from '../draws/draws.js';
import type { PriorRow } from '../model/spec.js';
import type { LooJson } from '../pipeline/loo.js';
import type { ComparisonViewModel } from '../report/comparison-view-model.js';
import type { ProgressEvent } from '../sampler/types.js';
import type { ColumnMap, FitConfig, FitRecord, FitSpec, StoredFitResult } from '../store/store.js';
import type { ItemMatrix } from './items-types.js';
import type { WorkerInputOptions } from './parse-in-worker.js';
import type { PlanQuery } from './plan-query.js';

/**
 * What the web layer needs from the rest of bayesbench, as injectable functions: the defaults
 * (src/web/default-engine.ts) bind the data, model, analysis and report modules; tests inject fakes
 * (above all a fake `runFit`, so route tests never sample).
 */

/** One queued fit as the runner hands it to `runFit`. */
export interface FitJob {
  fitId: number;
  datasetName: string;
  /** The dataset's raw CSV bytes (the worker parses them again: Tables stay out of messages). */
  csv: Uint8Array;
  spec: FitSpec;
  config: FitConfig;
}

/** Cancellation and progress of one running fit. */
export interface FitContext {
  signal: AbortSignal;
  onProgress(event: ProgressEvent): void;
}

/** Run one fit to completion (on a worker thread in production). Rejects when cancelled. */
export type RunFit = (job: FitJob, ctx: FitContext) => Promise<StoredFitResult>;

/** What the item views of a stored fit ask the engine for (once per fit: every pair is read from it). */
export interface ItemMatrixRequest {
  /** The fit's record (its documents may be left out) and its comparison's settings. */
  fit: FitRecord;
  settings: Record<string, unknown>;
  csv: Uint8Array;
  draws: Draws;
}

/** A model file from models/*.json, as the New fit page lists it. */
export interface ModelChoice {
  name: string;
  description: string;
  formula: string;
}

/** A report rebuilt for another ROPE/threshold: what the report page prints besides rank plots. */
export interface RebuiltReport {
  comparison: Comparison;
  vm: ComparisonViewModel;
  plots: Record<string, string>;
}

/** Injectable behaviour of the web app. */
export interface Engine {
  /** Parse uploaded bytes; throws the CLI's DataError for malformed input. */
  parseCsv(bytes: Uint8Array, source: string): Table;
  /**
   * Parse an upload off the event loop (the default engine: a worker thread) in any input format
   * (src/data/input.ts parseInput; `source` is the upload's name, its extension picks the format):
   * the long Table, notes and format, with the readers' errors. Absent (test fakes): uploads use
   * parseInput on this thread with parseCsv for a long CSV.
   */
  parseUpload?(
    bytes: Uint8Array,
    source: string,
    options?: WorkerInputOptions,
  ): Promise<InputTable>;
  /** Column mapping found by name (the CLI's defaults). */
  detectColumns(table: Table): Partial<ColumnMap>;
  /** Throw the CLI's error when the mapping or model does not fit the table (nothing is created). */
  checkFit(table: Table, spec: FitSpec): void;
  /** The priors a fit would use (the `bayesbench priors` rows). */
  priors(table: Table, spec: FitSpec): PriorRow[];
  /** Models offered on the New fit page. */
  models(): ModelChoice[];
  /**
   * Rebuild a finished fit's report for another ROPE/threshold from its stored draws (no refit): the
   * comparison, its view model and plots. `csv` is the dataset's bytes; the default engine parses
   * them and does all of it on a worker thread.
   */
  rebuildReport?(input: {
    fit: FitRecord;
    csv: Uint8Array;
    draws: Draws;
    rope?: number;
    threshold?: number;
  }): Promise<RebuiltReport>;
  /**
   * PSIS-LOO of a finished comparison fit from its stored draws: the `bayesbench loo --json`
   * document. The default engine computes it on a worker thread. Absent: the app answers 404.
   */
  loo?(input: { fit: FitRecord; csv: Uint8Array; draws: Draws }): Promise<LooJson>;
  /**
   * "What to run next" for a finished comparison fit from its stored draws: the `bayesbench plan
   * --json` document. The default engine plans on a worker thread. Absent: the app answers 404.
   */
  plan?(input: {
    fit: FitRecord;
    csv: Uint8Array;
    draws: Draws;
    query: PlanQuery;
  }): Promise<PlanDocument>;
  /**
   * The item matrix of a finished fit of the paired item model (src/web/item-matrix.ts), from its
   * stored draws and dataset, that every pair's item-level results are read from
   * (src/web/items.ts itemsDoc). The default engine builds it on a worker thread. Absent: the app
   * answers 404.
   */
  itemMatrix?(input: ItemMatrixRequest): Promise<ItemMatrix>;
  runFit: RunFit;
}
