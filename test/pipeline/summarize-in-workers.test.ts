import { afterAll, describe, expect, it } from 'vitest';
import { summarizeDraws, summarizeFit } from '../../src/diagnostics/summarize.js';
import { createDraws } from '../../src/draws/draws.js';
import { createRng } from '../../src/math/rng.js';
import {
  PARALLEL_SUMMARY_MIN_VALUES,
  summarizeDrawsInWorkers,
  summarizeFitInWorkers,
} from '../../src/pipeline/summarize-in-workers.js';
import { destroySamplerPool } from '../../src/sampler/pool.js';
import { sample } from '../../src/sampler/sample.js';
import { stdNormal } from '../sampler/helpers/models.js';

afterAll(async () => {
  await destroySamplerPool();
});

/** AR(1) draws with a different autocorrelation per variable, a constant one and a NaN one. */
function arDraws(nVars: number, nDraws: number, nChains: number) {
  const names = Array.from({ length: nVars }, (_, v) => `theta[${v + 1}]`);
  const d = createDraws(nDraws, nChains, names);
  const rng = createRng(11, 0);
  for (let v = 0; v < nVars; v++) {
    const phi = -0.4 + (1.3 * v) / nVars;
    for (let c = 0; c < nChains; c++) {
      let x = 0;
      for (let i = 0; i < nDraws; i++) {
        x = phi * x + rng.normal();
        d.values[i + nDraws * (c + nChains * v)] =
          v === 3 ? 2 : v === 5 && i === 7 ? Number.NaN : x;
      }
    }
  }
  return d;
}

describe('summary rows on worker threads', () => {
  it('equal summarizeDraws row for row (above the size threshold)', async () => {
    const draws = arDraws(67, 1000, 4);
    expect(67 * 4000).toBeGreaterThan(PARALLEL_SUMMARY_MIN_VALUES);
    const rows = await summarizeDrawsInWorkers(draws);
    expect(rows).toEqual(summarizeDraws(draws));
  });

  it('small draws are summarized on the calling thread, same rows', async () => {
    const draws = arDraws(5, 100, 2);
    expect(await summarizeDrawsInWorkers(draws)).toEqual(summarizeDraws(draws));
  });

  it('summarizeFitInWorkers gives the Summary summarizeFit gives', async () => {
    const fit = await sample(stdNormal(80), { chains: 4, warmup: 100, draws: 700, seed: 5 });
    expect(await summarizeFitInWorkers(fit, { rhat: 1.05 })).toEqual(
      summarizeFit(fit, { rhat: 1.05 }),
    );
  });
});
