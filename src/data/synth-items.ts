import { pyRandom } from './pyrandom.js';
import type { Table } from './table.js';

/**
 * Options of `simulateItems`: per-example scores of H heuristics on the same items of T tasks,
 * from the paired item model (src/model/item-model.ts) with the given truth.
 */
export interface ItemSimOptions {
  heuristics: number;
  tasks: number;
  /** Items per task (every heuristic answers every item once). */
  items: number;
  family: 'gaussian' | 'bernoulli';
  seed: number;
  intercept?: number;
  sdHeuristic?: number;
  sdTask?: number;
  sdCell?: number;
  sdItem?: number;
  /** Residual sd (gaussian). */
  sigma?: number;
  /** Tasks per category (adds a category column when > 0 and tasks / perCategory >= 2). */
  perCategory?: number;
  /** The truth is drawn from this function when given (e.g. from priors for calibration). */
  truth?: ItemTruth;
}

/** The true effects behind a simulated item table. */
export interface ItemTruth {
  intercept: number;
  heuristic: Float64Array;
  task: Float64Array;
  /** cell[h + H * t]: r_heuristic:task. */
  cell: Float64Array;
  sdItem: number;
  sigma: number;
}

const pad = (i: number, n: number) => String(i).padStart(String(n - 1).length, '0');

/**
 * A per-example table (columns heuristic, task, category?, item, score) and its truth: score =
 * eta_ht + u_ti + e (gaussian) or a 0/1 draw with logit P = eta_ht + u_ti (bernoulli), u_ti shared by
 * every heuristic on item i of task t (the pairing). Levels are `h01`, `t3`, `i0042`.
 * @example simulateItems({ heuristics: 3, tasks: 4, items: 50, family: 'gaussian', seed: 1 }).table.nRows // 600
 */
export function simulateItems(o: ItemSimOptions): { table: Table; truth: ItemTruth } {
  const py = pyRandom(o.seed);
  const rng = { normal: () => py.gauss(0, 1), uniform: () => py.random() };
  const H = o.heuristics;
  const T = o.tasks;
  const I = o.items;
  const truth: ItemTruth = o.truth ?? {
    intercept: o.intercept ?? 0,
    heuristic: Float64Array.from({ length: H }, () => (o.sdHeuristic ?? 0.3) * rng.normal()),
    task: Float64Array.from({ length: T }, () => (o.sdTask ?? 0.5) * rng.normal()),
    cell: Float64Array.from({ length: H * T }, () => (o.sdCell ?? 0.2) * rng.normal()),
    sdItem: o.sdItem ?? 1,
    sigma: o.sigma ?? 1,
  };
  const N = H * T * I;
  const hCodes = new Int32Array(N);
  const tCodes = new Int32Array(N);
  const iCodes = new Int32Array(N);
  const cCodes = new Int32Array(N);
  const score = new Float64Array(N);
  const per = o.perCategory ?? 0;
  const nCat = per > 0 ? Math.ceil(T / per) : 0;
  let r = 0;
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < I; i++) {
      const u = truth.sdItem * rng.normal();
      for (let h = 0; h < H; h++) {
        const eta =
          truth.intercept + truth.heuristic[h] + truth.task[t] + truth.cell[h + H * t] + u;
        hCodes[r] = h;
        tCodes[r] = t;
        iCodes[r] = i;
        cCodes[r] = per > 0 ? Math.floor(t / per) : 0;
        score[r] =
          o.family === 'gaussian'
            ? eta + truth.sigma * rng.normal()
            : rng.uniform() < 1 / (1 + Math.exp(-eta))
              ? 1
              : 0;
        r++;
      }
    }
  }
  const names = ['heuristic', 'task', ...(nCat >= 2 ? ['category'] : []), 'item', 'score'];
  const factor = (levels: string[], codes: Int32Array) => ({
    type: 'factor' as const,
    levels,
    codes,
  });
  const columns: Table['columns'] = {
    heuristic: factor(
      Array.from({ length: H }, (_, h) => `h${pad(h, H)}`),
      hCodes,
    ),
    task: factor(
      Array.from({ length: T }, (_, t) => `t${pad(t, T)}`),
      tCodes,
    ),
    ...(nCat >= 2
      ? {
          category: factor(
            Array.from({ length: nCat }, (_, c) => `c${pad(c, nCat)}`),
            cCodes,
          ),
        }
      : {}),
    item: factor(
      Array.from({ length: I }, (_, i) => `i${pad(i, I)}`),
      iCodes,
    ),
    score: { type: 'numeric', values: score },
  };
  return { table: { nRows: N, names, columns }, truth };
}
