import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/math/rng.js';
import {
  fisherSchedule,
  fisherSwitchPoints,
  fisherWarmupInit,
  fisherWarmupUpdate,
  initialFisherInverseMetric,
  scheduleStep,
  usableDraw,
} from '../../src/sampler/fisher.js';
import { leapfrog } from '../../src/sampler/leapfrog.js';
import { createMetric, refreshMomentum, velocity } from '../../src/sampler/metric.js';
import {
  createHmcState,
  createNutsInfo,
  createNutsWorkspace,
  nutsTransition,
} from '../../src/sampler/nuts.js';
import { sample } from '../../src/sampler/sample.js';
import { workerModel } from './fixtures/worker-model.js';
import { moments, statSum } from './helpers/check.js';
import { correlated2d, diagNormal } from './helpers/models.js';

// 4 MCSE per mean/variance check, the rule of docs/ARCHITECTURE.md "Testing rules" (false alarm
// ~6e-5 per check for a correct sampler; seeds are fixed).
const Z = 4;

describe('Fisher-divergence metric adaptation (metric "fisher-diag")', () => {
  it('the schedule of nuts-rs for 1000 warmup iterations, switch by switch', () => {
    const s = fisherSchedule(1000);
    expect(s.earlyEnd).toBe(300); // floor(0.3 W)
    expect(s.finalWindowStart).toBe(850); // W - floor(0.15 W)
    // Derived by hand from nuts-rs GlobalStrategy::adapt: the background holds the initial point,
    // so the first 10-draw window is full after draw 8, then every 10 draws up to 298; the main
    // phase starts at 300 with a window of 80 (full at 378) and grows to 120 (full at 498); a switch
    // needs room for the window after it (is_late looks ahead), and at 678 the 180-draw window is
    // full but the next one (270) would end past 850: the estimate begun at 499 grows to 849.
    const early = Array.from({ length: 30 }, (_, k) => 8 + 10 * k);
    expect(fisherSwitchPoints(1000)).toEqual([...early, 378, 498]);
    // entering the main phase keeps a background already larger than the first window
    expect(scheduleStep(s, 300, 80, 95, true)).toEqual({ switched: true, windowSize: 143 });
    // an unusable draw does not count towards a window
    expect(scheduleStep(s, 8, 80, 9, false).switched).toBe(false);
    expect(scheduleStep(s, 8, 80, 9, true).switched).toBe(true);
  });

  it('short warmups have a valid schedule and sample', async () => {
    for (const w of [1, 5, 20, 100]) {
      const pts = fisherSwitchPoints(w);
      for (const p of pts) expect(p).toBeLessThan(fisherSchedule(w).finalWindowStart);
      const fit = await sample(diagNormal([1, 10]), {
        seed: 2,
        chains: 1,
        warmup: w,
        draws: 20,
        metric: 'fisher-diag',
      });
      expect(fit.config.metric).toBe('fisher-diag');
      expect(Number.isFinite(fit.adaptation.stepSize[0])).toBe(true);
    }
  });

  it('fisher-lowrank learns the sampling step size under the final metric alone: dual averaging restarts when it freezes; fisher-diag carries on (nuts-rs)', () => {
    // Without the restart x̄ kept averaging step sizes tuned to earlier metrics (the counter ran
    // from the first metric update, ~990 at the end): after the final low-rank update the accept
    // rate of gp_pois_regr fell to 0.57 (target 0.8) and divergences rose (BENCHMARKS.md §8.1).
    // The diagonal metric changes gradually and keeps nuts-rs's running average (§8.1).
    for (const lowRank of [false, true]) {
      for (const [warmup, longEnough] of [
        [1000, true],
        [400, true],
        [200, false], // final phase of 30 < 50 iterations: too short to restart
      ] as const) {
        const restarts = lowRank && longEnough;
        const model = correlated2d(0.9);
        const rng = createRng(3, 1);
        const state = createHmcState(model, new Float64Array([0.3, -0.2]));
        const ws = createNutsWorkspace(2, 10);
        const info = createNutsInfo();
        const wu = fisherWarmupInit(model, rng, state, ws, { warmup, adaptDelta: 0.8, lowRank });
        const final = wu.schedule.warmup - wu.schedule.finalWindowStart;
        let frozen = wu.metric;
        for (let it = 0; it < warmup; it++) {
          const params = { stepSize: wu.stepSize, metric: wu.metric, maxTreeDepth: 10 };
          nutsTransition(model, rng, state, params, ws, info);
          fisherWarmupUpdate(model, rng, state, ws, wu, info);
          if (it === wu.schedule.finalWindowStart - 1) {
            frozen = wu.metric;
            if (restarts) {
              expect(wu.da.counter).toBe(0);
              expect(wu.da.mu).toBeCloseTo(Math.log(10 * wu.stepSize), 12);
            }
          }
        }
        expect(wu.metric).toBe(frozen); // no metric change in the final phase
        if (restarts) expect(wu.da.counter).toBe(final);
        else expect(wu.da.counter).toBeGreaterThan(final);
      }
    }
  });

  it('initial inverse metric: 1/|gradient|, clamped, 1 where the gradient is not finite', () => {
    const s = fisherSchedule(1000);
    const g = new Float64Array([-4, 0.5, 0, 1e30, Number.NaN]);
    expect(Array.from(initialFisherInverseMetric(g, s))).toEqual([0.25, 2, 1e20, 1e-20, 1]);
  });

  it('usable draws: moved, and more than 4 steps away after a divergence (nuts-rs DrawGradCollector)', () => {
    const info = createNutsInfo();
    info.sampleIndex = 0;
    expect(usableDraw(info)).toBe(false);
    info.sampleIndex = -1;
    expect(usableDraw(info)).toBe(true);
    info.divergent = true;
    expect(usableDraw(info)).toBe(false);
    info.sampleIndex = -5;
    expect(usableDraw(info)).toBe(true);
  });

  it('NutsInfo.sampleIndex is the leapfrog distance of the draw: replaying that many steps lands on it', () => {
    const model = diagNormal([0.5, 2, 1]);
    const metric = createMetric('diag', new Float64Array([0.3, 3, 1.2]));
    const state = createHmcState(model, new Float64Array([0.1, -1, 0.5]));
    const ws = createNutsWorkspace(3, 10);
    const info = createNutsInfo();
    const eps = 0.6;
    let moved = 0;
    for (let t = 0; t < 200; t++) {
      const start = Float64Array.from(state.position);
      const startGrad = Float64Array.from(state.grad);
      // the momentum is the first draw of the transition: a twin stream reproduces it
      const rng = createRng(77, t);
      const twin = createRng(77, t);
      nutsTransition(model, rng, state, { stepSize: eps, metric, maxTreeDepth: 10 }, ws, info);
      const k = info.sampleIndex;
      expect(Math.abs(k)).toBeLessThanOrEqual(info.nLeapfrog);
      const q = Float64Array.from(start);
      const p = new Float64Array(3);
      const v = new Float64Array(3);
      const g = Float64Array.from(startGrad);
      refreshMomentum(metric, twin, p);
      velocity(metric, p, v);
      for (let j = 0; j < Math.abs(k); j++) leapfrog(model, metric, q, p, g, v, k > 0 ? eps : -eps);
      // the tree's fused diagonal leapfrog is bit-identical to leapfrog() (nuts.ts buildTree)
      expect(Array.from(q)).toEqual(Array.from(state.position));
      if (k !== 0) moved++;
    }
    expect(moved).toBeGreaterThan(150); // the chain moves on almost every transition
  });

  it('scales 1e-2..1e2: the adapted inverse metric is the variance, the posterior is right', async () => {
    const scales = Array.from({ length: 9 }, (_, i) => 10 ** (-2 + i / 2));
    const mu = scales.map((s, i) => (i % 2 === 0 ? s : -2 * s));
    const fit = await sample(diagNormal(scales, mu), {
      seed: 5,
      chains: 4,
      warmup: 1000,
      draws: 1000,
      metric: 'fisher-diag',
    });
    for (let v = 0; v < scales.length; v++) {
      const m = moments(fit, v);
      expect(Math.abs(m.mean - mu[v])).toBeLessThan(Z * m.mcseMean);
      expect(Math.abs(m.variance - scales[v] ** 2)).toBeLessThan(Z * m.mcseVar);
    }
    expect(statSum(fit, 'divergent__')).toBe(0);
    // For independent Gaussian coordinates the gradient is −(θ_i − μ_i)/σ_i², so over any set of
    // draws var(grad_i) = var(θ_i)/σ_i⁴ exactly and sqrt(var(θ_i)/var(grad_i)) = σ_i²: the
    // estimate is exact up to rounding (1e-9 relative leaves room for the Welford sums' rounding
    // over 8 orders of magnitude; an estimate from the draws alone is off by ~20%).
    for (let c = 0; c < 4; c++) {
      for (let v = 0; v < scales.length; v++) {
        const ratio = fit.adaptation.invMetric[c][v] / scales[v] ** 2;
        expect(Math.abs(ratio - 1)).toBeLessThan(1e-9);
      }
    }
  });

  it('correlated Gaussian: the Fisher-optimal diagonal sqrt(Σ_ii / (Σ⁻¹)_ii), not the variance', async () => {
    const rho = 0.95;
    const fit = await sample(correlated2d(rho), {
      seed: 3,
      chains: 4,
      warmup: 1000,
      draws: 1000,
      metric: 'fisher-diag',
    });
    for (let v = 0; v < 2; v++) {
      const m = moments(fit, v);
      expect(Math.abs(m.mean)).toBeLessThan(Z * m.mcseMean);
      expect(Math.abs(m.variance - 1)).toBeLessThan(Z * m.mcseVar);
    }
    // Σ_ii = 1, (Σ⁻¹)_ii = 1/(1 − ρ²): the target is sqrt(1 − ρ²) = 0.312, while a variance
    // estimate gives 1 (3.2x more) and a precision estimate 1 − ρ² (3.2x less). A factor 1.6
    // separates them; the last window holds ~170 autocorrelated draws, and over 40 chains (seeds
    // 1-10) the ratio ranged 0.73-1.22.
    const target = Math.sqrt(1 - rho * rho);
    for (let c = 0; c < 4; c++) {
      for (let v = 0; v < 2; v++) {
        const ratio = fit.adaptation.invMetric[c][v] / target;
        expect(ratio).toBeGreaterThan(1 / 1.6);
        expect(ratio).toBeLessThan(1.6);
      }
    }
  });

  it.each(['fisher-diag', 'fisher-lowrank'] as const)(
    '%s: same seed, same draws, on worker threads and in process',
    async (metric) => {
      const modulePath = fileURLToPath(new URL('./fixtures/worker-model.ts', import.meta.url));
      const model = {
        ...workerModel,
        source: { kind: 'module' as const, path: modulePath, exportName: 'workerModel' },
      };
      const cfg = {
        chains: 2,
        warmup: 300,
        draws: 200,
        seed: 9,
        metric,
        saveWarmup: true,
      };
      const inWorkers = await sample(model, cfg);
      const inProcess = await sample(model, { ...cfg, parallel: false });
      expect(Array.from(inWorkers.draws.values)).toEqual(Array.from(inProcess.draws.values));
      expect(Array.from(inWorkers.stats.values)).toEqual(Array.from(inProcess.stats.values));
      expect(Array.from(inWorkers.warmup?.draws.values ?? [])).toEqual(
        Array.from(inProcess.warmup?.draws.values ?? []),
      );
      expect(Array.from(inWorkers.adaptation.invMetric[1])).toEqual(
        Array.from(inProcess.adaptation.invMetric[1]),
      );
      // and the adaptation differs from Stan's: the metric is not the same as with metric 'diag'
      const stan = await sample(model, { ...cfg, metric: 'diag', parallel: false });
      expect(Array.from(stan.adaptation.invMetric[0])).not.toEqual(
        Array.from(inProcess.adaptation.invMetric[0]),
      );
    },
  );
});
