import type { Table } from '../data/table.js';
import { DataError } from '../errors.js';
import { compileModel } from './compile.js';
import { dropRows, missingRows } from './design.js';
import { parseFormula } from './formula.js';
import type { ModelSpec } from './spec.js';

/**
 * The table a model will see: rows with missing values in the used columns are dropped when
 * `dropMissing`, else a DataError names the first such row.
 *
 * @example const { table: t, dropped } = prepareTable({ formula: 'y ~ x' }, table, true);
 */
export function prepareTable(
  spec: ModelSpec,
  table: Table,
  dropMissing = false,
): { table: Table; dropped: number } {
  const miss = missingRows(parseFormula(spec.formula), table);
  if (miss.rows.length === 0) return { table, dropped: 0 };
  if (!dropMissing) {
    // buildDesign throws the message naming the first row and the column.
    compileModel(spec, table);
  }
  const out = dropRows(table, miss.rows);
  if (out.nRows === 0) {
    throw new DataError(`${table.source ? `${table.source}: ` : ''}every row has a missing value`);
  }
  return { table: out, dropped: miss.rows.length };
}
