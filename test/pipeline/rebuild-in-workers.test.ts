import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tableFromRecords } from '../../src/data/records.js';
import { compileModel } from '../../src/model/compile.js';
import { destroySamplerPool } from '../../src/sampler/pool.js';
import { sample } from '../../src/sampler/sample.js';

afterAll(async () => {
  await destroySamplerPool();
});

describe('a compiled ModelSpec on worker threads', () => {
  it('names the model layer its own rebuild module; same draws as in-process', async () => {
    const records = [];
    for (let i = 0; i < 40; i++) {
      records.push({
        g: `g${i % 4}`,
        x: (i % 7) / 7,
        y: 1 + (0.5 * ((i * 37) % 11)) / 11 + (i % 4) * 0.2,
      });
    }
    const table = tableFromRecords(records, 'inline');
    const model = compileModel({ formula: 'y ~ x + (1 | g)' }, table);
    // the caller-supplied source: the model layer's rebuild module, not a path the sampler knows
    expect(model.source?.kind).toBe('module');
    expect(model.source?.exportName).toBe('rebuildModel');
    expect(fileURLToPath(model.source?.path ?? '')).toBe(
      fileURLToPath(new URL('../../src/model/rebuild.ts', import.meta.url)),
    );
    const cfg = { chains: 2, warmup: 100, draws: 100, seed: 12 };
    const inWorkers = await sample(model, cfg);
    const inProcess = await sample(model, { ...cfg, parallel: false });
    expect(inWorkers.draws.variables).toEqual(model.variableNames);
    expect(Array.from(inWorkers.draws.values)).toEqual(Array.from(inProcess.draws.values));
    expect(Array.from(inWorkers.stats.values)).toEqual(Array.from(inProcess.stats.values));
  });
});
