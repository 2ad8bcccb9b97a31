/**
 * Draws of one quantity per heuristic (for example each heuristic's expected score on one category),
 * all chains pooled: values[s + nSamples * h] is draw s of heuristic h. The analysis functions take
 * and return this shape so each concept stays a small pure function.
 *
 * @example
 * const m: HeuristicDraws = { names: ['a', 'b'], nSamples: 2, values: Float64Array.from([1, 2, 3, 4]) };
 * column(m, 1) // Float64Array [3, 4]
 */
export interface HeuristicDraws {
  readonly names: readonly string[];
  readonly nSamples: number;
  readonly values: Float64Array;
}

/**
 * The draws of heuristic h (a view, no copy).
 * @example column({ names: ['a'], nSamples: 2, values: Float64Array.from([1, 2]) }, 0) // [1, 2]
 */
export function column(m: HeuristicDraws, h: number): Float64Array {
  return m.values.subarray(h * m.nSamples, (h + 1) * m.nSamples);
}

/**
 * Build HeuristicDraws from one array of draws per heuristic (test and script helper).
 * @example fromColumns(['a', 'b'], [[1, 2], [3, 4]]).values // [1, 2, 3, 4]
 */
export function fromColumns(
  names: readonly string[],
  columns: readonly ArrayLike<number>[],
): HeuristicDraws {
  const nSamples = columns.length > 0 ? columns[0].length : 0;
  const values = new Float64Array(nSamples * names.length);
  columns.forEach((c, h) => {
    if (c.length !== nSamples) throw new RangeError('fromColumns: columns differ in length');
    values.set(Array.from(c), h * nSamples);
  });
  return { names, nSamples, values };
}
