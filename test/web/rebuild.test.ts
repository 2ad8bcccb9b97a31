import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { runComparison } from '../../src/pipeline/compare.js';
import type { FitSpec } from '../../src/store/store.js';
import { compareOptions, readModels } from '../../src/web/fit-options.js';
import { packageRoot } from '../../src/web/paths.js';
import { rebuildReport } from '../../src/web/rebuild.js';
import { rebuildInWorker } from '../../src/web/rebuild-in-worker.js';

describe('comparison rebuild for another ROPE on a worker thread', () => {
  it('gives the comparison, view model and plots the same rebuild gives in-thread', async () => {
    const modelsDir = join(packageRoot(), 'models');
    const csv = new Uint8Array(readFileSync(join(packageRoot(), 'fixtures/real/lra_tay2021.csv')));
    const table = parseCsv(csv, { source: 'lra.csv' });
    const spec: FitSpec = {
      mapping: { heuristic: 'heuristic', task: 'task', score: 'value', category: 'task_category' },
      model: 'heuristic-task',
    };
    const config = { chains: 2, warmup: 100, draws: 100, seed: 3 };
    const run = await runComparison(table, {
      ...compareOptions(spec, config, readModels(modelsDir), 'lra.csv'),
    });
    const input = {
      spec,
      seed: config.seed,
      comparison: run.comparison,
      summary: run.summary,
      draws: run.fit.draws,
      rope: 2.5,
    };
    const here = rebuildReport({ ...input, table }, modelsDir);
    const there = await rebuildInWorker({ csv, datasetName: 'lra.csv', input, modelsDir });
    expect(there.comparison.settings?.rope).toBe(2.5);
    expect(there.vm.rope).toBe(2.5);
    expect(there).toEqual(here);
    expect(Object.keys(there.plots).length).toBeGreaterThan(3);
  }, 120_000);
});
