import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { ConfigError } from '../../src/errors.js';
import { compare } from '../../src/pipeline/compare.js';
import {
  checkSampleSize,
  estimateSampleBytes,
  SAMPLE_MEMORY_LIMIT_BYTES,
  sample,
} from '../../src/sampler/sample.js';
import type { LogDensity } from '../../src/sampler/types.js';
import { runCli, tempCsv } from '../cli/fit-cli-helpers.js';
import { stdNormal } from './helpers/models.js';

const base = { chains: 4, warmup: 1000, draws: 1000, saveWarmup: false, metric: 'diag' as const };

describe('up-front size check', () => {
  it('counts draws, sampler fields, saved warmup, the assembled copy and a dense metric', () => {
    const s = estimateSampleBytes(base, 10, 12);
    expect(s.draws).toBe(2 * 4 * 1000 * (12 + 7) * 8);
    expect(s.metric).toBe(0);
    const w = estimateSampleBytes({ ...base, saveWarmup: true }, 10, 12);
    expect(w.draws).toBe(2 * 4 * 2000 * (12 + 7) * 8);
    const dense = estimateSampleBytes({ ...base, metric: 'dense' }, 100, 100);
    expect(dense.metric).toBe(4 * 6 * 100 * 100 * 8);
    expect(dense.total).toBe(dense.draws + dense.metric + dense.overhead);
  });

  it('sample() refuses chains: 1e6 at once, with one line saying what to lower', async () => {
    const run = sample(stdNormal(2), { ...base, chains: 1e6 });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(sample(stdNormal(2), { ...base, chains: 1e6 })).rejects.toThrow(
      /^chains x draws: 1000000 chains x 1000 draws x \(2 variables \+ 7 sampler fields\) x 8 bytes, .* need about \d+ GB, above the limit of 4 GiB \(4\.29 GB\); use fewer chains or draws$/,
    );
  });

  it('counts saved warmup and refuses a dense metric too large for memory', () => {
    expect(() => checkSampleSize({ ...base, draws: 10_000_000, saveWarmup: true }, 1, 1)).toThrow(
      /10000000 draws \+ 1000 saved warmup/,
    );
    expect(() => checkSampleSize({ ...base, metric: 'dense' }, 20_000, 20_000)).toThrow(
      /^metric: a dense metric for dim = 20000 needs 4 chains x 6 matrices of 20000 x 20000 x 8 bytes, .*; use metric "diag"$/,
    );
    // the same model with a diagonal metric fits
    expect(() => checkSampleSize(base, 20_000, 20_000)).not.toThrow();
    // the low-rank adaptation keeps its warmup window: 4 x 6 x 1000 x 20000 x 8 bytes = 3.84 GB
    expect(estimateSampleBytes({ ...base, metric: 'fisher-lowrank' }, 20_000, 1).metric).toBe(
      4 * 6 * 1000 * 20_000 * 8,
    );
    expect(() => checkSampleSize({ ...base, metric: 'fisher-lowrank' }, 30_000, 1)).toThrow(
      /^metric: the low-rank adaptation for dim = 30000 keeps up to 4 chains x 6 x 1000 warmup vectors .*; use metric "fisher-diag"$/,
    );
  });

  it('the limit is where the estimate says: one draw more is refused', () => {
    // per chain: 2 x draws x (1 + 7) x 8 bytes + 64 KiB; find the largest draws that fit 1 chain
    const perDraw = 2 * 8 * 8;
    const fit = Math.floor((SAMPLE_MEMORY_LIMIT_BYTES - 64 * 1024) / perDraw);
    const one = { ...base, chains: 1, warmup: 0 };
    expect(() => checkSampleSize({ ...one, draws: fit }, 1, 1)).not.toThrow();
    expect(() => checkSampleSize({ ...one, draws: fit + 1 }, 1, 1)).toThrow(ConfigError);
  });

  it('the CLI refuses --chains 1e6 before reading the data (exit 2, one line)', async () => {
    // the file does not parse as a model input: the size error must come first
    const file = tempCsv('x.csv', 'y,g\n1,a\n2,b\n');
    const r = await runCli(['fit', file, '--formula', 'y ~ 1', '--chains', '1e6']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bayesbench: chains x draws: 1000000 chains x 1000 draws .*\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});

describe('model names', () => {
  const named = (names: unknown): LogDensity =>
    ({ ...stdNormal(2), parameterNames: names }) as LogDensity;

  it('parameterNames of the wrong length is an error, not ignored', async () => {
    await expect(sample(named(['a']), { chains: 1, draws: 5, warmup: 5 })).rejects.toThrow(
      'model.parameterNames: has 1 names, the model has dim 2',
    );
    await expect(
      sample(named(['a', 'b', 'c']), { chains: 1, draws: 5, warmup: 5 }),
    ).rejects.toThrow(ConfigError);
    await expect(sample(named('ab'), { chains: 1, draws: 5, warmup: 5 })).rejects.toThrow(
      'model.parameterNames: must be an array of strings',
    );
  });

  it('parameterNames of length dim name the draws', async () => {
    const fit = await sample(named(['alpha', 'beta']), {
      chains: 1,
      draws: 5,
      warmup: 5,
      seed: 1,
    });
    expect(fit.draws.variables).toEqual(['alpha', 'beta']);
  });
});

describe('compare() argument guard', () => {
  it.each([
    [null, 'null'],
    ['runs.csv', 'string'],
    [[{ heuristic: 'a' }], 'an array'],
    [undefined, 'undefined'],
  ])('compare(%j) is a one-line ConfigError, not a TypeError', async (arg, got) => {
    await expect(compare(arg as never)).rejects.toThrow(
      new ConfigError(
        `compare: the first argument must be a Table (from parseCsv, readCsvFile or tableFromRecords), got ${got}`,
      ),
    );
  });

  it('options of the wrong type are refused before any work', async () => {
    const t = parseCsv('heuristic,task,score\na,t1,1\nb,t1,2\na,t2,1\nb,t2,2\n');
    await expect(compare(t, null as never)).rejects.toThrow(
      'compare: options must be an object (CompareOptions)',
    );
  });
});
