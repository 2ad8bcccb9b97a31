import { describe, expect, it } from 'vitest';
import { formatComparison } from '../../src/analysis/format.js';
import { varianceComponents, varianceNotes } from '../../src/analysis/variance.js';
import { readCsvFile } from '../../src/data/csv.js';
import type { Table } from '../../src/data/table.js';
import { runComparison } from '../../src/pipeline/compare.js';
import { renderStaticReport } from '../../src/report/static-report.js';

/** The table with every numeric value column multiplied by k. */
function scaled(table: Table, k: number): Table {
  const value = table.columns.value;
  if (value?.type !== 'numeric') throw new Error('fixture has no numeric value column');
  return {
    ...table,
    columns: {
      ...table.columns,
      value: { type: 'numeric', values: value.values.map((v) => k * v) },
    },
  };
}

describe('variance components in the comparison document', async () => {
  const table = await readCsvFile('fixtures/real/lra_tay2021.csv');
  // short chains: units and plumbing, not convergence
  const sampler = { chains: 2, warmup: 150, draws: 150, seed: 5 };
  const run = await runComparison(table, { sampler });
  // 1024 = 2^10: scaling by a power of two is exact in floating point, so the standardized table
  // the sampler sees is bit for bit the same and the draws differ only by the factor
  const big = await runComparison(scaled(table, 1024), { sampler });

  it('lists every sd_* of the model and sigma last, as in the draws', () => {
    const vc = run.comparison.variance_components ?? [];
    const sds = run.fit.draws.variables.filter((v) => v.startsWith('sd_'));
    expect(sds.length).toBeGreaterThanOrEqual(3);
    expect(vc.map((v) => v.name)).toEqual([...sds, 'sigma']);
    for (const v of vc) {
      expect(v.q5).toBeLessThanOrEqual(v.mean);
      expect(v.mean).toBeLessThanOrEqual(v.q95);
      expect(v.q5).toBeGreaterThanOrEqual(0);
    }
    expect(varianceComponents(run.fit.draws)).toEqual(vc);
  });

  it("is in the user's score units (scores x 1024 give components x 1024)", () => {
    const a = run.comparison.variance_components ?? [];
    const b = big.comparison.variance_components ?? [];
    expect(b.map((v) => v.name)).toEqual(a.map((v) => v.name));
    a.forEach((v, i) => {
      // relative 1e-12: only the multiplication by 1024 separates the two sets of draws
      expect(Math.abs(b[i].mean - 1024 * v.mean)).toBeLessThanOrEqual(1e-12 * 1024 * v.mean);
      expect(Math.abs(b[i].q95 - 1024 * v.q95)).toBeLessThanOrEqual(1e-12 * 1024 * v.q95);
    });
    // and on the score's scale: the residual sd of accuracy points is neither ~1 (standardized)
    // nor larger than the spread of the scores themselves
    const sigma = a.find((v) => v.name === 'sigma');
    const std = run.comparison.settings?.response_scale as { scale: number };
    expect(sigma?.mean).toBeLessThan(std.scale);
    expect(Math.abs((sigma?.mean ?? 0) - 1)).toBeGreaterThan(0.1);
  });

  it('prints a "Variance components" table in the terminal report', () => {
    const text = formatComparison(run.comparison);
    expect(text).toMatch(/Variance components/);
    expect(text).toMatch(/^sd_heuristic:task__Intercept\s+\d/m);
    expect(text).toMatch(/^sigma\s+\d/m);
  });

  it('shows them in the HTML report, one row each', () => {
    const page = renderStaticReport({ comparison: run.comparison, title: 'LRA' });
    const table = /<table id="variance-table">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? '';
    const rows = table.match(/<tr><td>/g) ?? [];
    expect(rows.length).toBe(run.comparison.variance_components?.length);
    expect(table).toMatch(/<td>sigma<\/td><td class="num">\d/);
    expect(page).toMatch(/href="#variance-components"/);
  });

  it('says when sigma and the heuristic x task sd are identified only together', () => {
    // the Tay table has one row per heuristic x task cell
    expect(run.comparison.notes).toContain(
      'one row per heuristic x task cell: sigma and sd_heuristic:task__Intercept are identified only together (the data fix sqrt(sd^2 + sigma^2); the split between them comes from the priors)',
    );
    const vc = run.comparison.variance_components ?? [];
    // two heuristics x two tasks, one cell run twice: no note
    const replicated = varianceNotes(
      vc,
      Int32Array.of(0, 0, 1, 1, 1),
      Int32Array.of(0, 1, 0, 1, 1),
      2,
    );
    expect(replicated).toEqual([]);
    expect(varianceNotes(vc, Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 1, 0, 1), 2)).toHaveLength(
      1,
    );
    // without the heuristic x task term there is nothing to confuse sigma with
    expect(
      varianceNotes(
        vc.filter((v) => v.name !== 'sd_heuristic:task__Intercept'),
        Int32Array.of(0, 1),
        Int32Array.of(0, 0),
        1,
      ),
    ).toEqual([]);
  });
});
