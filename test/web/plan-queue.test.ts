import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../src/analysis/plan-from-fit.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import type { Engine } from '../../src/web/engine.js';
import { createPageCache } from '../../src/web/page-cache.js';
import type { PlanQuery } from '../../src/web/plan-query.js';
import { createReportViews } from '../../src/web/report-view.js';
import { createRunner } from '../../src/web/runner.js';
import { makePlan } from '../report/plan-fixture.js';
import { CSV, controllableRunFit, fakeEngine } from './helpers.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/**
 * A store with a finished fit 1 (fake result) and an app over it whose engine plans by hand: each
 * plan waits until the test opens its gate, so the queue can be seen.
 */
async function doneFit() {
  const store = openStore(':memory:');
  stores.push(store);
  const fake = controllableRunFit({ immediate: true });
  const gates: (() => void)[] = [];
  const asked: PlanQuery[] = [];
  const plan: Engine['plan'] = ({ query }) => {
    asked.push(query);
    return new Promise<PlanDocument>((resolve) => gates.push(() => resolve(makePlan())));
  };
  const eng = { ...fakeEngine(fake.runFit), plan };
  const runner = createRunner({ store, runFit: fake.runFit, storeIntervalMs: 0 });
  const reports = createReportViews(store, async () => eng);
  const app = createApp({
    store,
    runner,
    engine: eng,
    caches: { pages: createPageCache(), reports },
  });
  await request(app).post('/api/datasets').attach('file', Buffer.from(CSV), 'runs.csv').expect(201);
  await request(app)
    .post('/api/fits')
    .send({ dataset: 1, mapping: { heuristic: 'heuristic', task: 'task', score: 'score' } })
    .expect(202);
  for (let i = 0; i < 100 && store.fitState(1).status !== 'done'; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(store.fitState(1).status).toBe('done');
  return { store, app, reports, gates, asked };
}

/** Bounded wait (5 s): modules load on first use, slowly on a busy machine. */
async function until(ok: () => boolean) {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('plans of stored fits on the rebuild queue', () => {
  it('run one at a time, at most 4 wait, the rest answer 503; results are cached per options', async () => {
    const { app, store, reports, gates, asked } = await doneFit();
    const fit = store.getFit(1);
    const plans = [1, 2, 3, 4, 5].map((runs) => reports.plan(fit, { runs }));
    await until(() => asked.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(asked).toEqual([{ runs: 1 }]); // the other four wait for the slot
    const busy = await request(app).get('/api/fits/1/plan?runs=6').expect(503);
    expect(busy.body.error).toBe(
      'busy: other reports or plans are being computed; try again in a few seconds',
    );
    // the page with the plan asked is busy too; without it the page does not wait
    await request(app).get('/fits/1?plan=1&runs=7').expect(503);
    const plain = await request(app).get('/fits/1').expect(200);
    expect(plain.text).toContain('id="plan-form"');
    expect(plain.text).not.toContain('id="plan-result"');
    let settled = false;
    const all = Promise.all(plans).finally(() => {
      settled = true;
    });
    while (!settled) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 10));
    }
    await all;
    expect(asked.map((q) => q.runs)).toEqual([1, 2, 3, 4, 5]);
    // cached: the API and the page answer without planning again
    const doc = await request(app).get('/api/fits/1/plan?runs=3').expect(200);
    expect(doc.body.batch.runs).toHaveLength(3);
    const page = await request(app).get('/fits/1?plan=1&runs=3').expect(200);
    expect(page.text).toContain('id="plan-result"');
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(asked).toHaveLength(5);
    // a restart forgets the fit's plans
    reports.forget(1);
    // (then: supertest sends the request only when it is awaited or then'd)
    const again = request(app)
      .get('/api/fits/1/plan?runs=3')
      .expect(200)
      .then((r) => r);
    await until(() => asked.length >= 6);
    gates.shift()?.();
    await again;
    expect(asked).toHaveLength(6);
  });
});
