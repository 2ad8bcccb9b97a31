import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/analysis/types.js';
import { budgetCurvePlot } from '../../src/report/budget-plot.js';
import { lossHeatmap } from '../../src/report/loss-heatmap.js';
import { renderStaticReport } from '../../src/report/static-report.js';

const cell = (name: string, mean: number) => ({
  name,
  mean,
  q5: mean - 1,
  q95: mean + 1,
  p_best: 0,
  expected_rank: 1,
});
const point = (heuristic: string, budget: string, mean: number) => ({
  scope: 'overall',
  heuristic,
  budget,
  budget_value: Number(budget),
  mean,
  q5: mean - 1,
  q95: mean + 1,
  loss_vs_full: { mean: 50 - mean, q5: 49 - mean, q95: 51 - mean, p_within_rope: 0.5 },
});
const doc = (withBudgets: boolean): Comparison => ({
  heuristics: [cell('full_kv', 50), cell('snapkv@128', 40), cell('snapkv@2048', 49)],
  pairs: [],
  categories: [],
  tasks: [],
  diagnostics: { max_rhat: 1, min_ess_bulk: 1000, min_ess_tail: 1000, divergent: 0 },
  warnings: [],
  ...(withBudgets
    ? {
        budgets: {
          column: 'budget',
          reference: 'full_kv',
          curves: [point('snapkv', '128', 40), point('snapkv', '2048', 49)],
          crossings: [],
        },
      }
    : {}),
  settings: { rope: 0.5, threshold: 0.95 },
});

describe('score-vs-budget plot', () => {
  it('draws each method at its observed budgets and the full-cache reference', () => {
    const svg = budgetCurvePlot(doc(true));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('snapkv');
    expect(svg).toContain('full_kv (full cache)');
    // the observed budgets are the ticks of the log axis
    expect(svg).toContain('>128<');
    expect(svg).toContain('>2048<');
  });

  it('is empty without budgets, and the static report has a budgets section only with them', () => {
    expect(budgetCurvePlot(doc(false))).toBe('');
    expect(renderStaticReport({ comparison: doc(true), title: 't' })).toContain(
      'id="budgets-table"',
    );
    expect(renderStaticReport({ comparison: doc(false), title: 't' })).not.toContain(
      'id="budgets"',
    );
  });
});

describe('decisions at each budget in the static report', () => {
  it('lists the budget-curve model decisions per budget, and none for the per-arm curves', () => {
    const c = doc(true);
    const arms = renderStaticReport({ comparison: c, title: 't' });
    expect(arms).not.toContain('id="budget-decisions"');
    expect(arms).toContain('Budgets are not interpolated');
    const b = c.budgets as NonNullable<Comparison['budgets']>;
    b.model = 'curve';
    const best = { heuristic: 'snapkv', mean: 49, q5: 48, q95: 50, p_best: 0.97, expected_rank: 1 };
    b.decisions = [
      {
        scope: 'overall',
        budget: '2048',
        budget_value: 2048,
        best: 'snapkv',
        p_best: 0.97,
        heuristics: [best, { ...best, heuristic: 'h2o', mean: 45, p_best: 0.03, expected_rank: 2 }],
        pairs: [
          {
            a: 'h2o',
            b: 'snapkv',
            scope: 'overall',
            p_a_better: 0,
            p_rope: 0.02,
            p_b_better: 0.98,
            decision: 'b_better',
          },
        ],
      },
    ];
    const out = renderStaticReport({ comparison: c, title: 't' });
    expect(out).toContain('id="budget-decisions"');
    expect(out).toMatch(/<td>2048<\/td><td>snapkv<\/td><td>0\.970<\/td><td>snapkv &gt; h2o<\/td>/);
    expect(out).not.toContain('Budgets are not interpolated');
  });
});

describe('difference-to-full-cache heatmap', () => {
  it('shows each setting minus the full cache on each task, nothing without a reference', () => {
    const c = doc(true);
    const taskCell = (heuristic: string, mean: number) => ({ ...cell(heuristic, mean), heuristic });
    c.tasks = [
      {
        name: 't1',
        category: null,
        heuristics: [
          taskCell('full_kv', 50),
          taskCell('snapkv@128', 38.5),
          taskCell('snapkv@2048', 49),
        ],
      },
    ];
    const svg = lossHeatmap(c);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('snapkv@128 - full_kv = \u221211.500'); // 38.5 - 50 in the title (minus sign U+2212)
    expect(svg).not.toContain('full_kv - full_kv');
    expect(lossHeatmap(doc(false))).toBe('');
  });
});
