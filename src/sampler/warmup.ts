import { SamplerError } from '../errors.js';
import type { Rng } from '../math/rng.js';
import { leapfrog } from './leapfrog.js';
import { createMetric, type Metric, refreshMomentum, velocity } from './metric.js';
import type { HmcState, NutsWorkspace } from './nuts.js';
import type { LogDensity } from './types.js';

const LOG_08 = Math.log(0.8);

/**
 * Stan's step-size initialisation heuristic (docs/ALGORITHMS.md §3.2, `base_hmc::init_stepsize`): one leapfrog
 * step with a fresh momentum per trial, doubling or halving ε until the acceptance crosses 0.8. Leaves
 * `state` untouched (works in the workspace's cursor buffers). Throws SamplerError when ε would exceed
 * 1e7 (improper posterior) or reach 0.
 *
 * @example
 * initStepSize(model, rng, state, unitMetric('diag', model.dim), 1, ws); // e.g. 1.6
 */
export function initStepSize(
  model: LogDensity,
  rng: Rng,
  state: HmcState,
  metric: Metric,
  stepSize: number,
  ws: NutsWorkspace,
): number {
  const d = ws.dim;
  if (d === 0) return Number.NaN;
  let eps = stepSize;
  if (eps === 0 || eps > 1e7 || Number.isNaN(eps)) return eps;
  const c = ws.fwd;
  const trial = (e: number): number => {
    c.q.set(state.position);
    c.grad.set(state.grad);
    refreshMomentum(metric, rng, c.p);
    velocity(metric, c.p, c.v);
    let t0 = 0;
    for (let i = 0; i < d; i++) t0 += c.p[i] * c.v[i];
    const h0 = -state.logDensity + 0.5 * t0;
    const lp = leapfrog(model, metric, c.q, c.p, c.grad, c.v, e);
    let t1 = 0;
    for (let i = 0; i < d; i++) t1 += c.p[i] * c.v[i];
    let h = -lp + 0.5 * t1;
    if (Number.isNaN(h)) h = Number.POSITIVE_INFINITY;
    return h0 - h;
  };
  const direction = trial(eps) > LOG_08 ? 1 : -1;
  for (;;) {
    const delta = trial(eps);
    if (direction === 1 && !(delta > LOG_08)) break;
    if (direction === -1 && !(delta < LOG_08)) break;
    eps = direction === 1 ? 2 * eps : 0.5 * eps;
    if (eps > 1e7) {
      throw new SamplerError(
        'step size search: posterior is improper (step size grew beyond 1e7); check the model',
      );
    }
    if (eps === 0) {
      throw new SamplerError(
        'step size search: no acceptably small step size (it reached 0); check the model gradient',
      );
    }
  }
  return eps;
}

/**
 * Dual-averaging state (docs/ALGORITHMS.md §3.3, `stepsize_adaptation`).
 *
 * @example
 * const da = createDualAveraging(Math.log(10), 0.8);
 * dualAveragingUpdate(da, 1); // returns exp(x) = 14.3855...
 */
export interface DualAveraging {
  counter: number;
  sBar: number;
  xBar: number;
  mu: number;
  delta: number;
  gamma: number;
  kappa: number;
  t0: number;
}

/**
 * New dual-averaging state with Stan's constants γ = 0.05, κ = 0.75, t0 = 10.
 *
 * @example
 * createDualAveraging(Math.log(10), 0.8).counter; // 0
 */
export function createDualAveraging(
  mu: number,
  delta: number,
  gamma = 0.05,
  kappa = 0.75,
  t0 = 10,
): DualAveraging {
  return { counter: 0, sBar: 0, xBar: 0, mu, delta, gamma, kappa, t0 };
}

/**
 * `restart()`: counter, s̄, x̄ back to 0 (μ untouched).
 *
 * @example
 * restartDualAveraging(da);
 */
export function restartDualAveraging(da: DualAveraging): void {
  da.counter = 0;
  da.sBar = 0;
  da.xBar = 0;
}

/**
 * One `learn_stepsize` update with accept statistic a; returns the next nominal step size exp(x).
 *
 * @example
 * dualAveragingUpdate(createDualAveraging(Math.log(10), 0.8), 1); // 14.385510095776...
 */
export function dualAveragingUpdate(da: DualAveraging, acceptStat: number): number {
  da.counter += 1;
  const a = Math.min(acceptStat, 1);
  const eta = 1 / (da.counter + da.t0);
  da.sBar = (1 - eta) * da.sBar + eta * (da.delta - a);
  const x = da.mu - (da.sBar * Math.sqrt(da.counter)) / da.gamma;
  const w = da.counter ** -da.kappa;
  da.xBar = (1 - w) * da.xBar + w * x;
  return Math.exp(x);
}

/** One slow (metric) adaptation window, inclusive 0-based warmup iteration range. */
export interface AdaptationWindow {
  start: number;
  end: number;
}

/** Buffer sizes of the windowed adaptation (docs/ALGORITHMS.md §3.1: 75 / 50 / 25). */
export interface WindowOptions {
  /**
   * Reproduce Stan's quirks (docs/ALGORITHMS.md §3.4, §3.6, §7): no metric adaptation when
   * init + base + term > W (default W < 150), and ε = 1 after warmup when the last window ends on the
   * last warmup iteration (term buffer 0). Default false: the intended behaviour.
   */
  stanCompat?: boolean;
  initBuffer?: number;
  termBuffer?: number;
  baseWindow?: number;
}

/**
 * The metric-adaptation windows for W warmup iterations, as data (docs/ALGORITHMS.md §3.4). Follows Stan's
 * `windowed_adaptation` (doubling windows, the last one stretched, the first never) except that for
 * init + base + term > W it applies the intended 15% / 75% / 10% layout instead of Stan's no-adaptation
 * quirk (unless `stanCompat`). W < 20: no windows.
 *
 * @example
 * adaptationWindows(1000); // [75,99] [100,149] [150,249] [250,449] [450,949]
 * adaptationWindows(100); // [15,89]
 */
export function adaptationWindows(warmup: number, options: WindowOptions = {}): AdaptationWindow[] {
  const W = warmup;
  let init = options.initBuffer ?? 75;
  let term = options.termBuffer ?? 50;
  let base = options.baseWindow ?? 25;
  if (W < 20) return [];
  if (init + base + term > W) {
    if (options.stanCompat) return []; // Stan's branch returns before restart(): no window ever ends
    init = Math.floor(0.15 * W);
    term = Math.floor(0.1 * W);
    base = W - init - term;
  }
  const lastEnd = W - term - 1;
  const windows: AdaptationWindow[] = [];
  if (base <= 0 || init + base - 1 > lastEnd) return windows;
  let windowSize = base;
  let start = init;
  let end = init + base - 1;
  for (;;) {
    windows.push({ start, end });
    if (end === lastEnd) break;
    // compute_next_window at the end of this window
    const c = end + 1; // Stan's counter is incremented before the next window is computed
    windowSize *= 2;
    let nextEnd = c + windowSize - 1;
    if (nextEnd !== lastEnd && nextEnd + 2 * windowSize >= W - term) nextEnd = lastEnd;
    if (nextEnd > lastEnd) nextEnd = lastEnd;
    start = end + 1;
    end = nextEnd;
  }
  return windows;
}

/**
 * Welford running (co)variance (docs/ALGORITHMS.md §3.5; MATH `welford_var_estimator`,
 * `welford_covar_estimator`). Dense keeps the full d x d M2 (row-major).
 *
 * @example
 * const w = createWelford(1, false);
 * for (const x of [1, 2, 3, 4]) welfordAdd(w, new Float64Array([x]));
 * regularizedVariance(w); // [0.7412962962962962]
 */
export interface Welford {
  dim: number;
  dense: boolean;
  n: number;
  mean: Float64Array;
  m2: Float64Array;
  delta: Float64Array;
}

/**
 * A fresh Welford estimator.
 *
 * @example
 * createWelford(3, true).m2.length; // 9
 */
export function createWelford(dim: number, dense: boolean): Welford {
  return {
    dim,
    dense,
    n: 0,
    mean: new Float64Array(dim),
    m2: new Float64Array(dense ? dim * dim : dim),
    delta: new Float64Array(dim),
  };
}

/**
 * Add one sample: n += 1; δ = x − m; m += δ/n; M2 += δ ⊙ (x − m) (dense: (x − m) δᵀ).
 *
 * @example
 * welfordAdd(w, new Float64Array([1, 2]));
 */
export function welfordAdd(w: Welford, x: Float64Array): void {
  const d = w.dim;
  w.n += 1;
  const m = w.mean;
  const delta = w.delta;
  for (let i = 0; i < d; i++) {
    delta[i] = x[i] - m[i];
    m[i] += delta[i] / w.n;
  }
  if (!w.dense) {
    for (let i = 0; i < d; i++) w.m2[i] += delta[i] * (x[i] - m[i]);
    return;
  }
  for (let i = 0; i < d; i++) {
    const xi = x[i] - m[i];
    const row = i * d;
    for (let j = 0; j < d; j++) w.m2[row + j] += xi * delta[j];
  }
}

/**
 * Reset to no samples.
 *
 * @example
 * welfordReset(w);
 */
export function welfordReset(w: Welford): void {
  w.n = 0;
  w.mean.fill(0);
  w.m2.fill(0);
}

/**
 * Stan's regularised inverse metric from the window's samples (docs/ALGORITHMS.md §3.5):
 * (n/(n+5)) Σ̂ + 1e-3 (5/(n+5)) I, with Σ̂ = M2/(n − 1). Requires n ≥ 2.
 *
 * @example
 * regularizedVariance(w); // Float64Array (d, or d*d when dense)
 */
export function regularizedVariance(w: Welford): Float64Array {
  const n = w.n;
  const d = w.dim;
  const out = new Float64Array(w.m2.length);
  const b = 1e-3 * (5 / (n + 5));
  if (!w.dense) {
    for (let i = 0; i < d; i++) out[i] = (n / (n + 5)) * (w.m2[i] / (n - 1)) + b;
  } else {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) out[i * d + j] = (n / (n + 5)) * (w.m2[i * d + j] / (n - 1));
      out[i * d + i] += b;
    }
    // symmetrize against rounding
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) {
        const s = 0.5 * (out[i * d + j] + out[j * d + i]);
        out[i * d + j] = s;
        out[j * d + i] = s;
      }
    }
  }
  return out;
}

/** Options of the warmup (Stan's defaults, docs/ALGORITHMS.md §3.1). */
export interface WarmupOptions extends WindowOptions {
  warmup: number;
  adaptDelta: number;
  /** Initial nominal step size ε0 (default 1); μ = log(10 ε0) for the first phase. */
  stepSize?: number;
  metric: 'diag' | 'dense';
}

/**
 * The state of Stan's windowed warmup (step size by dual averaging, metric by Welford windows).
 *
 * @example
 * const wu = warmupInit(model, rng, state, ws, { warmup: 1000, adaptDelta: 0.8, metric: 'diag' });
 */
export interface WarmupState {
  iteration: number;
  warmup: number;
  stepSize: number;
  metric: Metric;
  da: DualAveraging;
  windows: AdaptationWindow[];
  windowIndex: number;
  welford: Welford;
  stanCompat: boolean;
}

/**
 * Warmup `init`: identity metric, μ = log(10 ε0), then the step-size heuristic at the initial point
 * (docs/ALGORITHMS.md §3.3 "Which μ?", §3.6 "Before the first warmup iteration").
 *
 * @example
 * const wu = warmupInit(model, rng, state, ws, { warmup: 1000, adaptDelta: 0.8, metric: 'diag' });
 */
export function warmupInit(
  model: LogDensity,
  rng: Rng,
  state: HmcState,
  ws: NutsWorkspace,
  options: WarmupOptions,
): WarmupState {
  const d = ws.dim;
  const eps0 = options.stepSize ?? 1;
  const dense = options.metric === 'dense';
  const inv = new Float64Array(dense ? d * d : d);
  if (dense) for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  else inv.fill(1);
  const metric = createMetric(options.metric, inv);
  const da = createDualAveraging(Math.log(10 * eps0), options.adaptDelta);
  const stepSize = initStepSize(model, rng, state, metric, eps0, ws);
  return {
    iteration: 0,
    warmup: options.warmup,
    stepSize,
    metric,
    da,
    windows: adaptationWindows(options.warmup, options),
    windowIndex: 0,
    welford: createWelford(d, dense),
    stanCompat: options.stanCompat === true,
  };
}

/**
 * Warmup `update` after one warmup transition with accept statistic `acceptStat` that moved the chain to
 * `state` (docs/ALGORITHMS.md §3.6): dual averaging, window bookkeeping, and at a window end the new metric,
 * a step-size search from exp(x) under it, μ = log(10 ε) and a dual-averaging restart. Windows with
 * fewer than 2 samples leave the metric unchanged (§3.5 recommendation). Returns true if the metric changed.
 *
 * @example
 * nutsTransition(model, rng, state, { stepSize: wu.stepSize, metric: wu.metric, maxTreeDepth: 10 }, ws, info);
 * warmupUpdate(model, rng, state, ws, wu, info.acceptStat);
 */
export function warmupUpdate(
  model: LogDensity,
  rng: Rng,
  state: HmcState,
  ws: NutsWorkspace,
  wu: WarmupState,
  acceptStat: number,
): boolean {
  const c = wu.iteration;
  wu.iteration += 1;
  wu.stepSize = dualAveragingUpdate(wu.da, acceptStat);
  const win = wu.windows[wu.windowIndex];
  if (win === undefined || c < win.start) return false;
  welfordAdd(wu.welford, state.position);
  if (c !== win.end) return false;
  wu.windowIndex += 1;
  const w = wu.welford;
  if (w.n < 2) {
    welfordReset(w);
    return false;
  }
  const inv = regularizedVariance(w);
  welfordReset(w);
  for (let i = 0; i < inv.length; i++) {
    if (!Number.isFinite(inv[i])) {
      throw new SamplerError(
        'numerical overflow in metric adaptation: the posterior variance is not finite; check the model',
      );
    }
  }
  try {
    wu.metric = createMetric(wu.metric.kind === 'dense' ? 'dense' : 'diag', inv);
  } catch {
    throw new SamplerError(
      'metric adaptation: the estimated covariance is not positive definite; try metric "diag"',
    );
  }
  wu.stepSize = initStepSize(model, rng, state, wu.metric, wu.stepSize, ws);
  wu.da.mu = Math.log(10 * wu.stepSize);
  restartDualAveraging(wu.da);
  return true;
}

/**
 * Warmup `final`: the step size for sampling, exp(x̄); if the dual averaging was just restarted (the last
 * window ended on the last warmup iteration, term buffer 0) the current ε is kept (Stan #3023 fixed
 * behaviour, docs/ALGORITHMS.md §3.6).
 *
 * @example
 * const { stepSize, metric } = warmupFinal(wu);
 */
export function warmupFinal(wu: Pick<WarmupState, 'da' | 'stepSize' | 'stanCompat' | 'metric'>): {
  stepSize: number;
  metric: Metric;
} {
  // Stan before PR #3346 returns exp(x̄) = exp(0) = 1 here (stanCompat reproduces it)
  const stepSize = wu.da.counter === 0 && !wu.stanCompat ? wu.stepSize : Math.exp(wu.da.xBar);
  return { stepSize, metric: wu.metric };
}
