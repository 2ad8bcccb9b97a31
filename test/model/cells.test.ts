import { describe, expect, it } from 'vitest';
import { tableFromRecords } from '../../src/data/records.js';
import { hashNormals } from '../../src/math/hash-normals.js';
import { collapseRows, denseCodes, gaussianCellStats, rowCells } from '../../src/model/cells.js';
import { compileModel } from '../../src/model/compile.js';
import { isNestedModel } from '../../src/model/nested-model.js';

describe('collapseRows', () => {
  it('numbers cells by first appearance, whatever the radices', () => {
    const a = [2, 0, 2, 1, 0, 2];
    const b = [1, 1, 1, 0, 1, 0];
    const small = collapseRows(6, [
      { codes: a, n: 3 },
      { codes: b, n: 2 },
    ]);
    expect(Array.from(small.cellOfRow)).toEqual([0, 1, 0, 2, 1, 3]);
    expect(Array.from(small.firstRow)).toEqual([0, 1, 3, 5]);
    // radices far beyond the rows force the dense re-coding path: the same cells
    const big = collapseRows(6, [
      { codes: a, n: 2 ** 30 },
      { codes: b, n: 2 ** 30 },
    ]);
    expect(Array.from(big.cellOfRow)).toEqual(Array.from(small.cellOfRow));
    expect(big.nCells).toBe(4);
  });

  it('gives one cell per row with rowCells and dense codes of numeric values', () => {
    expect(Array.from(rowCells(3).cellOfRow)).toEqual([0, 1, 2]);
    const d = denseCodes(Float64Array.of(0.5, 2, 0.5, -1));
    expect(Array.from(d.codes)).toEqual([0, 1, 0, 2]);
    expect(d.n).toBe(3);
  });

  it('keeps exact gaussian statistics: sum w (y - eta)^2 = SS + W (M - eta)^2 per cell', () => {
    const y = Float64Array.of(1000.1, 999.9, 1000.3, 5, 7);
    const w = Float64Array.of(1, 2, 0.5, 1, 3);
    const cell = Int32Array.of(0, 0, 0, 1, 1);
    const { W, M, SS } = gaussianCellStats(y, w, cell, 2);
    for (const eta of [0, 3.7, 1000]) {
      for (let c = 0; c < 2; c++) {
        let direct = 0;
        for (let i = 0; i < y.length; i++) if (cell[i] === c) direct += w[i] * (y[i] - eta) ** 2;
        // two summation orders of at most 3 terms of size <= 3e6: relative rounding ~1e-15
        expect(Math.abs(SS[c] + W[c] * (M[c] - eta) ** 2 - direct)).toBeLessThan(1e-9 * direct);
      }
    }
  });
});

describe('hashNormals', () => {
  it('is a deterministic function of theta with standard normal moments', () => {
    const a = new Float64Array(4);
    const b = new Float64Array(4);
    hashNormals(Float64Array.of(0.25, -1), a);
    hashNormals(Float64Array.of(0.25, -1), b);
    expect(Array.from(a)).toEqual(Array.from(b));
    hashNormals(Float64Array.of(0.25, -1 + 2 ** -40), b);
    expect(Array.from(a)).not.toEqual(Array.from(b));
    // first draws over 20,000 nearby thetas: mean se 0.007, variance se 0.01; 5 se
    const one = new Float64Array(1);
    let s1 = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      hashNormals(Float64Array.of(i * 1e-9, 3), one);
      s1 += one[0];
      s2 += one[0] * one[0];
    }
    expect(Math.abs(s1 / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });
});

describe("compileModel's marginalize: 'nested'", () => {
  const records = [];
  for (const h of ['h1', 'h2', 'h3'])
    for (const [t, c] of [
      ['t1', 'A'],
      ['t2', 'A'],
      ['t3', 'B'],
    ])
      records.push({
        heuristic: h,
        task: t,
        category: c,
        y: h.length + t.length + Math.sin(records.length),
      });
  const table = tableFromRecords(records, 'test');
  it('returns the nested-chain model for the comparison shape, the cell model otherwise', () => {
    const full = 'y ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)';
    const nested = compileModel({ formula: full }, table, { marginalize: 'nested' });
    expect(isNestedModel(nested)).toBe(true);
    // the response is the formula's (y), not a fixed 'score' column
    expect(isNestedModel(nested) && nested.data.nRows).toBe(9);
    const plain = compileModel({ formula: 'y ~ 1 + (1|heuristic) + (1|task)' }, table, {
      marginalize: 'nested',
    });
    expect(isNestedModel(plain)).toBe(false);
    expect(nested.variableNames).toEqual(compileModel({ formula: full }, table).variableNames);
  });
});
