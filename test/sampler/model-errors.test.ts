import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelError, SamplerError } from '../../src/errors.js';
import { modelErrorFromMessage } from '../../src/sampler/chain.js';
import { destroySamplerPool } from '../../src/sampler/pool.js';
import { sample } from '../../src/sampler/sample.js';
import type { LogDensity, ReportingModel } from '../../src/sampler/types.js';
import { makeThrowingModel } from './fixtures/worker-model.js';

const modulePath = fileURLToPath(new URL('./fixtures/worker-model.ts', import.meta.url));

type Args = Parameters<typeof makeThrowingModel>[0];

/** The throwing model, in-process or rebuilt on worker threads from the fixture module. */
function throwing(args: Args, inWorkers: boolean): ReportingModel {
  const model = makeThrowingModel(args);
  if (!inWorkers) return model;
  return {
    ...model,
    // the probe on the main thread calls this copy once; each worker builds its own from args
    logDensityGradient: makeThrowingModel({ ...args, after: Number.POSITIVE_INFINITY })
      .logDensityGradient,
    source: { kind: 'module', path: modulePath, exportName: 'makeThrowingModel', args },
  };
}

async function rejection(run: Promise<unknown>): Promise<ModelError> {
  try {
    await run;
  } catch (err) {
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toBeInstanceOf(SamplerError); // the CLI prints it and exits 2; the web answers 422
    return err as ModelError;
  }
  throw new Error('sample() resolved; expected a ModelError');
}

afterAll(async () => {
  await destroySamplerPool();
});

describe.each([
  ['in-process', false],
  ['on worker threads', true],
])('an exception from the model rejects sample() with its message and place (%s)', (_, workers) => {
  // on worker threads: every chain on a worker of its own (a quick model's first chains would
  // otherwise run here, on the copy that does not throw)
  const placed = workers ? { threads: 'each' as const } : {};
  it('during sampling: chain, sampling iteration and the model message', async () => {
    // warmup 0: every evaluation after the first 40 of a chain is in sampling
    const model = throwing({ after: 40, message: 'index 7 out of range' }, workers);
    const err = await rejection(
      sample(model, { ...placed, chains: 2, warmup: 0, draws: 200, seed: 11 }),
    );
    expect(err.message).toMatch(
      /^chain [12], sampling iteration \d+: the model's logDensityGradient threw RangeError: index 7 out of range$/,
    );
    expect(err.modelMessage).toBe('RangeError: index 7 out of range');
    expect(err.place.phase).toBe('sampling');
    expect([1, 2]).toContain(err.place.chain);
    expect(err.place.iteration).toBeGreaterThan(1);
    expect(err.place.iteration).toBeLessThanOrEqual(40);
    if (!workers) expect((err.cause as Error).message).toBe('index 7 out of range');
  });

  it('during warmup: the model message, not a step-size error', async () => {
    const model = throwing({ after: 60, message: 'bad prior table' }, workers);
    const err = await rejection(
      sample(model, { ...placed, chains: 1, warmup: 200, draws: 50, seed: 2 }),
    );
    expect(err.message).toMatch(
      /^chain 1, warmup iteration \d+: the model's logDensityGradient threw RangeError: bad prior table$/,
    );
    expect(err.message).not.toMatch(/step size/);
    expect(err.place).toMatchObject({ chain: 1, phase: 'warmup' });
  });

  it('at initialization of a chain', async () => {
    // the main-thread probe passes; chain 1's first evaluation throws
    const model = throwing({ after: 0, message: 'no data loaded' }, workers);
    if (!workers) {
      // in-process the contract probe before sampling is the first call: a ConfigError that
      // carries the model's message
      await expect(
        sample(model, { ...placed, chains: 1, warmup: 10, draws: 10, seed: 1 }),
      ).rejects.toThrow(
        'model: logDensityGradient threw (RangeError: no data loaded) at the initial point',
      );
      return;
    }
    const err = await rejection(
      sample(model, { ...placed, chains: 1, warmup: 10, draws: 10, seed: 1 }),
    );
    expect(err.message).toBe(
      "chain 1, initialization: the model's logDensityGradient threw RangeError: no data loaded",
    );
    expect(err.place).toEqual({ chain: 1, phase: 'initialization' });
  });

  it('from writeVariables', async () => {
    const model = throwing(
      { after: Number.POSITIVE_INFINITY, writeAfter: 5, message: 'derived quantity' },
      workers,
    );
    const err = await rejection(
      sample(model, { ...placed, chains: 1, warmup: 20, draws: 20, seed: 4 }),
    );
    expect(err.message).toBe(
      "chain 1, sampling iteration 6: the model's writeVariables threw TypeError: derived quantity (writeVariables)",
    );
  });
});

describe('what stays as it was', () => {
  it('-Infinity and NaN are still divergences, not errors', async () => {
    const edge: LogDensity = {
      dim: 1,
      logDensityGradient(t, g) {
        if (t[0] > 2) return Number.NEGATIVE_INFINITY;
        if (t[0] < -2) return Number.NaN;
        g[0] = -t[0];
        return -0.5 * t[0] * t[0];
      },
    };
    const fit = await sample(edge, { chains: 2, warmup: 200, draws: 200, seed: 9 });
    expect(fit.draws.values.every((x) => Math.abs(x) <= 2)).toBe(true);
  });

  it('a message from a worker that is not in the standard form is kept whole', () => {
    const e = modelErrorFromMessage('something else');
    expect(e.message).toBe('something else');
    expect(e.place).toEqual({});
    const round = modelErrorFromMessage(
      "chain 3, warmup iteration 12: the model's logDensityGradient threw Error: a\nb",
    );
    expect(round.place).toEqual({ chain: 3, phase: 'warmup', iteration: 12 });
    expect(round.modelMessage).toBe('Error: a\nb');
  });

  it('a thrown non-Error and a huge message are reported bounded', async () => {
    const m: LogDensity = {
      dim: 1,
      logDensityGradient(t, g) {
        if (Math.abs(t[0]) > 0.5) throw 'x'.repeat(1_000_000);
        g[0] = -t[0];
        return -0.5 * t[0] * t[0];
      },
    };
    const err = await rejection(
      sample(m, { chains: 1, warmup: 50, draws: 50, seed: 1, inits: [0] }),
    );
    expect(err.message.length).toBeLessThan(700);
    expect(err.modelMessage.startsWith('string xxx')).toBe(true);
  });
});
