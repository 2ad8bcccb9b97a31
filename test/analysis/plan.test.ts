import { describe, expect, it } from 'vitest';
import {
  currentDecisions,
  greedyBatch,
  lossMargin,
  type PlanCandidateModel,
  type PlanProblem,
  scoreCandidates,
  settleUncertainty,
  simulatePlan,
} from '../../src/analysis/plan.js';
import { ensembleValue } from '../../src/analysis/plan-ensemble.js';
import { createNormalRng } from '../../src/analysis/random.js';

const S = 2000;

/** n draws of N(mean, sd) from a seeded stream. */
function normals(seed: number, mean: number, sd: number, n = S): Float64Array {
  const rng = createNormalRng(seed);
  return Float64Array.from({ length: n }, () => mean + sd * rng.normal());
}

/** A scope's values in HeuristicDraws layout from one column per heuristic. */
function scope(name: string, cols: Float64Array[]): { name: string; values: Float64Array } {
  const values = new Float64Array(S * cols.length);
  cols.forEach((c, h) => {
    values.set(c, S * h);
  });
  return { name, values };
}

function candidate(eta: Float64Array, sd: number, cost = 1): PlanCandidateModel {
  return { eta, noiseSd: new Float64Array(S).fill(sd), cost };
}

describe('value of a candidate run (preposterior simulation)', () => {
  // a close, uncertain pair (a vs b) and a settled heuristic c far below both
  const a = normals(1, 0, 1);
  const b = normals(2, 0.1, 1);
  const c = normals(3, -10, 0.01);
  const problem: PlanProblem = {
    heuristics: ['a', 'b', 'c'],
    nSamples: S,
    scopes: [scope('overall', [a, b, c])],
    candidates: [
      candidate(a, 0.5), // a run of a: informs the close pair
      candidate(c, 0.5), // a run of c: c is far below, nothing it shows changes the best
      candidate(new Float64Array(S).fill(3), 0.5), // a run whose mean does not depend on the draws
    ],
    higherIsBetter: true,
  };
  const sim = simulatePlan(problem, { outcomes: 64, seed: 7 });
  const values = scoreCandidates(sim);

  it('is exactly zero for a run that cannot change anything', () => {
    // its likelihood is the same at every draw: the reweighted posterior is the posterior
    expect(values[2].value[0]).toBe(0);
    expect(values[2].pChange[0]).toBe(0);
    // c is 10 sd below both others in every draw: no outcome makes it or changes the best
    expect(values[1].pChange[0]).toBe(0);
    expect(values[1].value[0]).toBe(0);
  });

  it('ranks a run on an uncertain close pair above a settled one', () => {
    expect(values[0].value[0]).toBeGreaterThan(0);
    expect(values[0].pChange[0]).toBeGreaterThan(0.1);
    expect(values[0].value[0]).toBeGreaterThan(values[1].value[0]);
  });

  it('checks the weights: uniform weights have relative ESS 1', () => {
    expect(values[2].relEss).toBeCloseTo(1, 12);
    expect(values[0].relEss).toBeLessThan(1);
    expect(values[0].relEss).toBeGreaterThan(0.05);
  });

  it('is the same for the same seed and uses the seed', () => {
    const again = scoreCandidates(simulatePlan(problem, { outcomes: 64, seed: 7 }));
    expect(Array.from(again[0].value)).toEqual(Array.from(values[0].value));
    const other = scoreCandidates(simulatePlan(problem, { outcomes: 64, seed: 8 }));
    expect(other[0].value[0]).not.toBe(values[0].value[0]);
  });

  it('follows the orientation: lower is better makes c the best, settled', () => {
    const low = simulatePlan({ ...problem, higherIsBetter: false }, { outcomes: 32, seed: 7 });
    expect(low.scopes[0].best).toBe(2);
    const v = scoreCandidates(low);
    // c beats a and b by ~10 in every draw: no single run changes that
    expect(v.every((x) => x.pChange[0] === 0)).toBe(true);
  });
});

describe('the settle value: expected reduction of the uncertainty of "within the ROPE"', () => {
  // a leads b by 0.6 with sd 0.5 each and a ROPE of 0.2: P(a within the ROPE of the best) ~ 0.8;
  // c is far below and irrelevant
  const a = normals(31, 0.6, 0.5);
  const b = normals(32, 0, 0.5);
  const c = normals(33, -10, 0.5);
  const problem: PlanProblem = {
    heuristics: ['a', 'b', 'c'],
    nSamples: S,
    scopes: [{ ...scope('overall', [a, b, c]), rope: 0.2 }],
    candidates: [
      candidate(b, 0.3), // a run of the runner-up: informs whether a is within the ROPE
      candidate(c, 0.3), // a run of c: its value never enters D = max - V_a
      candidate(new Float64Array(S).fill(3), 0.3), // a run whose mean does not depend on the draws
    ],
    higherIsBetter: true,
  };
  const sim = simulatePlan(problem, { outcomes: 64, seed: 5 });
  const values = scoreCandidates(sim);

  it('U(p) = p (1 - p) corrected for the weights effective sample size', () => {
    expect(settleUncertainty(0.9, 1 / 500)).toBeCloseTo(0.09 / (1 - 1 / 500), 14);
    // all weight on one draw: nothing is left to learn from it
    expect(settleUncertainty(1, 1)).toBe(0);
    expect(sim.scopes[0].pWithinRope).toBeGreaterThan(0.6);
    expect(sim.scopes[0].pWithinRope).toBeLessThan(0.95);
  });

  it('is zero for a run that says nothing, positive for one on the question', () => {
    // uniform weights: the same P, the same U (up to rounding of the sum of S weights)
    expect(values[2].settle[0]).toBeCloseTo(0, 12);
    expect(values[0].settle[0]).toBeGreaterThan(0.01);
    // c's run reweights draws independently of D: Monte Carlo noise only (expectation ~0 with
    // the ESS correction); a tenth of the informative run leaves room for that noise
    expect(Math.abs(values[1].settle[0])).toBeLessThan(0.1 * values[0].settle[0]);
  });

  it('by the ensemble update: 0 for nothing or a run that says nothing, growing with more runs', () => {
    const none = ensembleValue(sim, new Int32Array(3), -1);
    expect(Array.from(none.settle)).toEqual([0]);
    // a mean that does not vary over the draws has no covariance with the scope: no draw moves
    const flat = ensembleValue(sim, new Int32Array(3), 2);
    expect(flat.settle[0]).toBe(0);
    expect(flat.pChange[0]).toBe(0);
    const one = ensembleValue(sim, new Int32Array(3), 0);
    const ten = ensembleValue(sim, Int32Array.of(9, 0, 0), 0);
    expect(one.settle[0]).toBeGreaterThan(0.01);
    // ten runs of b tell more than one; reweighting 2,000 draws by ten runs' likelihood would
    // leave few of them, the moved draws are all kept
    expect(ten.settle[0]).toBeGreaterThan(one.settle[0]);
    const batch = greedyBatch(sim, 2, Float64Array.of(1), values, 'settle', 'ensemble');
    expect(batch.runs[0]).toBe(0);
    expect(batch.total.settle[0]).toBeCloseTo(batch.cumulative[1], 12);
    // the weights' diagnostics of the batch are those of reweighting it
    expect(batch.total.relEss).toBeGreaterThan(0);
  });

  it("is what greedyBatch maximizes with acquisition 'settle'", () => {
    const batch = greedyBatch(sim, 1, Float64Array.of(1), values, 'settle');
    expect(batch.runs).toEqual([0]);
    expect(batch.cumulative[0]).toBeCloseTo(values[0].settle[0], 12);
  });
});

describe('greedy batch with updated expectations', () => {
  // two categories, each with an uncertain close pair; runs of heuristic a in X (two seeds of the
  // same cell: identical predictive) and one in Y, slightly noisier so it is worth a bit less alone
  const aX = normals(11, 0, 1);
  const bX = normals(12, 0, 1);
  const aY = normals(13, 0, 1);
  const bY = normals(14, 0, 1);
  const problem: PlanProblem = {
    heuristics: ['a', 'b'],
    nSamples: S,
    scopes: [scope('X', [aX, bX]), scope('Y', [aY, bY])],
    candidates: [candidate(aX, 0.3), candidate(aX, 0.3), candidate(aY, 0.45)],
    higherIsBetter: true,
  };
  const sim = simulatePlan(problem, { outcomes: 128, seed: 3 });
  const singles = scoreCandidates(sim);
  const total = (k: number) => singles[k].value[0] + singles[k].value[1];

  it('the second seed of X alone is worth as much as the first, and more than Y', () => {
    // the premise of the next test: N copies of the top single run would be the naive batch
    expect(total(0)).toBeGreaterThan(total(2));
    expect(total(1)).toBeGreaterThan(total(2));
  });

  it('chooses Y after X: the batch is not N copies of the best single run', () => {
    const batch = greedyBatch(sim, 2, Float64Array.of(1, 1));
    expect(batch.runs[0] === 0 || batch.runs[0] === 1).toBe(true);
    expect(batch.runs[1]).toBe(2);
    // the batch is worth more than its first run alone, and both scopes can change
    expect(batch.cumulative[1]).toBeGreaterThan(batch.cumulative[0]);
    expect(batch.total.pChange[0]).toBeGreaterThan(0);
    expect(batch.total.pChange[1]).toBeGreaterThan(0);
  });

  it('a run in another scope is worth (almost) nothing for this one', () => {
    // Y's run reweights draws independently of X's values: only Monte Carlo noise is left (its
    // expectation is 0); 0.1 of X's own run leaves room for that noise at 2,000 draws
    expect(Math.abs(singles[2].value[0])).toBeLessThan(0.1 * singles[0].value[0]);
    expect(Math.abs(singles[0].value[1])).toBeLessThan(0.1 * singles[2].value[1]);
    // an objective on X alone starts with an X run
    const onlyX = greedyBatch(sim, 1, Float64Array.of(1, 0));
    expect(onlyX.runs[0] === 0 || onlyX.runs[0] === 1).toBe(true);
  });

  it('divides by cost: an expensive X run loses to a cheap Y run', () => {
    const costly: PlanProblem = {
      ...problem,
      candidates: [candidate(aX, 0.3, 10), candidate(aX, 0.3, 10), candidate(aY, 0.45, 1)],
    };
    const b = greedyBatch(
      simulatePlan(costly, { outcomes: 128, seed: 3 }),
      1,
      Float64Array.of(1, 1),
    );
    expect(b.runs).toEqual([2]);
  });

  it('gives the same batch for the same seed', () => {
    const again = greedyBatch(
      simulatePlan(problem, { outcomes: 128, seed: 3 }),
      2,
      Float64Array.of(1, 1),
    );
    expect(again.runs).toEqual(greedyBatch(sim, 2, Float64Array.of(1, 1)).runs);
  });
});

describe('the loss beyond half the ROPE (practical equivalence)', () => {
  // a and b practically equivalent (means 0 and 0.05, posterior sd 0.1 each) with a ROPE of 1;
  // c far below
  const a = normals(21, 0, 0.1);
  const b = normals(22, 0.05, 0.1);
  const c = normals(23, -5, 0.1);
  const base = (rope?: number): PlanProblem => ({
    heuristics: ['a', 'b', 'c'],
    nSamples: S,
    scopes: [{ ...scope('overall', [a, b, c]), ...(rope === undefined ? {} : { rope }) }],
    candidates: [candidate(a, 0.1), candidate(b, 0.1)],
    higherIsBetter: true,
  });

  it('the margin is half the ROPE, 0 without one', () => {
    expect(lossMargin(1)).toBe(0.5);
    expect(lossMargin(0)).toBe(0);
    expect(lossMargin(Number.NaN)).toBe(0);
  });

  it('a near-tie inside the ROPE has no loss and runs on it have no value; without a ROPE they do', () => {
    const withRope = simulatePlan(base(1), { outcomes: 64, seed: 5 });
    const [d] = currentDecisions(withRope);
    // |a - b| has sd ~0.14: it exceeds the margin 0.5 on ~0.03% of the draws (3.5 sd)
    expect(d.ropeLoss).toBeLessThan(1e-3);
    expect(d.pWithinRope).toBe(1);
    expect(d.loss).toBeGreaterThan(0.02); // the plain opportunity cost of a coin flip, ~0.4 x 0.14
    const v = scoreCandidates(withRope);
    const plain = scoreCandidates(simulatePlan(base(), { outcomes: 64, seed: 5 }));
    // the same reweighting flips a and b in both problems; only the loss differs
    expect(v[0].pChange[0]).toBe(plain[0].pChange[0]);
    expect(plain[0].pChange[0]).toBeGreaterThan(0.1);
    expect(plain[0].value[0]).toBeGreaterThan(0.005);
    expect(Math.abs(v[0].value[0])).toBeLessThan(1e-3);
  });

  it("Markov's inequality: P(D > ROPE) <= E[max(0, D - ROPE/2)] / (ROPE/2)", () => {
    // an uncertain pair, so both sides are far from 0
    const wide = simulatePlan(
      {
        ...base(),
        scopes: [{ ...scope('overall', [normals(31, 0, 1), normals(32, 0.3, 1), c]), rope: 1 }],
      },
      { outcomes: 8, seed: 1 },
    );
    const [d] = currentDecisions(wide);
    expect(1 - d.pWithinRope).toBeGreaterThan(0.1);
    expect(1 - d.pWithinRope).toBeLessThanOrEqual(d.ropeLoss / d.margin);
    expect(d.ropeLossSe).toBeGreaterThan(0);
    expect(d.ropeLossSe).toBeLessThan(0.1 * d.ropeLoss);
  });
});

describe('batches that repeat a cell', () => {
  it('puts a second seed in the one cell that matters, worth more than the first alone', () => {
    const a = normals(41, 0, 1);
    const b = normals(42, 0, 1);
    const problem: PlanProblem = {
      heuristics: ['a', 'b'],
      nSamples: S,
      scopes: [scope('overall', [a, b])],
      candidates: [candidate(a, 1)],
      higherIsBetter: true,
    };
    const batch = greedyBatch(
      simulatePlan(problem, { outcomes: 128, seed: 2 }),
      2,
      Float64Array.of(1),
    );
    expect(batch.runs).toEqual([0, 0]);
    expect(batch.cumulative[1]).toBeGreaterThan(batch.cumulative[0]);
  });

  it('spreads a batch of runs worth nothing over the candidates instead of repeating one', () => {
    const flat = new Float64Array(S).fill(1);
    const problem: PlanProblem = {
      heuristics: ['a', 'b'],
      nSamples: S,
      scopes: [scope('overall', [normals(51, 0, 1), normals(52, 0, 1)])],
      candidates: [candidate(flat, 1), candidate(flat, 1), candidate(flat, 1)],
      higherIsBetter: true,
    };
    const batch = greedyBatch(
      simulatePlan(problem, { outcomes: 16, seed: 2 }),
      3,
      Float64Array.of(1),
    );
    expect([...batch.runs].sort()).toEqual([0, 1, 2]);
  });
});
