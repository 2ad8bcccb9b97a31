import { describe, expect, it } from 'vitest';
import { averageOverTasks, taskColumn } from '../../src/analysis/aggregate.js';
import {
  cellDraws,
  forEachTaskCells,
  groupsFromVariables,
  rowLevelVariables,
  rowPredictors,
} from '../../src/analysis/cells.js';
import { designFromTable } from '../../src/analysis/design.js';
import { ppcByTask, replicateGaussian } from '../../src/analysis/ppc.js';
import { createNormalRng } from '../../src/analysis/random.js';
import { defaultRope, metricScales, taskMetrics, taskScales } from '../../src/analysis/rope.js';
import type { Table } from '../../src/data/table.js';
import type { Draws } from '../../src/draws/draws.js';

function factor(values: string[]) {
  const levels = [...new Set(values)].sort();
  return {
    type: 'factor' as const,
    levels,
    codes: Int32Array.from(values, (v) => levels.indexOf(v)),
  };
}

// two heuristics (h_a has an underscore in its name on purpose), three tasks in two categories,
// two studies; heuristic h_a never ran on task T3 (an unobserved heuristic:task level)
const rows = [
  ['h_a', 'T1', 'X', 's1', 1],
  ['h_a', 'T2', 'Y', 's2', 2],
  ['b', 'T1', 'X', 's1', 3],
  ['b', 'T2', 'Y', 's2', 4],
  ['b', 'T3', 'X', 's1', 5],
] as const;
const table: Table = {
  nRows: rows.length,
  names: ['heuristic', 'task', 'category', 'study', 'score'],
  columns: {
    heuristic: factor(rows.map((r) => r[0])),
    task: factor(rows.map((r) => r[1])),
    category: factor(rows.map((r) => r[2])),
    study: factor(rows.map((r) => r[3])),
    score: { type: 'numeric', values: Float64Array.from(rows, (r) => r[4]) },
  },
};

/** Draws with one chain and the given per-variable draws. */
function makeDraws(vars: Record<string, number[]>): Draws {
  const variables = Object.keys(vars);
  const n = vars[variables[0]].length;
  const values = new Float64Array(n * variables.length);
  variables.forEach((v, i) => {
    values.set(vars[v], i * n);
  });
  return { nDraws: n, nChains: 1, variables, values };
}

const draws = makeDraws({
  b_Intercept: [10, 20],
  'r_heuristic[h_a,Intercept]': [1, 2],
  'r_heuristic[b,Intercept]': [-1, -2],
  'r_task[T1,Intercept]': [0.5, 0.5],
  'r_task[T2,Intercept]': [-0.5, 0],
  'r_task[T3,Intercept]': [0, 1],
  'r_heuristic:category[h_a_X,Intercept]': [0.25, 0.25],
  'r_heuristic:category[h_a_Y,Intercept]': [0, 0],
  'r_heuristic:category[b_X,Intercept]': [0, 0.5],
  'r_heuristic:category[b_Y,Intercept]': [0, 0],
  'r_heuristic:task[h_a_T1,Intercept]': [0.1, 0.1],
  'r_heuristic:task[h_a_T2,Intercept]': [0, 0],
  'r_heuristic:task[b_T1,Intercept]': [0, 0],
  'r_heuristic:task[b_T2,Intercept]': [0.2, 0.2],
  'r_heuristic:task[b_T3,Intercept]': [0, 0],
  'sd_heuristic:task__Intercept': [0, 0], // zero so the new level of (h_a, T3) contributes exactly 0
  'r_study[s1,Intercept]': [4, 6],
  'r_study[s2,Intercept]': [-2, 0],
  sigma: [1, 1],
});

describe('design', () => {
  it('reads heuristics, tasks and the category of each task', () => {
    const d = designFromTable(table);
    expect(d.heuristics).toEqual(['b', 'h_a']);
    expect(d.tasks).toEqual(['T1', 'T2', 'T3']);
    expect(d.taskCategory).toEqual(['X', 'Y', 'X']);
    expect(d.categories).toEqual(['X', 'Y']);
  });
});

describe('cell means', () => {
  const design = designFromTable(table);
  it('parses groups from brms names even when levels contain underscores', () => {
    const groups = groupsFromVariables(draws.variables, design);
    const ht = groups.find((g) => g.group === 'heuristic:task');
    expect(ht?.levels).toContainEqual(['h_a', 'T1']);
    expect(ht?.levels.length).toBe(5);
  });

  it('adds intercept, heuristic, task, heuristic:category, heuristic:task; averages studies', () => {
    const { cells, notes } = cellDraws(draws, design);
    const S = 2;
    const H = 2;
    const at = (h: number, t: number, s: number) => cells.values[s + S * (h + H * t)];
    // study average: draw 1 (4 - 2) / 2 = 1 ; draw 2 (6 + 0) / 2 = 3
    // h_a (index 1) on T1, draw 1: 10 + 1 + 0.5 + 0.25 + 0.1 + 1 = 12.85
    expect(at(1, 0, 0)).toBeCloseTo(12.85, 12);
    // h_a on T1, draw 2: 20 + 2 + 0.5 + 0.25 + 0.1 + 3 = 25.85
    expect(at(1, 0, 1)).toBeCloseTo(25.85, 12);
    // b (index 0) on T2, draw 1: 10 - 1 - 0.5 + 0 + 0.2 + 1 = 9.7
    expect(at(0, 1, 0)).toBeCloseTo(9.7, 12);
    // h_a on T3 (unobserved cell, sd 0): 10 + 1 + 0 + 0.25 + 0 + 1 = 12.25
    expect(at(1, 2, 0)).toBeCloseTo(12.25, 12);
    expect(notes.join(' ')).toMatch(/unobserved level/);

    const overall = averageOverTasks(cells, [0, 1, 2]);
    // b draw 1: T1 10 - 1 + 0.5 + 0 + 0 + 1 = 10.5, T2 9.7, T3 10 - 1 + 0 + 0 + 0 + 1 = 10
    expect(overall.values[0]).toBeCloseTo((10.5 + 9.7 + 10) / 3, 12);
    const back = taskColumn(cells, 0, { center: 100, scale: 2 });
    expect(back.values[0]).toBeCloseTo(100 + 2 * 10.5, 12);
  });

  it('applies the inverse logit for a binomial family', () => {
    const { cells } = cellDraws(draws, design, { family: 'binomial' });
    expect(cells.values[0]).toBeCloseTo(1 / (1 + Math.exp(-10.5)), 12);
  });

  it('streams the same cells one task at a time', () => {
    const { cells } = cellDraws(draws, design, { seed: 5 });
    const S = cells.nSamples;
    const H = cells.heuristics.length;
    const seen: number[] = [];
    forEachTaskCells(draws, design, { seed: 5 }, (t, block) => {
      seen.push(t);
      expect(Array.from(block)).toEqual(
        Array.from(cells.values.subarray(S * H * t, S * H * (t + 1))),
      );
    });
    expect(seen).toEqual([0, 1, 2]);
  });

  it('maps rows to their levels’ variables', () => {
    const groups = groupsFromVariables(draws.variables, design);
    const { rowLevel } = rowLevelVariables(draws, design, groups);
    const study = groups.findIndex((g) => g.group === 'study');
    // row 0 is in study s1, row 1 in s2
    expect(draws.variables[rowLevel[study][0]]).toBe('r_study[s1,Intercept]');
    expect(draws.variables[rowLevel[study][1]]).toBe('r_study[s2,Intercept]');
  });

  it('computes row predictors with each row’s own study', () => {
    const groups = groupsFromVariables(draws.variables, design);
    const eta = rowPredictors(draws, design, groups, [0]);
    // row 0: h_a T1 s1, draw 1: 10 + 1 + 0.5 + 0.25 + 0.1 + 4 = 15.85
    expect(eta[0]).toBeCloseTo(15.85, 12);
    // row 4: b T3 s1: 10 - 1 + 0 + 0 + 0 + 4 = 13
    expect(eta[4]).toBeCloseTo(13, 12);
  });
});

describe('ROPE and scales', () => {
  const design = designFromTable(table);
  it('uses 0.1 x the pooled within-task sd', () => {
    // T1: 1, 3 (ss 2, df 1); T2: 2, 4 (ss 2, df 1); T3: one value (no df)
    const scores = table.columns.score.type === 'numeric' ? table.columns.score.values : [];
    const data = defaultRope(scores, design, 0);
    expect(data.rope).toBeCloseTo(0.1 * Math.sqrt(4 / 2), 12);
    expect(data.source).toMatch(/depends on which heuristics/);
    // on a proportion scale the default is 1% of it, whatever the scores (Benavoli et al. 2017)
    expect(defaultRope(scores, design, 100).rope).toBe(1);
    expect(defaultRope(scores, design, 1).rope).toBe(0.01);
    const sc = taskScales([1, 2, 3, 4, 5], design);
    expect(Array.from(sc.center)).toEqual([2, 3, 5]);
    expect(sc.scale[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(sc.scale[2]).toBe(1); // a single score: scale 1 keeps it finite
  });

  it('per metric: tasks centred, one pooled within-task sd per metric', () => {
    // T1: 1, 3 and T2: 2, 4 share metric 0 (ss 2 + 2, df 2); T3 alone in metric 1 (no df)
    const sc = metricScales([1, 2, 3, 4, 5], design, Int32Array.from([0, 0, 1]));
    expect(Array.from(sc.center)).toEqual([2, 3, 5]);
    expect(sc.scale[0]).toBeCloseTo(Math.sqrt(4 / 2), 12);
    expect(sc.scale[1]).toBe(sc.scale[0]);
    expect(sc.scale[2]).toBe(1);
    // a task whose heuristics barely differ keeps its small spread next to a wide one (per-task
    // standardization would blow T2 up to the same unit sd as T1)
    const wide = metricScales([0, 0.1, 10, 0.2, 7], design, Int32Array.from([0, 0, 0]));
    expect(wide.scale[1]).toBe(wide.scale[0]);
    expect(taskMetrics(table, design)).toEqual(new Int32Array(3));
  });
});

describe('posterior predictive check', () => {
  it('compares the observed task spread with replicated spreads', () => {
    // 2 tasks x 2 rows; replicates made by hand
    const y = [0, 2, 0, 0];
    const rowTask = [0, 0, 1, 1];
    const yrep = Float64Array.from([0, 1, 0, 1, /* rep 2 */ 0, 4, 0, 0]);
    const p = ppcByTask(y, rowTask, 2, yrep, 2);
    expect(p[0].observed_sd).toBeCloseTo(Math.SQRT2, 12);
    // replicated sds of task 0: sd(0,1) = 0.707, sd(0,4) = 2.83 -> one of two >= 1.414
    expect(p[0].p_value).toBe(0.5);
    expect(p[1].p_value).toBe(1); // observed 0, replicated 0.707 and 0: both >= 0
  });

  it('draws gaussian replicates with sd sqrt(sigma^2 + se^2)', () => {
    const K = 4000;
    const eta = new Float64Array(K * 2).fill(1);
    const yrep = replicateGaussian(eta, K, new Float64Array(K).fill(3), [4, 0], createNormalRng(7));
    const col = (i: number) => Array.from({ length: K }, (_, k) => yrep[k * 2 + i]);
    const sdOf = (x: number[]) => {
      const m = x.reduce((a, b) => a + b, 0) / x.length;
      return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
    };
    // sd 5 and 3; the sd of 4000 normal draws has relative se 1/sqrt(2*4000) ~ 1.1%: allow 5%
    expect(sdOf(col(0))).toBeGreaterThan(5 * 0.95);
    expect(sdOf(col(0))).toBeLessThan(5 * 1.05);
    expect(sdOf(col(1))).toBeGreaterThan(3 * 0.95);
    expect(sdOf(col(1))).toBeLessThan(3 * 1.05);
  });
});
