import { describe, expect, it } from 'vitest';
import {
  chiSquare,
  ppcByTask,
  ppcByTaskStreaming,
  replicateGaussian,
} from '../../src/analysis/ppc.js';
import { createNormalRng } from '../../src/analysis/random.js';

describe('chi-square draws', () => {
  it('have mean df and variance 2 df', () => {
    const K = 40000;
    for (const df of [1, 2, 5, 99]) {
      const rng = createNormalRng(df);
      let s = 0;
      let s2 = 0;
      for (let k = 0; k < K; k++) {
        const x = chiSquare(rng, df);
        s += x;
        s2 += x * x;
      }
      const m = s / K;
      const v = s2 / K - m * m;
      // 4 Monte Carlo standard errors: se(mean) = sqrt(2 df / K); se(sample variance) =
      // sqrt((mu4 - sigma^4) / K) with mu4 = 12 df (df + 4) for a chi-square, i.e. sqrt((8 df^2 + 48 df) / K)
      expect(Math.abs(m - df)).toBeLessThan(4 * Math.sqrt((2 * df) / K));
      expect(Math.abs(v - 2 * df)).toBeLessThan(4 * Math.sqrt((8 * df * df + 48 * df) / K));
    }
  });
});

describe('streaming posterior predictive check', () => {
  // 3 tasks; rows 7 and 8 have no task
  const rowTask = Int32Array.from([0, 0, 1, 1, 1, 2, 0, -1, 2, 1]);
  const N = rowTask.length;
  const y = Float64Array.from({ length: N }, (_, i) => Math.sin(i) * 3 + i);
  const K = 50;
  const etaRows = Float64Array.from({ length: K * N }, (_, j) => Math.cos(j) * 2);
  const sigma = Float64Array.from({ length: K }, (_, k) => 0.5 + k / K);
  it('equals the row-level replicates bit for bit with one row per atom', () => {
    for (const se of [undefined, Float64Array.from({ length: N }, (_, i) => 0.1 * i)]) {
      const yrep = replicateGaussian(etaRows, K, sigma, se, createNormalRng(9));
      const rows = ppcByTask(y, rowTask, 3, yrep, K);
      const stream = ppcByTaskStreaming(
        {
          y,
          rowTask,
          nTasks: 3,
          rowAtom: Int32Array.from({ length: N }, (_, i) => i),
          nAtoms: N,
          atomEta: (k, eta) => eta.set(etaRows.subarray(k * N, (k + 1) * N)),
          nReplicates: K,
          sigma,
          ...(se ? { se } : {}),
        },
        createNormalRng(9),
      );
      expect(stream).toEqual(rows);
    }
  });
  it('gives the row-level p-values with many rows per atom (sum of squares drawn as chi-square)', () => {
    // one task of 3 atoms with 40, 25 and 2 rows around different predictors
    const sizes = [40, 25, 2];
    const etaAtom = [1, 1.6, 0.2];
    const rowAtom = Int32Array.from(sizes.flatMap((n, a) => Array<number>(n).fill(a)));
    const M = rowAtom.length;
    const obsRng = createNormalRng(4);
    const yy = Float64Array.from(rowAtom, (a) => etaAtom[a] + 0.9 * obsRng.normal());
    const task = new Int32Array(M);
    const R = 20000;
    const sg = new Float64Array(R).fill(0.8);
    const eta = Float64Array.from({ length: R * M }, (_, j) => etaAtom[rowAtom[j % M]]);
    const rows = ppcByTask(
      yy,
      task,
      1,
      replicateGaussian(eta, R, sg, undefined, createNormalRng(5)),
      R,
    );
    const stream = ppcByTaskStreaming(
      {
        y: yy,
        rowTask: task,
        nTasks: 1,
        rowAtom,
        nAtoms: 3,
        atomEta: (_k, e) => e.set(etaAtom),
        nReplicates: R,
        sigma: sg,
      },
      createNormalRng(6),
    );
    expect(stream[0].observed_sd).toBe(rows[0].observed_sd);
    const p = rows[0].p_value;
    // two independent Monte Carlo estimates of one probability: 4 standard errors of their difference
    expect(Math.abs(stream[0].p_value - p)).toBeLessThan(4 * Math.sqrt((2 * p * (1 - p)) / R));
    expect(p).toBeGreaterThan(0.05); // the check is informative (not a 0-or-1 tail)
    expect(p).toBeLessThan(0.95);
    // quantiles of the replicated sd: MC error of a 5% quantile of R draws ~ 0.01 here
    expect(Math.abs(stream[0].replicated_sd_q5 - rows[0].replicated_sd_q5)).toBeLessThan(0.02);
    expect(Math.abs(stream[0].replicated_sd_q95 - rows[0].replicated_sd_q95)).toBeLessThan(0.02);
  });
});
