import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { runComparison } from '../../src/pipeline/compare.js';
import { looJson, looOfRun } from '../../src/pipeline/loo.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import { compareOptions, readModels } from '../../src/web/fit-options.js';
import { packageRoot } from '../../src/web/paths.js';
import { workerRunFit } from '../../src/web/run-fit.js';
import { createRunner } from '../../src/web/runner.js';
import { fakeComparison } from './helpers.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const modelsDir = join(packageRoot(), 'models');
const csv = new Uint8Array(readFileSync(join(packageRoot(), 'fixtures/real/lra_tay2021.csv')));
const spec = {
  mapping: { heuristic: 'heuristic', task: 'task', score: 'value', category: 'task_category' },
  model: 'heuristic-task',
};
const config = { chains: 2, warmup: 60, draws: 60, seed: 5 };

/** An app over the default engine and a runner fitting on worker threads, as `bayesbench serve`. */
function setup() {
  const store = openStore(':memory:');
  stores.push(store);
  const runner = createRunner({ store, runFit: workerRunFit(modelsDir), storeIntervalMs: 0 });
  return { store, runner, app: createApp({ store, runner }) };
}

describe('PSIS-LOO of a stored fit (GET /api/fits/:id/loo, the report section)', () => {
  it('serves the `loo --json` document of the stored draws, off-thread; 404/409/400 otherwise', {
    timeout: 180_000,
  }, async () => {
    const { store, runner, app } = setup();
    const ds = store.addDataset({ name: 'lra.csv', csv, summary: { rows: 55, columns: [] } });
    const fit = store.createFit({ datasetId: ds.id, spec, config });
    // queued, not yet done: 409 on the JSON route
    const queued = await request(app).get(`/api/fits/${fit.id}/loo`).expect(409);
    expect(queued.body.error).toBe(`fit ${fit.id} is queued: no PSIS-LOO yet`);
    runner.pump();
    await runner.idle();
    expect(store.getFit(fit.id).status).toBe('done');

    const res = await request(app).get(`/api/fits/${fit.id}/loo`).expect(200);
    // The CLI's document on the same draws: the same seed and settings give the same draws (with
    // or without worker threads), so `bayesbench loo --json`'s run is reproduced here.
    const table = parseCsv(csv, { source: 'lra.csv' });
    const run = await runComparison(
      table,
      compareOptions(spec, config, readModels(modelsDir), 'lra.csv'),
    );
    const stored = store.getDraws(fit.id);
    expect(stored?.variables).toEqual(run.fit.draws.variables);
    expect(stored?.values).toEqual(run.fit.draws.values);
    const direct = looJson(run, looOfRun(run));
    // exact: the same arithmetic on the same numbers, only JSON in between
    expect(res.body.elpd_loo).toBe(direct.elpd_loo);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(res.body.observations).toBe(55);
    expect(res.body.draws).toBe(config.chains * config.draws);
    expect(res.body.pointwise).toBe('integrated');

    // The report page: a link only; the numbers once asked for (from the cached document).
    const page = await request(app).get(`/fits/${fit.id}`).expect(200);
    expect(page.text).toContain('Model check (PSIS-LOO)');
    expect(page.text).toContain(`href="/fits/${fit.id}?loo=1#loo"`);
    expect(page.text).not.toContain('id="loo-estimates"');
    const shown = await request(app).get(`/fits/${fit.id}?loo=1`).expect(200);
    expect(shown.text).toContain('id="loo-estimates"');
    expect(shown.text).toContain(`<td>elpd_loo</td><td>${direct.elpd_loo.toFixed(1)}</td>`);
    expect(shown.text).toContain(`<td>looic</td><td>${direct.looic.toFixed(1)}</td>`);
    expect(shown.text).toContain(`href="/api/fits/${fit.id}/loo"`);

    // unknown and malformed fits
    const unknown = await request(app).get('/api/fits/99/loo').expect(404);
    expect(unknown.body.error).toMatch(/not found/);
    await request(app).get('/api/fits/abc/loo').expect(404);
  });

  it('answers 400 with one line for a fit that is not a gaussian/student comparison fit', async () => {
    const { store, app } = setup();
    const ds = store.addDataset({ name: 'lra.csv', csv, summary: { rows: 55, columns: [] } });
    const fit = store.createFit({ datasetId: ds.id, spec, config });
    store.markRunning(fit.id);
    const comparison = fakeComparison(['a', 'b']);
    comparison.settings = { ...comparison.settings, family: 'bernoulli' };
    store.completeFit(fit.id, {
      comparison,
      draws: {
        nDraws: 2,
        nChains: 1,
        variables: ['b_Intercept'],
        values: Float64Array.from([0.1, 0.2]),
      },
      summary: { variables: [], sampler: null, warnings: [] },
    });
    const res = await request(app).get(`/api/fits/${fit.id}/loo`).expect(400);
    expect(res.body.error).toBe(
      `fit ${fit.id}: PSIS-LOO is computed for comparison fits of the gaussian or student model, not family bernoulli`,
    );
    const page = await request(app).get(`/fits/${fit.id}`).expect(200);
    expect(page.text).toContain('not family bernoulli');
    expect(page.text).not.toContain('id="loo-compute"');
  });
});
