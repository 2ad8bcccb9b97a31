import { describe, expect, it } from 'vitest';
import { createNormalRng } from '../../src/math/normal-rng.js';
import {
  buildBudgetCurveModel,
  curveGap,
  curveLoss,
  curveParts,
  curveShape,
  curveShapes,
} from '../../src/model/budget-curve.js';
import { CURVE_SIM_DESIGN, simulateBudgetCurve } from '../../src/model/budget-curve-sim.js';
import { checkGradient } from '../../src/sampler/check-gradient.js';
import { sample } from '../../src/sampler/sample.js';

describe('budget-curve model: the curve', () => {
  it('is 1 at the centre budget, decreasing in the budget, and tends to 0', () => {
    const rng = createNormalRng(3);
    for (let r = 0; r < 50; r++) {
      const lb = -1 + rng.normal();
      const lc = 1.5 * rng.normal();
      // s(0) = 1 exactly up to rounding (log s(0) = softplus(lc) - softplus(lc))
      expect(curveGap(0, lb, lc, 0).gap).toBeCloseTo(1, 12);
      let prev = Number.POSITIVE_INFINITY;
      for (let u = -6; u <= 6; u += 0.25) {
        const g = curveGap(0.3, lb, lc, u).gap;
        expect(g).toBeGreaterThan(0);
        // non-increasing: at small budgets the loss levels off and neighbours can be equal in
        // double precision (strictly decreasing in exact arithmetic)
        expect(g).toBeLessThanOrEqual(prev);
        prev = g;
      }
      expect(curveGap(0.3, lb, lc, 6).gap).toBeLessThan(curveGap(0.3, lb, lc, -6).gap);
      // far above the data the loss vanishes (the full cache is the limit)
      expect(curveGap(0.3, lb, lc, 400).gap).toBeLessThan(1e-6);
    }
  });

  it('has the analytic derivatives to lb and lc (central differences)', () => {
    const h = 1e-6;
    for (const [lb, lc, u] of [
      [-1, 0, 1.5],
      [0.2, -2, -2],
      [-0.5, 2.5, 3],
    ]) {
      const g = curveGap(0.1, lb, lc, u);
      const nb = (curveGap(0.1, lb + h, lc, u).gap - curveGap(0.1, lb - h, lc, u).gap) / (2 * h);
      const nc = (curveGap(0.1, lb, lc + h, u).gap - curveGap(0.1, lb, lc - h, u).gap) / (2 * h);
      // central differences at h = 1e-6 on O(1) values: error O(h^2 + eps / h) ~ 1e-10
      expect(g.dLb).toBeCloseTo(nb, 7);
      expect(g.dLc).toBeCloseTo(nc, 7);
    }
  });
});

describe('budget-curve model: the shape at many budgets', () => {
  it('curveShapes equals curveShape point by point, evenly spaced (two exp) or not', () => {
    const s = buildBudgetCurveModel(
      simulateBudgetCurve(CURVE_SIM_DESIGN, createNormalRng(2)).data,
    ).state;
    const even = Float64Array.from({ length: 17 }, (_, j) => 7 + j * 0.25);
    const uneven = Float64Array.of(6.6, 7, 8.3, 9, 11.9);
    const rng = createNormalRng(6);
    // extreme parts too: a steep curve whose e^A leaves (-700, 700) takes the per-point route,
    // a huge lc (1 + e^lc = Infinity) the softplus form
    const cases = [
      ...Array.from({ length: 30 }, () => [-1 + rng.normal(), 1.5 * rng.normal()]),
      [6, 0],
      [-1, 800],
    ];
    for (const [lb, lc] of cases) {
      for (const [x, step] of [
        [even, 0.25],
        [uneven, 0],
      ] as const) {
        const out = new Float64Array(x.length);
        curveShapes(s, lb, lc, x, step, out);
        x.forEach((v, j) => {
          const ref = curveShape(s, lb, lc, v);
          // two routes to (1 + e^c) / (1 + e^A): the recurrence adds ~j ulps; relative 1e-12
          expect(Math.abs(out[j] - ref)).toBeLessThanOrEqual(1e-12 * Math.max(ref, 1e-300));
        });
      }
    }
  });
});

describe('budget-curve model: log density', () => {
  it('has an analytic gradient with unevenly spaced budgets too (one exp per curve point)', () => {
    const sim = simulateBudgetCurve(
      { ...CURVE_SIM_DESIGN, budgets: [100, 300, 512, 2000] },
      createNormalRng(7),
    );
    const model = buildBudgetCurveModel(sim.data);
    expect(model.state.uStep).toBe(0);
    const rng = createNormalRng(12);
    const theta = Float64Array.from({ length: model.dim }, () => 0.5 * rng.normal());
    // same bar as below (central differences, h = 1e-6 |theta|)
    expect(checkGradient(model, theta).maxRelError).toBeLessThan(1e-5);
  });

  it('fixes the sd of the method x backbone term with 2-3 backbones, samples it with 4+', () => {
    const model = (backbones: number) =>
      buildBudgetCurveModel(
        simulateBudgetCurve({ ...CURVE_SIM_DESIGN, backbones }, createNormalRng(5)).data,
      );
    for (const backbones of [2, 3]) {
      const m = model(backbones);
      expect(m.parameterNames).not.toContain('log_sd_gap_method:backbone');
      expect(m.variableNames).not.toContain('sd_gap_method:backbone');
      expect(m.variableNames).toContain('r_gap_method:backbone[h1,c1]');
    }
    const m4 = model(4);
    expect(m4.parameterNames).toContain('log_sd_gap_method:backbone');
    expect(m4.variableNames).toContain('sd_gap_method:backbone');
  });

  // 1: no backbone terms; 2-3: the method x backbone sd fixed; 4: sampled
  for (const backbones of [1, 2, 3, 4]) {
    it(`has an analytic gradient that matches finite differences (${backbones} backbone(s))`, () => {
      const sim = simulateBudgetCurve({ ...CURVE_SIM_DESIGN, backbones }, createNormalRng(5));
      // the default standardization (the scores' own mean and sd), as compare fits it
      const { center: _c, scale: _s, ...data } = sim.data;
      const model = buildBudgetCurveModel(data);
      const rng = createNormalRng(11);
      // 128..1024: evenly spaced in log2, the two-exp route of each curve
      expect(model.state.uStep).toBe(1);
      for (let rep = 0; rep < 3; rep++) {
        const theta = Float64Array.from({ length: model.dim }, () => 0.5 * rng.normal());
        const r = checkGradient(model, theta);
        // central differences with h = 1e-6 |theta|: relative error ~1e-8 on smooth terms; 1e-5
        // is the bar of the sampler's own gradient checks (test/sampler/check-gradient.test.ts)
        expect(r.maxRelError).toBeLessThan(1e-5);
      }
    });
  }

  it("reports named variables whose curve parts rebuild the density's own curves", () => {
    const sim = simulateBudgetCurve(CURVE_SIM_DESIGN, createNormalRng(9));
    const model = buildBudgetCurveModel(sim.data);
    const s = model.state;
    // the integrated-out full-cache scores are reported on top of the sampled coordinates
    expect(model.variableNames.length).toBeGreaterThan(model.dim);
    expect(new Set(model.variableNames).size).toBe(model.variableNames.length);
    expect(model.variableNames[s.vFull]).toBe('full[t1,m1]');
    const theta = model.inits(1, 2)[0];
    const vars = new Float64Array(model.variableNames.length);
    model.writeVariables(theta, vars);
    const p = curveParts(s, (v) => vars[v]);
    // writeVariables ran the density's forward pass: every row's loss from the reported parts
    // equals the density's exp(la) s(u) (center 0, scale 1 in simulated data: no unit change)
    for (let i = 0; i < s.N; i++) {
      const h = sim.data.method[i];
      if (h < 0) continue;
      const c = (h * s.T + sim.data.task[i]) * s.M + sim.data.backbone[i];
      const fromParts = curveLoss(
        s,
        p.la[c],
        p.lb[h * s.T + sim.data.task[i]],
        p.lc[h],
        sim.data.logBudget[i],
      );
      const inDensity = s.aE[s.rowAmp[i]] * s.pS[s.rowPoint[i]];
      // the same numbers by two routes (softplus form vs the ratio (1 + e^c) / (1 + e^A))
      expect(fromParts).toBeCloseTo(inDensity, 10);
    }
    // each full-cache score is a draw from its conditional N(Fhat, sigma^2 tau^2 / (sigma^2 + n tau^2))
    const sig2 = Math.exp(2 * theta[3]);
    const tau2 = 2.5 ** 2;
    for (let c = 0; c < s.T * s.M; c++) {
      const D = sig2 + s.cellN[c] * tau2;
      const z = (p.full[c] - (tau2 * s.cS1[c]) / D) / Math.sqrt((sig2 * tau2) / D);
      // a standard normal beyond 6 has probability 2e-9
      expect(Math.abs(z)).toBeLessThan(6);
    }
  });
});

describe('budget-curve model: sampling', () => {
  it('gives the same draws with and without worker threads (rebuilt from its data via rebuild.ts)', async () => {
    const sim = simulateBudgetCurve(CURVE_SIM_DESIGN, createNormalRng(21));
    const model = buildBudgetCurveModel(sim.data);
    const config = { chains: 2, warmup: 60, draws: 20, seed: 3, inits: model.inits(2, 3) };
    const inWorkers = await sample(model, { ...config, parallel: true });
    const here = await sample(model, { ...config, parallel: false });
    expect(inWorkers.draws.variables).toEqual(model.variableNames);
    expect(Array.from(inWorkers.draws.values)).toEqual(Array.from(here.draws.values));
  });
});
