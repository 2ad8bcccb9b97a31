import { describe, expect, it } from 'vitest';
import { armsOf, budgetScope, referenceArm } from '../../src/analysis/budgets.js';
import { budgetLines, budgetPairFilter } from '../../src/analysis/format.js';
import { fromColumns } from '../../src/analysis/matrix.js';
import { budgetOrder, isFullBudget, parseBudget } from '../../src/data/budget.js';
import { parseCsv } from '../../src/data/csv.js';

describe('budgets as published tables write them', () => {
  it('parses token counts, k suffixes, ratios and percents; full cache is Infinity', () => {
    expect(parseBudget('512')).toBe(512);
    expect(parseBudget('2k')).toBe(2000);
    expect(parseBudget('2,048')).toBe(2048);
    expect(parseBudget('20%')).toBeCloseTo(0.2, 15); // 20 / 100 in binary floating point
    expect(parseBudget('full')).toBe(Number.POSITIVE_INFINITY);
    expect(parseBudget('100%')).toBe(Number.POSITIVE_INFINITY);
    expect(parseBudget('')).toBe(Number.POSITIVE_INFINITY);
    expect(parseBudget('large')).toBeNaN();
    expect(isFullBudget(' Full ')).toBe(true);
    expect(isFullBudget('128')).toBe(false);
    expect(budgetOrder(['2048', 'full', '128', '1k'])).toEqual(['128', '1k', '2048', 'full']);
  });
});

describe('score-vs-budget results', () => {
  // three arms, draws chosen so every probability is a count over 4 draws
  const m = fromColumns(
    ['full_kv', 'a@128', 'a@1024', 'b@128', 'b@1024'],
    [
      [10, 10, 10, 10],
      [6, 7, 8, 9], // loss 4, 3, 2, 1
      [10, 9.5, 10.5, 9], // loss 0, 0.5, -0.5, 1
      [8, 8, 8, 8], // vs a@128: above, above, tied, below: P(a > b) = (0 + 0 + 0.5 + 1) / 4
      [7, 7, 7, 7], // below a@1024 in every draw
    ],
  );
  const arms = new Map([
    ['full_kv', { method: 'full_kv', budget: null }],
    ['a@128', { method: 'a', budget: '128' }],
    ['a@1024', { method: 'a', budget: '1024' }],
    ['b@128', { method: 'b', budget: '128' }],
    ['b@1024', { method: 'b', budget: '1024' }],
  ]);

  it('names the single full-cache arm as the reference', () => {
    expect(referenceArm(arms)).toBe('full_kv');
    const two = new Map([...arms, ['kivi_2bit', { method: 'kivi_2bit', budget: null }]]);
    expect(referenceArm(two)).toBe('full_kv'); // the name says full
    const none = new Map([...arms].filter(([n]) => n !== 'full_kv'));
    expect(referenceArm(none)).toBeNull();
  });

  it('gives each method at each budget its loss against the full cache and P(loss < ROPE)', () => {
    const r = budgetScope(m, arms, 'full_kv', 'overall', {
      rope: 1.5,
      threshold: 0.95,
      higherIsBetter: true,
    });
    const a128 = r.curves.find((p) => p.heuristic === 'a' && p.budget === '128');
    expect(a128?.mean).toBe(7.5);
    expect(a128?.loss_vs_full?.mean).toBe(2.5);
    expect(a128?.loss_vs_full?.p_within_rope).toBe(0.25); // only the loss of 1 is below 1.5
    const a1024 = r.curves.find((p) => p.heuristic === 'a' && p.budget === '1024');
    expect(a1024?.loss_vs_full?.p_within_rope).toBe(1);
    expect(r.curves.map((p) => `${p.heuristic}@${p.budget}`)).toEqual([
      'a@128',
      'a@1024',
      'b@128',
      'b@1024',
    ]);
  });

  it('finds the budget from which one method beats another at every larger budget', () => {
    const r = budgetScope(m, arms, 'full_kv', 'overall', {
      rope: 0,
      threshold: 0.95,
      higherIsBetter: true,
    });
    // a beats b at 1024 in every draw, not at 128 (P(a > b) = (0 + 0 + 0.5 + 1) / 4)
    expect(r.crossings).toEqual([
      { scope: 'overall', a: 'a', b: 'b', budget: '1024', p_a_greater: [1] },
    ]);
    // lower is better: the orientation flips; at 128 P(b lower than a) = 0.375, at 1024 it is 1
    const low = budgetScope(m, arms, 'full_kv', 'overall', {
      rope: 0,
      threshold: 0.95,
      higherIsBetter: false,
    });
    expect(low.crossings).toEqual([
      { scope: 'overall', a: 'b', b: 'a', budget: '1024', p_a_greater: [1] },
    ]);
  });

  it('reads arms from the canonical table (method and budget columns)', () => {
    // 'full' makes the budget column text (a factor), as the canonical table always has it
    const t = parseCsv('heuristic,method,budget\nfull_kv,full_kv,full\na@128,a,128\na@128,a,128\n');
    expect(armsOf(t)?.get('a@128')).toEqual({ method: 'a', budget: '128' });
    expect(armsOf(t)?.get('full_kv')).toEqual({ method: 'full_kv', budget: null });
  });
});

describe('pairs the terminal shows with budgets', () => {
  it('keeps methods at the same budget and settings against the full cache', () => {
    const section = {
      column: 'budget',
      reference: 'full_kv',
      curves: [
        {
          scope: 'overall',
          heuristic: 'a',
          budget: '128',
          budget_value: 128,
          mean: 0,
          q5: 0,
          q95: 0,
        },
        {
          scope: 'overall',
          heuristic: 'a',
          budget: '2048',
          budget_value: 2048,
          mean: 0,
          q5: 0,
          q95: 0,
        },
        {
          scope: 'overall',
          heuristic: 'b',
          budget: '128',
          budget_value: 128,
          mean: 0,
          q5: 0,
          q95: 0,
        },
      ],
      crossings: [],
    };
    const keep = budgetPairFilter(section);
    const pair = (a: string, b: string) =>
      ({ a, b, scope: 'overall', p_a_better: 0, p_rope: 0, p_b_better: 0, decision: '' }) as const;
    expect(keep(pair('a@128', 'b@128'))).toBe(true);
    expect(keep(pair('a@2048', 'full_kv'))).toBe(true);
    expect(keep(pair('a@128', 'a@2048'))).toBe(false);
    // with the budget-curve model the same-budget pairs are its decisions: only the full cache
    const curve = budgetPairFilter({ ...section, model: 'curve' });
    expect(curve(pair('a@128', 'b@128'))).toBe(false);
    expect(curve(pair('a@2048', 'full_kv'))).toBe(true);
  });

  it('prints the decisions at each budget of the budget-curve model under the budget table', () => {
    const cell = (heuristic: string, mean: number, p_best: number) => ({
      heuristic,
      mean,
      q5: mean - 0.1,
      q95: mean + 0.1,
      p_best,
      expected_rank: p_best > 0.5 ? 1 : 2,
    });
    const lines = budgetLines(
      {
        column: 'budget',
        reference: 'full_kv',
        model: 'curve',
        curves: [],
        crossings: [],
        decisions: [
          {
            scope: 'overall',
            budget: '128',
            budget_value: 128,
            best: 'a',
            p_best: 0.97,
            heuristics: [cell('a', 0.5, 0.97), cell('b', 0.1, 0.03)],
            pairs: [
              {
                a: 'a',
                b: 'b',
                scope: 'overall',
                p_a_better: 0.96,
                p_rope: 0.04,
                p_b_better: 0,
                decision: 'a_better',
              },
            ],
          },
          // another scope's decisions are in --json only
          {
            scope: 'category:x',
            budget: '128',
            budget_value: 128,
            best: 'b',
            p_best: 0.6,
            heuristics: [],
            pairs: [],
          },
        ],
      },
      'sd units',
      2,
      0.95,
    ).join('\n');
    expect(lines).toMatch(/Decisions at each budget from the budget-curve model/);
    expect(lines).toMatch(/128 +a +0\.50 +0\.970 +1 of 1: a > b/);
    expect(lines).not.toMatch(/0\.600/);
  });
});
