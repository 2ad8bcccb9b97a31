import {
  type ColumnMapping,
  type ColumnOverrides,
  detectColumns,
  prepareComparisonData,
} from '../data/benchmark.js';
import type { Table } from '../data/table.js';
import { ConfigError, DataError } from '../errors.js';

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

/**
 * Column detection and the data layer's checks (src/data/benchmark.ts), then one analysis-side
 * step: when every score was negated because lower is better, the scores are put back in their own
 * units and the orientation is carried as `higherIsBetter: false`, so every reported mean stays in
 * the units people know (decisions and ranks use the orientation). Rows with mixed orientation stay
 * negated (higher is better everywhere), as the data layer's note says. Scaling per task is done by
 * the analysis (`scaleTable`), not here, so `compareFromFit` can rebuild from the unscaled table.
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
  const mapping = detectColumns(table, overrides);
  const data = prepareComparisonData(table, mapping, {
    filters: input.filters,
    dropMissing: input.dropMissing,
    higherIsBetter: input.higherIsBetter,
    scale: 'none',
  });
  let out = data.table;
  const notes = [...data.notes];
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
