import { describe, expect, it } from 'vitest';
import { compareFromFit } from '../../src/analysis/from-fit.js';
import { readCsvFile } from '../../src/data/csv.js';
import { runComparison } from '../../src/pipeline/compare.js';

describe('compare pipeline and compareFromFit', async () => {
  const table = await readCsvFile('fixtures/real/lra_tay2021.csv');
  // short chains: this checks plumbing, not convergence (the CLI test and VALIDATION.md do that)
  const run = await runComparison(table, {
    sampler: { chains: 2, warmup: 200, draws: 200, seed: 3 },
  });

  it('fits the marginalized default model and reports brms names', () => {
    expect(run.spec.formula).toBe(
      'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)',
    );
    expect(run.fit.draws.variables).toContain('r_heuristic:task[reformer_ListOps,Intercept]');
    expect(run.comparison.settings?.parameterization).toMatch(/integrated out/);
    // no backbone terms: Stan's windowed diagonal metric (fisher-diag only with backbones)
    expect(run.fit.config.metric).toBe('diag');
    // no NaN left in any reported variable (every brms variable is filled by the model)
    expect(run.fit.draws.values.every((x) => Number.isFinite(x))).toBe(true);
  });

  it('rebuilds the same document from the stored draws (names parsed from the draws)', () => {
    const again = compareFromFit(
      {
        table: run.prepared.table,
        draws: run.fit.draws,
        summary: run.summary,
        formula: run.spec.formula,
        notes: run.prepared.notes,
        proportionUpper: run.prepared.proportionUpper,
        settings: run.comparison.settings,
      },
      { seed: run.fit.config.seed },
    );
    expect(again.pairs).toEqual(run.comparison.pairs);
    expect(again.heuristics).toEqual(run.comparison.heuristics);
  });

  it('changes decisions with a wider ROPE without refitting', () => {
    const wide = compareFromFit(
      { table: run.prepared.table, draws: run.fit.draws, summary: run.summary },
      { rope: 50 },
    );
    // 50 accuracy points is wider than any difference in the table: everything is equivalent
    expect(wide.pairs.every((p) => p.decision === 'equivalent')).toBe(true);
    expect(wide.settings?.rope).toBe(50);
  });
});
