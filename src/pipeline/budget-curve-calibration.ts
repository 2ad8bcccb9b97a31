import { createNormalRng } from '../analysis/random.js';
import { summarize90 } from '../analysis/stats.js';
import { pushSbcRanks } from '../diagnostics/sbc-rank.js';
import { summarizeFit } from '../diagnostics/summarize.js';
import { buildBudgetCurveModel, curveLoss, curveParts } from '../model/budget-curve.js';
import {
  CURVE_SIM_DESIGN,
  type CurveSimDesign,
  simulateBudgetCurve,
} from '../model/budget-curve-sim.js';
import { sample } from '../sampler/sample.js';
import type { SamplerConfig } from '../sampler/types.js';
import { type CalibrationTally, emptyTally, tallyConvergence } from './calibration.js';

/**
 * Simulation-based calibration of the budget-curve model (src/model/budget-curve.ts; Talts et al.
 * 2018, arXiv:1804.06788): tables simulated from the model's prior (src/model/budget-curve-sim.ts)
 * are fitted with the same priors; each method's curve averaged over tasks and backbones at each
 * observed budget (what `compare` reports) should fall in its central 90% interval 90% of the
 * time, and the rank of each true top-level parameter among L posterior draws should be uniform.
 */

/** Options of `runCurveCalibration`. */
export interface CurveCalibrationOptions {
  replications: number;
  design?: CurveSimDesign;
  sampler?: SamplerConfig;
  seed?: number;
  /** Thinned posterior draws per SBC rank (default 99: ranks 0..99). */
  rankDraws?: number;
  onReplication?: (done: number, total: number) => void;
}

/** Results over all replications. */
/** Results over all replications (intervals: the method-by-budget 90% intervals of the curve). */
export interface CurveCalibrationResult extends CalibrationTally {
  replications: number;
}

/**
 * Simulate, fit and score `replications` budget tables.
 * @example const r = await runCurveCalibration({ replications: 20 }); r.coverage // ~0.9
 */
export async function runCurveCalibration(
  options: CurveCalibrationOptions,
): Promise<CurveCalibrationResult> {
  const design = options.design ?? CURVE_SIM_DESIGN;
  const L = options.rankDraws ?? 99;
  const rng = createNormalRng(options.seed ?? 20261204);
  const res: CurveCalibrationResult = { replications: options.replications, ...emptyTally(L) };
  const logB = design.budgets.map((b) => Math.log2(b));
  for (let r = 0; r < options.replications; r++) {
    const sim = simulateBudgetCurve(design, rng);
    const model = buildBudgetCurveModel(sim.data);
    const config: SamplerConfig = {
      chains: 2,
      warmup: 300,
      draws: 300,
      adaptDelta: 0.95,
      parallel: false,
      ...options.sampler,
      seed: (options.seed ?? 1) + r,
    };
    config.inits = model.inits(config.chains ?? 4, config.seed ?? 1);
    const fit = await sample(model, config);
    const summary = summarizeFit(fit);
    let rhat = 0;
    for (const v of summary.variables) if (Number.isFinite(v.rhat)) rhat = Math.max(rhat, v.rhat);
    tallyConvergence(res, { max_rhat: rhat, divergent: summary.sampler?.divergent ?? 0 });
    const draws = fit.draws;
    const S = draws.nDraws * draws.nChains;
    const s = model.state;
    const curve = Array.from({ length: s.H * logB.length }, () => new Float64Array(S));
    for (let d = 0; d < S; d++) {
      const p = curveParts(s, (v) => draws.values[v * S + d]);
      for (let h = 0; h < s.H; h++) {
        logB.forEach((x, j) => {
          let v = 0;
          for (let t = 0; t < s.T; t++) {
            for (let m = 0; m < s.M; m++) {
              const c = (h * s.T + t) * s.M + m;
              v += p.full[t * s.M + m] - curveLoss(s, p.la[c], p.lb[h * s.T + t], p.lc[h], x);
            }
          }
          curve[h * logB.length + j][d] = v / (s.T * s.M);
        });
      }
    }
    curve.forEach((x, k) => {
      const iv = summarize90(x);
      res.intervals++;
      if (iv.q5 <= sim.curve[k] && sim.curve[k] <= iv.q95) res.covered++;
    });
    pushSbcRanks(res.ranks, draws, sim.params, L);
    options.onReplication?.(r + 1, options.replications);
  }
  res.coverage = res.covered / res.intervals;
  return res;
}
