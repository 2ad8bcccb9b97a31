import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/analysis/types.js';
import { diagnosticsBanner } from '../../src/report/banner.js';
import { renderComparisonPlots } from '../../src/report/comparison-plots.js';
import { comparisonViewModel } from '../../src/report/comparison-view-model.js';
import { renderStaticReport } from '../../src/report/static-report.js';
import { parseDoc, parseSvg, xmlProblem } from './helpers.js';

// The compare --json document of the Tay et al. (2021) LRA table (fixtures/report/SOURCE.md).
const lra = JSON.parse(
  readFileSync(
    new URL('../../fixtures/report/lra_tay2021.comparison.json', import.meta.url),
    'utf8',
  ),
) as Comparison;

describe('report on the LRA comparison document', () => {
  it('renders every plot as well-formed SVG', () => {
    const plots = renderComparisonPlots(lra);
    for (const [name, svg] of Object.entries(plots)) {
      // the LRA table has no budgets nor backbones (test/report/budget-plot.test.ts and
      // backbone-panels.test.ts cover those plots)
      if (name === 'budgets' || name === 'budgetLoss' || name === 'backbones') continue;
      expect(svg, name).not.toBe('');
      expect(xmlProblem(svg), name).toBeNull();
    }
    expect(
      parseSvg(plots.pairwise).querySelectorAll('g[aria-label="cell"] rect title').length,
    ).toBe(11 * 10);
    expect(parseSvg(plots.forest).querySelectorAll('circle').length).toBe(11);
  });

  it('shows the rank flip: reformer first on ListOps, last on Image', () => {
    const titles = [
      ...parseSvg(renderComparisonPlots(lra).taskMeans).querySelectorAll('rect title'),
    ].map((t) => t.textContent ?? '');
    expect(titles.some((t) => t.startsWith('ListOps (symbolic): reformer rank 1,'))).toBe(true);
    expect(titles.some((t) => t.startsWith('Image (vision): reformer rank 11,'))).toBe(true);
    const vm = comparisonViewModel(lra);
    expect(vm.tasks.find((t) => t.name === 'ListOps')!.best).toBe('reformer');
  });

  it('builds the view model with every scope and one recommendation per category', () => {
    const vm = comparisonViewModel(lra);
    expect(vm.recommendations.map((r) => r.category)).toEqual(lra.categories.map((k) => k.name));
    expect(vm.pairGroups.length).toBe(1 + lra.categories.length + lra.tasks.length);
    expect(vm.pairGroups.reduce((n, g) => n + g.rows.length, 0)).toBe(lra.pairs.length);
    expect(vm.units).toBe('score units (value)');
  });

  it('static report: banner first, diagnostics failures listed before decisions', () => {
    const html = renderStaticReport({ comparison: lra, title: 'LRA' });
    const doc = parseDoc(html);
    const banner = diagnosticsBanner(lra, { chains: 4 });
    expect(doc.getElementById('diagnostics')!.getAttribute('class')).toContain(
      banner.ok ? 'ok' : 'fail',
    );
    expect(html.indexOf('id="diagnostics"')).toBeLessThan(html.indexOf('id="recommendations"'));
    // '(all tasks)' and the 3 categories
    expect(doc.querySelectorAll('#recommendation-table tbody tr').length).toBe(4);
    // a document recorded before p_a_greater and tie_groups: the new columns say '—'
    const first = doc.querySelector('#recommendation-table tbody tr')!;
    expect(first.querySelector('td')!.textContent).toBe('(all tasks)');
    expect([...first.querySelectorAll('td')][5].textContent).toBe('—');
    expect(doc.querySelectorAll('script').length).toBe(0);
  });
});
