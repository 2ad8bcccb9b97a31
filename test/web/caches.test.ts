import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/analysis/types.js';
import { comparisonViewModel } from '../../src/report/comparison-view-model.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import type { Engine, RebuiltReport } from '../../src/web/engine.js';
import { createLru } from '../../src/web/lru.js';
import { createPageCache } from '../../src/web/page-cache.js';
import { createReportViews, parseDecisionQuery } from '../../src/web/report-view.js';
import { createRunner } from '../../src/web/runner.js';
import { CSV, controllableRunFit, fakeComparison, fakeEngine } from './helpers.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** A store with dataset 1 and a finished fit 1 (fake result), and an app over it. */
async function doneFit(engine?: Partial<Engine>) {
  const store = openStore(':memory:');
  stores.push(store);
  const fake = controllableRunFit({ immediate: true });
  const eng = { ...fakeEngine(fake.runFit), ...engine };
  const runner = createRunner({ store, runFit: fake.runFit, storeIntervalMs: 0 });
  const pages = createPageCache();
  const reports = createReportViews(store, async () => eng);
  const app = createApp({ store, runner, engine: eng, caches: { pages, reports } });
  await request(app).post('/api/datasets').attach('file', Buffer.from(CSV), 'runs.csv').expect(201);
  await request(app)
    .post('/api/fits')
    .send({ dataset: 1, mapping: { heuristic: 'heuristic', task: 'task', score: 'score' } })
    .expect(202);
  for (let i = 0; i < 100 && store.fitState(1).status !== 'done'; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(store.fitState(1).status).toBe('done');
  return { store, app, pages, reports };
}

describe('bounded LRU', () => {
  it('evicts the least recently used by count and by bytes', () => {
    const lru = createLru<string>({ entries: 3, bytes: 100 });
    lru.set('a', 'A', 10);
    lru.set('b', 'B', 10);
    lru.set('c', 'C', 10);
    expect(lru.get('a')).toBe('A'); // a is now the most recent
    lru.set('d', 'D', 10);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.size).toBe(3);
    lru.set('e', 'E', 85); // 10 + 10 + 10 + 85 > 100: the oldest go until it fits
    expect(lru.bytes).toBeLessThanOrEqual(100);
    expect(lru.get('e')).toBe('E');
    lru.set('huge', 'H', 101); // larger than the whole bound: not kept
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.get('d')).toBe('D');
    expect(lru.size).toBe(2);
    lru.deleteWhere((k) => k === 'e');
    expect(lru.size).toBe(1);
  });
});

describe('report page cache', () => {
  it('is keyed on what changes the page, not the URL', async () => {
    const { app, pages } = await doneFit();
    const a = await request(app).get('/fits/1?x=1').expect(200);
    const b = await request(app).get('/fits/1?x=2&utm=y').expect(200);
    expect(b.headers.etag).toBe(a.headers.etag);
    expect(pages.size).toBe(1);
    for (let i = 0; i < 20; i++) await request(app).get(`/fits/1?x=${Math.random()}`).expect(200);
    expect(pages.size).toBe(1);
    await request(app).get('/fits/1?filter=sigma').expect(200);
    await request(app).get('/fits/1?rope=2').expect(200);
    // 2.0001 rounds to the same ROPE as 2 (3 significant digits): same page.
    await request(app).get('/fits/1?rope=2.0001').expect(200);
    expect(pages.size).toBe(3);
  });

  it('belongs to its app: two apps do not share pages', async () => {
    const one = await doneFit();
    const two = await doneFit();
    await request(one.app).get('/fits/1').expect(200);
    expect(one.pages.size).toBe(1);
    expect(two.pages.size).toBe(0);
  });
});

describe('rebuilds for another ROPE', () => {
  it('run one at a time, at most 4 wait, the rest answer 503; results are cached', async () => {
    const gates: (() => void)[] = [];
    let calls = 0;
    const rebuildReport: Engine['rebuildReport'] = ({ fit, rope }) => {
      calls++;
      return new Promise<RebuiltReport>((resolve) => {
        gates.push(() => {
          const comparison = {
            ...(fit.comparison as Comparison),
            settings: { ...fit.comparison?.settings, rope },
          };
          resolve({ comparison, vm: comparisonViewModel(comparison, { rope }), plots: {} });
        });
      });
    };
    const { app, store, reports } = await doneFit({ rebuildReport });
    const fit = store.getFit(1);
    // The fit's own ROPE is 1 (fakeComparison): 2..6 are five rebuilds.
    const views = [2, 3, 4, 5, 6].map((rope) => reports.get(fit, { rope }));
    const until = async (ok: () => boolean) => {
      // Bounded wait (5 s): the report module loads on first use, slowly on a busy machine.
      for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(() => calls >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1); // the other four wait for the slot
    const busy = await request(app).get('/fits/1?rope=7').expect(503);
    expect(busy.text).toContain('busy: other ROPE/threshold values are being computed');
    // Open the gates as the rebuilds reach them (each starts when the one before it finished).
    let settled = false;
    const all = Promise.all(views).finally(() => {
      settled = true;
    });
    while (!settled) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 10));
    }
    const done = await all;
    expect(done.map((v) => v.recomputed)).toEqual([true, true, true, true, true]);
    expect(calls).toBe(5);
    await reports.get(fit, { rope: 3 });
    await reports.get(fit, { rope: 1 }); // the stored comparison: no rebuild
    expect(calls).toBe(5);
  });

  it('round ROPE and threshold values', () => {
    expect(parseDecisionQuery({ rope: '0.51234', threshold: '0.95049' })).toEqual({
      rope: 0.512,
      threshold: 0.95,
    });
    expect(() => parseDecisionQuery({ threshold: '0.9999' })).toThrow(/threshold/);
    expect(fakeComparison(['a', 'b']).settings?.rope).toBe(1);
  });
});
