import { describe, expect, it } from 'vitest';
import type { Table } from '../../src/data/table.js';
import { runComparison } from '../../src/pipeline/compare.js';
import { psisRobustness, systematicResample } from '../../src/pipeline/robustness-psis.js';
import { refitRobustness } from '../../src/pipeline/robustness-refit.js';
import { makeTable } from '../model/helpers.js';

describe('systematicResample', () => {
  it('keeps each draw about w_s S times, deterministically', () => {
    expect(Array.from(systematicResample(Float64Array.of(0.5, 0.5, 0, 0)))).toEqual([0, 0, 1, 1]);
    expect(Array.from(systematicResample(Float64Array.of(0, 0.25, 0.75, 0)))).toEqual([1, 2, 2, 2]);
    const w = Float64Array.of(0.1, 0.2, 0.3, 0.4, 0, 0, 0, 0, 0, 0);
    const idx = systematicResample(w);
    const counts = [0, 0, 0, 0];
    for (const i of idx) counts[i]++;
    expect(counts).toEqual([1, 2, 3, 4]);
  });
});

/** 3 heuristics x 14 tasks, one number per cell: many tasks, so one task moves the posterior little. */
function manyTasks(): Table {
  const cols: Record<string, (number | string)[]> = { heuristic: [], task: [], score: [] };
  let x = 12345;
  const rnd = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
  for (let t = 0; t < 14; t++) {
    const level = 40 + 20 * rnd();
    for (const [h, shift] of [
      ['a', 1.5],
      ['b', 0.8],
      ['c', 0],
    ] as const) {
      cols.heuristic.push(h);
      cols.task.push(`t${String(t).padStart(2, '0')}`);
      cols.score.push(level + shift + 2 * (rnd() - 0.5));
    }
  }
  return makeTable(cols, 'many.csv');
}

describe('leave-one-task-out by PSIS', () => {
  // explicit priors: the refits then use the same model as the full fit (data-scaled default
  // priors would move with the rows left)
  const options = {
    priors: [
      'Intercept ~ normal(50, 20)',
      'sd_heuristic ~ normal(0, 3)',
      'sd_task ~ normal(0, 15)',
      'sd_heuristic:task ~ normal(0, 3)',
      'sigma ~ normal(0, 3)',
    ],
    rope: 0.2,
    sampler: { seed: 3, chains: 4, warmup: 500, draws: 1000 },
  };

  it('reweights where k and n_eff allow and agrees with refits there', async () => {
    const table = manyTasks();
    const run = await runComparison(table, options);
    const ps = await psisRobustness(table, options, run);
    expect(ps.kind).toBe('psis');
    expect(ps.tasks).toHaveLength(14);
    const viaPsis = ps.tasks.filter((t) => t.via === 'psis');
    // with 14 tasks leaving one out is a small change: most tasks need no refit
    expect(viaPsis.length).toBeGreaterThan(7);
    for (const t of ps.tasks) expect(t.pareto_k).toBeDefined();
    // refit the first two reweighted tasks and compare P(best) of the same best
    const two = new Set(viaPsis.slice(0, 2).map((t) => t.task));
    const refit = await refitRobustness(table, options, run, {
      withoutTask: async (task, keep, pinned) => {
        if (!two.has(task)) return { comparison: run.comparison };
        const { selectRows } = await import('../../src/data/access.js');
        return { comparison: (await runComparison(selectRows(table, keep), pinned)).comparison };
      },
    });
    for (const name of two) {
      const a = ps.tasks.find((t) => t.task === name);
      const b = refit.tasks.find((t) => t.task === name);
      expect(a && b).toBeTruthy();
      if (!a || !b) continue;
      expect(a.best_without).toBe(b.best_without);
      // 4 standard errors of a difference of two proportions near p: the reweighted one has at
      // least 400 effective draws (MIN_PSIS_ESS), the refit's 4,000 draws at least 1,000
      const p = b.p_best_without;
      const se = Math.sqrt(p * (1 - p) * (1 / 400 + 1 / 1000));
      expect(Math.abs(a.p_best_without - p)).toBeLessThan(4 * se + 1e-9);
    }
  });
});
