import { ModelError, type ModelErrorPlace, SamplerError } from '../errors.js';
import { createRng, type Rng } from '../math/rng.js';
import { type FisherWarmupState, fisherWarmupInit, fisherWarmupUpdate } from './fisher.js';
import { type Metric, unitMetric } from './metric.js';
import {
  createNutsInfo,
  createNutsWorkspace,
  type HmcState,
  type NutsInfo,
  type NutsParams,
  type NutsWorkspace,
  nutsTransition,
} from './nuts.js';
import type { LogDensity, MetricKind, ReportingModel } from './types.js';
import { type WarmupState, warmupFinal, warmupInit, warmupUpdate } from './warmup.js';

/** Number of sampler fields per draw (SAMPLER_FIELDS). */
export const N_STATS = 7;

/** Everything one chain needs besides the model; plain data so it can be posted to a worker. */
export interface ChainSetup {
  chain: number;
  seed: number;
  warmup: number;
  draws: number;
  adaptDelta: number;
  maxTreeDepth: number;
  metric: MetricKind;
  stepSize: number;
  /** Step-size jitter in [0, 1) (0: off), applied to every transition as Stan does. */
  stepSizeJitter: number;
  /** Stan's warmup quirks (see SamplerConfig.stanCompat). */
  stanCompat: boolean;
  initRadius: number;
  /** User init on the unconstrained scale (exactly one attempt), or null for random inits. */
  init: Float64Array | null;
  saveWarmup: boolean;
}

/**
 * What one chain produces. Arrays are draw-major per variable: index d + nDraws * v (v over the model
 * variables, or over the 7 sampler fields for `stats`).
 */
export interface ChainResult {
  chain: number;
  draws: Float64Array;
  stats: Float64Array;
  warmupDraws: Float64Array | null;
  warmupStats: Float64Array | null;
  stepSize: number;
  invMetric: Float64Array;
  warmupSeconds: number;
  samplingSeconds: number;
}

/**
 * A chain that runs in steps (so callers can interleave chains, report progress and honour an
 * AbortSignal between steps).
 *
 * @example
 * const runner = createChainRunner(model, setup);
 * while (!runner.step(100)) {}
 * const result = runner.result();
 */
export interface ChainRunner {
  readonly total: number;
  readonly iteration: number;
  readonly phase: 'warmup' | 'sampling' | 'done';
  /** Post-warmup divergences so far. */
  readonly divergent: number;
  /** Run up to n iterations; true when the chain is finished. */
  step(n: number): boolean;
  result(): ChainResult;
}

function isReporting(model: LogDensity): model is ReportingModel {
  return typeof (model as ReportingModel).writeVariables === 'function';
}

/**
 * The names of the reported variables: ReportingModel.variableNames, else parameterNames, else
 * theta[1]..theta[dim].
 *
 * @example
 * variableNamesOf({ dim: 2, logDensityGradient: () => 0 }); // ['theta[1]', 'theta[2]']
 */
export function variableNamesOf(model: LogDensity): readonly string[] {
  if (isReporting(model)) return model.variableNames;
  if (model.parameterNames && model.parameterNames.length === model.dim)
    return model.parameterNames;
  return Array.from({ length: model.dim }, (_, i) => `theta[${i + 1}]`);
}

/** Longest model message carried by a ModelError (a model can throw megabytes of text). */
const MAX_MODEL_MESSAGE = 500;

function thrownText(err: unknown): string {
  const text =
    err instanceof Error ? `${err.name}: ${err.message}` : `${typeof err} ${String(err)}`;
  return text.length > MAX_MODEL_MESSAGE ? `${text.slice(0, MAX_MODEL_MESSAGE)}…` : text;
}

function placeText(place: ModelErrorPlace): string {
  const chain = place.chain !== undefined ? `chain ${place.chain}, ` : '';
  if (place.phase === 'initialization' || place.iteration === undefined) {
    return `${chain}${place.phase ?? 'sampling'}`;
  }
  return `${chain}${place.phase} iteration ${place.iteration}`;
}

/**
 * The ModelError for a value the model threw: the message says where (chain, phase, iteration, all
 * 1-based as the progress lines print them), which function and the model's own message, e.g.
 * "chain 2, sampling iteration 17: the model's logDensityGradient threw RangeError: bad index".
 *
 * @example throw modelError(err, 'logDensityGradient', { chain: 1, phase: 'warmup', iteration: 3 });
 */
export function modelError(err: unknown, fn: string, place: ModelErrorPlace): ModelError {
  const text = thrownText(err);
  return new ModelError(`${placeText(place)}: the model's ${fn} threw ${text}`, text, place, err);
}

const MODEL_ERROR_MESSAGE =
  /^(?:chain (\d+), )?(initialization|warmup|sampling)(?: iteration (\d+))?: the model's \w+ threw ([\s\S]*)$/;

/**
 * Rebuild a ModelError from its message (a worker thread sends errors as name and message only).
 *
 * @example modelErrorFromMessage("chain 1, warmup iteration 3: the model's logDensityGradient threw Error: x").place.iteration // 3
 */
export function modelErrorFromMessage(message: string): ModelError {
  const m = MODEL_ERROR_MESSAGE.exec(message);
  if (!m) return new ModelError(message, message);
  const place: ModelErrorPlace = { phase: m[2] as ModelErrorPlace['phase'] };
  if (m[1] !== undefined) place.chain = Number(m[1]);
  if (m[3] !== undefined) place.iteration = Number(m[3]);
  return new ModelError(message, m[4], place);
}

/** Where the first exception of a guarded model was caught. */
interface ModelGuard {
  threw: boolean;
  error: unknown;
}

/**
 * The model as the transitions see it: an exception from logDensityGradient is caught here, kept
 * (the first one) and turned into -Infinity, so the leapfrog and tree code stay exception-free;
 * the chain runner checks the guard after each iteration and reports the model's error.
 */
function guardModel(model: LogDensity, guard: ModelGuard): LogDensity {
  return {
    dim: model.dim,
    logDensityGradient(theta: Float64Array, grad: Float64Array): number {
      try {
        return model.logDensityGradient(theta, grad);
      } catch (err) {
        if (!guard.threw) {
          guard.threw = true;
          guard.error = err;
        }
        return Number.NEGATIVE_INFINITY;
      }
    },
  };
}

function finiteGrad(g: Float64Array): boolean {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i];
  return Number.isFinite(s);
}

/**
 * Find the initial state (docs/ALGORITHMS.md §4): the user's init (one attempt) or uniform(−R, R) draws
 * from the chain's stream, up to 100 attempts, accepting a point whose log density and gradient are
 * finite. Throws SamplerError otherwise, and ModelError (the model's message) when the model throws.
 *
 * @example
 * const state = initializeChain(model, createRng(1, 0), null, 2);
 */
export function initializeChain(
  model: LogDensity,
  rng: Rng,
  init: Float64Array | null,
  radius: number,
  chain = 0,
): HmcState {
  const d = model.dim;
  const q = new Float64Array(d);
  const grad = new Float64Array(d);
  const tries = init !== null || radius === 0 ? 1 : 100;
  for (let t = 0; t < tries; t++) {
    if (init !== null) q.set(init);
    else for (let i = 0; i < d; i++) q[i] = radius === 0 ? 0 : radius * (2 * rng.uniform() - 1);
    grad.fill(0);
    let lp: number;
    try {
      lp = model.logDensityGradient(q, grad);
    } catch (err) {
      throw modelError(err, 'logDensityGradient', { chain: chain + 1, phase: 'initialization' });
    }
    if (Number.isFinite(lp) && finiteGrad(grad)) {
      return { position: Float64Array.from(q), logDensity: lp, grad: Float64Array.from(grad) };
    }
  }
  const where =
    init !== null
      ? 'at the given initial values'
      : radius === 0
        ? 'at the initial point 0'
        : `at any of 100 initial points drawn uniformly from (-${radius}, ${radius})`;
  throw new SamplerError(
    `chain ${chain + 1}: initialization failed: the log density or its gradient was not finite ${where}`,
  );
}

/**
 * Set up one chain: its random stream createRng(seed, chain), initialization, and (if warmup > 0) the
 * step-size heuristic. Throws SamplerError when no finite initial point is found. An exception from
 * the model (here or in `step`) ends the chain with a ModelError naming the chain, the phase and the
 * iteration, instead of counting as a divergence.
 *
 * @example
 * const runner = createChainRunner(model, { chain: 0, seed: 1, warmup: 1000, draws: 1000, adaptDelta: 0.8,
 *   maxTreeDepth: 10, metric: 'diag', stepSize: 1, initRadius: 2, init: null, saveWarmup: false });
 */
export function createChainRunner(
  model: LogDensity,
  setup: ChainSetup,
  rngOverride?: Rng,
): ChainRunner {
  const d = model.dim;
  const rng = rngOverride ?? createRng(setup.seed, setup.chain);
  const reporting = isReporting(model) ? model : null;
  const nVars = reporting ? reporting.variableNames.length : d;
  const varBuf = new Float64Array(nVars);
  const W = setup.warmup;
  const N = setup.draws;
  const total = W + N;
  const state = initializeChain(model, rng, setup.init, setup.initRadius, setup.chain);
  const guard: ModelGuard = { threw: false, error: undefined };
  const guarded = guardModel(model, guard);
  const chainNo = setup.chain + 1;
  /** The model's exception, if one was caught while running iteration `at` (0-based) or before. */
  const failure = (at: number, err?: unknown): unknown => {
    if (!guard.threw) return err;
    const place: ModelErrorPlace =
      at < W
        ? { chain: chainNo, phase: 'warmup', iteration: at + 1 }
        : { chain: chainNo, phase: 'sampling', iteration: at - W + 1 };
    return modelError(guard.error, 'logDensityGradient', place);
  };
  const ws: NutsWorkspace = createNutsWorkspace(d, setup.maxTreeDepth);
  const info: NutsInfo = createNutsInfo();
  let wu: WarmupState | null = null;
  let fw: FisherWarmupState | null = null;
  let metric: Metric = unitMetric(setup.metric === 'dense' ? 'dense' : 'diag', d);
  let stepSize = setup.stepSize;
  const tInit = performance.now();
  if (W > 0) {
    try {
      if (setup.metric === 'fisher-diag' || setup.metric === 'fisher-lowrank') {
        fw = fisherWarmupInit(guarded, rng, state, ws, {
          warmup: W,
          adaptDelta: setup.adaptDelta,
          stepSize: setup.stepSize,
          lowRank: setup.metric === 'fisher-lowrank',
        });
      } else {
        wu = warmupInit(guarded, rng, state, ws, {
          warmup: W,
          adaptDelta: setup.adaptDelta,
          stepSize: setup.stepSize,
          metric: setup.metric,
          stanCompat: setup.stanCompat,
        });
      }
    } catch (err) {
      throw failure(0, err); // the step-size search before warmup iteration 1
    }
    if (guard.threw) throw failure(0);
    const started = (fw ?? wu) as WarmupState | FisherWarmupState;
    metric = started.metric;
    stepSize = started.stepSize;
  }
  const params: NutsParams = {
    stepSize,
    metric,
    maxTreeDepth: setup.maxTreeDepth,
    jitter: setup.stepSizeJitter,
  };
  const draws = new Float64Array(N * nVars);
  const stats = new Float64Array(N * N_STATS);
  const warmupDraws = setup.saveWarmup ? new Float64Array(W * nVars) : null;
  const warmupStats = setup.saveWarmup ? new Float64Array(W * N_STATS) : null;
  let it = 0;
  let divergent = 0;
  // the step-size search before the first warmup iteration counts as warmup time
  let warmupSeconds = W > 0 ? (performance.now() - tInit) / 1000 : 0;
  let samplingSeconds = 0;

  const record = (out: Float64Array, sOut: Float64Array, n: number, k: number): void => {
    let vals: Float64Array = state.position;
    if (reporting) {
      try {
        reporting.writeVariables(state.position, varBuf);
      } catch (err) {
        const place: ModelErrorPlace =
          it < W
            ? { chain: chainNo, phase: 'warmup', iteration: it + 1 }
            : { chain: chainNo, phase: 'sampling', iteration: it - W + 1 };
        throw modelError(err, 'writeVariables', place);
      }
      vals = varBuf;
    }
    for (let v = 0; v < nVars; v++) out[k + n * v] = vals[v];
    sOut[k] = state.logDensity;
    sOut[k + n] = info.acceptStat;
    sOut[k + 2 * n] = info.stepSize;
    sOut[k + 3 * n] = info.treeDepth;
    sOut[k + 4 * n] = info.nLeapfrog;
    sOut[k + 5 * n] = info.divergent ? 1 : 0;
    sOut[k + 6 * n] = info.energy;
  };

  const step = (n: number): boolean => {
    const t0 = performance.now();
    let tw = 0;
    const stop = Math.min(total, it + n);
    try {
      while (it < stop) {
        if (it < W) {
          const w = (fw ?? wu) as WarmupState | FisherWarmupState;
          params.stepSize = w.stepSize;
          params.metric = w.metric;
          nutsTransition(guarded, rng, state, params, ws, info);
          if (guard.threw) break;
          if (warmupDraws && warmupStats) record(warmupDraws, warmupStats, W, it);
          // the step-size search after a metric update evaluates the model too
          if (fw !== null) fisherWarmupUpdate(guarded, rng, state, ws, fw, info);
          else warmupUpdate(guarded, rng, state, ws, w as WarmupState, info.acceptStat);
          if (guard.threw) break;
          it++;
          if (it === W) {
            const fin = warmupFinal(w);
            params.stepSize = fin.stepSize;
            params.metric = fin.metric;
            tw = performance.now();
          }
        } else {
          nutsTransition(guarded, rng, state, params, ws, info);
          if (guard.threw) break;
          if (info.divergent) divergent++;
          record(draws, stats, N, it - W);
          it++;
        }
      }
    } catch (err) {
      throw failure(it, err);
    }
    if (guard.threw) throw failure(it);
    const t1 = performance.now();
    // split the elapsed time between the phases this step covered
    if (tw > 0) {
      warmupSeconds += (tw - t0) / 1000;
      samplingSeconds += (t1 - tw) / 1000;
    } else if (stop <= W) warmupSeconds += (t1 - t0) / 1000;
    else samplingSeconds += (t1 - t0) / 1000;
    return it >= total;
  };

  return {
    total,
    get iteration() {
      return it;
    },
    get phase() {
      return it >= total ? 'done' : it < W ? 'warmup' : 'sampling';
    },
    get divergent() {
      return divergent;
    },
    step,
    result(): ChainResult {
      return {
        chain: setup.chain,
        draws,
        stats,
        warmupDraws,
        warmupStats,
        stepSize: params.stepSize,
        invMetric: Float64Array.from(params.metric.invMetric),
        warmupSeconds,
        samplingSeconds,
      };
    },
  };
}
