import {
  type ColumnMapping,
  type ColumnOverrides,
  type ComparisonData,
  detectColumns,
  type PrepareOptions,
  prepareComparisonData,
} from '../data/benchmark.js';
import { budgetOrder, isFullBudget } from '../data/budget.js';
import type { Table } from '../data/table.js';
import { ConfigError, DataError } from '../errors.js';
import { binomialItems, type ItemsPerTask } from './binomial-items.js';
import { type Bounded, boundedScore, proportionUpper } from './bounded.js';
import { checkNotFlat } from './flat-tasks.js';
import type { ScaleMode } from './from-fit.js';
import { checkComparisonSize, comparisonSize } from './limits.js';

export type { ColumnOverrides } from '../data/benchmark.js';

/** The canonical comparison table in the score's own units, ready for the model. */
export interface PreparedComparison {
  /** Columns heuristic, task, category?, study?, seed?, score (original units), se?, trials?. */
  table: Table;
  mapping: ColumnMapping;
  /** Orientation for decisions: false when every score is lower-is-better. */
  higherIsBetter: boolean;
  /**
   * How scores are scaled before the fit: the user's `--scale`, else 'task' when the metric column
   * names several metrics (their units differ), else 'none'.
   */
  scale: ScaleMode;
  /**
   * A bounded metric at its ceiling or floor (src/analysis/bounded.ts): the model is fitted on the
   * logit of the proportion and results are put back in score units; null otherwise.
   */
  bounded: Bounded | null;
  /**
   * The upper bound (1 or 100) of the proportion scale the scores are on (accuracy, F1...), which
   * sets the default ROPE (src/analysis/rope.ts); 0 when not a known proportion scale or when the
   * scores are standardized per task.
   */
  proportionUpper: number;
  notes: string[];
  /** Settings to record in the Comparison (columns used, filters, dropped rows). */
  settings: Record<string, unknown>;
}

/** Options read by `prepareComparison`. */
export interface PrepareInput {
  columns?: ColumnOverrides;
  filters?: readonly string[];
  dropMissing?: boolean;
  higherIsBetter?: boolean;
  scale?: ScaleMode;
  /**
   * Items per task for the binomial model of accuracy-type scores (src/analysis/binomial-items.ts);
   * default: the sizes table when it fits; 'none': never binomial.
   */
  itemsPerTask?: ItemsPerTask | 'none';
}

/**
 * Fewest levels of an automatically detected study column for a `(1|study)` term: with 2-4 studies
 * the between-study sd is barely identified (a half-t prior on 2-4 values leaves a funnel the
 * sampler diverges in; Gelman 2006, "Prior distributions for variance parameters in hierarchical
 * models", section 5), so such a provenance column is left out unless rows repeat across it.
 */
export const MIN_STUDY_LEVELS = 5;

/** Distinct values of a canonical factor column (0 when absent). */
function levelCount(table: Table, name: string): number {
  const col = table.columns[name];
  return col?.type === 'factor' ? col.levels.length : 0;
}

/** "backbone: model (4 levels)"-style lines for every structural role found. */
function roleLines(data: ComparisonData): string[] {
  const m = data.mapping;
  const t = data.table;
  const out: string[] = [];
  if (m.backbone && levelCount(t, 'backbone') > 1) {
    out.push(
      `backbone: ${m.backbone} (${levelCount(t, 'backbone')} levels): heuristics are compared within backbone and pooled over backbones`,
    );
  }
  const budget = t.columns.budget;
  if (m.budget && budget?.type === 'factor') {
    const full = Array.from(budget.codes).some((c) => c < 0 || isFullBudget(budget.levels[c]));
    out.push(
      `budget: ${m.budget} (${budgetOrder(budget.levels.filter((l) => !isFullBudget(l))).join(', ')}${full ? '; empty = full cache, the reference' : ''}): each heuristic at each budget is compared`,
    );
  }
  if (m.item && levelCount(t, 'item') > 0) {
    out.push(
      `item: ${m.item} (${levelCount(t, 'item')} ids): rows of different heuristics on the same item of a task are paired (item effects crossed with heuristics, integrated out)`,
    );
  }
  if (m.metric && levelCount(t, 'metric') > 0) {
    const metric = t.columns.metric;
    const levels = metric.type === 'factor' ? metric.levels : [];
    out.push(`metric: ${m.metric} (${levels.join(', ')})`);
  }
  return out;
}

/** The metric names of a table: the metric column's values, else the score column's name. */
function metricNames(table: Table, mapping: ColumnMapping): string[] {
  const col = mapping.metric !== undefined ? table.columns[mapping.metric] : undefined;
  if (col?.type === 'factor') return [...col.levels];
  return [mapping.score];
}

/**
 * The data layer's preparation with the study rule applied: an automatically detected study column
 * with fewer than MIN_STUDY_LEVELS values is left out (with a note) unless rows repeat across it.
 */
function prepareWithStudyRule(
  table: Table,
  mapping: ColumnMapping,
  overrides: ColumnOverrides,
  options: PrepareOptions,
): { data: ComparisonData; mapping: ColumnMapping; notes: string[] } {
  const data = prepareComparisonData(table, mapping, options);
  const k = levelCount(data.table, 'study');
  if (overrides.study !== undefined || k < 2 || k >= MIN_STUDY_LEVELS) {
    return { data, mapping, notes: [] };
  }
  const without: ColumnMapping = { ...mapping };
  delete without.study;
  try {
    const d = prepareComparisonData(table, without, options);
    return {
      data: d,
      mapping: without,
      notes: [
        `column "${mapping.study}" (study) has ${k} values: too few to estimate a spread between studies, so it is left out (name it with --study to keep a study term)`,
      ],
    };
  } catch {
    return {
      data,
      mapping,
      notes: [
        `column "${mapping.study}" (study) has ${k} values and rows repeat across it, so it stays as a study term; with fewer than ${MIN_STUDY_LEVELS} studies its sd is weakly identified`,
      ],
    };
  }
}

/**
 * Column detection and the data layer's checks (src/data/benchmark.ts), then one analysis-side
 * step: when every score was negated because lower is better, the scores are put back in their own
 * units and the orientation is carried as `higherIsBetter: false`, so every reported mean stays in
 * the units people know (decisions and ranks use the orientation). Rows with mixed orientation stay
 * negated (higher is better everywhere), as the data layer's note says. Scaling per task is done by
 * the analysis (`scaleTable`), not here, so `compareFromFit` can rebuild from the unscaled table.
 * A table over the size limits (src/analysis/limits.ts) or without any spread in its scores
 * (src/analysis/flat-tasks.ts) is refused here with a DataError.
 * @example const p = prepareComparison(table, { filters: ['budget=128'] }); p.table.columns.score
 */
export function prepareComparison(table: Table, input: PrepareInput = {}): PreparedComparison {
  const overrides = input.columns ?? {};
  const seedOverride = overrides.seed;
  if (
    typeof seedOverride === 'string' &&
    /^\d+$/.test(seedOverride) &&
    !Object.hasOwn(table.columns, seedOverride)
  ) {
    throw new ConfigError(
      `--seed names the seed/run column (there is no column "${seedOverride}"); the sampler's random seed is --sampler-seed`,
    );
  }
  const options = {
    filters: input.filters,
    dropMissing: input.dropMissing,
    higherIsBetter: input.higherIsBetter,
  };
  const found = prepareWithStudyRule(table, detectColumns(table, overrides), overrides, options);
  const { data, mapping } = found;
  const settingNotes = [...roleLines(data), ...found.notes];
  let out = data.table;
  // the size limits (src/analysis/limits.ts) before anything is compiled or sampled
  const h = out.columns.heuristic;
  const t = out.columns.task;
  if (h?.type === 'factor' && t?.type === 'factor') {
    checkComparisonSize(comparisonSize(h.codes, t.codes), table.source ?? 'data');
  }
  checkNotFlat(out);
  const notes = [...settingNotes, ...data.notes];
  const metrics = levelCount(out, 'metric');
  const scale: ScaleMode = input.scale ?? (metrics > 1 ? 'metric' : 'none');
  if (input.scale === undefined && scale === 'metric') {
    notes.push(
      `${metrics} metrics in column "${mapping.metric}": scores are standardized per metric (--scale task standardizes each task, --scale none keeps the raw scores)`,
    );
  }
  // before lower-is-better scores are negated: an error rate is a proportion too
  const proportion = scale === 'none' ? proportionUpper(out, metricNames(table, mapping)) : 0;
  let higherIsBetter = true;
  const n = out.nRows;
  if (n > 0 && data.negated === n) {
    const s = out.columns.score;
    if (s?.type !== 'numeric') throw new DataError('the comparison table has no numeric score');
    out = {
      ...out,
      columns: { ...out.columns, score: { type: 'numeric', values: s.values.map((v) => -v) } },
    };
    higherIsBetter = false;
    const i = notes.findIndex((x) => x.startsWith('lower is better'));
    const msg =
      'lower is better: results are in the original units; P(best), ranks and decisions treat lower scores as better';
    if (i >= 0) notes[i] = msg;
    else notes.push(msg);
  }
  // proportions of items correct with known items per task: binomial; else a bounded metric at
  // its ceiling: logit-normal (neither with per-task scaling or lower-is-better)
  const given = input.itemsPerTask;
  if (given !== undefined && given !== 'none' && (scale !== 'none' || !higherIsBetter)) {
    throw new ConfigError(
      `--items-per-task needs the scores in their own units, higher is better (not with ${scale !== 'none' ? `scale ${scale}; use --scale none` : 'lower-is-better scores'})`,
    );
  }
  const binomial =
    scale === 'none' && higherIsBetter
      ? binomialItems(out, metricNames(table, mapping), given)
      : { bounded: null, notes: [] };
  notes.push(...binomial.notes);
  const bounded =
    binomial.bounded ??
    (scale === 'none' && higherIsBetter ? boundedScore(out, metricNames(table, mapping)) : null);
  if (bounded?.likelihood === 'binomial') notes.push(bounded.reason);
  else if (bounded) {
    notes.push(
      `${bounded.reason}: the model is fitted on the logit of the proportion (logit-normal), so every result stays in [0, ${bounded.upper}]; results are in score units, the posterior predictive check on the logit scale`,
    );
  }
  return {
    table: out,
    mapping,
    higherIsBetter,
    scale,
    bounded,
    proportionUpper: proportion,
    notes,
    settings: {
      columns: { ...mapping },
      score: mapping.score,
      filters: [...(input.filters ?? [])],
      dropped_rows: data.dropped,
      rows: n,
    },
  };
}
