import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/analysis/types.js';
import { diagnosticsBanner } from '../../src/report/banner.js';
import { renderComparisonPlots } from '../../src/report/comparison-plots.js';
import { comparisonViewModel } from '../../src/report/comparison-view-model.js';
import { renderStaticReport } from '../../src/report/static-report.js';
import { makeComparison } from './fixtures.js';
import { parseDoc, xmlProblem } from './helpers.js';

/** A comparison without categories, rank table or PPC, as a CSV without a category column gives. */
function flat(): Comparison {
  const c = makeComparison({ ppc: false });
  return {
    ...c,
    categories: [],
    tasks: c.tasks.map((t) => ({ ...t, category: null })),
    pairs: c.pairs.filter((p) => !p.scope.startsWith('category:')),
    rank_probabilities: undefined,
    settings: undefined,
    notes: undefined,
  };
}

describe('documents with parts missing', () => {
  it('renders without categories, rank probabilities, PPC or settings', () => {
    const c = flat();
    const plots = renderComparisonPlots(c);
    expect(plots.categoryForest).toBe('');
    expect(plots.rankProbabilities).toBe('');
    expect(plots.ppc).toBe('');
    for (const svg of [plots.forest, plots.pairwise, plots.pBest, plots.taskMeans]) {
      expect(xmlProblem(svg)).toBeNull();
    }
    const vm = comparisonViewModel(c);
    expect(vm.recommendations).toEqual([]);
    expect(vm.tasks[0].category).toBe('—');
    expect(vm.ropeText).toBe('—');
    const doc = parseDoc(renderStaticReport({ comparison: c, title: 'flat' }));
    // the recommendation section falls back to the best heuristic overall
    expect(doc.getElementById('recommendations')!.textContent).toContain('no task categories');
    expect(doc.getElementById('rank-probabilities')).toBeNull();
    expect(doc.getElementById('ppc-table')).toBeNull();
  });

  it('treats JSON nulls (NaN written by --json) as missing values', () => {
    const c = JSON.parse(
      JSON.stringify(makeComparison(), (_k, v) =>
        typeof v === 'number' && v === 1.004 ? null : v,
      ),
    ) as Comparison;
    expect(c.diagnostics.max_rhat).toBeNull();
    c.pairs[0].diff_mean = null as unknown as number;
    c.tasks[0].ppc!.p_value = null as unknown as number;
    const banner = diagnosticsBanner(c);
    expect(banner.items[0].status).toBe('unknown');
    const vm = comparisonViewModel(c);
    expect(vm.pairGroups[0].rows[0].difference).toBe('—');
    expect(vm.ppc[0].pValue).toBe('—');
    const html = renderStaticReport({ comparison: c, title: 'missing values' });
    expect(html).not.toContain('NaN');
    expect(html).not.toContain('null');
  });
});
