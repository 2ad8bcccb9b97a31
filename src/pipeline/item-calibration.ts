import { createNormalRng } from '../analysis/random.js';
import { simulateItems } from '../data/synth-items.js';
import type { Table } from '../data/table.js';
import { sbcRank } from '../diagnostics/sbc-rank.js';
import type { Fit } from '../draws/fit.js';
import type { SamplerConfig } from '../sampler/types.js';
import { type CalibrationTally, emptyTally, tallyConvergence } from './calibration.js';
import { runComparison } from './compare.js';

/**
 * Simulation-based calibration of the paired item model (Talts et al. 2018, arXiv:1804.06788)
 * through `compare` end to end: each replication draws the truth from the priors the fit uses,
 * simulates per-example rows (every heuristic on the same items of each task; src/data/synth-items.ts),
 * fits them with runComparison (which picks the item model for an item column) and records the
 * rank of the truth among thinned posterior draws and whether the 90% intervals of the heuristic
 * differences cover it.
 */

/** The priors of the calibration (sigma: gaussian only): used to simulate and passed to the fit. */
export const ITEM_SIM_PRIORS = [
  'Intercept ~ normal(0, 1)',
  'sd ~ normal(0, 1)',
  'sigma ~ normal(0, 1)',
];

const priorsFor = (family: 'gaussian' | 'bernoulli') =>
  family === 'gaussian' ? ITEM_SIM_PRIORS : ITEM_SIM_PRIORS.filter((p) => !p.startsWith('sigma'));

/** Options of runItemCalibration. */
export interface ItemCalibrationOptions {
  family: 'gaussian' | 'bernoulli';
  replications: number;
  heuristics: number;
  tasks: number;
  items: number;
  sampler?: SamplerConfig;
  seed?: number;
  /** Thinned posterior draws per SBC rank (default 99: ranks 0..99). */
  rankDraws?: number;
  onReplication?: (done: number, total: number) => void;
}

/** Results over all replications. */
/**
 * Results over all replications; intervals: 90% intervals of the differences h0 - h1 (overall: the
 * heuristic effect plus the mean of the heuristic x task effects; and on every task), on the linear
 * predictor scale.
 */
export type ItemCalibrationResult = CalibrationTally;

/** |N(0, 1)|: a draw of a scale with a half-normal(0, 1) prior. */
const half = (z: number) => Math.abs(z);

/** The posterior draws of a named variable (all chains), or null. */
function drawsOf(fit: Fit, name: string): Float64Array | null {
  const d = fit.draws;
  const v = d.variables.indexOf(name);
  const S = d.nDraws * d.nChains;
  return v < 0 ? null : d.values.subarray(v * S, (v + 1) * S);
}

/**
 * Simulate, fit and score `replications` item-level data sets.
 * @example const r = await runItemCalibration({ family: 'bernoulli', replications: 20, heuristics: 3, tasks: 4, items: 25 }); r.coverage
 */
export async function runItemCalibration(
  o: ItemCalibrationOptions,
): Promise<ItemCalibrationResult> {
  const L = o.rankDraws ?? 99;
  const rng = createNormalRng(o.seed ?? 20261204);
  const H = o.heuristics;
  const T = o.tasks;
  const res: ItemCalibrationResult = emptyTally(L);
  for (let r = 0; r < o.replications; r++) {
    // the truth from the priors (ITEM_SIM_PRIORS)
    const sd = { h: half(rng.normal()), t: half(rng.normal()), ht: half(rng.normal()) };
    const truth = {
      intercept: rng.normal(),
      heuristic: Float64Array.from({ length: H }, () => sd.h * rng.normal()),
      task: Float64Array.from({ length: T }, () => sd.t * rng.normal()),
      cell: Float64Array.from({ length: H * T }, () => sd.ht * rng.normal()),
      sdItem: half(rng.normal()),
      sigma: half(rng.normal()),
    };
    const { table } = simulateItems({
      heuristics: H,
      tasks: T,
      items: o.items,
      family: o.family,
      seed: (o.seed ?? 1) * 1000 + r,
      truth,
    });
    const run = await runComparison(table, {
      priors: priorsFor(o.family),
      sampler: {
        chains: 2,
        warmup: 300,
        draws: 300,
        parallel: false,
        ...o.sampler,
        seed: (o.seed ?? 1) + r,
      },
    });
    const c = run.comparison;
    tallyConvergence(res, c.diagnostics);
    // the quantities: top-level parameters and the h0 - h1 differences (overall and per task)
    const S = run.fit.draws.nDraws * run.fit.draws.nChains;
    const need = (name: string) => {
      const x = drawsOf(run.fit, name);
      if (!x) throw new Error(`item calibration: no draws of ${name}`);
      return x;
    };
    const level = (col: string, i: number) =>
      (table.columns[col] as { levels: readonly string[] }).levels[i];
    const [h0, h1] = [level('heuristic', 0), level('heuristic', 1)];
    const rh = [need(`r_heuristic[${h0},Intercept]`), need(`r_heuristic[${h1},Intercept]`)];
    const perTask = Array.from({ length: T }, (_, t) => {
      const a = need(`r_heuristic:task[${h0}_${level('task', t)},Intercept]`);
      const b = need(`r_heuristic:task[${h1}_${level('task', t)},Intercept]`);
      return Float64Array.from({ length: S }, (_, s) => rh[0][s] - rh[1][s] + a[s] - b[s]);
    });
    const overall = Float64Array.from({ length: S }, (_, s) => {
      let m = 0;
      for (let t = 0; t < T; t++) m += perTask[t][s];
      return m / T;
    });
    const trueTask = Array.from(
      { length: T },
      (_, t) =>
        truth.heuristic[0] - truth.heuristic[1] + truth.cell[0 + H * t] - truth.cell[1 + H * t],
    );
    const trueOverall = trueTask.reduce((a, b) => a + b, 0) / T;
    const quantities: [string, Float64Array, number][] = [
      ['b_Intercept', need('b_Intercept'), truth.intercept],
      ['sd_heuristic__Intercept', need('sd_heuristic__Intercept'), sd.h],
      ['sd_heuristic:task__Intercept', need('sd_heuristic:task__Intercept'), sd.ht],
      ['sd_task:item__Intercept', need('sd_task:item__Intercept'), truth.sdItem],
      ['h0 - h1 (over tasks)', overall, trueOverall],
      ['h0 - h1 (task t0)', perTask[0], trueTask[0]],
    ];
    if (o.family === 'gaussian') quantities.push(['sigma', need('sigma'), truth.sigma]);
    for (const [name, x, t] of quantities) (res.ranks[name] ??= []).push(sbcRank(x, t, L));
    // 90% intervals of the differences
    for (const [x, t] of [
      [overall, trueOverall] as const,
      ...perTask.map((x, k) => [x, trueTask[k]] as const),
    ]) {
      const sorted = Float64Array.from(x).sort();
      const q5 = sorted[Math.floor(0.05 * (S - 1))];
      const q95 = sorted[Math.ceil(0.95 * (S - 1))];
      res.intervals++;
      if (q5 <= t && t <= q95) res.covered++;
    }
    o.onReplication?.(r + 1, o.replications);
  }
  res.coverage = res.covered / res.intervals;
  return res;
}

/** Options of itemWidthStudy. */
export interface WidthStudyOptions {
  replications: number;
  heuristics: number;
  tasks: number;
  items: number;
  /** Item sd and residual sd of the per-example scores (their ratio sets the pairing's gain). */
  sdItem: number;
  sigma: number;
  sampler?: SamplerConfig;
  seed?: number;
  onReplication?: (done: number, total: number) => void;
}

/** Width and coverage of the 90% intervals of h0 - h1, per analysis. */
export interface WidthStudyRow {
  analysis: string;
  /** Per task (replications x tasks intervals) and over tasks (one per replication). */
  taskWidth: number;
  taskCoverage: number;
  overallWidth: number;
  overallCoverage: number;
  intervals: number;
}

/** The per-cell means of a per-example table with their sd and count (what papers report). */
function cellMeans(t: Table): Table {
  const h = t.columns.heuristic as { levels: readonly string[]; codes: Int32Array };
  const k = t.columns.task as { levels: readonly string[]; codes: Int32Array };
  const y = (t.columns.score as { values: Float64Array }).values;
  const H = h.levels.length;
  const C = H * k.levels.length;
  const n = new Float64Array(C);
  const s1 = new Float64Array(C);
  const s2 = new Float64Array(C);
  for (let i = 0; i < t.nRows; i++) {
    const c = h.codes[i] + H * k.codes[i];
    n[c]++;
    s1[c] += y[i];
  }
  for (let c = 0; c < C; c++) s1[c] /= n[c];
  for (let i = 0; i < t.nRows; i++) {
    const c = h.codes[i] + H * k.codes[i];
    s2[c] += (y[i] - s1[c]) ** 2;
  }
  return {
    nRows: C,
    names: ['heuristic', 'task', 'score', 'std', 'n'],
    columns: {
      heuristic: {
        type: 'factor',
        levels: h.levels,
        codes: Int32Array.from({ length: C }, (_, c) => c % H),
      },
      task: {
        type: 'factor',
        levels: k.levels,
        codes: Int32Array.from({ length: C }, (_, c) => Math.floor(c / H)),
      },
      score: { type: 'numeric', values: s1 },
      std: { type: 'numeric', values: Float64Array.from(s2, (v, c) => Math.sqrt(v / (n[c] - 1))) },
      n: { type: 'numeric', values: n },
    },
  };
}

/**
 * The figure that matters to users of per-example files: on simulated paired gaussian data, the
 * 90% interval of a heuristic difference (h0 - h1, per task and averaged over tasks) from the
 * paired item model, from the same rows without the pairing (item column off: rows are
 * replicates of their cell), and from task means (mean +- sd over items and n, the usual
 * published table: `score | se(se)`), with the coverage of each.
 * @example const rows = await itemWidthStudy({ replications: 10, heuristics: 4, tasks: 8, items: 200, sdItem: 1, sigma: 0.8 });
 */
export async function itemWidthStudy(o: WidthStudyOptions): Promise<WidthStudyRow[]> {
  const rng = createNormalRng(o.seed ?? 7);
  const H = o.heuristics;
  const T = o.tasks;
  const analyses = [
    'paired item model',
    'rows as replicates (no item column)',
    'task means (mean, sd, n)',
  ];
  const acc = analyses.map(() => ({ tw: 0, tc: 0, ow: 0, oc: 0, nt: 0, no: 0 }));
  for (let r = 0; r < o.replications; r++) {
    const truth = {
      intercept: 0,
      heuristic: Float64Array.from({ length: H }, () => 0.3 * rng.normal()),
      task: Float64Array.from({ length: T }, () => 0.5 * rng.normal()),
      cell: Float64Array.from({ length: H * T }, () => 0.15 * rng.normal()),
      sdItem: o.sdItem,
      sigma: o.sigma,
    };
    const { table } = simulateItems({
      heuristics: H,
      tasks: T,
      items: o.items,
      family: 'gaussian',
      seed: (o.seed ?? 7) * 1000 + r,
      truth,
    });
    const trueTask = Array.from(
      { length: T },
      (_, t) => truth.heuristic[0] - truth.heuristic[1] + truth.cell[H * t] - truth.cell[1 + H * t],
    );
    const trueOverall = trueTask.reduce((a, b) => a + b, 0) / T;
    const sampler = {
      chains: 2,
      warmup: 500,
      draws: 500,
      parallel: false,
      ...o.sampler,
      seed: r + 1,
    };
    const runs = [
      await runComparison(table, { sampler }),
      await runComparison(table, { sampler, columns: { item: '', seed: 'item' } }),
      await runComparison(cellMeans(table), { sampler }),
    ];
    const hs = (table.columns.heuristic as { levels: readonly string[] }).levels;
    const ts = (table.columns.task as { levels: readonly string[] }).levels;
    runs.forEach((run, a) => {
      const pair = (scope: string) => {
        const p = run.comparison.pairs.find(
          (x) =>
            x.scope === scope &&
            ((x.a === hs[0] && x.b === hs[1]) || (x.a === hs[1] && x.b === hs[0])),
        );
        if (!p || p.diff_q5 === undefined || p.diff_q95 === undefined) {
          throw new Error(`width study: no ${hs[0]} - ${hs[1]} pair in scope ${scope}`);
        }
        // as h0 - h1
        return p.a === hs[0] ? [p.diff_q5, p.diff_q95] : [-p.diff_q95, -p.diff_q5];
      };
      const [o5, o95] = pair('overall');
      acc[a].ow += o95 - o5;
      acc[a].oc += o5 <= trueOverall && trueOverall <= o95 ? 1 : 0;
      acc[a].no++;
      ts.forEach((t, k) => {
        const [q5, q95] = pair(`task:${t}`);
        acc[a].tw += q95 - q5;
        acc[a].tc += q5 <= trueTask[k] && trueTask[k] <= q95 ? 1 : 0;
        acc[a].nt++;
      });
    });
    o.onReplication?.(r + 1, o.replications);
  }
  return analyses.map((analysis, a) => ({
    analysis,
    taskWidth: acc[a].tw / acc[a].nt,
    taskCoverage: acc[a].tc / acc[a].nt,
    overallWidth: acc[a].ow / acc[a].no,
    overallCoverage: acc[a].oc / acc[a].no,
    intervals: acc[a].nt,
  }));
}
