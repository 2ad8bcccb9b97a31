import {
  type ColumnMapping,
  type ColumnOverrides,
  detectColumns,
  prepareComparisonData,
} from '../data/benchmark.js';
import type { Table } from '../data/table.js';
import { ConfigError, DataError } from '../errors.js';
import { checkNotFlat } from './flat-tasks.js';
import { checkComparisonSize, comparisonSize } from './limits.js';

export type { ColumnOverrides } from '../data/benchmark.js';

/** The canonical comparison table in the score's own units, ready for the model. */
export interface PreparedComparison {
  /** Columns heuristic, task, category?, study?, seed?, score (original units), se?, trials?. */
  table: Table;
  mapping: ColumnMapping;
  /** Orientation for decisions: false when every score is lower-is-better. */
  higherIsBetter: boolean;
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
}

/** Columns that hold a setting of a method rather than a method, in the order they are joined. */
const SETTING_COLUMNS = ['budget', 'model'];

/**
 * When detection was automatic and the data layer found duplicate rows without a run column, the
 * setting columns (budget, model) present in the table that vary; else none (the error stands).
 */
function settingColumns(table: Table, overrides: ColumnOverrides, err: unknown): string[] {
  if (overrides.heuristic !== undefined || !(err instanceof DataError)) return [];
  if (!/duplicate rows for .* no seed\/run column|"agg" counts as one run/.test(err.message))
    return [];
  return SETTING_COLUMNS.filter((c) => {
    const col = table.columns[c];
    if (!col) return false;
    return col.type === 'factor' ? col.levels.length > 1 : new Set(col.values).size > 1;
  });
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
  let mapping = detectColumns(table, overrides);
  let data: ReturnType<typeof prepareComparisonData>;
  const settingNotes: string[] = [];
  try {
    data = prepareComparisonData(table, mapping, options);
  } catch (err) {
    const joined = settingColumns(table, overrides, err);
    if (joined.length === 0) throw err;
    // Published tables such as LongBench's list each method at several settings (cache budget,
    // backbone model) without a run column: compare each method@setting as its own heuristic.
    mapping = detectColumns(table, {
      ...overrides,
      heuristic: [mapping.heuristic, ...joined].join('+'),
    });
    data = prepareComparisonData(table, mapping, options);
    settingNotes.push(
      `rows repeat per heuristic and task across ${joined.map((c) => `"${c}"`).join(' and ')}: each heuristic@${joined.join('@')} combination is compared as its own method (choose otherwise with --heuristic, --study or --filter)`,
    );
  }
  let out = data.table;
  // the size limits (src/analysis/limits.ts) before anything is compiled or sampled
  const h = out.columns.heuristic;
  const t = out.columns.task;
  if (h?.type === 'factor' && t?.type === 'factor') {
    checkComparisonSize(comparisonSize(h.codes, t.codes), table.source ?? 'data');
  }
  checkNotFlat(out);
  const notes = [...settingNotes, ...data.notes];
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
  return {
    table: out,
    mapping,
    higherIsBetter,
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
