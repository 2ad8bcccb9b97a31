import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { createDraws, type Draws, SAMPLER_FIELDS } from '../draws/draws.js';
import { ConfigError, SamplerError } from '../errors.js';
import {
  type ChainResult,
  type ChainSetup,
  createChainRunner,
  modelError,
  modelErrorFromMessage,
  N_STATS,
  variableNamesOf,
} from './chain.js';
import { getSamplerPool } from './pool.js';
import type {
  Fit,
  LogDensity,
  MetricKind,
  ProgressEvent,
  ReportingModel,
  SamplerConfig,
} from './types.js';
import {
  END_OF_PROGRESS,
  STOP_CHAINS,
  type WorkerAnswer,
  type WorkerTask,
} from './worker-protocol.js';

const GRAD_SENTINEL = -8.98846567431158e307;

function isInt(x: number): boolean {
  return Number.isInteger(x);
}

function cancelled(): SamplerError {
  const e = new SamplerError('sampling cancelled');
  e.name = 'AbortError';
  return e;
}

/** Validated configuration with defaults filled in (CmdStan's defaults). */
export interface ResolvedConfig {
  chains: number;
  warmup: number;
  draws: number;
  seed: number;
  adaptDelta: number;
  maxTreeDepth: number;
  metric: MetricKind;
  stepSize: number;
  stepSizeJitter: number;
  stanCompat: boolean;
  initRadius: number;
  inits: (Float64Array | null)[];
  saveWarmup: boolean;
}

function toF64(x: Float64Array | readonly number[], dim: number, what: string): Float64Array {
  const a = Float64Array.from(x as ArrayLike<number>);
  if (a.length !== dim) {
    throw new ConfigError(`${what}: has ${a.length} values, the model has dim ${dim}`);
  }
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new ConfigError(`${what}: value ${i + 1} is not finite`);
  }
  return a;
}

/**
 * Largest memory a run may need by `estimateSampleBytes` (4 GiB): a run past it is refused with a
 * ConfigError before anything is allocated. The default comparison of a 1,000,000-row benchmark
 * needs about 0.7 GB; `chains: 1e6` would need terabytes and abort the process out of memory.
 *
 * @example SAMPLE_MEMORY_LIMIT_BYTES // 4294967296
 */
export const SAMPLE_MEMORY_LIMIT_BYTES = 2 ** 32;

/**
 * Per-chain bookkeeping counted on top of the arrays (the chain's runner and workspace objects,
 * typed-array headers, a MessageChannel on the worker path): an upper estimate, so that a million
 * one-draw chains are refused too.
 */
const PER_CHAIN_OVERHEAD_BYTES = 64 * 1024;

/**
 * dim x dim matrices a chain holds at once with a dense metric (metric, its Cholesky factor, the
 * Welford covariance, the regularized estimate and the next metric with its factor).
 */
const DENSE_MATRICES_PER_CHAIN = 6;

/**
 * Vectors of length dim a chain holds per warmup draw with metric 'fisher-lowrank' (lowrank.ts: the
 * window's draws and gradients, their scaled copies, and up to two basis vectors per draw).
 */
const LOWRANK_VECTORS_PER_DRAW = 6;

/** What `estimateSampleBytes` counts, in bytes. */
export interface SampleSize {
  /** Draws and sampler fields (post-warmup, plus warmup when saved), per-chain arrays and the assembled copy. */
  draws: number;
  /** Dense-metric matrices, or the low-rank adaptation's window (0 for a diagonal metric). */
  metric: number;
  /** Per-chain bookkeeping. */
  overhead: number;
  total: number;
}

/**
 * Memory a run needs, estimated up front: chains x (draws, plus warmup if saved) x (variables + 7
 * sampler fields) x 8 bytes, twice (each chain's arrays and the assembled Draws); with a dense
 * metric, chains x 6 x dim^2 x 8 bytes (fisher-lowrank: chains x 6 x warmup x dim x 8 bytes of its
 * window); plus 64 KiB of bookkeeping per chain.
 *
 * @example estimateSampleBytes({ chains: 4, warmup: 1000, draws: 1000, saveWarmup: false, metric: 'diag' }, 10, 10).total
 */
export function estimateSampleBytes(
  cfg: Pick<ResolvedConfig, 'chains' | 'warmup' | 'draws' | 'saveWarmup' | 'metric'>,
  dim: number,
  nVariables: number,
): SampleSize {
  const iterations = cfg.draws + (cfg.saveWarmup ? cfg.warmup : 0);
  const draws = 2 * cfg.chains * iterations * (nVariables + N_STATS) * 8;
  const metric =
    cfg.metric === 'dense'
      ? cfg.chains * DENSE_MATRICES_PER_CHAIN * dim * dim * 8
      : cfg.metric === 'fisher-lowrank'
        ? cfg.chains * LOWRANK_VECTORS_PER_DRAW * cfg.warmup * dim * 8
        : 0;
  const overhead = cfg.chains * PER_CHAIN_OVERHEAD_BYTES;
  return { draws, metric, overhead, total: draws + metric + overhead };
}

function gb(bytes: number): string {
  return `${(bytes / 1e9).toPrecision(3)} GB`;
}

/**
 * Refuse a run that would need more than SAMPLE_MEMORY_LIMIT_BYTES (estimateSampleBytes) with one
 * ConfigError line saying what is too large and what to lower; called by `sample` before it
 * allocates anything, and by the CLI before it reads the data (with dim = variables = 1, a lower
 * bound for every model).
 *
 * @example checkSampleSize({ chains: 1e6, warmup: 1000, draws: 1000, saveWarmup: false, metric: 'diag' }, 2, 2); // throws
 */
export function checkSampleSize(
  cfg: Pick<ResolvedConfig, 'chains' | 'warmup' | 'draws' | 'saveWarmup' | 'metric'>,
  dim: number,
  nVariables: number,
): void {
  const size = estimateSampleBytes(cfg, dim, nVariables);
  if (size.total <= SAMPLE_MEMORY_LIMIT_BYTES) return;
  const limit = `the limit of 4 GiB (${gb(SAMPLE_MEMORY_LIMIT_BYTES)})`;
  if (size.metric > size.draws && size.metric > size.overhead && cfg.metric === 'fisher-lowrank') {
    throw new ConfigError(
      `metric: the low-rank adaptation for dim = ${dim} keeps up to ${cfg.chains} chains x ${LOWRANK_VECTORS_PER_DRAW} ` +
        `x ${cfg.warmup} warmup vectors of ${dim} x 8 bytes, about ${gb(size.total)} in all, above ${limit}; use metric "fisher-diag"`,
    );
  }
  if (size.metric > size.draws && size.metric > size.overhead) {
    throw new ConfigError(
      `metric: a dense metric for dim = ${dim} needs ${cfg.chains} chains x ${DENSE_MATRICES_PER_CHAIN} ` +
        `matrices of ${dim} x ${dim} x 8 bytes, about ${gb(size.total)} in all, above ${limit}; use metric "diag"`,
    );
  }
  const iterations = `${cfg.draws} draws${cfg.saveWarmup ? ` + ${cfg.warmup} saved warmup` : ''}`;
  throw new ConfigError(
    `chains x draws: ${cfg.chains} chains x ${iterations} x (${nVariables} variable${nVariables === 1 ? '' : 's'} + ${N_STATS} ` +
      `sampler fields) x 8 bytes, held twice (per chain and assembled), with 64 KiB per chain need ` +
      `about ${gb(size.total)}, above ${limit}; use fewer chains or draws`,
  );
}

/**
 * Check the model (dim, logDensityGradient, parameterNames of length dim, variableNames) and the
 * options, and refuse a run past SAMPLE_MEMORY_LIMIT_BYTES (checkSampleSize) before allocating;
 * throws ConfigError naming the option.
 *
 * @example
 * resolveConfig(model, { chains: 2 }).warmup; // 1000
 */
export function resolveConfig(model: LogDensity, config: SamplerConfig = {}): ResolvedConfig {
  if (
    typeof model !== 'object' ||
    model === null ||
    typeof model.logDensityGradient !== 'function'
  ) {
    throw new ConfigError('model: must have dim and logDensityGradient(theta, grad)');
  }
  const dim = model.dim;
  if (typeof dim !== 'number' || !isInt(dim) || dim < 1) {
    throw new ConfigError(`model.dim: must be a positive integer, got ${String(dim)}`);
  }
  const names = model.parameterNames;
  if (names !== undefined) {
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
      throw new ConfigError('model.parameterNames: must be an array of strings');
    }
    if (names.length !== dim) {
      throw new ConfigError(
        `model.parameterNames: has ${names.length} names, the model has dim ${dim}`,
      );
    }
  }
  const rm = model as ReportingModel;
  if (typeof rm.writeVariables === 'function' && !Array.isArray(rm.variableNames)) {
    throw new ConfigError('model.variableNames: must be an array of names');
  }
  const chains = config.chains ?? 4;
  if (!isInt(chains) || chains < 1) {
    throw new ConfigError(`chains: must be an integer >= 1, got ${String(chains)}`);
  }
  const threads = config.threads;
  if (threads !== undefined && threads !== 'each' && (!isInt(threads) || threads < 1)) {
    throw new ConfigError(`threads: must be an integer >= 1 or 'each', got ${String(threads)}`);
  }
  const warmup = config.warmup ?? 1000;
  if (!isInt(warmup) || warmup < 0) {
    throw new ConfigError(`warmup: must be an integer >= 0, got ${String(warmup)}`);
  }
  const draws = config.draws ?? 1000;
  if (!isInt(draws) || draws < 1) {
    throw new ConfigError(`draws: must be an integer >= 1, got ${String(draws)}`);
  }
  const adaptDelta = config.adaptDelta ?? 0.8;
  if (!(adaptDelta > 0 && adaptDelta < 1)) {
    throw new ConfigError(`adaptDelta: must be in (0, 1), got ${String(adaptDelta)}`);
  }
  const maxTreeDepth = config.maxTreeDepth ?? 10;
  if (!isInt(maxTreeDepth) || maxTreeDepth < 1 || maxTreeDepth > 30) {
    throw new ConfigError(
      `maxTreeDepth: must be an integer in [1, 30], got ${String(maxTreeDepth)}`,
    );
  }
  const metric = config.metric ?? 'diag';
  if (
    metric !== 'diag' &&
    metric !== 'dense' &&
    metric !== 'fisher-diag' &&
    metric !== 'fisher-lowrank'
  ) {
    throw new ConfigError(
      `metric: must be "diag", "dense", "fisher-diag" or "fisher-lowrank", got ${String(metric)}`,
    );
  }
  const stepSize = config.stepSize ?? 1;
  if (!(stepSize > 0 && Number.isFinite(stepSize))) {
    throw new ConfigError(`stepSize: must be a positive number, got ${String(stepSize)}`);
  }
  const stepSizeJitter = config.stepSizeJitter ?? 0;
  if (!(stepSizeJitter >= 0 && stepSizeJitter < 1)) {
    throw new ConfigError(`stepSizeJitter: must be in [0, 1), got ${String(stepSizeJitter)}`);
  }
  const initRadius = config.initRadius ?? 2;
  if (!(initRadius >= 0 && Number.isFinite(initRadius))) {
    throw new ConfigError(`initRadius: must be a number >= 0, got ${String(initRadius)}`);
  }
  // before anything of size `chains` is allocated (the inits below included)
  checkSampleSize(
    { chains, warmup, draws, saveWarmup: config.saveWarmup === true, metric },
    dim,
    variableNamesOf(model).length,
  );
  const seed = config.seed ?? randomInt(1, 2 ** 31);
  if (!isInt(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ConfigError(`seed: must be an integer in [0, 4294967295], got ${String(seed)}`);
  }
  let inits: (Float64Array | null)[] = Array.from({ length: chains }, () => null);
  const given = config.inits;
  if (given !== undefined) {
    const isFlat =
      given instanceof Float64Array || given.length === 0 || typeof given[0] === 'number';
    if (isFlat) {
      const one = toF64(given as Float64Array | readonly number[], dim, 'inits');
      inits = inits.map(() => one);
    } else {
      const per = given as readonly (Float64Array | readonly number[])[];
      if (per.length !== chains) {
        throw new ConfigError(`inits: has ${per.length} arrays for ${chains} chains`);
      }
      inits = per.map((x, c) => toF64(x, dim, `inits[${c}]`));
    }
  }
  return {
    chains,
    warmup,
    draws,
    seed,
    adaptDelta,
    maxTreeDepth,
    metric,
    stepSize,
    stepSizeJitter,
    stanCompat: config.stanCompat === true,
    initRadius,
    inits,
    saveWarmup: config.saveWarmup === true,
  };
}

/**
 * One probe of the model at the first init (or 0): the gradient must fill exactly dim entries.
 * Throws ConfigError naming the model.
 */
function probeModel(model: LogDensity, at: Float64Array | null): void {
  const d = model.dim;
  const q = at ? Float64Array.from(at) : new Float64Array(d);
  const grad = new Float64Array(d).fill(GRAD_SENTINEL);
  let lp: number;
  try {
    lp = model.logDensityGradient(q, grad);
  } catch (err) {
    // a contract check: most often a gradient written past its length (RangeError from .set)
    const text = modelError(err, 'logDensityGradient', { phase: 'initialization' }).modelMessage;
    throw new ConfigError(
      `model: logDensityGradient threw (${text}) at the initial point; check that the gradient has length dim = ${d}`,
    );
  }
  if (Number.isFinite(lp)) {
    let written = 0;
    for (let i = 0; i < d; i++) if (grad[i] !== GRAD_SENTINEL) written++;
    if (written < d) {
      throw new ConfigError(
        `model: logDensityGradient wrote ${written} of dim = ${d} gradient entries; the gradient must have length dim`,
      );
    }
  }
}

function chainSetups(cfg: ResolvedConfig): ChainSetup[] {
  return Array.from({ length: cfg.chains }, (_, c) => ({
    chain: c,
    seed: cfg.seed,
    warmup: cfg.warmup,
    draws: cfg.draws,
    adaptDelta: cfg.adaptDelta,
    maxTreeDepth: cfg.maxTreeDepth,
    metric: cfg.metric,
    stepSize: cfg.stepSize,
    stepSizeJitter: cfg.stepSizeJitter,
    stanCompat: cfg.stanCompat,
    initRadius: cfg.initRadius,
    init: cfg.inits[c],
    saveWarmup: cfg.saveWarmup,
  }));
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function runInProcess(
  model: LogDensity,
  setups: ChainSetup[],
  every: number,
  signal: AbortSignal | undefined,
  onProgress: ((e: ProgressEvent) => void) | undefined,
): Promise<ChainResult[]> {
  const runners = setups.map((s) => createChainRunner(model, s));
  const done = runners.map(() => false);
  let remaining = runners.length;
  while (remaining > 0) {
    for (let c = 0; c < runners.length; c++) {
      if (done[c]) continue;
      if (signal?.aborted) throw cancelled();
      const r = runners[c];
      done[c] = r.step(every);
      if (done[c]) remaining--;
      onProgress?.({
        chain: setups[c].chain,
        iteration: r.iteration,
        total: r.total,
        phase: r.phase,
        divergent: r.divergent,
      });
      await tick();
    }
  }
  if (signal?.aborted) throw cancelled();
  return runners.map((r) => r.result());
}

function rethrow(answer: { name: string; message: string }): never {
  if (answer.name === 'AbortError') throw cancelled();
  if (answer.name === 'ConfigError') throw new ConfigError(answer.message);
  if (answer.name === 'SamplerError') throw new SamplerError(answer.message);
  if (answer.name === 'ModelError') throw modelErrorFromMessage(answer.message);
  throw new SamplerError(`worker: ${answer.name}: ${answer.message}`);
}

/**
 * Run each group of chains on a worker thread. The caller's `signal` ends the tasks through
 * piscina (their threads are terminated); `stop` (the other side of runPlaced failed) and the first
 * failure of a group stop the other groups between two progress steps, through their ports
 * (STOP_CHAINS): a thread ended while its answer is already on the way makes piscina throw
 * "Unexpected message from Worker" outside any promise, and would have to be started again.
 */
async function runInWorkers(
  model: ReportingModel,
  groups: ChainSetup[][],
  every: number,
  signal: AbortSignal | undefined,
  stop: AbortSignal | undefined,
  onProgress: ((e: ProgressEvent) => void) | undefined,
): Promise<ChainResult[]> {
  const pool = getSamplerPool();
  const source = model.source as NonNullable<ReportingModel['source']>;
  const ports: MessagePort[] = [];
  const stopAll = (): void => {
    for (const p of ports) p.postMessage(STOP_CHAINS);
  };
  if (stop?.aborted) throw cancelled();
  stop?.addEventListener('abort', stopAll, { once: true });
  let firstError: unknown = null;
  try {
    const runs = groups.map(async (setups) => {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      // Messages can arrive after the task's result, and 'close' is not emitted on this end when
      // the worker closes its end: the worker posts END_OF_PROGRESS last and we wait for it.
      let drainedResolve: () => void = () => {};
      const drained = new Promise<void>((resolve) => {
        drainedResolve = resolve;
      });
      port1.on('message', (e: ProgressEvent | typeof END_OF_PROGRESS) => {
        if (e === END_OF_PROGRESS) drainedResolve();
        else onProgress?.(e);
      });
      const task: WorkerTask = { source, setups, port: port2, progressEvery: every };
      try {
        const answer = (await pool.run(task, {
          transferList: [port2],
          ...(signal ? { signal } : {}),
        })) as WorkerAnswer;
        // drain the chains' progress events (bounded wait: a port can fail to deliver on teardown)
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          drained,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, 2000);
          }),
        ]);
        if (timer) clearTimeout(timer);
        if (!answer.ok) rethrow(answer);
        return answer.results;
      } catch (err) {
        // the first real failure stops the other groups (they then answer with a cancellation)
        if (!signal?.aborted && (err as Error)?.name !== 'AbortError' && firstError === null) {
          firstError = err;
          stopAll();
        }
        throw err;
      } finally {
        port1.close();
      }
    });
    const settled = await Promise.allSettled(runs);
    if (firstError !== null) throw firstError;
    if (signal?.aborted || settled.some((s) => s.status === 'rejected')) throw cancelled();
    return settled.flatMap((s) => (s as PromiseFulfilledResult<ChainResult[]>).value);
  } finally {
    stop?.removeEventListener('abort', stopAll);
  }
}

/**
 * Run the placed chains: `local` ones here (interleaved), each group on a worker thread, all at
 * once; the first failure on either side stops the other (its own rejection is then a
 * cancellation). Results in chain order.
 */
async function runPlaced(
  model: ReportingModel,
  setups: ChainSetup[],
  placement: ChainPlacement,
  every: number,
  signal: AbortSignal | undefined,
  onProgress: ((e: ProgressEvent) => void) | undefined,
): Promise<ChainResult[]> {
  const pick = (chains: number[]): ChainSetup[] => chains.map((c) => setups[c]);
  const groups = placement.groups.map(pick);
  if (groups.length === 0) return runInProcess(model, setups, every, signal, onProgress);
  if (placement.local.length === 0) {
    return runInWorkers(model, groups, every, signal, undefined, onProgress);
  }
  // `stop` ends the local chains (checked between steps, like the caller's signal) and is posted
  // to the workers' groups
  const ctrl = new AbortController();
  const onAbort = (): void => ctrl.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let firstError: unknown = null;
  const stopOthers = (err: unknown): never => {
    if (firstError === null && !signal?.aborted && (err as Error)?.name !== 'AbortError') {
      firstError = err;
      ctrl.abort();
    }
    throw err;
  };
  try {
    const remote = runInWorkers(model, groups, every, signal, ctrl.signal, onProgress).catch(
      stopOthers,
    );
    const local = runInProcess(model, pick(placement.local), every, ctrl.signal, onProgress).catch(
      stopOthers,
    );
    const settled = await Promise.allSettled([local, remote]);
    if (firstError !== null) throw firstError;
    if (signal?.aborted || settled.some((s) => s.status === 'rejected')) throw cancelled();
    const all = settled.flatMap((s) => (s as PromiseFulfilledResult<ChainResult[]>).value);
    return all.sort((a, b) => a.chain - b.chain);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Where the chains run: `local` ones on the calling thread (interleaved), each of `groups` on a
 * worker thread of its own (its chains in turn). Chain numbers are 0-based.
 */
export interface ChainPlacement {
  local: number[];
  groups: number[][];
}

/**
 * Place `chains` chains on `threads` threads, the calling thread counted: contiguous blocks, the
 * first here, each of the others on a worker; `'each'`: every chain on a worker of its own and
 * none here. Where a chain runs does not change its draws (chain c always uses createRng(seed, c)).
 *
 * @example placeChains(4, 2) // { local: [0, 1], groups: [[2, 3]] }
 */
export function placeChains(chains: number, threads: number | 'each'): ChainPlacement {
  if (threads === 'each')
    return { local: [], groups: Array.from({ length: chains }, (_, c) => [c]) };
  const n = Math.max(1, Math.min(chains, Math.floor(threads)));
  const blocks = Array.from({ length: n }, (_, k) =>
    Array.from(
      { length: Math.floor(((k + 1) * chains) / n) - Math.floor((k * chains) / n) },
      (_, i) => Math.floor((k * chains) / n) + i,
    ),
  );
  return { local: blocks[0], groups: blocks.slice(1) };
}

/**
 * A chain of a quick model (estimated below this many seconds, see `estimateChainSeconds`) runs
 * beside the others on min(chains, cores) threads, the calling thread one of them: starting a
 * worker thread and compiling the sampler and the model again in its fresh isolate costs ~0.15-0.3 s
 * of CPU, more than such a chain gains from a thread of its own (BENCHMARKS.md §12.3: lra_tay2021,
 * estimated ~0.15-0.2 s a chain, and longbench_pyramidkv2024, ~0.4 s, each cost ~0.6-1.2 s of CPU
 * less). A slower chain gets a fresh worker of its own ('each'): at 1M rows (gradient ~300 us, so
 * an estimate of ~10 s; ~25 s of CPU a chain) two chains sharing a thread cost ~20% more CPU, and
 * four threads on two cores keep both cores busy to the end (BENCHMARKS.md §3). The bar sits between
 * the two, with a margin of ~3x each way, since a loaded machine inflates the estimates; where the
 * break-even lies exactly has not been measured.
 */
export const QUICK_CHAIN_SECONDS = 3;

/**
 * Leapfrog steps per iteration assumed by `estimateChainSeconds`: tree depth 4, more than the
 * comparison models of the published tables need after warmup (3-4), so a chain is rather
 * overestimated and goes to a worker of its own when in doubt.
 */
const STEPS_PER_ITERATION = 16;

/**
 * Gradient calls of `estimateChainSeconds`: PROBE_CALLS in blocks of PROBE_BLOCK, stopped after
 * PROBE_MS of wall clock (a slow model).
 */
const PROBE_CALLS = 1024;
const PROBE_BLOCK = 16;
const PROBE_MS = 250;

/**
 * Seconds one chain of `iterations` iterations would take, from timing the model's gradient at `at`
 * times STEPS_PER_ITERATION leapfrog steps per iteration. The gradient is called 1024 times in
 * blocks of 16 (or for 250 ms, a slow model: milliseconds per gradient) and the fastest block
 * counts: the first calls run before V8 has compiled the model (10x slower for a small model), and
 * other processes on the cores only slow blocks down. The number of calls, not a time budget, bounds
 * a quick model's probe, so that a loaded machine (whose process gets a few ms of CPU in 25 ms)
 * still times compiled code. Only where the chains run depends on it, never their draws.
 *
 * @example estimateChainSeconds(stdNormal, new Float64Array(2), 2000) < 0.01 // true
 */
export function estimateChainSeconds(
  model: LogDensity,
  at: Float64Array | null,
  iterations: number,
): number {
  const q = at ? Float64Array.from(at) : new Float64Array(model.dim);
  const grad = new Float64Array(model.dim);
  const start = performance.now();
  let perCall = Number.POSITIVE_INFINITY;
  for (let calls = 0; calls < PROBE_CALLS; ) {
    const t = performance.now();
    const n = Math.min(PROBE_BLOCK, PROBE_CALLS - calls);
    for (let i = 0; i < n; i++) model.logDensityGradient(q, grad);
    calls += n;
    const now = performance.now();
    perCall = Math.min(perCall, (now - t) / 1000 / n);
    if (now - start > PROBE_MS) break;
  }
  return iterations * STEPS_PER_ITERATION * perCall;
}

/**
 * Wall-clock timing of the two phases. Chains may run on fewer threads than there are chains, so
 * no single chain's times measure the run: the wall clock of the whole run (model rebuild in the
 * workers included) is split between warmup and sampling in proportion to the summed per-chain
 * phase times, and the per-chain times are kept as they are (like rstan's get_elapsed_time).
 *
 * @example wallTiming(10, [3, 3], [2, 2]).warmupSeconds // 6
 */
export function wallTiming(
  wallSeconds: number,
  chainWarmupSeconds: number[],
  chainSamplingSeconds: number[],
): Fit['timing'] {
  const w = chainWarmupSeconds.reduce((a, b) => a + b, 0);
  const s = chainSamplingSeconds.reduce((a, b) => a + b, 0);
  const share = w + s > 0 ? w / (w + s) : 0.5;
  return {
    warmupSeconds: wallSeconds * share,
    samplingSeconds: wallSeconds * (1 - share),
    chainWarmupSeconds,
    chainSamplingSeconds,
  };
}

function assemble(
  perChain: readonly Float64Array[],
  n: number,
  variables: readonly string[],
): Draws {
  const draws = createDraws(n, perChain.length, variables);
  const nv = variables.length;
  const M = perChain.length;
  for (let c = 0; c < M; c++) {
    const src = perChain[c];
    for (let v = 0; v < nv; v++) {
      draws.values.set(src.subarray(n * v, n * (v + 1)), n * (c + M * v));
    }
  }
  return draws;
}

/**
 * Run NUTS with Stan's warmup on a model (docs/ALGORITHMS.md §2-4): `chains` chains of `warmup` + `draws`
 * iterations, chain c using the stream createRng(seed, c). A model with `source` runs its chains on
 * worker threads (unless `parallel: false`); a plain LogDensity runs in-process. Same seed, same draws,
 * bit for bit, on either path. Rejects with ConfigError for bad options, SamplerError when no finite
 * initial point exists, ModelError (a SamplerError) when the model's own code throws, with its
 * message and where (chain, warmup or sampling, iteration; -Infinity and NaN are not errors: off
 * support, a divergence), and SamplerError named 'AbortError' ('sampling cancelled') when `signal`
 * fires.
 *
 * @example
 * const fit = await sample(stdNormal, { chains: 4, warmup: 500, draws: 500, seed: 1 });
 * fit.draws.variables; // ['theta[1]', 'theta[2]']
 */
export async function sample(
  model: LogDensity | ReportingModel,
  config: SamplerConfig = {},
): Promise<Fit> {
  const cfg = resolveConfig(model, config);
  probeModel(model, cfg.inits[0]);
  const variables = [...variableNamesOf(model)];
  const signal = config.signal;
  if (signal?.aborted) throw cancelled();
  const setups = chainSetups(cfg);
  const total = cfg.warmup + cfg.draws;
  const every = Math.max(1, Math.ceil(total / 100));
  const rm = model as ReportingModel;
  const useWorkers = rm.source !== undefined && config.parallel !== false;
  const started = performance.now();
  const results = useWorkers
    ? await runPlaced(
        rm,
        setups,
        placeChains(cfg.chains, chainThreads(model, cfg, config.threads)),
        every,
        signal,
        config.onProgress,
      )
    : await runInProcess(model, setups, every, signal, config.onProgress);
  const wallSeconds = (performance.now() - started) / 1000;
  for (const r of results) {
    config.onProgress?.({
      chain: r.chain,
      iteration: total,
      total,
      phase: 'done',
      divergent: countDivergent(r.stats, cfg.draws),
    });
  }
  const fit: Fit = {
    draws: assemble(
      results.map((r) => r.draws),
      cfg.draws,
      variables,
    ),
    stats: assemble(
      results.map((r) => r.stats),
      cfg.draws,
      SAMPLER_FIELDS,
    ),
    adaptation: {
      stepSize: Float64Array.from(results.map((r) => r.stepSize)),
      invMetric: results.map((r) => r.invMetric),
    },
    timing: wallTiming(
      wallSeconds,
      results.map((r) => r.warmupSeconds),
      results.map((r) => r.samplingSeconds),
    ),
    config: {
      chains: cfg.chains,
      warmup: cfg.warmup,
      draws: cfg.draws,
      seed: cfg.seed,
      adaptDelta: cfg.adaptDelta,
      maxTreeDepth: cfg.maxTreeDepth,
      metric: cfg.metric,
    },
  };
  if (cfg.saveWarmup && cfg.warmup > 0) {
    fit.warmup = {
      draws: assemble(
        results.map((r) => r.warmupDraws as Float64Array),
        cfg.warmup,
        variables,
      ),
      stats: assemble(
        results.map((r) => r.warmupStats as Float64Array),
        cfg.warmup,
        SAMPLER_FIELDS,
      ),
    };
  }
  return fit;
}

/**
 * How many threads run the chains (see `placeChains`): `threads` when given; otherwise
 * min(chains, cores) for a quick model (`estimateChainSeconds` < QUICK_CHAIN_SECONDS), else a
 * worker per chain.
 */
function chainThreads(
  model: LogDensity,
  cfg: ResolvedConfig,
  threads: number | 'each' | undefined,
): number | 'each' {
  if (threads !== undefined) return threads;
  const seconds = estimateChainSeconds(model, cfg.inits[0], cfg.warmup + cfg.draws);
  return seconds < QUICK_CHAIN_SECONDS ? Math.min(cfg.chains, availableParallelism()) : 'each';
}

function countDivergent(stats: Float64Array, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (stats[5 * n + i] !== 0) k++;
  return k;
}

export { N_STATS };
