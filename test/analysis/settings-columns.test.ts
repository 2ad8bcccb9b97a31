import { describe, expect, it } from 'vitest';
import { prepareComparison } from '../../src/analysis/prepare.js';
import { readCsvFile } from '../../src/data/csv.js';
import { compare } from '../../src/pipeline/compare.js';

describe('methods listed at several settings (LongBench: budget x backbone model, no run column)', () => {
  it('compares each heuristic@budget@model as its own method when detection is automatic', async () => {
    const table = await readCsvFile('fixtures/real/longbench_snapkv2024.csv');
    const p = prepareComparison(table);
    expect(p.mapping.heuristic).toBe('heuristic+budget+model');
    expect(p.notes[0]).toMatch(
      /each heuristic@budget@model combination is compared as its own method/,
    );
    const h = p.table.columns.heuristic;
    expect(h.type === 'factor' && h.levels).toContain('snapkv@1024@Mistral-7B-Instruct-v0.2');
  });

  it('keeps the duplicate-rows error when the user named the heuristic column', async () => {
    const table = await readCsvFile('fixtures/real/longbench_snapkv2024.csv');
    expect(() => prepareComparison(table, { columns: { heuristic: 'heuristic' } })).toThrow(
      /duplicate rows for heuristic "snapkv" on task "NarrativeQA"/,
    );
  });

  it('fits the PyramidKV table with the default settings: R-hat <= 1.01, no divergences', async () => {
    const table = await readCsvFile('fixtures/real/longbench_pyramidkv2024.csv');
    const c = await compare(table);
    // The convergence bar for every real fixture with default settings.
    expect(c.diagnostics.max_rhat).toBeLessThanOrEqual(1.01);
    expect(c.diagnostics.divergent).toBe(0);
  });
});
