import { DataError } from '../errors.js';
import { quoted, selectRows } from './access.js';
import { filterRows, roleFactor } from './benchmark.js';
import { sortedFactor } from './builder.js';
import type { Table } from './table.js';

/**
 * The rows and the study factor `bayesbench fit` uses, with compare's semantics and compare's code
 * (src/data/benchmark.ts): `--filter COLUMN=V1,V2` keeps rows whose value is one of the listed
 * values, `--filter COLUMN!=V1,V2` drops them, several filters must all hold, a value the column
 * never holds is an error (likely a typo), and so is a filter that leaves no rows; `--study
 * COLUMN` (or `A+B`, the columns' values joined with '@') names the study / paper / setup, which
 * the formula then uses as `study`, e.g. `(1|study)`. Unlike compare, `fit` has no budget role, so
 * a filter on a budget column keeps exactly the rows it names.
 */

/** Options of `fitRows`. */
export interface FitRowOptions {
  /** `COLUMN=V[,V...]` or `COLUMN!=V[,V...]`; all must hold. */
  filters?: readonly string[];
  /** The column (or `A+B`) holding the study; it becomes the factor column `study`. */
  study?: string;
}

/**
 * The table `fit` models: filtered rows (levels are kept; the model layer drops unused ones) and
 * a factor column `study` when `study` names other columns, plus one note per step.
 * @example fitRows(table, { filters: ['model!=llama'], study: 'source_id' }).table.columns.study
 */
export function fitRows(table: Table, options: FitRowOptions): { table: Table; notes: string[] } {
  const notes: string[] = [];
  let out = table;
  const filters = options.filters ?? [];
  if (filters.length > 0) {
    const keep = filterRows(table, filters, notes);
    const rows: number[] = [];
    for (let i = 0; i < keep.length; i++) if (keep[i]) rows.push(i);
    out = selectRows(table, Int32Array.from(rows));
  }
  const study = options.study;
  if (study !== undefined && study !== 'study') {
    if (Object.hasOwn(out.columns, 'study')) {
      throw new DataError(
        `--study ${quoted(study)}: ${table.source ?? 'data'} already has a column "study"; name that one with --study study, or rename it`,
      );
    }
    const f = roleFactor(out, study, 'study', '@');
    const column = sortedFactor(f.levels, f.codes);
    out = {
      ...out,
      names: [...out.names, 'study'],
      columns: { ...out.columns, study: column },
    };
    notes.push(
      `study: ${f.parts.map((p) => quoted(p)).join(' + ')} (${column.levels.length} levels) as the column "study"`,
    );
  } else if (study === 'study' && !Object.hasOwn(out.columns, 'study')) {
    throw new DataError(`--study study: ${table.source ?? 'data'} has no column "study"`);
  }
  return { table: out, notes };
}
