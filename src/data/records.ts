import { DataError } from '../errors.js';
import { quoted } from './access.js';
import { createTableBuilder } from './builder.js';
import type { Table } from './table.js';

/**
 * One row for tableFromRecords: column name -> value (null, undefined or NaN = missing).
 *
 * @example const r: DataRecord = { heuristic: 'performer', task: 'ListOps', score: 18.01 };
 */
export type DataRecord = Record<string, string | number | null | undefined>;

/**
 * Build a Table from plain row objects (for library users and tests). Columns are the union of the
 * records' keys in first-seen order; the same typing rule as parseCsv applies (a column is numeric
 * when every non-missing value is a finite number or a string holding one). Text is trimmed as the
 * CSV reader trims fields. Errors name the row (1-based) — tables from records carry no `lines`.
 *
 * @example
 * const t = tableFromRecords([
 *   { heuristic: 'a', task: 't1', score: 0.5 },
 *   { heuristic: 'b', task: 't1', score: 0.7 },
 * ]);
 */
export function tableFromRecords(records: readonly DataRecord[], source?: string): Table {
  const where = source ?? 'records';
  if (!Array.isArray(records)) throw new DataError(`${where}: expected an array of records`);
  if (records.length === 0) throw new DataError(`${where}: no records`);
  const names: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      throw new DataError(`${where}: row ${i + 1} is not an object`);
    }
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  if (names.length === 0) throw new DataError(`${where}: records have no columns`);
  let forced = new Set<number>();
  for (let pass = 0; pass < 2; pass++) {
    const builder = createTableBuilder(forced);
    builder.setHeader(names, 0);
    const row: (string | number | null | undefined)[] = new Array(names.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      for (let j = 0; j < names.length; j++) {
        const v = r[names[j]];
        if (v !== null && v !== undefined && typeof v !== 'string' && typeof v !== 'number') {
          throw new DataError(
            `${where}: row ${i + 1}, column ${quoted(names[j])}: expected a string, number or null, got ${typeof v}`,
          );
        }
        row[j] = v;
      }
      builder.addValues(row, i + 1);
    }
    if (builder.needsSecondPass.length === 0) {
      return builder.finish(
        source === undefined ? { withLines: false } : { source, withLines: false },
      );
    }
    forced = new Set(builder.needsSecondPass);
  }
  throw new Error('tableFromRecords: unreachable');
}
