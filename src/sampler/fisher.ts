import type { Rng } from '../math/rng.js';
import { lowRankInverseMetric } from './lowrank.js';
import type { Metric } from './metric.js';
import type { HmcState, NutsInfo, NutsWorkspace } from './nuts.js';
import type { LogDensity } from './types.js';
import {
  createDualAveraging,
  createWelford,
  type DualAveraging,
  dualAveragingUpdate,
  initStepSize,
  type Welford,
  welfordAdd,
  welfordReset,
} from './warmup.js';

/**
 * The warmup schedule of the Fisher-divergence adaptation, as data (docs/ALGORITHMS.md §3.7).
 * Constants from nuts-rs (the sampler of nutpie), `EuclideanAdaptOptions::default` and
 * `GlobalStrategy::new` in src/adapt_strategy.rs: an early phase (first 30% of warmup) that swaps
 * in a fresh estimate every 10 usable draws, a main phase whose windows start at 80 draws and grow
 * by 1.5x, and a final 15% in which only the step size adapts. The clamp is
 * `LOWER_LIMIT`/`UPPER_LIMIT` (and `INIT_*`) of src/transform/adapt/diagonal.rs.
 *
 * @example
 * fisherSchedule(1000); // { warmup: 1000, earlyEnd: 300, finalWindowStart: 850, ... }
 */
export interface FisherSchedule {
  warmup: number;
  /** First warmup iteration of the main phase: floor(0.3 W). */
  earlyEnd: number;
  /** First warmup iteration of the step-size-only phase: W − floor(0.15 W). */
  finalWindowStart: number;
  /** Usable draws per estimate in the early phase (`early_mass_matrix_switch_freq`). */
  earlyWindow: number;
  /** First main-phase window (`mass_matrix_switch_freq`). */
  firstWindow: number;
  /** Growth of the main-phase windows (`mass_matrix_window_growth`). */
  windowGrowth: number;
  /** Bounds of each diagonal entry of the inverse metric. */
  clampLower: number;
  clampUpper: number;
}

/**
 * The schedule for W warmup iterations with nuts-rs's default constants.
 *
 * @example
 * fisherSchedule(1000).finalWindowStart; // 850
 */
export function fisherSchedule(warmup: number): FisherSchedule {
  return {
    warmup,
    earlyEnd: Math.floor(0.3 * warmup),
    finalWindowStart: warmup - Math.floor(0.15 * warmup),
    earlyWindow: 10,
    firstWindow: 80,
    windowGrowth: 1.5,
    clampLower: 1e-20,
    clampUpper: 1e20,
  };
}

/** Running mean and M2 of the positions and of the gradients over the same draws. */
interface DrawGradEstimate {
  x: Welford;
  g: Welford;
}

function createEstimate(dim: number): DrawGradEstimate {
  return { x: createWelford(dim, false), g: createWelford(dim, false) };
}

function addDrawGrad(e: DrawGradEstimate, position: Float64Array, grad: Float64Array): void {
  welfordAdd(e.x, position);
  welfordAdd(e.g, grad);
}

/**
 * The state of the Fisher warmup. `metric`, `stepSize`, `da` and `stanCompat` have the meaning
 * they have in WarmupState, so `warmupFinal` ends both.
 */
export interface FisherWarmupState {
  iteration: number;
  warmup: number;
  stepSize: number;
  /** Initial nominal step size ε0 the heuristic restarts from at the first metric update. */
  stepSize0: number;
  adaptDelta: number;
  metric: Metric;
  da: DualAveraging;
  stanCompat: false;
  schedule: FisherSchedule;
  /** The estimate the metric is computed from (nuts-rs's foreground). */
  current: DrawGradEstimate;
  /** The estimate being filled for the next switch (background). */
  next: DrawGradEstimate;
  /** Target size of the current main-phase window. */
  windowSize: number;
  /** Warmup iteration of the last metric update. */
  lastUpdate: number;
  /** True until the metric first changes after the initial 1/|gradient| guess. */
  initialMetric: boolean;
  /**
   * Diagonal plus low rank ('fisher-lowrank'): the draws and gradients since the foreground began
   * (the first `split` of them are the foreground's alone; nuts-rs `LowRankMassMatrixStrategy`).
   */
  window: { draws: Float64Array[]; grads: Float64Array[]; split: number } | null;
}

/** A diagonal Metric object around `inv` (not copied). */
function diagMetric(inv: Float64Array): Metric {
  return { kind: 'diag', dim: inv.length, invMetric: inv, chol: new Float64Array(0) };
}

/**
 * The initial inverse metric 1/|∇log p(θ0)|, each |g_i| clamped to the schedule's bounds first, 1
 * where that is not finite (nuts-rs `DiagMassMatrix::update_diag_grad` via
 * `array_update_var_inv_std_grad` in src/math/cpu_math.rs): for a Gaussian N(0, σ²) started at
 * θ0 ~ σ this is σ², the right order of magnitude before any draw.
 *
 * @example
 * initialFisherInverseMetric(new Float64Array([-4, 0.5]), fisherSchedule(1000)); // [0.25, 2]
 */
export function initialFisherInverseMetric(
  grad: Float64Array,
  schedule: FisherSchedule,
): Float64Array {
  const out = new Float64Array(grad.length);
  for (let i = 0; i < grad.length; i++) {
    const a = Math.min(Math.max(Math.abs(grad[i]), schedule.clampLower), schedule.clampUpper);
    const v = 1 / a;
    out[i] = Number.isFinite(v) ? v : 1; // NaN gradient: clamp keeps NaN
  }
  return out;
}

/**
 * The Fisher-divergence diagonal inverse metric from the draws and gradients of one estimate
 * (Seyboldt, Carlson & Carpenter 2026, diagonal case; nuts-rs `array_update_var_inv_std_draw_grad`):
 * Minv_i = sqrt(var(θ_i) / var(∂_i log p)), clamped; coordinates where that is 0 or not finite keep
 * `previous`. The affine map with diagonal D minimizing the Fisher divergence to a Gaussian is this
 * D; for a Gaussian posterior var(∂_i log p) = 1/var(θ_i), so Minv_i = var(θ_i). Returns null when
 * the estimate has fewer than 3 draws (nuts-rs `adapt`).
 *
 * @example
 * fisherInverseMetric(est, previous, fisherSchedule(1000)); // Float64Array(d) or null
 */
function fisherInverseMetric(
  e: DrawGradEstimate,
  previous: Float64Array,
  schedule: FisherSchedule,
): Float64Array | null {
  if (e.x.n < 3) return null;
  const d = previous.length;
  const out = new Float64Array(d);
  // M2/(n−1) in both: the scales cancel in the ratio
  for (let i = 0; i < d; i++) {
    const v = Math.sqrt(e.x.m2[i] / e.g.m2[i]);
    if (!Number.isFinite(v) || v === 0) out[i] = previous[i];
    else out[i] = Math.min(Math.max(v, schedule.clampLower), schedule.clampUpper);
  }
  return out;
}

/** Options of the Fisher warmup (the subset of WarmupOptions it uses). */
export interface FisherWarmupOptions {
  warmup: number;
  adaptDelta: number;
  /** Initial nominal step size ε0 (default 1). */
  stepSize?: number;
  /** Diagonal plus low rank (metric 'fisher-lowrank') instead of diagonal. */
  lowRank?: boolean;
}

/**
 * Fisher warmup `init` (nuts-rs `GlobalStrategy::init`): both estimates get the initial point and
 * its gradient, the metric is 1/|gradient| (initialFisherInverseMetric), then Stan's step-size
 * heuristic under it and dual averaging with μ = log(10 ε).
 *
 * @example
 * const wu = fisherWarmupInit(model, rng, state, ws, { warmup: 1000, adaptDelta: 0.8 });
 */
export function fisherWarmupInit(
  model: LogDensity,
  rng: Rng,
  state: HmcState,
  ws: NutsWorkspace,
  options: FisherWarmupOptions,
): FisherWarmupState {
  const d = ws.dim;
  const schedule = fisherSchedule(options.warmup);
  const current = createEstimate(d);
  const next = createEstimate(d);
  addDrawGrad(current, state.position, state.grad);
  addDrawGrad(next, state.position, state.grad);
  const metric = diagMetric(initialFisherInverseMetric(state.grad, schedule));
  const eps0 = options.stepSize ?? 1;
  const stepSize = initStepSize(model, rng, state, metric, eps0, ws);
  return {
    iteration: 0,
    warmup: options.warmup,
    stepSize,
    stepSize0: eps0,
    adaptDelta: options.adaptDelta,
    metric,
    da: createDualAveraging(Math.log(10 * stepSize), options.adaptDelta),
    stanCompat: false,
    schedule,
    current,
    next,
    windowSize: schedule.firstWindow,
    lastUpdate: 0,
    initialMetric: true,
    window: options.lowRank
      ? {
          draws: [Float64Array.from(state.position)],
          grads: [Float64Array.from(state.grad)],
          split: 0,
        }
      : null,
  };
}

/**
 * Whether a draw enters the estimates (nuts-rs `DrawGradCollector::register_draw`): it must have
 * moved (trajectory index ≠ 0), and after a divergence be more than 4 leapfrog steps from the start.
 */
export function usableDraw(info: NutsInfo): boolean {
  const idx = info.sampleIndex;
  return info.divergent ? Math.abs(idx) > 4 : idx !== 0;
}

/**
 * Fisher warmup `update` after one warmup transition that moved the chain to `state` (nuts-rs
 * `GlobalStrategy::adapt` in src/adapt_strategy.rs, diagonal strategy of
 * src/transform/adapt/diagonal.rs). Before `finalWindowStart`: the draw and its gradient (the state's,
 * already computed) enter both estimates when usable; when the background estimate holds a full
 * window (10 draws early, then 80, 120, 180, ...) and the window after it still fits before the
 * final phase, it replaces the foreground one; the metric is recomputed from the foreground estimate after
 * every such switch and otherwise once per iteration. The step size follows dual averaging
 * throughout, restarted (step-size heuristic, μ = log(10 ε)) at the first metric change and when
 * the metric freezes before a final phase of 50+ iterations (Stan's term buffer).
 * With `window` (metric 'fisher-lowrank') the same schedule keeps the draws themselves and the
 * metric is the diagonal-plus-low-rank estimate of lowrank.ts. Returns true if the metric changed.
 *
 * Deviations from nuts-rs (docs/ALGORITHMS.md §3.7 gives the measurements behind each): the restart
 * when the metric freezes; Stan's accept statistic in all phases (nuts-rs uses a symmetric variant
 * late in warmup); Stan's dual averaging constants, without nuts-rs's cap of π on the step size;
 * exact Welford variances.
 *
 * @example
 * nutsTransition(model, rng, state, { stepSize: wu.stepSize, metric: wu.metric, maxTreeDepth: 10 }, ws, info);
 * fisherWarmupUpdate(model, rng, state, ws, wu, info);
 */
export function fisherWarmupUpdate(
  model: LogDensity,
  rng: Rng,
  state: HmcState,
  ws: NutsWorkspace,
  wu: FisherWarmupState,
  info: NutsInfo,
): boolean {
  const draw = wu.iteration;
  const changed = fisherAdaptMetric(model, rng, state, ws, wu, info);
  // fisher-lowrank: the metric is final from here and has just jumped (one large low-rank update):
  // the sampling step size is learnt under it alone, as in Stan's term buffer. Carried on instead
  // (nuts-rs), x̄ still averages step sizes tuned to earlier metrics: after the low-rank update at
  // this iteration the accept rate fell to 0.57-0.80 on gp_pois_regr (target 0.8). fisher-diag
  // changes gradually and keeps nuts-rs's running average: restarting it too cost ESS per gradient
  // on nes2000 and arK and left 2-7 divergences on the Ada-KV budget-curve fits that have none
  // without it (BENCHMARKS.md §8.1). A final phase shorter than Stan's 50-iteration term buffer
  // keeps the running dual averaging, which a restart would not give time to settle.
  const s = wu.schedule;
  if (
    draw === s.finalWindowStart - 1 &&
    !wu.initialMetric &&
    wu.window !== null &&
    s.warmup - s.finalWindowStart >= 50
  ) {
    restartStepSize(model, rng, state, ws, wu, wu.stepSize);
  }
  return changed;
}

/**
 * Stan's restart after a metric update (docs/ALGORITHMS.md §3.6): the step-size heuristic under the
 * new metric from `from`, then dual averaging anew with μ = log(10 ε).
 */
function restartStepSize(
  model: LogDensity,
  rng: Rng,
  state: HmcState,
  ws: NutsWorkspace,
  wu: FisherWarmupState,
  from: number,
): void {
  wu.stepSize = initStepSize(model, rng, state, wu.metric, from, ws);
  wu.da = createDualAveraging(Math.log(10 * wu.stepSize), wu.adaptDelta);
}

function fisherAdaptMetric(
  model: LogDensity,
  rng: Rng,
  state: HmcState,
  ws: NutsWorkspace,
  wu: FisherWarmupState,
  info: NutsInfo,
): boolean {
  const draw = wu.iteration;
  const s = wu.schedule;
  wu.iteration += 1;
  wu.stepSize = dualAveragingUpdate(wu.da, info.acceptStat);
  if (draw >= s.finalWindowStart) return false;
  const usable = usableDraw(info);
  const step = scheduleStep(s, draw, wu.windowSize, wu.next.x.n, usable);
  wu.windowSize = step.windowSize;
  const win = wu.window;
  if (usable) {
    addDrawGrad(wu.current, state.position, state.grad);
    addDrawGrad(wu.next, state.position, state.grad);
    if (win !== null) {
      win.draws.push(Float64Array.from(state.position));
      win.grads.push(Float64Array.from(state.grad));
    }
  }
  if (step.switched) {
    const old = wu.current;
    wu.current = wu.next;
    welfordReset(old.x);
    welfordReset(old.g);
    wu.next = old;
    if (win !== null) {
      win.draws.splice(0, win.split);
      win.grads.splice(0, win.split);
      win.split = win.draws.length;
    }
  }
  if (!step.switched && draw - wu.lastUpdate < 1) return false;
  let next: Metric | null;
  if (win !== null) {
    // Low rank: O(d² n) and small eigenproblems per update, so only at a switch and once with the
    // whole last window, not after every iteration as nuts-rs does (docs/ALGORITHMS.md §3.7).
    if (!step.switched && draw !== s.finalWindowStart - 1) return false;
    next = lowRankInverseMetric(win.draws, win.grads, ws.dim);
  } else {
    const inv = fisherInverseMetric(wu.current, wu.metric.invMetric, s);
    next = inv === null ? null : diagMetric(inv);
  }
  if (next === null) return false;
  wu.metric = next;
  wu.lastUpdate = draw;
  if (wu.initialMetric) {
    wu.initialMetric = false;
    restartStepSize(model, rng, state, ws, wu, wu.stepSize0);
  }
  return true;
}

/**
 * One step of the schedule at warmup iteration `draw` (< finalWindowStart), before the draw enters
 * the estimates: `background` draws in the background estimate, `usable` whether this draw adds one.
 * Returns whether the background estimate replaces the foreground one after this draw, and the
 * main-phase window size from then on (nuts-rs `GlobalStrategy::adapt`: a switch needs a full
 * window and room for the next, grown one before the final phase).
 *
 * @example
 * scheduleStep(fisherSchedule(1000), 8, 80, 9, true); // { switched: true, windowSize: 80 }
 */
export function scheduleStep(
  s: FisherSchedule,
  draw: number,
  windowSize: number,
  background: number,
  usable: boolean,
): { switched: boolean; windowSize: number } {
  const early = draw < s.earlyEnd;
  // entering the main phase: never shrink below what the background already holds
  let size = draw === s.earlyEnd ? Math.max(windowSize, background) : windowSize;
  const switchAt = early ? s.earlyWindow : size;
  const count = background + (usable ? 1 : 0);
  const nextWindow = early ? s.earlyWindow : Math.max(size + 1, Math.round(size * s.windowGrowth));
  const late = nextWindow + draw > s.finalWindowStart;
  const switched = count >= switchAt && !late;
  if (switched && !early) size = nextWindow;
  return { switched, windowSize: size };
}

/**
 * The warmup iterations (0-based) after which the foreground estimate is replaced, when every draw
 * is usable: the schedule of fisherWarmupUpdate as a list, for docs and tests.
 *
 * @example
 * fisherSwitchPoints(1000); // [8, 18, 28, ..., 298, 378, 498]
 */
export function fisherSwitchPoints(warmup: number): number[] {
  const s = fisherSchedule(warmup);
  const out: number[] = [];
  let background = 1; // the initial point
  let windowSize = s.firstWindow;
  for (let draw = 0; draw < s.finalWindowStart; draw++) {
    const step = scheduleStep(s, draw, windowSize, background, true);
    windowSize = step.windowSize;
    background += 1;
    if (step.switched) {
      out.push(draw);
      background = 0;
    }
  }
  return out;
}
