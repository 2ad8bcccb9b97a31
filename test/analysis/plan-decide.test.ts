import { describe, expect, it } from 'vitest';
import {
  greedyBatch,
  type PlanCandidateModel,
  type PlanProblem,
  simulatePlan,
} from '../../src/analysis/plan.js';
import { decideBatch, logNormalCdf, logPairSettles } from '../../src/analysis/plan-decide.js';
import { explorationRuns } from '../../src/analysis/plan-from-fit.js';
import { createNormalRng } from '../../src/analysis/random.js';
import { normalCdf } from '../../src/math/stdlib.js';

describe('logNormalCdf', () => {
  it('matches scipy.stats.norm.logcdf (scipy 1.17.1) in the centre and far in the lower tail', () => {
    // references printed by scipy; 1e-12 relative: both are double-precision evaluations of erfc
    // or of its asymptotic series, which agree to a few ulps
    const ref: [number, number][] = [
      [2, -0.023012909328963476],
      [0, -Math.LN2],
      [-1.959963984540054, -3.6888794541139367],
      [-10, -53.23128515051248],
      [-36.9, -685.3328831653507],
      [-37.5, -707.6689893175072], // past the switch to the series
      [-40, -804.6084420137539],
    ];
    for (const [x, y] of ref) expect(Math.abs(logNormalCdf(x) / y - 1)).toBeLessThan(1e-12);
  });
});

describe('logPairSettles: the probability that a pair is settled after a batch', () => {
  it('is 1 once the posterior sd after the batch is below ROPE / z, whatever the mean', () => {
    const p = { scope: 0, mean: 0.3, z: 1.645, rope: 1 };
    expect(logPairSettles(p, 4, 0.36)).toBe(0); // 1.645 x 0.6 < 1
    expect(logPairSettles(p, 4, 0.4)).toBeLessThan(0); // 1.645 x 0.632 > 1
  });

  it('matches a simulation of the conjugate normal model (truth, runs, exact posterior)', () => {
    // d = mu_a - mu_b with independent N(m, s^2) priors; a batch of na runs of a and nb of b with
    // noise sd sigma. Simulate truth and runs, compute the exact posterior of d, and count how often
    // one of the two is within the ROPE of the other with probability >= 1 - alpha.
    const ma = 0.4;
    const mb = 0;
    const s = 1;
    const sigma = 2;
    const rope = 0.5;
    const alpha = 0.05;
    const z = 1.6448536269514722;
    const rng = createNormalRng(11);
    for (const [na, nb] of [
      [3, 3],
      [10, 2],
      [25, 25],
    ]) {
      const post = (n: number) => 1 / (1 / s ** 2 + n / sigma ** 2);
      const v0 = 2 * s * s;
      const v = post(na) + post(nb);
      const R = 40000;
      let settled = 0;
      for (let r = 0; r < R; r++) {
        const mua = ma + s * rng.normal();
        const mub = mb + s * rng.normal();
        let ya = 0;
        let yb = 0;
        for (let i = 0; i < na; i++) ya += mua + sigma * rng.normal();
        for (let i = 0; i < nb; i++) yb += mub + sigma * rng.normal();
        const meanA = post(na) * (ma / s ** 2 + ya / sigma ** 2);
        const meanB = post(nb) * (mb / s ** 2 + yb / sigma ** 2);
        const m = meanA - meanB;
        const sd = Math.sqrt(v);
        // P(d - (-) <= rope) for keeping b (d = a - b <= rope) or switching to a (-d <= rope)
        const keep = normalCdf(rope, m, sd);
        const swap = 1 - normalCdf(-rope, m, sd);
        if (keep >= 1 - alpha || swap >= 1 - alpha) settled++;
      }
      const formula = Math.exp(logPairSettles({ scope: 0, mean: ma - mb, z, rope }, v0, v));
      const se = Math.sqrt((formula * (1 - formula)) / R);
      // 4 binomial standard errors of the simulated share (plus 1e-3 for a share near 0 or 1)
      expect(Math.abs(settled / R - formula)).toBeLessThan(4 * se + 1e-3);
    }
  });
});

const S = 2000;

function normals(seed: number, mean: number, sd: number): Float64Array {
  const rng = createNormalRng(seed);
  return Float64Array.from({ length: S }, () => mean + sd * rng.normal());
}

function problemOf(cols: Float64Array[], sd: number, cost: number[] = []): PlanProblem {
  const values = new Float64Array(S * cols.length);
  cols.forEach((c, h) => {
    values.set(c, S * h);
  });
  const candidates: PlanCandidateModel[] = cols.map((eta, k) => ({
    eta,
    noiseSd: new Float64Array(S).fill(sd),
    cost: cost[k] ?? 1,
  }));
  return {
    heuristics: cols.map((_, h) => `h${h}`),
    nSamples: S,
    scopes: [{ name: 'overall', values, rope: 0.2 }],
    candidates,
    higherIsBetter: true,
  };
}

// a and b close and uncertain, c far below: only runs of a and b can settle the scope
const a = normals(1, 0, 1);
const b = normals(2, 0.1, 1);
const c = normals(3, -10, 0.5);
const sim = simulatePlan(problemOf([a, b, c], 1), { outcomes: 64, seed: 3 });

describe('decideBatch', () => {
  it('spends the batch on the close pair, on both sides of it, and never on the settled heuristic', () => {
    const { runs, cumulative } = decideBatch(sim, 12, Float64Array.of(1));
    const count = [0, 1, 2].map((k) => runs.filter((r) => r === k).length);
    expect(count[2]).toBe(0);
    // Var(a - b) falls fastest with the runs split; the draws' variances differ a little, so the
    // split need not be exactly even
    expect(Math.min(count[0], count[1])).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < cumulative.length; i++)
      expect(cumulative[i]).toBeGreaterThanOrEqual(cumulative[i - 1]);
  });

  it('follows the cost: a run of a at 10 times the price moves the runs to b', () => {
    const pricey = simulatePlan(problemOf([a, b, c], 1, [10, 1, 1]), { outcomes: 64, seed: 3 });
    const { runs } = decideBatch(pricey, 6, Float64Array.of(1));
    expect(runs.filter((r) => r === 1).length).toBeGreaterThan(runs.filter((r) => r === 0).length);
  });

  it('is what greedyBatch returns for the decide acquisition, with the batch valued on the draws', () => {
    const batch = greedyBatch(sim, 6, Float64Array.of(1), undefined, 'decide');
    expect(batch.runs).toEqual(decideBatch(sim, 6, Float64Array.of(1)).runs);
    expect(batch.total.value[0]).toBeGreaterThanOrEqual(0);
  });

  it('the Kalman variance of a batch equals the conjugate posterior variance of the pair', () => {
    // independent normal draws, 5 runs of a with noise sd 1: Var(a - b) = 1 / (1 + 5) + 1 exactly
    // in the conjugate model; the belief uses the draws' covariance, so the objective after the
    // batch equals logPairSettles at that variance within the draws' sampling error of Var
    const only = simulatePlan(
      { ...problemOf([a, b], 1), candidates: problemOf([a, b], 1).candidates.slice(0, 1) },
      { outcomes: 8, seed: 1 },
    );
    const { runs, cumulative } = decideBatch(only, 5, Float64Array.of(1));
    expect(runs).toEqual([0, 0, 0, 0, 0]);
    const z = 1.6448536269514722;
    const v0 = 2;
    const exact = logPairSettles({ scope: 0, mean: 0.1, z, rope: 0.2 }, v0, 1 / 6 + 1);
    // 2000 draws: the variances are estimated to ~3%, which moves log P by about as much
    expect(Math.abs(cumulative[4] - exact)).toBeLessThan(0.1 * Math.abs(exact));
  });
});

describe('explorationRuns: the forced exploration of a batch', () => {
  it('takes the cells with the fewest runs, the most uncertain first, and spreads over them', () => {
    const wide = normals(4, 0, 3);
    const narrow = normals(5, 0, 0.5);
    const mid = normals(6, 0, 1);
    const problem = problemOf([narrow, wide, mid], 1);
    const specs = [{ runs: 1 }, { runs: 1 }, { runs: 4 }];
    // fewest runs: cells 0 and 1 (1 run each); cell 1 is the more uncertain; once both have
    // 2 runs the order repeats; once all three have 4 runs the most uncertain (1) leads again,
    // and cell 2 (the middle spread) comes before the narrow cell 0
    expect(explorationRuns(specs, problem, 4)).toEqual([1, 0, 1, 0]);
    expect(explorationRuns(specs, problem, 9)).toEqual([1, 0, 1, 0, 1, 0, 1, 2, 0]);
    expect(explorationRuns(specs, problem, 0)).toEqual([]);
  });

  it('puts the forced runs first in the batch and chooses the rest given them', () => {
    const forced = [2];
    const batch = greedyBatch(sim, 5, Float64Array.of(1), undefined, 'decide', 'reweight', forced);
    expect(batch.runs[0]).toBe(2);
    expect(batch.runs.slice(1).every((k) => k !== 2)).toBe(true);
    expect(batch.pDecided?.length).toBe(5);
  });
});
