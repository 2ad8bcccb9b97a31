import { describe, expect, it } from 'vitest';
import { compareFromFit } from '../../src/analysis/from-fit.js';
import { createNormalRng } from '../../src/analysis/random.js';
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

// 3 heuristics x 4 tasks (2 categories), one row per cell. Truth: "fast" wins on category "chat",
// "dense" wins on category "docs", "base" is 5 points below both everywhere.
const H = ['base', 'dense', 'fast'];
const T = [
  ['t1', 'chat'],
  ['t2', 'chat'],
  ['t3', 'docs'],
  ['t4', 'docs'],
];
const truth: Record<string, number> = {
  'base:chat': 50,
  'dense:chat': 55,
  'fast:chat': 60,
  'base:docs': 50,
  'dense:docs': 60,
  'fast:docs': 55,
};
const rows = H.flatMap((h) => T.map(([t, c]) => ({ h, t, c, y: truth[`${h}:${c}`] })));
const table: Table = {
  nRows: rows.length,
  names: ['heuristic', 'task', 'category', 'score'],
  columns: {
    heuristic: factor(rows.map((r) => r.h)),
    task: factor(rows.map((r) => r.t)),
    category: factor(rows.map((r) => r.c)),
    score: { type: 'numeric', values: Float64Array.from(rows, (r) => r.y) },
  },
};

/** Posterior-like draws around the truth: b_Intercept 50 and r_heuristic:category offsets, noise 0.3. */
function syntheticDraws(noise: number): Draws {
  const rng = createNormalRng(3);
  const nDraws = 500;
  const nChains = 2;
  const vars: Record<string, (i: number) => number> = {
    b_Intercept: () => 50 + noise * rng.normal(),
    sigma: () => 0.5,
  };
  for (const h of H) vars[`r_heuristic[${h},Intercept]`] = () => 0;
  for (const [t] of T) vars[`r_task[${t},Intercept]`] = () => 0;
  for (const h of H)
    for (const c of ['chat', 'docs'])
      vars[`r_heuristic:category[${h}_${c},Intercept]`] = () =>
        truth[`${h}:${c}`] - 50 + noise * rng.normal();
  const variables = Object.keys(vars);
  const S = nDraws * nChains;
  const values = new Float64Array(S * variables.length);
  variables.forEach((v, k) => {
    for (let s = 0; s < S; s++) values[k * S + s] = vars[v](s);
  });
  return { nDraws, nChains, variables, values };
}

describe('compareFromFit on constructed draws', () => {
  const c = compareFromFit({ table, draws: syntheticDraws(0.3), formula: 'score ~ ...' });

  it('recommends the category winners and ranks overall', () => {
    const chat = c.categories.find((x) => x.name === 'chat');
    const docs = c.categories.find((x) => x.name === 'docs');
    // 5-point gaps with noise sd 0.3 * sqrt(2): P(best) is 1 up to Monte Carlo error
    expect(chat?.best).toBe('fast');
    expect(docs?.best).toBe('dense');
    expect(chat?.p_best).toBe(1);
    expect(chat?.runner_up).toBeNull();
    // overall: dense and fast both average 57.5, base 50 -> base is last
    expect(c.heuristics[2].name).toBe('base');
    expect(c.heuristics[2].expected_rank).toBe(3);
    expect(c.recommendation?.runner_up).not.toBeNull();
  });

  it('reports every pair overall, per category and per task', () => {
    // 3 pairs x (1 overall + 2 categories + 4 tasks)
    expect(c.pairs.length).toBe(3 * 7);
    const p = c.pairs.find((x) => x.scope === 'category:docs' && x.a === 'dense' && x.b === 'fast');
    expect(p?.decision).toBe('a_better');
    const o = c.pairs.find((x) => x.scope === 'overall' && x.a === 'dense' && x.b === 'fast');
    // overall difference is 0 +- 0.6: inside the default ROPE? The ROPE is 0.1 x pooled within-task
    // sd (sd of 50/55/60 = 5) = 0.5, so P(rope) is well below 0.95 -> inconclusive
    expect(o?.decision).toBe('inconclusive');
    expect(c.settings?.rope).toBeCloseTo(0.5, 12);
  });

  it('states settings and the per-task PPC', () => {
    expect(c.settings).toMatchObject({ threshold: 0.95, higher_is_better: true, scale: 'none' });
    expect(c.tasks[0].ppc?.observed_sd).toBeCloseTo(5, 12);
    expect(c.rank_probabilities?.length).toBe(3);
    expect(c.notes?.some((n) => n.startsWith('ROPE = 0.5'))).toBe(true);
  });

  it('changes decisions with the ROPE and threshold without refitting', () => {
    const wide = compareFromFit(
      { table, draws: syntheticDraws(0.3) },
      { rope: 10, threshold: 0.9 },
    );
    const p = wide.pairs.find((x) => x.scope === 'category:docs' && x.a === 'dense');
    expect(p?.decision).toBe('equivalent');
    expect(() => compareFromFit({ table, draws: syntheticDraws(0.3) }, { rope: -1 })).toThrow(
      /rope/,
    );
  });

  it('flips rankings when lower is better', () => {
    const low = compareFromFit({ table, draws: syntheticDraws(0.3) }, { higherIsBetter: false });
    expect(low.categories[0].best).toBe('base');
  });
});
