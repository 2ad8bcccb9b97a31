import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { mean } from '../../src/math/moments.js';
import {
  destroySamplerPool,
  getSamplerPool,
  liveSamplerThreads,
  warmSamplerPool,
} from '../../src/sampler/pool.js';
import { sample } from '../../src/sampler/sample.js';
import type { ModuleCall, ReportingModel } from '../../src/sampler/types.js';
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
  it("starts the threads a quick model's chains use beside this one before any chain is submitted", () => {
    warmSamplerPool();
    // min(4 default chains, cores) threads run a quick model's chains, this one counted
    const expected = Math.max(1, Math.min(4, availableParallelism()) - 1);
    expect(getSamplerPool().threads.length).toBe(expected);
    expect(liveSamplerThreads()).toBe(expected);
  });

  it('is a no-op when the pool exists (the same pool is kept)', () => {
    const before = getSamplerPool();
    warmSamplerPool();
    expect(getSamplerPool()).toBe(before);
  });

  it('a warmed pool gives the same draws as in-process sampling, bit for bit', async () => {
    warmSamplerPool();
    const inWorkers = await sample(withSource, { ...config, threads: 'each' });
    const inProcess = await sample(withSource, { ...config, parallel: false });
    expect(Array.from(inWorkers.draws.values)).toEqual(Array.from(inProcess.draws.values));
  });
});

describe('what a pool thread runs is named by the caller', () => {
  it('a module task calls the named export with its args (here math/moments mean)', async () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i) + i / 100);
    const task: ModuleCall = {
      path: fileURLToPath(new URL('../../src/math/moments.ts', import.meta.url)),
      exportName: 'mean',
      args: values,
    };
    const result = await getSamplerPool().run(task, { name: 'runModuleTask' });
    expect(result).toBe(mean(values));
  });

  it('a module task naming a missing export fails with the export and the module', async () => {
    const task: ModuleCall = { path: modulePath, exportName: 'noSuchTask', args: null };
    await expect(getSamplerPool().run(task, { name: 'runModuleTask' })).rejects.toThrow(
      /export "noSuchTask" of .*worker-model\.ts is not a function/,
    );
  });

  it('a ModelSource whose export is not a LogDensity fails with a ConfigError naming it', async () => {
    const bad: ReportingModel = {
      ...workerModel,
      source: { kind: 'module', path: modulePath, exportName: 'noSuchModel' },
    };
    await expect(sample(bad, config)).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(
        /export "noSuchModel" of .*worker-model\.ts is not a LogDensity/,
      ),
    });
  });
});
