import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../src/analysis/plan-from-fit.js';
import { parseCsv } from '../../src/data/csv.js';
import { runComparison } from '../../src/pipeline/compare.js';
import { planFromRun } from '../../src/pipeline/plan.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import { defaultEngine } from '../../src/web/default-engine.js';
import type { Engine } from '../../src/web/engine.js';
import { compareOptions, readModels } from '../../src/web/fit-options.js';
import { packageRoot } from '../../src/web/paths.js';
import { parsePlanQuery } from '../../src/web/plan-query.js';
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

/**
 * An app over the default engine and a runner fitting on worker threads, as `bayesbench serve`;
 * the engine's plan is counted, so the tests see what the cache saves.
 */
function setup() {
  const store = openStore(':memory:');
  stores.push(store);
  const runner = createRunner({ store, runFit: workerRunFit(modelsDir), storeIntervalMs: 0 });
  const real = defaultEngine(modelsDir);
  const calls: unknown[] = [];
  const plan: Engine['plan'] = (input) => {
    calls.push(input.query);
    return (real.plan as NonNullable<Engine['plan']>)(input);
  };
  return { store, runner, calls, app: createApp({ store, runner, engine: { plan } }) };
}

describe('what to run next for a stored fit (GET /api/fits/:id/plan, plan.csv, the report panel)', () => {
  it('answers the `plan --json` document of the stored draws, its batch as CSV, the panel on demand', {
    timeout: 180_000,
  }, async () => {
    const { store, runner, app, calls } = setup();
    const ds = store.addDataset({ name: 'lra.csv', csv, summary: { rows: 55, columns: [] } });
    const fit = store.createFit({ datasetId: ds.id, spec, config });
    const queued = await request(app).get(`/api/fits/${fit.id}/plan`).expect(409);
    expect(queued.body.error).toBe(`fit ${fit.id} is queued: no plan yet`);
    runner.pump();
    await runner.idle();
    expect(store.getFit(fit.id).status).toBe('done');

    // the threshold is rounded to 3 decimals, as documented
    const options = 'runs=3&stop_threshold=0.10004&seed=3';
    const res = await request(app).get(`/api/fits/${fit.id}/plan?${options}`).expect(200);
    // What `bayesbench plan --runs 3 --stop-threshold 0.1 --plan-seed 3 --json` prints: the same seed and settings give the same
    // draws (with or without worker threads), and `plan` runs planFromRun on its fresh run.
    const table = parseCsv(csv, { source: 'lra.csv' });
    const run = await runComparison(
      table,
      compareOptions(spec, config, readModels(modelsDir), 'lra.csv'),
    );
    expect(store.getDraws(fit.id)?.values).toEqual(run.fit.draws.values);
    const direct = planFromRun(run, { runs: 3, stopThreshold: 0.1, seed: 3 });
    // exact: the same arithmetic on the same numbers, only JSON in between
    expect(res.body).toEqual(JSON.parse(JSON.stringify(direct)));
    const doc = res.body as PlanDocument;
    expect(Object.keys(doc).sort()).toEqual([
      'batch',
      'candidates',
      'notes',
      'overall',
      'scopes',
      'settings',
      'verdicts',
    ]);
    expect(doc.candidates).toHaveLength(55);
    expect(doc.batch.runs).toHaveLength(3);
    expect(doc.settings).toMatchObject({ runs: 3, stop_runs: 3, stop_threshold: 0.1, seed: 3 });
    // overall and the three categories of the LRA table
    expect(doc.verdicts.map((v) => v.scope)).toEqual(doc.scopes.map((s) => s.name));
    expect(doc.verdicts).toHaveLength(4);

    // the CSV of the same plan is served from the cache: one plan computed so far
    const csvRes = await request(app).get(`/api/fits/${fit.id}/plan.csv?${options}`).expect(200);
    expect(calls).toHaveLength(1);
    expect(csvRes.headers['content-type']).toMatch(/^text\/csv/);
    expect(csvRes.headers['content-disposition']).toBe(
      `attachment; filename="fit-${fit.id}-plan.csv"`,
    );
    const lines = csvRes.text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'order,heuristic,task,category,kind,replicate,value,cumulative_value,cost',
    );
    expect(lines).toHaveLength(4);
    let sum = 0;
    lines.slice(1).forEach((line, i) => {
      const [order, heuristic, task, category, kind, replicate, value, cumulative, cost] =
        line.split(',');
      const r = doc.batch.runs[i];
      expect([order, heuristic, task, category, kind]).toEqual([
        String(i + 1),
        r.heuristic,
        r.task,
        r.category,
        r.kind,
      ]);
      const before = doc.candidates.find((c) => c.heuristic === heuristic && c.task === task);
      const earlier = doc.batch.runs
        .slice(0, i)
        .filter((x) => x.heuristic === heuristic && x.task === task);
      expect(Number(replicate)).toBe(
        (kind === 'seed' ? (before?.runs ?? 0) : 0) + earlier.length + 1,
      );
      sum += Number(value);
      expect(Number(cumulative)).toBe(r.cumulative_value);
      expect(Number(cost)).toBe(1);
    });
    // the values added sum to the batch's value (rounding of the differences only)
    expect(sum).toBeCloseTo(doc.batch.value, 10);

    // bad options: 400 with one line naming the parameter; nothing computed
    for (const [q, message] of [
      ['runs=0', 'runs: "0" is not an integer from 1 to 50'],
      ['runs=abc', 'runs: "abc" is not an integer from 1 to 50'],
      ['runs=51', 'runs: "51" is not an integer from 1 to 50'],
      ['stop_threshold=1', 'stop_threshold: "1" must be between 0 and 1 (3 decimals)'],
      ['seed=-1', 'seed: "-1" is not an integer from 0 to 2147483647'],
    ]) {
      const bad = await request(app).get(`/api/fits/${fit.id}/plan?${q}`).expect(400);
      expect(bad.body.error).toBe(message);
      await request(app).get(`/api/fits/${fit.id}/plan.csv?${q}`).expect(400);
    }
    // a cost column the data does not have: the planner's words, and nothing kept
    const noCost = await request(app).get(`/api/fits/${fit.id}/plan?cost=gpu_hours`).expect(400);
    expect(noCost.body.error).toBe('cost: "gpu_hours" is not a column of lra.csv');
    // a column that is not a cost: the planner's check, naming the row
    const badCost = await request(app).get(`/api/fits/${fit.id}/plan?cost=task`).expect(400);
    expect(badCost.body.error).toBe(
      'lra.csv: line 2: column "task" must be a number > 0 (got "ListOps")',
    );
    expect(badCost.body.error).not.toMatch(/\n/);
    expect(calls).toHaveLength(3);

    // unknown and malformed fits
    const unknown = await request(app).get('/api/fits/99/plan').expect(404);
    expect(unknown.body.error).toMatch(/not found/);
    await request(app).get('/api/fits/abc/plan.csv').expect(404);

    // The report page: the form only; the panel once asked for (from the cached plan).
    const page = await request(app).get(`/fits/${fit.id}`).expect(200);
    expect(page.text).toContain('What to run next');
    expect(page.text).toContain('id="plan-form"');
    expect(page.text).not.toContain('id="plan-result"');
    expect(calls).toHaveLength(3);
    const shown = await request(app).get(`/fits/${fit.id}?plan=1&${options}`).expect(200);
    expect(calls).toHaveLength(3);
    expect(shown.text).toContain('id="plan-result"');
    expect(shown.text).toContain('id="plan-verdicts"');
    const qs = 'runs=3&amp;stop_threshold=0.1&amp;seed=3';
    expect(shown.text).toContain(`href="/api/fits/${fit.id}/plan.csv?${qs}"`);
    expect(shown.text).toContain(`href="/api/fits/${fit.id}/plan?${qs}"`);
    expect(shown.text).toContain('name="stop_threshold" value="0.1"');
    // the static report with the same section (from the cached plan)
    expect(shown.text).toContain(`href="/fits/${fit.id}/report.html?plan=1&amp;${qs}"`);
    const file = await request(app)
      .get(`/fits/${fit.id}/report.html?plan=1&${options}`)
      .expect(200);
    expect(calls).toHaveLength(3);
    expect(file.text).toContain('<section id="plan">');
    expect(file.text).toContain('id="plan-batch"');
    const plainFile = await request(app).get(`/fits/${fit.id}/report.html`).expect(200);
    expect(plainFile.text).not.toContain('<section id="plan">');
    for (const r of doc.batch.runs) expect(shown.text).toContain(`<td>${r.task}</td>`);
    expect(shown.text).toContain(doc.overall.message.slice(0, 40));
    // a bad option on the page: shown in the panel, the rest of the report still there
    const badPage = await request(app).get(`/fits/${fit.id}?plan=1&runs=x`).expect(200);
    expect(badPage.text).toContain('runs: &#34;x&#34; is not an integer from 1 to 50');
    expect(badPage.text).toContain('id="recommendations"');
  });

  it('answers 400 with one line for the paired item model and for draws the planner cannot use', async () => {
    const { store, app, calls } = setup();
    const ds = store.addDataset({ name: 'lra.csv', csv, summary: { rows: 55, columns: [] } });
    const complete = (settings: Record<string, unknown>) => {
      const fit = store.createFit({ datasetId: ds.id, spec, config });
      store.markRunning(fit.id);
      const comparison = fakeComparison(['local_attention', 'reformer']);
      comparison.settings = { ...comparison.settings, ...settings };
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
      return fit.id;
    };
    const item = complete({ model: 'heuristic-task-item' });
    const res = await request(app).get(`/api/fits/${item}/plan`).expect(400);
    expect(res.body.error).toBe(
      `fit ${item}: runs are planned for comparison fits, not the paired item model (its rows are examples, not runs)`,
    );
    expect(calls).toHaveLength(0);
    const page = await request(app).get(`/fits/${item}?plan=1`).expect(200);
    expect(page.text).toContain('not the paired item model');
    expect(page.text).not.toContain('id="plan-form"');

    // draws without sigma (not a gaussian comparison fit's): the planner's ConfigError, a 400
    const noSigma = complete({ formula: null });
    const bad = await request(app).get(`/api/fits/${noSigma}/plan`).expect(400);
    expect(bad.body.error).toBe('plan: the draws have no sigma');
    // not cached: a failed plan is tried again
    await request(app).get(`/api/fits/${noSigma}/plan`).expect(400);
    expect(calls).toHaveLength(2);
  }, 60_000);
});

describe('parsePlanQuery', () => {
  it('reads the options and rejects repeated parameters', () => {
    expect(
      parsePlanQuery({ runs: '3', stop_runs: '4', stop_threshold: '0.1', seed: '0', cost: 'c' }),
    ).toEqual({ runs: 3, stopRuns: 4, stopThreshold: 0.1, seed: 0, cost: 'c' });
    expect(parsePlanQuery({})).toEqual({});
    expect(() => parsePlanQuery({ runs: ['1', '2'] })).toThrow('runs: give it once');
    expect(() => parsePlanQuery({ stop_threshold: '0.0001' })).toThrow(/stop_threshold/);
  });
});
