import { describe, expect, it } from 'vitest';
import { prepareComparison } from '../../src/analysis/prepare.js';
import { readCsvFile } from '../../src/data/csv.js';
import { runComparison } from '../../src/pipeline/compare.js';

describe('methods listed at several settings (LongBench: budget x backbone model, no run column)', () => {
  it('compares each heuristic at each budget, within backbone, with the roles stated', async () => {
    const table = await readCsvFile('fixtures/real/longbench_snapkv2024.csv');
    const p = prepareComparison(table);
    expect(p.mapping.heuristic).toBe('heuristic');
    expect(p.mapping.backbone).toBe('model');
    expect(p.notes[0]).toBe(
      'backbone: model (4 levels): heuristics are compared within backbone and pooled over backbones',
    );
    expect(p.notes[1]).toMatch(/^budget: budget \(1024, 2048, 4096; empty = full cache/);
    // six LongBench metrics (qa_f1, rouge_l, ...): standardized per metric by default
    expect(p.scale).toBe('metric');
    const h = p.table.columns.heuristic;
    expect(h.type === 'factor' && h.levels).toContain('snapkv@1024');
  });

  it('keeps the old split into combinations with --heuristic a+b+c', async () => {
    const table = await readCsvFile('fixtures/real/longbench_snapkv2024.csv');
    const p = prepareComparison(table, { columns: { heuristic: 'heuristic+budget+model' } });
    const h = p.table.columns.heuristic;
    expect(h.type === 'factor' && h.levels).toContain('snapkv@1024@Mistral-7B-Instruct-v0.2');
    // columns used by an override are not detected again for another role
    expect(p.mapping.backbone).toBeUndefined();
    expect(p.mapping.budget).toBeUndefined();
  });

  it('fits the PyramidKV table (2 backbones) with the default settings: R-hat <= 1.01, no divergences', async () => {
    const table = await readCsvFile('fixtures/real/longbench_pyramidkv2024.csv');
    const run = await runComparison(table);
    const c = run.comparison;
    // with backbone terms: 2,000 draws per chain and the Fisher-divergence diagonal metric
    // (COMPARE_BACKBONE_DRAWS, COMPARE_BACKBONE_METRIC in src/pipeline/compare.ts)
    expect(run.fit.config).toMatchObject({ draws: 2000, metric: 'fisher-diag' });
    // The convergence bar for every real fixture with default settings.
    expect(c.diagnostics.max_rhat).toBeLessThanOrEqual(1.01);
    expect(c.diagnostics.divergent).toBe(0);
    // heuristics are the methods at each budget, pooled over the two backbones
    expect(c.heuristics.map((h) => h.name).sort()).toEqual(
      [
        'full_kv',
        'h2o@128',
        'h2o@2048',
        'pyramidkv@128',
        'pyramidkv@2048',
        'snapkv@128',
        'snapkv@2048',
        'streamingllm@128',
        'streamingllm@2048',
      ].sort(),
    );
    expect(c.settings?.columns).toMatchObject({ backbone: 'model', budget: 'budget' });
    expect(c.budgets?.reference).toBe('full_kv');
    const overall = c.budgets?.curves.filter((p) => p.scope === 'overall') ?? [];
    expect(overall).toHaveLength(8);
    // per backbone: the overall result is the average of the per-backbone results (identity link,
    // balanced table: the cell means are linear in the same draws, so equal to rounding)
    expect(c.backbones?.levels.map((l) => l.name)).toEqual([
      'Meta-Llama-3-8B-Instruct',
      'Mistral-7B-Instruct',
    ]);
    for (const h of c.heuristics) {
      const per = c.backbones?.levels.map((l) => l.heuristics.find((x) => x.heuristic === h.name));
      const avg = (per ?? []).reduce((a, x) => a + (x?.mean ?? Number.NaN), 0) / 2;
      expect(Math.abs(avg - h.mean)).toBeLessThan(1e-9);
    }
    // every method loses against the full cache at 128 tokens (the paper's Table 1 shows 4-12 points)
    for (const p of overall.filter((q) => q.budget === '128')) {
      expect(p.loss_vs_full?.q5).toBeGreaterThan(0);
    }
  });
});
