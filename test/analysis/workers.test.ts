import { describe, expect, it } from 'vitest';
import { readCsvFile } from '../../src/data/csv.js';
import { runComparison } from '../../src/pipeline/compare.js';

describe('compare on worker threads', () => {
  it('gives the same draws, bit for bit, as in-process chains', async () => {
    const table = await readCsvFile('fixtures/real/lra_tay2021.csv');
    // Short chains: the check is equality of the two paths, not convergence.
    const sampler = { chains: 2, warmup: 100, draws: 50, seed: 7 };
    const inProcess = await runComparison(table, { sampler: { ...sampler, parallel: false } });
    const workers = await runComparison(table, { sampler: { ...sampler, parallel: true } });
    expect(workers.model.source?.kind).toBe('module');
    expect(workers.fit.draws.variables).toEqual(inProcess.fit.draws.variables);
    expect(Array.from(workers.fit.draws.values)).toEqual(Array.from(inProcess.fit.draws.values));
    expect(Array.from(workers.fit.stats.values)).toEqual(Array.from(inProcess.fit.stats.values));
  });
});
