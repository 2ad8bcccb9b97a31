import { describe, expect, it } from 'vitest';
import { budgetSection } from '../../src/analysis/budgets.js';
import { fromColumns } from '../../src/analysis/matrix.js';
import type { BudgetCurvePoint, Comparison, ComparisonCell } from '../../src/analysis/types.js';
import { parseCsv } from '../../src/data/csv.js';
import {
  backboneCurvesPlot,
  backboneForestPlot,
  backbonePanels,
} from '../../src/report/backbone-panels.js';
import { renderStaticReport } from '../../src/report/static-report.js';
import { xmlProblem } from './helpers.js';

const cell = (heuristic: string, mean: number, p_best: number): ComparisonCell => ({
  heuristic,
  mean,
  q5: mean - 1,
  q95: mean + 1,
  p_best,
  expected_rank: 1,
  rank_q5: 1,
  rank_q95: 2,
});

const point = (
  scope: string,
  heuristic: string,
  budget: number,
  mean: number,
): BudgetCurvePoint => ({
  scope,
  heuristic,
  budget: String(budget),
  budget_value: budget,
  mean,
  q5: mean - 1,
  q95: mean + 1,
  loss_vs_full: { mean: 40 - mean, q5: 39 - mean, q95: 41 - mean, p_within_rope: 0.1 },
});

/** Two backbones; on llama method a wins at 1024, on mistral method b does. */
function comparison(withBudgets: boolean): Comparison {
  const levels = [
    {
      name: 'llama',
      heuristics: [cell('full_kv', 40, 0.6), cell('a@1024', 39, 0.3), cell('b@1024', 35, 0.1)],
    },
    {
      name: 'mistral',
      heuristics: [cell('full_kv', 30, 0.2), cell('a@1024', 25, 0.1), cell('b@1024', 31, 0.7)],
    },
  ];
  const curves = withBudgets
    ? levels.flatMap((l) =>
        ['a', 'b'].flatMap((m) => [
          point(`backbone:${l.name}`, m, 128, 20),
          point(
            `backbone:${l.name}`,
            m,
            1024,
            l.heuristics.find((h) => h.heuristic === `${m}@1024`)!.mean,
          ),
        ]),
      )
    : [];
  return {
    heuristics: ['full_kv', 'a@1024', 'b@1024'].map((name, i) => ({
      name,
      mean: 35 - i,
      q5: 34 - i,
      q95: 36 - i,
      p_best: 0.5 - i * 0.2,
      expected_rank: i + 1,
      rank_q5: 1,
      rank_q95: 3,
    })),
    pairs: [],
    categories: [],
    tasks: [],
    diagnostics: { max_rhat: 1, min_ess_bulk: 1000, min_ess_tail: 1000, divergent: 0 },
    warnings: [],
    backbones: { column: 'model', levels },
    ...(withBudgets
      ? { budgets: { column: 'budget', reference: 'full_kv', curves, crossings: [] } }
      : {}),
    settings: { rope: 1, threshold: 0.95, scale: 'none' },
    notes: [],
  } as unknown as Comparison;
}

describe('per-backbone panels', () => {
  it('draws each backbone its own budget curves with its own full-cache reference', () => {
    const svg = backboneCurvesPlot(comparison(true));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(xmlProblem(svg)).toBeNull();
    // one facet per backbone, each method named in each panel
    expect(svg).toContain('>llama<');
    expect(svg).toContain('>mistral<');
    expect(svg.match(/>a</g)?.length).toBe(2);
    // the dot titles say which backbone, method and budget, with the loss against the full cache
    expect(svg).toContain('mistral / b at 1024: 31.00 [30.00, 32.00]; loss vs full 9.00');
    expect(backbonePanels(comparison(true))).toBe(svg);
  });

  it('falls back to a forest per backbone without budgets, the best per backbone in blue', () => {
    const c = comparison(false);
    expect(backboneCurvesPlot(c)).toBe('');
    const svg = backboneForestPlot(c);
    expect(xmlProblem(svg)).toBeNull();
    expect(svg).toContain('llama / full_kv: mean 40.00');
    expect(svg).toContain('P(best on mistral) 0.70');
    expect(svg.match(/fill="#1d4ed8"/g)?.length).toBe(2); // one best per backbone
    expect(backbonePanels(c)).toBe(svg);
  });

  it('is empty without a backbone section, and the static report shows the panel', () => {
    const c = comparison(true);
    expect(backbonePanels({ ...c, backbones: undefined })).toBe('');
    const page = renderStaticReport({ comparison: c, title: 'kv' });
    const section = page.slice(page.indexOf('<section id="backbones"'));
    expect(section).toContain('<figure><svg');
    expect(section).toContain('on that model, the reference');
  });
});

describe('budget curves per backbone', () => {
  it('measures each backbone against its own full cache', () => {
    const table = parseCsv(
      'heuristic,method,budget,task,score\nfull_kv,full_kv,full,t,1\na@128,a,128,t,1\n',
    );
    // on backbone x the full cache is 10, on y 20: the same arm draws lose 2 and 12
    const x = fromColumns(
      ['full_kv', 'a@128'],
      [
        [10, 10],
        [8, 8],
      ],
    );
    const y = fromColumns(
      ['full_kv', 'a@128'],
      [
        [20, 20],
        [8, 8],
      ],
    );
    const s = budgetSection(
      table,
      'budget',
      x,
      [],
      { rope: 5, threshold: 0.95, higherIsBetter: true },
      [
        ['backbone:x', x],
        ['backbone:y', y],
      ],
    );
    const loss = (scope: string) => s?.curves.find((p) => p.scope === scope)?.loss_vs_full;
    expect(loss('backbone:x')).toMatchObject({ mean: 2, p_within_rope: 1 });
    expect(loss('backbone:y')).toMatchObject({ mean: 12, p_within_rope: 0 });
  });
});
