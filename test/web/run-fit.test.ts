import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { fitMemoryMb, workerRunFit } from '../../src/web/run-fit.js';
import { createRunner } from '../../src/web/runner.js';

const models = fileURLToPath(new URL('../../models', import.meta.url));
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** A benchmark CSV of n heuristics x `tasks` tasks (scores from a fixed linear congruential sequence). */
function csvOf(n: number, tasks = 3): Uint8Array {
  const rows = ['heuristic,task,score'];
  let k = 1;
  for (let h = 0; h < n; h++) {
    for (let t = 0; t < tasks; t++) {
      k = (k * 16807) % 2147483647;
      rows.push(`h${h},t${t},${k / 2147483647}`);
    }
  }
  return new TextEncoder().encode(rows.join('\n'));
}

const spec = { mapping: { heuristic: 'heuristic', task: 'task', score: 'score' } };
const config = { chains: 1, warmup: 20, draws: 20, seed: 1 };

describe('workerRunFit limits', () => {
  it('a fit over the worker heap limit fails as a fit; the runner goes on and restarts it', {
    timeout: 120_000,
  }, async () => {
    const store = openStore(':memory:');
    stores.push(store);
    // Measured (Node 20): the 3 x 3 fit fails at a 12 MB heap and runs at 16 MB; 50 heuristics x
    // 16 tasks (every pair kept: 1,225 overall + 19,600 per task, just under the per-task bound of
    // 20,000, which caps the document) fails at 16 and at 20 MB. 18 MB sits between the two.
    const runner = createRunner({ store, runFit: workerRunFit(models, { memoryMb: 18 }) });
    const big = store.addDataset({
      name: 'big.csv',
      csv: csvOf(50, 16),
      summary: { rows: 800, columns: [] },
    });
    const small = store.addDataset({
      name: 'small.csv',
      csv: csvOf(3),
      summary: { rows: 9, columns: [] },
    });
    const a = store.createFit({ datasetId: big.id, spec, config }).id;
    const b = store.createFit({ datasetId: small.id, spec, config }).id;
    runner.pump();
    await runner.idle();
    expect(store.getFit(a)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^the fit ran out of memory \(limit 18 MB\): /),
    });
    expect(store.getFit(b).status).toBe('done');
    expect(
      store
        .getFit(b)
        .comparison?.heuristics.map((h) => h.name)
        .sort(),
    ).toEqual(['h0', 'h1', 'h2']);
    // Restarting the fit that ran out of memory fails it again, and nothing else.
    expect(runner.restart(a).status).toBe('queued');
    await runner.idle();
    expect(store.getFit(a).status).toBe('failed');
    expect(store.getFit(a).error).toMatch(/ran out of memory/);
  });

  it('a comparison document above the stored limit fails the fit, nothing half-stored', {
    timeout: 60_000,
  }, async () => {
    const store = openStore(':memory:');
    stores.push(store);
    const runner = createRunner({
      store,
      runFit: workerRunFit(models, { maxDocumentChars: 1000 }),
    });
    const ds = store.addDataset({
      name: 'small.csv',
      csv: csvOf(3),
      summary: { rows: 9, columns: [] },
    });
    const a = store.createFit({ datasetId: ds.id, spec, config }).id;
    runner.pump();
    await runner.idle();
    expect(store.getFit(a)).toMatchObject({
      status: 'failed',
      comparison: null,
      error: expect.stringMatching(
        /^the fit's comparison document is \d+ MB, above the stored limit of 1 MB/,
      ),
    });
    expect(store.getDraws(a)).toBeNull();
  });

  it('reads the limit from BAYESBENCH_FIT_MEMORY_MB and refuses nonsense', () => {
    expect(fitMemoryMb({})).toBe(1024);
    expect(fitMemoryMb({ BAYESBENCH_FIT_MEMORY_MB: '2048' })).toBe(2048);
    expect(() => fitMemoryMb({ BAYESBENCH_FIT_MEMORY_MB: '1e3' })).toThrow(
      'BAYESBENCH_FIT_MEMORY_MB must be a whole number of MB, 64 or more (got "1e3")',
    );
    expect(() => fitMemoryMb({ BAYESBENCH_FIT_MEMORY_MB: '8' })).toThrow(/64 or more/);
  });
});
