import { describe, expect, it } from 'vitest';
import { formatComparison } from '../../src/analysis/format.js';
import { compareFromFit } from '../../src/analysis/from-fit.js';
import { createNormalRng } from '../../src/analysis/random.js';
import { LOTO_MIN_TASKS, robustnessSentence } from '../../src/analysis/robustness.js';
import type { Table } from '../../src/data/table.js';
import type { Draws } from '../../src/draws/draws.js';
import { renderStaticReport } from '../../src/report/static-report.js';

function factor(values: string[]) {
  const levels = [...new Set(values)].sort();
  return {
    type: 'factor' as const,
    levels,
    codes: Int32Array.from(values, (v) => levels.indexOf(v)),
  };
}

type Truth = Record<string, Record<string, number>>; // truth[heuristic][task] = cell mean

/** One row per heuristic x task cell, the score the cell's true mean; category from `cats`. */
function tableOf(truth: Truth, cats?: Record<string, string>): Table {
  const rows = Object.entries(truth).flatMap(([h, byTask]) =>
    Object.entries(byTask).map(([t, y]) => ({ h, t, y })),
  );
  const columns: Record<string, Table['columns'][string]> = {
    heuristic: factor(rows.map((r) => r.h)),
    task: factor(rows.map((r) => r.t)),
    score: { type: 'numeric', values: Float64Array.from(rows, (r) => r.y) },
  };
  if (cats) columns.category = factor(rows.map((r) => cats[r.t]));
  return {
    nRows: rows.length,
    names: Object.keys(columns),
    columns,
  };
}

/**
 * Posterior-like draws of the cell means: b_Intercept = 50 + noise and one heuristic x task
 * effect per cell = truth - 50 + noise (noise sd 0.3, independent), so each cell's draws are
 * N(truth, 0.3^2 + 0.3^2) around the truth, as a fit with one row per cell would give.
 */
function drawsOf(truth: Truth, seed = 7): Draws {
  const rng = createNormalRng(seed);
  const nDraws = 1000;
  const nChains = 2;
  const S = nDraws * nChains;
  const vars: Record<string, (s: number) => number> = {
    b_Intercept: () => 50 + 0.3 * rng.normal(),
    sd_heuristic__Intercept: () => 1,
    sigma: () => 0.5,
  };
  for (const [h, byTask] of Object.entries(truth)) {
    for (const [t, y] of Object.entries(byTask)) {
      vars[`r_heuristic:task[${h}_${t},Intercept]`] = () => y - 50 + 0.3 * rng.normal();
    }
  }
  const variables = Object.keys(vars);
  const values = new Float64Array(S * variables.length);
  variables.forEach((v, k) => {
    for (let s = 0; s < S; s++) values[k * S + s] = vars[v](s);
  });
  return { nDraws, nChains, variables, values };
}

const TASKS = ['t1', 't2', 't3', 't4', 't5'];
const row = (f: (t: string) => number) => Object.fromEntries(TASKS.map((t) => [t, f(t)]));

// A leads overall (52 vs 50.8) only because of t5: on t1..t4 B is 1 point ahead
const oneTask: Truth = {
  A: row((t) => (t === 't5' ? 60 : 50)),
  B: row((t) => (t === 't5' ? 50 : 51)),
  C: row(() => 45),
};
// A 2 points ahead of B on every task
const balanced: Truth = {
  A: row(() => 52),
  B: row(() => 50),
  C: row(() => 45),
};

describe('leave-one-task-out robustness', () => {
  it('reports the task that carries the best heuristic\u2019s lead', () => {
    const c = compareFromFit({ table: tableOf(oneTask), draws: drawsOf(oneTask) }, { rope: 0.5 });
    const r = c.robustness;
    expect(c.recommendation?.best).toBe('A');
    expect(r?.best).toBe('A');
    expect(r?.tasks.map((t) => t.task)).toEqual(TASKS);
    const changed = r?.tasks.filter((t) => t.changes_best) ?? [];
    expect(changed.map((t) => t.task)).toEqual(['t5']);
    expect(changed[0].best_without).toBe('B');
    // without t5, B leads A by 1 point with noise sd ~0.2: P(best) is ~1
    expect(changed[0].p_best_without).toBeGreaterThan(0.99);
    const sentence = robustnessSentence({ best: 'A', tasks: r?.tasks ?? [] });
    expect(sentence).toBe(
      `The recommendation rests on task t5: without it, B is best (P(best) ${changed[0].p_best_without.toFixed(3)}) instead of A.`,
    );
    expect(formatComparison(c)).toContain(`(all tasks): ${sentence}`);
    // A is confidently ahead of B and C (1.2 and 7 points, ROPE 0.5): no refit hint
    expect(c.recommendation?.tie_groups?.[0]).toEqual(['A']);
    expect(formatComparison(c)).not.toContain('--robustness refit) can change');
    // with a ROPE wider than A's lead over B, A and B are tied for first: the hint is printed
    const wide = compareFromFit({ table: tableOf(oneTask), draws: drawsOf(oneTask) }, { rope: 3 });
    expect(wide.recommendation?.tie_groups?.[0]).toContain('B');
    expect(renderStaticReport({ comparison: wide, title: 'w' })).toContain(
      'refitting without each task (<code>bayesbench compare --robustness refit</code>) can change the best',
    );
    expect(renderStaticReport({ comparison: c, title: 'c' })).not.toContain(
      '--robustness refit</code>',
    );
    expect(formatComparison(wide)).toContain(
      'note: the best is tied for first with others; a refit without each task (--robustness refit) can change the best where this check does not',
    );
    // the confident "A better than B" (1.2 points, ROPE 0.5) does not survive without t5
    const flip = changed[0].flipped_pairs.find((p) => p.b === 'B' || p.a === 'B');
    expect(flip?.decision).toBe(flip?.a === 'A' ? 'a_better' : 'b_better');
    expect(flip?.p).toBeGreaterThanOrEqual(0.95);
    expect(flip?.p_without).toBeLessThan(0.95);
  });

  it('reports no task on a balanced table', () => {
    const c = compareFromFit({ table: tableOf(balanced), draws: drawsOf(balanced) }, { rope: 0.5 });
    const r = c.robustness;
    expect(r?.tasks).toHaveLength(5);
    expect(r?.tasks.every((t) => !t.changes_best && t.flipped_pairs.length === 0)).toBe(true);
    expect(r?.tasks.every((t) => t.best_without === 'A')).toBe(true);
    expect(robustnessSentence({ best: 'A', tasks: r?.tasks ?? [] })).toBe(
      'No single task changes the recommendation: A stays best without any one of the 5 tasks, and every confident decision about it holds.',
    );
  });

  it('equals the estimand computed on the table without the task (same draws)', () => {
    const draws = drawsOf(oneTask);
    const c = compareFromFit({ table: tableOf(oneTask), draws }, { rope: 0.5 });
    // the table and draws without t5: compareFromFit's own first pass averages t1..t4
    const rest: Truth = Object.fromEntries(
      Object.entries(oneTask).map(([h, byTask]) => [
        h,
        Object.fromEntries(Object.entries(byTask).filter(([t]) => t !== 't5')),
      ]),
    );
    const keep = draws.variables
      .map((v, k) => [v, k] as const)
      .filter(([v]) => !v.includes('_t5,'));
    const S = draws.nDraws * draws.nChains;
    const values = new Float64Array(S * keep.length);
    keep.forEach(([, k], j) => {
      values.set(draws.values.subarray(k * S, (k + 1) * S), j * S);
    });
    const without = compareFromFit(
      { table: tableOf(rest), draws: { ...draws, variables: keep.map(([v]) => v), values } },
      { rope: 0.5 },
    );
    const t5 = c.robustness?.tasks.find((t) => t.task === 't5');
    expect(t5?.best_without).toBe(without.recommendation?.best);
    // (5m - mu_t5)/4 and the direct mean of four tasks differ by rounding only: at most one draw
    // on a knife edge may rank differently
    expect(
      Math.abs((t5?.p_best_without ?? 0) - (without.recommendation?.p_best ?? 0)),
    ).toBeLessThanOrEqual(1 / S);
    const direct = without.pairs.find((p) => p.scope === 'overall' && p.a === 'A' && p.b === 'B');
    const flip = t5?.flipped_pairs.find((p) => p.a === 'A' && p.b === 'B');
    expect(flip?.decision_without).toBe(direct?.decision);
    expect(Math.abs((flip?.p_without ?? 0) - (direct?.p_a_better ?? 0))).toBeLessThanOrEqual(1 / S);
  });

  it('checks categories with at least LOTO_MIN_TASKS tasks and names the task there', () => {
    // category "big" = t1..t5 (the one-task table), category "small" = s1, s2 (not checked)
    const truth: Truth = {
      A: { ...oneTask.A, s1: 50, s2: 50 },
      B: { ...oneTask.B, s1: 50, s2: 50 },
      C: { ...oneTask.C, s1: 45, s2: 45 },
    };
    const cats = { ...Object.fromEntries(TASKS.map((t) => [t, 'big'])), s1: 'small', s2: 'small' };
    const c = compareFromFit({ table: tableOf(truth, cats), draws: drawsOf(truth) }, { rope: 0.5 });
    expect(LOTO_MIN_TASKS).toBe(3);
    expect(c.robustness?.categories.map((k) => k.name)).toEqual(['big']);
    const big = c.robustness?.categories[0];
    expect(big?.tasks.filter((t) => t.changes_best).map((t) => t.task)).toEqual(['t5']);
    const text = formatComparison(c);
    expect(text).toMatch(/^big: The recommendation rests on task t5: without it, B is best/m);
    expect(text).toMatch(/^not checked \(fewer than 3 tasks\): small$/m);
  });

  it('leaves out scopes with fewer than 3 tasks', () => {
    const two: Truth = { A: { t1: 52, t2: 52 }, B: { t1: 50, t2: 50 } };
    const c = compareFromFit({ table: tableOf(two), draws: drawsOf(two) }, { rope: 0.5 });
    expect(c.robustness?.tasks).toEqual([]);
    expect(c.robustness?.best).toBeUndefined();
    expect(formatComparison(c)).toContain('(all tasks): not checked (fewer than 3 tasks)');
  });

  it('shows the sentence and the per-task rows in the HTML report, escaped', () => {
    // a task name with markup: it must reach the page as text
    const evil: Truth = Object.fromEntries(
      Object.entries(oneTask).map(([h, byTask]) => [
        h,
        Object.fromEntries(
          Object.entries(byTask).map(([t, y]) => [t === 't5' ? '<b>t5</b>' : t, y]),
        ),
      ]),
    );
    const c = compareFromFit({ table: tableOf(evil), draws: drawsOf(evil) }, { rope: 0.5 });
    const page = renderStaticReport({ comparison: c, title: 'loto' });
    const section = /<section id="robustness">([\s\S]*?)<\/section>/.exec(page)?.[1] ?? '';
    expect(section).toContain(
      'The recommendation rests on task &lt;b&gt;t5&lt;/b&gt;: without it, B is best',
    );
    expect(section).not.toContain('<b>t5</b>');
    expect(section).toMatch(/<span class="badge misfit">rests on a task<\/span>/);
    // one row per task left out, the changed one marked
    expect(section.match(/<tr class="best"><td>/g)).toHaveLength(1);
    expect(section).toContain('A &gt; B: P ');
    const calm = compareFromFit(
      { table: tableOf(balanced), draws: drawsOf(balanced) },
      { rope: 0.5 },
    );
    const calmPage = renderStaticReport({ comparison: calm, title: 'loto' });
    expect(calmPage).toMatch(/<span class="badge ok">robust<\/span>/);
    expect(calmPage).toContain('No single task changes the recommendation: A stays best');
  });
});
