/**
 * A parsed data table: columns by name, numbers as Float64Array (NaN = missing), text as a factor
 * (sorted levels, Int32Array codes, -1 = missing). No per-row objects, so a million rows stay small.
 *
 * @example
 * const t: Table = { nRows: 2, names: ['h', 'y'], columns: {
 *   h: { type: 'factor', levels: ['a', 'b'], codes: Int32Array.from([0, 1]) },
 *   y: { type: 'numeric', values: Float64Array.from([0.5, 0.7]) } } };
 */
export interface NumericColumn {
  readonly type: 'numeric';
  readonly values: Float64Array;
}

export interface FactorColumn {
  readonly type: 'factor';
  readonly levels: readonly string[];
  readonly codes: Int32Array;
}

export type Column = NumericColumn | FactorColumn;

export interface Table {
  readonly nRows: number;
  /** Column names in file order. */
  readonly names: readonly string[];
  readonly columns: Readonly<Record<string, Column>>;
  /** Where the data came from (file name), used in error messages. */
  readonly source?: string;
  /** 1-based line in the source file of each data row, when it differs from row + 1. */
  readonly lines?: Int32Array;
}
