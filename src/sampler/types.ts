import type { MetricKind } from '../draws/fit.js';

// `sample` returns a Fit, which is draws data (src/draws/fit.ts): re-exported here as the sampler's
// result type so sampler code and its callers can name it next to SamplerConfig.
export type { Fit, MetricKind } from '../draws/fit.js';

/**
 * The model -> sampler contract, and what script users implement themselves: a log density on the
 * unconstrained space (Jacobian included, constants may be dropped) with its gradient.
 *
 * @example
 * const stdNormal: LogDensity = {
 *   dim: 2,
 *   logDensityGradient(theta, grad) {
 *     let lp = 0;
 *     for (let i = 0; i < 2; i++) { lp -= 0.5 * theta[i] ** 2; grad[i] = -theta[i]; }
 *     return lp;
 *   },
 * };
 */
export interface LogDensity {
  readonly dim: number;
  /** log p(theta) up to a constant; writes the gradient into grad. -Infinity off support. Never throws. */
  logDensityGradient(theta: Float64Array, grad: Float64Array): number;
  /** Optional names of the coordinates (default theta[1]..theta[dim]). */
  readonly parameterNames?: readonly string[];
}

/**
 * A named export of a module, for a worker thread to import and call: the module at `path` (an
 * absolute path or a file URL, .js or .ts), its export `exportName`, and `args` to call it with
 * (structured-cloned, so plain objects and typed arrays). The caller names the module, e.g. by its
 * own `import.meta.url`; the sampler never names one itself.
 */
export interface ModuleCall {
  path: string;
  exportName: string;
  args?: unknown;
}

/**
 * How a worker thread rebuilds a model: the export is a LogDensity, or a factory of one called with
 * `args`. The caller fills it in (the model layer for a compiled ModelSpec, a script for its own
 * model).
 *
 * @example
 * const source: ModelSource = { kind: 'module', path: import.meta.url, exportName: 'makeModel', args: { n: 3 } };
 */
export interface ModelSource extends ModuleCall {
  kind: 'module';
}

/**
 * A LogDensity that can also report named, constrained variables (the model layer's CompiledModel
 * implements this). The sampler stores `writeVariables` output in the draws.
 */
export interface ReportingModel extends LogDensity {
  readonly variableNames: readonly string[];
  writeVariables(theta: Float64Array, out: Float64Array): void;
  /** When present, chains may run on worker threads by rebuilding the model from this. */
  readonly source?: ModelSource;
}

/** Progress of one chain, emitted about every 1% of its iterations and at phase changes. */
export interface ProgressEvent {
  chain: number; // 0-based
  iteration: number; // iterations done so far (warmup + sampling)
  total: number;
  phase: 'warmup' | 'sampling' | 'done';
  divergent: number; // divergences so far in this chain (post-warmup)
}

/** Options of `sample`. Defaults as CmdStan: 4 chains, 1000 warmup, 1000 draws, delta 0.8, depth 10. */
export interface SamplerConfig {
  chains?: number;
  warmup?: number;
  draws?: number;
  seed?: number;
  adaptDelta?: number;
  maxTreeDepth?: number;
  /**
   * 'diag' (default) or 'dense': Stan's windowed adaptation; 'fisher-diag': a diagonal metric from
   * the draws and their gradients with nutpie's schedule (src/sampler/fisher.ts, docs/ALGORITHMS.md §3.7);
   * 'fisher-lowrank': the same plus a low-rank correction (src/sampler/lowrank.ts), for correlated
   * posteriors of moderate dimension.
   */
  metric?: MetricKind;
  /** Initial step size before the heuristic (default 1). */
  stepSize?: number;
  /**
   * Step-size jitter j in [0, 1): each transition (warmup too, as in Stan) uses ε·(1 + j·(2U − 1)) (docs/ALGORITHMS.md
   * §2.1, Stan's stepsize_jitter). Default 0 (off; no random number is drawn).
   */
  stepSizeJitter?: number;
  /**
   * Reproduce Stan's warmup quirks instead of the intended behaviour (docs/ALGORITHMS.md §3.4, §7): no
   * metric adaptation for warmup < 150. Default false.
   */
  stanCompat?: boolean;
  /** Initial values on the unconstrained scale: one array for all chains or one per chain. */
  inits?: Float64Array | readonly number[] | readonly (Float64Array | readonly number[])[];
  /** Radius R of the uniform(-R, R) random inits (default 2). */
  initRadius?: number;
  /** Keep the warmup draws in Fit.warmup. */
  saveWarmup?: boolean;
  /** Run chains on worker threads when the model can be rebuilt there (default true). */
  parallel?: boolean;
  /**
   * With `parallel`, how many threads run the chains, this one counted: the chains in contiguous
   * blocks, the first block here, each other block on a worker thread (its chains in turn); 1 runs
   * them all here; 'each': every chain on a worker thread of its own, none here. Default:
   * min(chains, cores) for a model whose chains are quick (a few seconds of work each, timed from
   * its gradient), else 'each'. The draws are the same whatever the placement.
   */
  threads?: number | 'each';
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}
