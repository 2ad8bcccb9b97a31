import { pyRandom } from './pyrandom.js';
import type { Column, Table } from './table.js';

/**
 * Synthetic heuristic x task benchmark runs with a known truth, the design of the
 * reference generator bench/reference/gen_synth.py (BENCHMARKS.md §1): score = mu + heuristic[h] + task[t] + category[c(t)] +
 * heuristicCategory[h, c(t)] + heuristicTask[h, t] + Normal(0, sigma), task t in category t mod C.
 * With the default settings and sdCategory 0 the random stream is CPython's (pyRandom), so
 * `generateSynthetic({heuristics: 8, tasks: 12, categories: 4, runs: 5, seed: 1})` reproduces
 * `gen_synth.py 8 12 4 5 1` (synth_small.csv) exactly.
 *
 * @example const o: SynthOptions = { heuristics: 4, tasks: 10, categories: 2, runs: 3, seed: 7 };
 */
export interface SynthOptions {
  /** Number of heuristics H (names h0..h{H-1}). Default 8. */
  heuristics?: number;
  /** Number of tasks T (names t0..). Default 12. */
  tasks?: number;
  /** Number of categories C (c0..); task t is in category t mod C. Default 4. */
  categories?: number;
  /** Runs (seeds 0..R-1) per heuristic x task cell. Default 5. */
  runs?: number;
  /** Integer seed (as Python's random.Random(seed)). Default 1. */
  seed?: number;
  /** Grand mean. Default 0.6. */
  mu?: number;
  /** Sd of heuristic main effects. Default 0.05. */
  sdHeuristic?: number;
  /** Sd of task effects (task difficulty). Default 0.10. */
  sdTask?: number;
  /**
   * Sd of category main effects. Default 0 (none, as gen_synth.py); when > 0 they are drawn from a
   * second stream (key [seed, 1]) so the other effects and the noise stay the same.
   */
  sdCategory?: number;
  /** Sd of heuristic x category effects. Default 0.04. */
  sdHeuristicCategory?: number;
  /** Sd of heuristic x task effects. Default 0.01. */
  sdHeuristicTask?: number;
  /** Residual (run-to-run) sd. Default 0.02. */
  sigma?: number;
  /** Round scores to this many decimals (as the CSV's %.6f); null keeps full precision. Default 6. */
  decimals?: number | null;
}

/**
 * The truth behind a synthetic data set. Matrices are row-major: [h * C + c], [h * T + t].
 *
 * @example truth.heuristicCategory[h * truth.categories.length + c];
 */
export interface SynthTruth {
  heuristics: string[];
  tasks: string[];
  categories: string[];
  /** Category index of each task. */
  taskCategory: Int32Array;
  mu: number;
  heuristic: Float64Array;
  task: Float64Array;
  category: Float64Array;
  heuristicCategory: Float64Array;
  heuristicTask: Float64Array;
  sigma: number;
  /** Expected score of each heuristic x task cell (without noise): [h * T + t]. */
  cellMean: Float64Array;
  /** The settings used (defaults filled in). */
  settings: Required<Omit<SynthOptions, 'decimals'>> & { decimals: number | null };
}

/**
 * One generated run, as handed to the `synthRows` callback (indices; names are h{h}, t{t}, c{c}).
 *
 * @example const cb: SynthRowCallback = (h, t, c, run, y) => console.log(h, t, c, run, y);
 */
export type SynthRowCallback = (
  h: number,
  t: number,
  c: number,
  run: number,
  score: number,
) => void;

function settingsOf(o: SynthOptions): SynthTruth['settings'] {
  const s = {
    heuristics: o.heuristics ?? 8,
    tasks: o.tasks ?? 12,
    categories: o.categories ?? 4,
    runs: o.runs ?? 5,
    seed: o.seed ?? 1,
    mu: o.mu ?? 0.6,
    sdHeuristic: o.sdHeuristic ?? 0.05,
    sdTask: o.sdTask ?? 0.1,
    sdCategory: o.sdCategory ?? 0,
    sdHeuristicCategory: o.sdHeuristicCategory ?? 0.04,
    sdHeuristicTask: o.sdHeuristicTask ?? 0.01,
    sigma: o.sigma ?? 0.02,
    decimals: o.decimals === undefined ? 6 : o.decimals,
  };
  for (const k of ['heuristics', 'tasks', 'categories', 'runs'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1)
      throw new RangeError(`synthetic data: ${k} must be a positive integer, got ${s[k]}`);
  }
  if (!Number.isSafeInteger(s.seed) || s.seed < 0)
    throw new RangeError(`synthetic data: seed must be a non-negative integer, got ${s.seed}`);
  return s;
}

/**
 * Generate the runs one at a time (no table kept: for million-row CSVs) and return the truth.
 * Rows come in gen_synth.py's order: heuristic, then task, then run.
 *
 * @example
 * const lines: string[] = [];
 * synthRows({ heuristics: 2, tasks: 2, categories: 1, runs: 1 }, (h, t, c, r, y) =>
 *   lines.push(`h${h},t${t},c${c},${r},${y.toFixed(6)}`));
 */
export function synthRows(opts: SynthOptions, onRow: SynthRowCallback): SynthTruth {
  const it = synthBatches(opts, onRow, Number.POSITIVE_INFINITY);
  for (;;) {
    const step = it.next();
    if (step.done) return step.value;
  }
}

/**
 * synthRows as a generator that pauses every `batchRows` rows (yielding the number of rows so far),
 * so a writer can wait for a stream to drain; returns the truth when done.
 *
 * @example
 * const it = synthBatches({ runs: 100 }, onRow, 10_000);
 * for (let s = it.next(); !s.done; s = it.next()) await flush();
 */
export function* synthBatches(
  opts: SynthOptions,
  onRow: SynthRowCallback,
  batchRows = 10_000,
): Generator<number, SynthTruth, void> {
  const s = settingsOf(opts);
  const { heuristics: H, tasks: T, categories: C, runs: R } = s;
  const rng = pyRandom(s.seed);
  // Draw order of gen_synth.py: b, g, hc (h-major), ht (h-major), then the noise row by row.
  const heuristic = Float64Array.from({ length: H }, () => rng.gauss(0, s.sdHeuristic));
  const task = Float64Array.from({ length: T }, () => rng.gauss(0, s.sdTask));
  const taskCategory = Int32Array.from({ length: T }, (_, t) => t % C);
  const heuristicCategory = Float64Array.from({ length: H * C }, () =>
    rng.gauss(0, s.sdHeuristicCategory),
  );
  const heuristicTask = Float64Array.from({ length: H * T }, () => rng.gauss(0, s.sdHeuristicTask));
  const category = new Float64Array(C);
  if (s.sdCategory > 0) {
    const side = pyRandom([s.seed, 1]);
    for (let c = 0; c < C; c++) category[c] = side.gauss(0, s.sdCategory);
  }
  const cellMean = new Float64Array(H * T);
  let n = 0;
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      const c = taskCategory[t];
      // gen_synth.py's summation order (mu + b + g + hc + ht); the category term adds 0 there.
      const m =
        s.mu +
        heuristic[h] +
        task[t] +
        heuristicCategory[h * C + c] +
        heuristicTask[h * T + t] +
        category[c];
      cellMean[h * T + t] = m;
      for (let r = 0; r < R; r++) {
        const y = m + rng.gauss(0, s.sigma);
        // toFixed rounds the exact binary value (ECMA-262 Number.prototype.toFixed), as %.6f does.
        onRow(h, t, c, r, s.decimals === null ? y : Number(y.toFixed(s.decimals)));
        if (++n % batchRows === 0) yield n;
      }
    }
  }
  return {
    heuristics: Array.from({ length: H }, (_, h) => `h${h}`),
    tasks: Array.from({ length: T }, (_, t) => `t${t}`),
    categories: Array.from({ length: C }, (_, c) => `c${c}`),
    taskCategory,
    mu: s.mu,
    heuristic,
    task,
    category,
    heuristicCategory,
    heuristicTask,
    sigma: s.sigma,
    cellMean,
    settings: s,
  };
}

/**
 * A synthetic benchmark Table (columns heuristic, task, category, seed, score, as gen_synth.py
 * writes them) and its truth. Used by tests, the calibration study and the benchmarks.
 *
 * @example
 * const { table, truth } = generateSynthetic({ heuristics: 4, tasks: 10, categories: 2, runs: 3, seed: 7 });
 * truth.heuristicCategory[1 * 2 + 0]; // effect of h1 in category c0
 */
export function generateSynthetic(opts: SynthOptions = {}): { table: Table; truth: SynthTruth } {
  const s = settingsOf(opts);
  const n = s.heuristics * s.tasks * s.runs;
  const hc = new Int32Array(n);
  const tc = new Int32Array(n);
  const cc = new Int32Array(n);
  const seed = new Float64Array(n);
  const score = new Float64Array(n);
  let i = 0;
  const truth = synthRows(s, (h, t, c, r, y) => {
    hc[i] = h;
    tc[i] = t;
    cc[i] = c;
    seed[i] = r;
    score[i] = y;
    i++;
  });
  const factor = (codes: Int32Array, names: string[]): Column => {
    // Levels sorted in code-unit order (h0, h1, h10, h11, ..., h2): the Table contract.
    const order = names
      .map((_, k) => k)
      .sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
    const newCode = new Int32Array(names.length);
    order.forEach((old, k) => {
      newCode[old] = k;
    });
    return {
      type: 'factor',
      levels: order.map((k) => names[k]),
      codes: codes.map((c) => newCode[c]),
    };
  };
  const table: Table = {
    nRows: n,
    names: ['heuristic', 'task', 'category', 'seed', 'score'],
    columns: {
      heuristic: factor(hc, truth.heuristics),
      task: factor(tc, truth.tasks),
      category: factor(cc, truth.categories),
      seed: { type: 'numeric', values: seed },
      score: { type: 'numeric', values: score },
    },
    source: `synthetic(H=${s.heuristics},T=${s.tasks},C=${s.categories},R=${s.runs},seed=${s.seed})`,
  };
  return { table, truth };
}

/**
 * The same runs as generateSynthetic, as plain records (for tableFromRecords, the web API or JSON).
 *
 * @example
 * const { records } = synthRecords({ heuristics: 2, tasks: 4, categories: 2, runs: 1 });
 * records[0]; // { heuristic: 'h0', task: 't0', category: 'c0', seed: 0, score: 0.63... }
 */
export function synthRecords(opts: SynthOptions = {}): {
  records: { heuristic: string; task: string; category: string; seed: number; score: number }[];
  truth: SynthTruth;
} {
  const records: {
    heuristic: string;
    task: string;
    category: string;
    seed: number;
    score: number;
  }[] = [];
  const truth = synthRows(opts, (h, t, c, r, y) => {
    records.push({ heuristic: `h${h}`, task: `t${t}`, category: `c${c}`, seed: r, score: y });
  });
  return { records, truth };
}
