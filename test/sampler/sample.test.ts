import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, SamplerError } from '../../src/errors.js';
import { destroySamplerPool } from '../../src/sampler/pool.js';
import { sample } from '../../src/sampler/sample.js';
import type { LogDensity, ProgressEvent, ReportingModel } from '../../src/sampler/types.js';
import { brokenModel, workerModel } from './fixtures/worker-model.js';
import { stdNormal } from './helpers/models.js';

const modulePath = fileURLToPath(new URL('./fixtures/worker-model.ts', import.meta.url));

function withSource(model: ReportingModel, exportName: string): ReportingModel {
  return { ...model, source: { kind: 'module', path: modulePath, exportName } };
}

afterAll(async () => {
  await destroySamplerPool();
});

describe('sample() configuration errors name the option', () => {
  const m = stdNormal(2);
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['dim 0', () => sample({ dim: 0, logDensityGradient: () => 0 }, { chains: 1 }), /model\.dim/],
    ['chains 0', () => sample(m, { chains: 0 }), /chains/],
    ['chains 1.5', () => sample(m, { chains: 1.5 }), /chains/],
    ['warmup -1', () => sample(m, { warmup: -1 }), /warmup/],
    ['draws 0', () => sample(m, { draws: 0 }), /draws/],
    ['adaptDelta 1', () => sample(m, { adaptDelta: 1 }), /adaptDelta/],
    ['adaptDelta 0', () => sample(m, { adaptDelta: 0 }), /adaptDelta/],
    ['maxTreeDepth 0', () => sample(m, { maxTreeDepth: 0 }), /maxTreeDepth/],
    ['metric', () => sample(m, { metric: 'full' as 'dense' }), /metric/],
    ['inits length', () => sample(m, { inits: [1, 2, 3] }), /inits/],
    ['inits per chain', () => sample(m, { chains: 2, inits: [[1, 2]] as number[][] }), /inits/],
    ['threads 0', () => sample(m, { threads: 0 }), /threads/],
    ['threads 1.5', () => sample(m, { threads: 1.5 }), /threads/],
  ];
  it.each(cases)('%s', async (_name, run, pattern) => {
    await expect(run()).rejects.toThrow(ConfigError);
    await expect(run()).rejects.toThrow(pattern);
  });

  it('a gradient shorter than dim is a ConfigError naming the model', async () => {
    const short: LogDensity = {
      dim: 3,
      logDensityGradient(t, g) {
        g[0] = -t[0];
        g[1] = -t[1]; // forgets g[2]
        return -0.5 * (t[0] ** 2 + t[1] ** 2 + t[2] ** 2);
      },
    };
    await expect(sample(short, { chains: 1 })).rejects.toThrow(/model: .*gradient/);
    const long: LogDensity = {
      dim: 2,
      logDensityGradient(t, g) {
        g.set([-t[0], -t[1], 0]); // writes 3 values: RangeError inside
        return 0;
      },
    };
    await expect(sample(long, { chains: 1 })).rejects.toThrow(ConfigError);
  });
});

describe('initialization (§4)', () => {
  it('fails with a SamplerError saying the density or gradient was not finite', async () => {
    const run = () => sample(brokenModel, { chains: 1, warmup: 10, draws: 10, seed: 1 });
    await expect(run()).rejects.toThrow(SamplerError);
    await expect(run()).rejects.toThrow(/log density or its gradient was not finite at any of 100/);
  });

  it('rejects points where only the gradient is not finite', async () => {
    const nanGrad: LogDensity = {
      dim: 1,
      logDensityGradient(_t, g) {
        g[0] = Number.NaN;
        return 0;
      },
    };
    await expect(sample(nanGrad, { chains: 1, warmup: 0, draws: 1 })).rejects.toThrow(SamplerError);
  });

  it('uses user inits (one for all chains, or one per chain)', async () => {
    // a density finite only in (10, 12): random inits in (-2, 2) always fail, the user's work
    const boxed: LogDensity = {
      dim: 1,
      logDensityGradient(t, g) {
        const x = t[0];
        if (!(x > 10 && x < 12)) {
          g[0] = 0;
          return Number.NEGATIVE_INFINITY;
        }
        g[0] = -(x - 11);
        return -0.5 * (x - 11) ** 2;
      },
    };
    await expect(sample(boxed, { chains: 1, warmup: 10, draws: 10, seed: 3 })).rejects.toThrow(
      SamplerError,
    );
    const fit = await sample(boxed, { chains: 2, warmup: 50, draws: 50, seed: 3, inits: [11] });
    for (const x of fit.draws.values) expect(x > 10 && x < 12).toBe(true);
    const fit2 = await sample(boxed, {
      chains: 2,
      warmup: 0,
      draws: 5,
      seed: 3,
      stepSize: 0.1,
      inits: [[10.5], new Float64Array([11.5])],
    });
    expect(fit2.draws.nChains).toBe(2);
  });
});

describe('numerics never throw in the hot path', () => {
  it('a density that returns -Infinity or NaN away from the mode gives divergences, not exceptions', async () => {
    // (a density that throws is a bug in the model: test/sampler/model-errors.test.ts)
    const cliff: LogDensity = {
      dim: 2,
      logDensityGradient(t, g) {
        if (Math.abs(t[0]) > 2.5) return Number.NEGATIVE_INFINITY;
        if (Math.abs(t[1]) > 2.5) return Number.NaN;
        g[0] = -t[0];
        g[1] = -t[1];
        return -0.5 * (t[0] ** 2 + t[1] ** 2);
      },
    };
    const fit = await sample(cliff, { chains: 2, warmup: 300, draws: 300, seed: 5 });
    let div = 0;
    for (let i = 0; i < 600; i++) div += fit.stats.values[5 * 600 + i];
    // N(0,1) truncated to |x| < 2.5: trajectories that cross the edge end in a divergence
    expect(div).toBeGreaterThan(0);
    for (const x of fit.draws.values) expect(Math.abs(x)).toBeLessThanOrEqual(2.5);
  });
});

describe('Fit layout, progress and cancellation', () => {
  it('draws hold reported variables; stats hold the seven sampler fields', async () => {
    const fit = await sample(workerModel, { chains: 2, warmup: 100, draws: 50, seed: 4 });
    expect(fit.draws.variables).toEqual(['a', 'b', 'c', 'sum']);
    expect(fit.draws.values.length).toBe(50 * 2 * 4);
    expect(fit.stats.variables).toEqual([
      'lp__',
      'accept_stat__',
      'stepsize__',
      'treedepth__',
      'n_leapfrog__',
      'divergent__',
      'energy__',
    ]);
    // sum is the derived a + b + c at every draw (layout d + nDraws * (c + nChains * v))
    const n = 100;
    for (let i = 0; i < n; i++) {
      const s = fit.draws.values[i] + fit.draws.values[n + i] + fit.draws.values[2 * n + i];
      expect(Math.abs(fit.draws.values[3 * n + i] - s)).toBeLessThan(1e-12);
    }
    // stepsize__ in the stats equals the adapted step size of that chain
    expect(fit.stats.values[2 * n]).toBe(fit.adaptation.stepSize[0]);
    expect(fit.stats.values[2 * n + 50]).toBe(fit.adaptation.stepSize[1]);
    expect(fit.adaptation.invMetric[0].length).toBe(3);
    expect(fit.timing.warmupSeconds).toBeGreaterThan(0);
    expect(fit.timing.samplingSeconds).toBeGreaterThan(0);
    expect(fit.config).toEqual({
      chains: 2,
      warmup: 100,
      draws: 50,
      seed: 4,
      adaptDelta: 0.8,
      maxTreeDepth: 10,
      metric: 'diag',
    });
    expect(fit.warmup).toBeUndefined();
  });

  it('plain LogDensity: theta[i] or parameterNames', async () => {
    const fit = await sample(
      { ...stdNormal(2), parameterNames: ['x', 'y'] },
      { chains: 1, warmup: 10, draws: 10, seed: 1 },
    );
    expect(fit.draws.variables).toEqual(['x', 'y']);
  });

  it('emits progress about every 1% per chain, ending with done', async () => {
    const events: ProgressEvent[] = [];
    await sample(stdNormal(2), {
      chains: 2,
      warmup: 200,
      draws: 200,
      seed: 1,
      onProgress: (e) => events.push(e),
    });
    const c0 = events.filter((e) => e.chain === 0);
    // 400 iterations in steps of 4 (1%), plus the final 'done' event
    expect(c0.length).toBeGreaterThanOrEqual(100);
    expect(c0.length).toBeLessThanOrEqual(102);
    expect(c0.at(-1)?.phase).toBe('done');
    expect(c0.some((e) => e.phase === 'warmup')).toBe(true);
    expect(c0.some((e) => e.phase === 'sampling')).toBe(true);
    for (let i = 1; i < c0.length; i++)
      expect(c0[i].iteration).toBeGreaterThanOrEqual(c0[i - 1].iteration);
  });

  it('cancels through an AbortSignal (in-process)', async () => {
    const ctrl = new AbortController();
    const run = sample(stdNormal(50), {
      chains: 2,
      warmup: 5000,
      draws: 5000,
      seed: 1,
      signal: ctrl.signal,
      onProgress: (e) => {
        if (e.iteration > 100) ctrl.abort();
      },
    });
    await expect(run).rejects.toThrow(SamplerError);
    await expect(run).rejects.toMatchObject({ name: 'AbortError', message: /cancelled/ });
    const pre = new AbortController();
    pre.abort();
    await expect(sample(stdNormal(2), { signal: pre.signal })).rejects.toThrow(/cancelled/);
  });
});

describe('determinism and worker threads', () => {
  it('same seed: bit-identical draws on rerun; a different seed differs', async () => {
    const cfg = { chains: 2, warmup: 150, draws: 100, seed: 99 };
    const a = await sample(stdNormal(5), cfg);
    const b = await sample(stdNormal(5), cfg);
    expect(Buffer.from(a.draws.values.buffer).equals(Buffer.from(b.draws.values.buffer))).toBe(
      true,
    );
    expect(Buffer.from(a.stats.values.buffer).equals(Buffer.from(b.stats.values.buffer))).toBe(
      true,
    );
    const c = await sample(stdNormal(5), { ...cfg, seed: 100 });
    expect(c.draws.values[0]).not.toBe(a.draws.values[0]);
    // chains use different streams
    expect(a.draws.values[0]).not.toBe(a.draws.values[100]);
  });

  it('worker threads (module source, loaded from .ts via tsx) give the in-process draws bit for bit', async () => {
    const model = withSource(workerModel, 'workerModel');
    // 'each': every chain on a worker of its own (the placement of slow models)
    const cfg = {
      chains: 3,
      warmup: 200,
      draws: 200,
      seed: 7,
      saveWarmup: true,
      threads: 'each' as const,
    };
    const events: ProgressEvent[] = [];
    const inWorkers = await sample(model, { ...cfg, onProgress: (e) => events.push(e) });
    const inProcess = await sample(model, { ...cfg, parallel: false });
    expect(inWorkers.draws.variables).toEqual(['a', 'b', 'c', 'sum']);
    expect(Array.from(inWorkers.draws.values)).toEqual(Array.from(inProcess.draws.values));
    expect(Array.from(inWorkers.stats.values)).toEqual(Array.from(inProcess.stats.values));
    expect(Array.from(inWorkers.warmup?.draws.values ?? [])).toEqual(
      Array.from(inProcess.warmup?.draws.values ?? []),
    );
    expect(Array.from(inWorkers.adaptation.stepSize)).toEqual(
      Array.from(inProcess.adaptation.stepSize),
    );
    // progress came over the MessagePort from every chain, none lost: 400 iterations in steps of 4
    // (1%) give 100 events (the last with phase 'done' from the worker), plus sample()'s final 'done'
    for (let c = 0; c < 3; c++) {
      const mine = events.filter((e) => e.chain === c);
      expect(mine.length).toBe(101);
      expect(mine[99].iteration).toBe(400);
    }
    // a factory export works too and gives the same draws
    const viaFactory = await sample(withSource(workerModel, 'makeWorkerModel'), cfg);
    expect(Array.from(viaFactory.draws.values)).toEqual(Array.from(inProcess.draws.values));
  });

  it('the same seed gives the same draws whether the chains run on 1, 2 or 4 threads (or the default placement)', async () => {
    const model = withSource(workerModel, 'workerModel');
    const cfg = { chains: 4, warmup: 150, draws: 100, seed: 11, saveWarmup: true };
    const reference = await sample(model, { ...cfg, parallel: false });
    for (const threads of [1, 2, 4, 'each' as const, undefined]) {
      const events: ProgressEvent[] = [];
      const fit = await sample(model, {
        ...cfg,
        ...(threads === undefined ? {} : { threads }),
        onProgress: (e) => events.push(e),
      });
      expect(Array.from(fit.draws.values)).toEqual(Array.from(reference.draws.values));
      expect(Array.from(fit.stats.values)).toEqual(Array.from(reference.stats.values));
      expect(Array.from(fit.warmup?.draws.values ?? [])).toEqual(
        Array.from(reference.warmup?.draws.values ?? []),
      );
      expect(Array.from(fit.adaptation.stepSize)).toEqual(
        Array.from(reference.adaptation.stepSize),
      );
      // every chain reports its own progress under its own number, wherever it ran: 250
      // iterations in steps of 3 (1%) give 84 events, plus sample()'s final 'done'
      for (let c = 0; c < 4; c++) {
        const mine = events.filter((e) => e.chain === c);
        expect(mine.length).toBe(85);
        expect(mine[83].iteration).toBe(250);
      }
    }
  });

  it('errors inside workers keep their class; cancellation reaches workers', async () => {
    await expect(
      sample(withSource(brokenModel, 'brokenModel'), { chains: 2, warmup: 10, draws: 10 }),
    ).rejects.toThrow(SamplerError);
    await expect(
      sample(withSource(brokenModel, 'brokenModel'), {
        chains: 2,
        warmup: 10,
        draws: 10,
        threads: 'each',
      }),
    ).rejects.toThrow(SamplerError);
    await expect(
      sample(withSource(workerModel, 'noSuchExport'), {
        chains: 1,
        warmup: 10,
        draws: 10,
        threads: 'each',
      }),
    ).rejects.toThrow(ConfigError);
    const ctrl = new AbortController();
    const run = sample(withSource(workerModel, 'workerModel'), {
      chains: 2,
      warmup: 200000,
      draws: 200000,
      seed: 1,
      signal: ctrl.signal,
      onProgress: (e) => {
        if (e.iteration > 2000) ctrl.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', message: /cancelled/ });
  });
});

describe('step-size jitter (§2.1)', () => {
  it('is off by default; when on, stepsize__ varies within eps (1 ± j)', async () => {
    const off = await sample(stdNormal(3), { chains: 1, warmup: 200, draws: 100, seed: 6 });
    const s0 = off.stats.values.subarray(200, 300);
    expect(new Set(s0).size).toBe(1);
    const on = await sample(stdNormal(3), {
      chains: 1,
      warmup: 200,
      draws: 100,
      seed: 6,
      stepSizeJitter: 0.5,
    });
    const eps = on.adaptation.stepSize[0];
    const s1 = on.stats.values.subarray(200, 300);
    expect(new Set(s1).size).toBeGreaterThan(90);
    for (const e of s1) {
      expect(e).toBeGreaterThanOrEqual(0.5 * eps);
      expect(e).toBeLessThanOrEqual(1.5 * eps);
    }
    await expect(sample(stdNormal(3), { stepSizeJitter: 1 })).rejects.toThrow(/stepSizeJitter/);
  });
});
