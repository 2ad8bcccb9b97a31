import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { destroySamplerPool, getSamplerPool, warmSamplerPool } from '../../src/sampler/pool.js';
import { sample } from '../../src/sampler/sample.js';
import type { ReportingModel } from '../../src/sampler/types.js';
import { workerModel } from './fixtures/worker-model.js';

const modulePath = fileURLToPath(new URL('./fixtures/worker-model.ts', import.meta.url));
const withSource: ReportingModel = {
  ...workerModel,
  source: { kind: 'module', path: modulePath, exportName: 'workerModel' },
};
const config = { chains: 3, warmup: 50, draws: 50, seed: 7 };

afterEach(async () => {
  await destroySamplerPool();
});

describe('warmSamplerPool', () => {
  it('starts every thread of the pool before any chain is submitted', () => {
    warmSamplerPool();
    // at least one thread per default chain (4), more with more cores
    expect(getSamplerPool().threads.length).toBe(Math.max(4, availableParallelism()));
  });

  it('is a no-op when the pool exists (the same pool is kept)', () => {
    const before = getSamplerPool();
    warmSamplerPool();
    expect(getSamplerPool()).toBe(before);
  });

  it('a warmed pool gives the same draws as in-process sampling, bit for bit', async () => {
    warmSamplerPool();
    const inWorkers = await sample(withSource, config);
    const inProcess = await sample(withSource, { ...config, parallel: false });
    expect(Array.from(inWorkers.draws.values)).toEqual(Array.from(inProcess.draws.values));
  });
});
