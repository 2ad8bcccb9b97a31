/**
 * A database with one finished fit, written directly through the store (no sampling), for tests that
 * run the real server in a child process against a done report: `seedDoneFit(path, { variables })`.
 */
import { readFileSync } from 'node:fs';
import type { Summary } from '../../src/diagnostics/types.js';
import { openStore } from '../../src/store/store.js';
import { fakeComparison } from '../web/helpers.js';

/** Options of seedDoneFit. */
export interface SeedOptions {
  /** Rows of the stored summary (and stored draws variables); default 300. */
  variables?: number;
  /** Draws per chain stored (2 chains); default 50. */
  draws?: number;
}

/**
 * Write the LRA demo CSV as dataset 1 and a finished fit 1 with `variables` summary rows and draws.
 * @example seedDoneFit('/tmp/x.db', { variables: 500 }) // 1
 */
export function seedDoneFit(path: string, opts: SeedOptions = {}): number {
  const nVars = opts.variables ?? 300;
  const nDraws = opts.draws ?? 50;
  const store = openStore(path);
  try {
    const csv = readFileSync(new URL('../../fixtures/real/lra_tay2021.csv', import.meta.url));
    const d = store.addDataset({
      name: 'lra.csv',
      csv: new Uint8Array(csv),
      summary: { rows: 55, columns: [], detected: {}, preview: [] },
    });
    const mapping = { heuristic: 'heuristic', task: 'task', score: 'value' };
    const fit = store.createFit({
      datasetId: d.id,
      spec: { mapping, model: 'heuristic-task' },
      config: { chains: 2, warmup: 10, draws: nDraws, seed: 1 },
    });
    store.markRunning(fit.id);
    // One long name (50 characters): a backtracking regex such as ^(a|a)*! is 2^length on it.
    const names = Array.from({ length: nVars }, (_, i) =>
      i === 0
        ? 'r_heuristic_by_task_category[performer_long,Intercept]'
        : `r_task[t${i},Intercept]`,
    );
    const row = (variable: string) => ({
      variable,
      mean: 1,
      median: 1,
      sd: 0.5,
      mad: 0.5,
      q5: 0.2,
      q95: 1.8,
      rhat: 1.001,
      ess_bulk: 900,
      ess_tail: 800,
      mcse_mean: 0.01,
      mcse_sd: 0.01,
    });
    const summary: Summary = { variables: names.map(row), sampler: null, warnings: [] };
    const values = new Float64Array(nDraws * 2 * nVars);
    for (let i = 0; i < values.length; i++) values[i] = Math.sin(i);
    store.completeFit(fit.id, {
      comparison: fakeComparison(['local', 'reformer', 'performer']),
      summary,
      draws: { nDraws, nChains: 2, variables: names, values },
    });
    return fit.id;
  } finally {
    store.close();
  }
}
