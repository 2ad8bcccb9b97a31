import { describe, expect, it } from 'vitest';
import { SamplerError } from '../../src/errors.js';
import { createRng, forcedRng } from '../../src/math/rng.js';
import { unitMetric } from '../../src/sampler/metric.js';
import {
  createHmcState,
  createNutsInfo,
  createNutsWorkspace,
  nutsTransition,
} from '../../src/sampler/nuts.js';
import type { LogDensity } from '../../src/sampler/types.js';
import {
  adaptationWindows,
  createDualAveraging,
  createWelford,
  dualAveragingUpdate,
  initStepSize,
  regularizedVariance,
  warmupFinal,
  warmupInit,
  warmupUpdate,
  welfordAdd,
} from '../../src/sampler/warmup.js';
import { diagNormal, stdNormal } from './helpers/models.js';

describe('step-size heuristic (§3.2, §9.3)', () => {
  const model = stdNormal(1);
  it.each([
    [0.1, 1.6],
    [1.0, 2.0],
    [10, 0.625],
    [1.2, 0.6],
  ])('start %d -> %d with momentum forced to 1 at q = 0', (start, expected) => {
    const state = createHmcState(model, new Float64Array([0]));
    const ws = createNutsWorkspace(1, 10);
    const eps = initStepSize(
      model,
      forcedRng({ uniforms: [0.5], normals: [1] }),
      state,
      unitMetric('diag', 1),
      start,
      ws,
    );
    expect(eps).toBe(expected);
    expect(state.position[0]).toBe(0); // state untouched
  });

  it('closed form threshold (8 log 1.25)^(1/4) separates pass and fail', () => {
    const eStar = (8 * Math.log(1 / 0.8)) ** 0.25;
    expect(eStar).toBeCloseTo(1.1558955236841932, 15);
    const state = createHmcState(model, new Float64Array([0]));
    const ws = createNutsWorkspace(1, 10);
    const r = forcedRng({ uniforms: [0.5], normals: [1] });
    expect(initStepSize(model, r, state, unitMetric('diag', 1), eStar * 0.999, ws)).toBeCloseTo(
      eStar * 0.999 * 2,
      12,
    );
  });

  it('a flat density is improper: SamplerError when eps would exceed 1e7', () => {
    const flat: LogDensity = {
      dim: 1,
      logDensityGradient(_t, g) {
        g[0] = 0;
        return 0;
      },
    };
    const state = createHmcState(flat, new Float64Array([0]));
    expect(() =>
      initStepSize(
        flat,
        createRng(1, 0),
        state,
        unitMetric('diag', 1),
        1,
        createNutsWorkspace(1, 10),
      ),
    ).toThrow(SamplerError);
  });
});

describe('dual averaging (§3.3, §9.4)', () => {
  it('reproduces the table (mu = log 10, delta 0.8)', () => {
    const da = createDualAveraging(Math.log(10), 0.8);
    const rows = [
      [1.0, -0.0181818181818182, 14.3855100957768, 2.66622145663041],
      [1.0, -0.0333333333333333, 25.6718262208785, 3.01059959134451],
      [0.5, -0.00769230769230768, 13.0534758635944, 2.81689756177952],
      [0.9, -0.0142857142857143, 17.7079495243515, 2.83709115352646],
      [0.0, 0.04, 1.67151551847226, 2.14224431231082],
    ];
    for (const [a, sBar, eps, xBar] of rows) {
      const e = dualAveragingUpdate(da, a);
      // 1e-13 relative: the table is printed to 15 significant digits
      expect(Math.abs(da.sBar - sBar)).toBeLessThan(1e-15 + 1e-13 * Math.abs(sBar));
      expect(Math.abs(e - eps) / eps).toBeLessThan(1e-13);
      expect(Math.abs(da.xBar - xBar) / xBar).toBeLessThan(1e-13);
    }
  });
  it('a ≡ delta keeps eps ≡ exp(mu) and x̄ ≡ mu; a larger a gives a larger eps', () => {
    const da = createDualAveraging(Math.log(3), 0.8);
    for (let i = 0; i < 20; i++) {
      // 1e-12: only rounding of the running averages
      expect(Math.abs(dualAveragingUpdate(da, 0.8) - 3)).toBeLessThan(1e-12);
      expect(Math.abs(da.xBar - Math.log(3))).toBeLessThan(1e-12);
    }
    const lo = dualAveragingUpdate(createDualAveraging(0, 0.8), 0.5);
    const hi = dualAveragingUpdate(createDualAveraging(0, 0.8), 0.95);
    expect(hi).toBeGreaterThan(lo);
  });
});

describe('window schedule (§3.4)', () => {
  const table: [number, [number, number][]][] = [
    [
      1000,
      [
        [75, 99],
        [100, 149],
        [150, 249],
        [250, 449],
        [450, 949],
      ],
    ],
    [
      2000,
      [
        [75, 99],
        [100, 149],
        [150, 249],
        [250, 449],
        [450, 849],
        [850, 1949],
      ],
    ],
    [
      500,
      [
        [75, 99],
        [100, 149],
        [150, 249],
        [250, 449],
      ],
    ],
    [
      300,
      [
        [75, 99],
        [100, 149],
        [150, 249],
      ],
    ],
    [
      200,
      [
        [75, 99],
        [100, 149],
      ],
    ],
    [
      170,
      [
        [75, 99],
        [100, 119],
      ],
    ],
    [
      160,
      [
        [75, 99],
        [100, 109],
      ],
    ],
    [150, [[75, 99]]],
    [149, [[22, 134]]],
    [100, [[15, 89]]],
    [20, [[3, 17]]],
    [19, []],
    [0, []],
  ];
  it.each(table)('W = %d', (W, expected) => {
    expect(adaptationWindows(W).map((w) => [w.start, w.end])).toEqual(expected);
  });
  it('windows are contiguous, doubling, and end at W - term - 1 for every W in 150..3000', () => {
    for (let W = 150; W <= 3000; W += 7) {
      const ws = adaptationWindows(W);
      expect(ws[0].start).toBe(75);
      expect(ws[ws.length - 1].end).toBe(W - 50 - 1);
      for (let i = 1; i < ws.length; i++) {
        expect(ws[i].start).toBe(ws[i - 1].end + 1);
        const size = ws[i].end - ws[i].start + 1;
        const prev = ws[i - 1].end - ws[i - 1].start + 1;
        if (i < ws.length - 1) expect(size).toBe(2 * prev);
        // the last window is stretched to W - term - 1; after the first window (never stretched, §3.4)
        // it may also be cut short, e.g. W = 160 -> [100, 109]
        else if (i >= 2) expect(size).toBeGreaterThanOrEqual(2 * prev);
        else expect(size).toBeGreaterThanOrEqual(1);
      }
    }
  });
});

describe('Welford + regularisation (§3.5, §9.4)', () => {
  it('samples 1,2,3,4 -> Minv 0.7412962962962962', () => {
    const w = createWelford(1, false);
    for (const x of [1, 2, 3, 4]) welfordAdd(w, new Float64Array([x]));
    expect(regularizedVariance(w)[0]).toBeCloseTo(0.7412962962962962, 15);
  });
  it('equals the two-pass (co)variance', () => {
    const rng = createRng(2, 0);
    const n = 200;
    const xs = Array.from({ length: n }, () => {
      const a = rng.normal();
      return new Float64Array([3 + 2 * a, -1 + a + 0.5 * rng.normal(), 1e3 + rng.normal()]);
    });
    const wd = createWelford(3, true);
    const wv = createWelford(3, false);
    for (const x of xs) {
      welfordAdd(wd, x);
      welfordAdd(wv, x);
    }
    const mean = [0, 1, 2].map((i) => xs.reduce((s, x) => s + x[i], 0) / n);
    const dense = regularizedVariance(wd);
    const diag = regularizedVariance(wv);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const cov = xs.reduce((s, x) => s + (x[i] - mean[i]) * (x[j] - mean[j]), 0) / (n - 1);
        const expected = (n / (n + 5)) * cov + (i === j ? 1e-3 * (5 / (n + 5)) : 0);
        // 1e-10: Welford and two-pass sums differ by rounding only
        expect(Math.abs(dense[i * 3 + j] - expected)).toBeLessThan(1e-10);
        if (i === j) expect(Math.abs(diag[i] - expected)).toBeLessThan(1e-10);
      }
    }
  });
});

describe('warmup loop (§3.6)', () => {
  function runWarmup(model: LogDensity, W: number, termBuffer?: number, stanCompat = false) {
    const rng = createRng(8, 0);
    const state = createHmcState(model, new Float64Array(model.dim).fill(0.5));
    const ws = createNutsWorkspace(model.dim, 10);
    const info = createNutsInfo();
    const wu = warmupInit(model, rng, state, ws, {
      warmup: W,
      adaptDelta: 0.8,
      metric: 'diag',
      termBuffer,
      stanCompat,
    });
    let updates = 0;
    for (let i = 0; i < W; i++) {
      nutsTransition(
        model,
        rng,
        state,
        { stepSize: wu.stepSize, metric: wu.metric, maxTreeDepth: 10 },
        ws,
        info,
      );
      if (warmupUpdate(model, rng, state, ws, wu, info.acceptStat)) updates++;
    }
    return { wu, updates, final: warmupFinal(wu) };
  }

  it('adapts the diagonal metric to the posterior variances of N(0, diag(100, 0.01))', () => {
    const { final, updates } = runWarmup(diagNormal([10, 0.1]), 1000);
    expect(updates).toBe(5);
    // one chain, final window 500 draws: the variance estimate has relative sd ~ sqrt(2/ESS) ≈ 0.1,
    // so 35% is > 3 sd; rstan's reference is (102.5, 0.0094)
    expect(Math.abs(final.metric.invMetric[0] / 100 - 1)).toBeLessThan(0.35);
    expect(Math.abs(final.metric.invMetric[1] / 0.01 - 1)).toBeLessThan(0.35);
    // ALGORITHMS §10: eps in about [0.6, 1.2] for this target
    expect(final.stepSize).toBeGreaterThan(0.5);
    expect(final.stepSize).toBeLessThan(1.4);
  });

  it('warmup < 150 uses the intended 15/75/10 schedule (the metric is adapted)', () => {
    const { final, updates } = runWarmup(diagNormal([10, 0.1]), 100);
    expect(updates).toBe(1);
    // 75 draws in one window: the estimate is rough, but must have moved far from the unit metric
    expect(final.metric.invMetric[0]).toBeGreaterThan(10);
    expect(final.metric.invMetric[1]).toBeLessThan(0.1);
  });

  it('term buffer 0: the step size is not reset to 1 (Stan #3023, fixed behaviour)', () => {
    const { final, wu } = runWarmup(diagNormal([10, 0.1]), 200, 0);
    expect(wu.da.counter).toBe(0);
    expect(final.stepSize).toBe(wu.stepSize);
    expect(final.stepSize).not.toBe(1);
  });

  it('stanCompat reproduces Stan: no metric adaptation below 150, eps = 1 with term buffer 0', () => {
    const below = runWarmup(diagNormal([10, 0.1]), 100, undefined, true);
    expect(below.updates).toBe(0);
    expect(Array.from(below.final.metric.invMetric)).toEqual([1, 1]);
    const term0 = runWarmup(diagNormal([10, 0.1]), 200, 0, true);
    expect(term0.final.stepSize).toBe(1);
    expect(adaptationWindows(149, { stanCompat: true })).toEqual([]);
    expect(adaptationWindows(150, { stanCompat: true })).toEqual([{ start: 75, end: 99 }]);
  });
});
