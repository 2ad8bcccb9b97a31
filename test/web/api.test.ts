import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareComparison } from '../../src/analysis/prepare.js';
import { parseCsv } from '../../src/data/csv.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import { webMessage } from '../../src/web/messages.js';
import { createRunner } from '../../src/web/runner.js';
import { CSV, controllableRunFit, fakeEngine } from './helpers.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function setup(opts: { immediate?: boolean; token?: string } = {}) {
  const store = openStore(':memory:');
  stores.push(store);
  const fake = controllableRunFit({ immediate: opts.immediate });
  const runner = createRunner({ store, runFit: fake.runFit, storeIntervalMs: 0 });
  const app = createApp({ store, runner, engine: fakeEngine(fake.runFit), token: opts.token });
  return { store, runner, app, fake };
}

const mapping = { heuristic: 'heuristic', task: 'task', score: 'score', category: 'task_category' };

describe('JSON API: datasets', () => {
  it('POST /api/datasets stores a CSV and answers 201 {id, rows, columns}', async () => {
    const { app, store } = setup();
    const res = await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(201);
    expect(res.body).toEqual({
      id: 1,
      rows: 6,
      columns: ['heuristic', 'task', 'task_category', 'score'],
    });
    expect(store.listDatasets()).toHaveLength(1);
    const list = await request(app).get('/api/datasets').expect(200);
    expect(list.body.map((d: { name: string }) => d.name)).toEqual(['runs.csv']);
    const one = await request(app).get('/api/datasets/1').expect(200);
    expect(one.body.detected).toEqual(mapping);
  });

  it.each([
    ['an empty file', Buffer.from(''), /empty file/],
    ['a header only', Buffer.from('heuristic,task,score\n'), /header only/],
    ['binary content', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0xff]), /binary|UTF-8/],
    ['a ragged row', Buffer.from('a,b\n1,2,3\n'), /line 2/],
  ])('rejects %s with 400 and the CLI message, storing nothing', async (_what, body, message) => {
    const { app, store } = setup();
    const res = await request(app)
      .post('/api/datasets')
      .attach('file', body, 'bad.csv')
      .expect(400);
    expect(res.body.error).toMatch(message);
    expect(res.body.error).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(store.listDatasets()).toEqual([]);
  });

  it('rejects a request without the file field and an upload over the size limit', async () => {
    const { app, store } = setup();
    const none = await request(app).post('/api/datasets').field('name', 'x').expect(400);
    expect(none.body.error).toMatch(/field "file"/);
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 'a');
    const over = await request(app)
      .post('/api/datasets')
      .attach('file', big, 'big.csv')
      .expect(413);
    expect(over.body.error).toBe(
      'the file is over the upload limit of 5 MB (256 MB for a per-sample .jsonl)',
    );
    expect(store.listDatasets()).toEqual([]);
  });

  it('rejects a file over the column limit', async () => {
    const { app, store } = setup();
    const header = Array.from({ length: 201 }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: 201 }, () => '1').join(',');
    const res = await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(`${header}\n${row}\n`), 'wide.csv')
      .expect(400);
    // Refused on the header line, before the parse.
    expect(res.body.error).toBe(
      'wide.csv: line 1: the header has more than 200 columns (the limit is 200 columns)',
    );
    expect(store.listDatasets()).toEqual([]);
  });

  it('answers 404 for unknown and malformed ids', async () => {
    const { app } = setup();
    for (const id of ['9', '0', 'abc', '1.5', '-1', '01', '1e3', '99999999999999999999']) {
      await request(app).get(`/api/datasets/${id}`).expect(404);
      const res = await request(app).get(`/api/fits/${id}`).expect(404);
      expect(res.body.error).toMatch(/not found/);
      await request(app).get(`/fits/${id}`).expect(404);
    }
    await request(app).get('/no/such/page').expect(404);
  });
});

describe('JSON API: fits', () => {
  it('queues a fit (202), reports progress, finishes, serves the summary', async () => {
    const { app, fake, runner } = setup();
    await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(201);
    const res = await request(app)
      .post('/api/fits')
      .send({ dataset: 1, mapping, chains: 2, warmup: 10, draws: 10, seed: 3 })
      .expect(202);
    expect(res.body).toEqual({ id: 1 });
    await fake.started;
    const running = await request(app).get('/api/fits/1').expect(200);
    expect(running.body.status).toBe('running');
    // Two chains at 5 of 10 iterations each: half done (12 digits: only float rounding may differ).
    expect(running.body.progress).toBeCloseTo(0.5, 12);
    await request(app).get('/api/fits/1/summary').expect(409);
    fake.release();
    await runner.idle();
    const done = await request(app).get('/api/fits/1').expect(200);
    expect(done.body).toMatchObject({ id: 1, status: 'done', progress: 1 });
    const summary = await request(app).get('/api/fits/1/summary').expect(200);
    expect(summary.body.heuristics.map((h: { name: string }) => h.name)).toContain('reformer');
    const list = await request(app).get('/api/fits').expect(200);
    expect(list.body).toHaveLength(1);
  });

  it('rejects a mapping that does not fit the dataset with 400 and creates no fit', async () => {
    const { app, store } = setup();
    await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(201);
    const missing = await request(app)
      .post('/api/fits')
      .send({ dataset: 1, mapping: { ...mapping, score: 'accuracy' } })
      .expect(400);
    expect(missing.body.error).toMatch(/accuracy/);
    const text = await request(app)
      .post('/api/fits')
      .send({ dataset: 1, mapping: { ...mapping, score: 'task' } })
      .expect(400);
    expect(text.body.error).toMatch(/not numeric/);
    const bad = await request(app)
      .post('/api/fits')
      .send({ dataset: 1, mapping, chains: 0 })
      .expect(400);
    expect(bad.body.error).toMatch(/^chains:/);
    await request(app).post('/api/fits').send({ dataset: 7, mapping }).expect(404);
    await request(app)
      .post('/api/fits')
      .set('Content-Type', 'application/json')
      .send('{"dataset":')
      .expect(400);
    expect(store.listFits()).toEqual([]);
  });

  it('cancels a running fit and restarts it', async () => {
    const { app, fake, runner } = setup();
    await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(201);
    await request(app).post('/api/fits').send({ dataset: 1, mapping }).expect(202);
    await fake.started;
    await request(app).post('/api/fits/1/cancel').expect(202);
    await runner.idle();
    const res = await request(app).get('/api/fits/1').expect(200);
    expect(res.body).toMatchObject({ status: 'cancelled', error: 'cancelled by the user' });
    await request(app).post('/api/fits/1/cancel').expect(409);
    const again = await request(app).post('/api/fits/1/restart').expect(202);
    expect(['queued', 'running']).toContain(again.body.status);
  });
});

describe('JSON API: deleting', () => {
  /** Upload the CSV and finish `n` fits of it; returns their ids. */
  async function finishedFits(app: ReturnType<typeof setup>['app'], n: number) {
    const up = await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(201);
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const res = await request(app)
        .post('/api/fits')
        .send({ dataset: up.body.id, mapping })
        .expect(202);
      ids.push(res.body.id);
    }
    return { dataset: up.body.id as number, ids };
  }
  const drawRows = (store: Store, fitId: number) =>
    (
      store.db.prepare('SELECT count(*) AS n FROM draws WHERE fit_id = ?').get(fitId) as {
        n: number;
      }
    ).n;

  it('DELETE /api/fits/:id removes a finished fit, its pages and its draws (204)', async () => {
    const { app, store, runner } = setup({ immediate: true });
    const { ids } = await finishedFits(app, 2);
    await runner.idle();
    const [a, b] = ids;
    expect(drawRows(store, a)).toBeGreaterThan(0);
    const res = await request(app).delete(`/api/fits/${a}`).expect(204);
    expect(res.text).toBe('');
    const list = await request(app).get('/api/fits').expect(200);
    expect(list.body.map((f: { id: number }) => f.id)).toEqual([b]);
    for (const path of [`/api/fits/${a}`, `/api/fits/${a}/summary`]) {
      const gone = await request(app).get(path).expect(404);
      expect(gone.body).toEqual({ error: `fit ${a} not found`, status: 404 });
    }
    for (const path of ['', '/variables', '/draws.csv', '/summary.json', '/report.html']) {
      await request(app).get(`/fits/${a}${path}`).expect(404);
    }
    expect(drawRows(store, a)).toBe(0);
    expect(drawRows(store, b)).toBeGreaterThan(0);
    await request(app).get(`/fits/${b}`).expect(200);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('DELETE /api/datasets/:id removes the dataset and both its fits (204)', async () => {
    const { app, store, runner } = setup({ immediate: true });
    const { dataset, ids } = await finishedFits(app, 2);
    const other = await finishedFits(app, 1);
    await runner.idle();
    await request(app).delete(`/api/datasets/${dataset}`).expect(204);
    const datasets = await request(app).get('/api/datasets').expect(200);
    expect(datasets.body.map((d: { id: number }) => d.id)).toEqual([other.dataset]);
    const fits = await request(app).get('/api/fits').expect(200);
    expect(fits.body.map((f: { id: number }) => f.id)).toEqual(other.ids);
    await request(app).get(`/api/datasets/${dataset}`).expect(404);
    await request(app).get(`/datasets/${dataset}`).expect(404);
    for (const id of ids) {
      await request(app).get(`/api/fits/${id}`).expect(404);
      expect(drawRows(store, id)).toBe(0);
    }
    expect(store.db.prepare('SELECT count(*) AS n FROM jobs').get()).toEqual({ n: 0 });
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
  });

  it('answers 404 with the usual words for unknown and malformed ids', async () => {
    const { app } = setup();
    for (const id of ['9', '0', 'abc', '1.5']) {
      const fit = await request(app).delete(`/api/fits/${id}`).expect(404);
      expect(fit.body).toEqual({ error: `fit ${id} not found`, status: 404 });
      const ds = await request(app).delete(`/api/datasets/${id}`).expect(404);
      expect(ds.body).toEqual({ error: `dataset ${id} not found`, status: 404 });
    }
  });

  it('cancels a running and a queued fit before deleting them; later fits still complete', async () => {
    const { app, store, runner, fake } = setup();
    const { dataset, ids } = await finishedFits(app, 3);
    const [running, queued, third] = ids;
    await fake.started;
    expect(store.getFit(running).status).toBe('running');
    expect(store.getFit(queued).status).toBe('queued');
    const events: string[] = [];
    runner.subscribeAll((e) => {
      if (e.type === 'status') events.push(`${e.fitId}:${e.status}`);
    });
    await request(app).delete(`/api/fits/${queued}`).expect(204);
    await request(app).delete(`/api/fits/${running}`).expect(204);
    expect(events).toEqual([`${queued}:cancelled`, `${running}:cancelled`]);
    await request(app).get(`/api/fits/${running}`).expect(404);
    await request(app).get(`/api/fits/${queued}`).expect(404);
    // The next queued fit started when the deleted one stopped; the server goes on working.
    expect(store.getFit(third).status).toBe('running');
    fake.release();
    await runner.idle();
    expect(store.getFit(third).status).toBe('done');
    const later = await request(app).post('/api/fits').send({ dataset, mapping }).expect(202);
    fake.release();
    await runner.idle();
    const done = await request(app).get(`/api/fits/${later.body.id}`).expect(200);
    expect(done.body.status).toBe('done');
    // A dataset whose fit is running: cancelled, then everything of it is gone.
    const next = await request(app).post('/api/fits').send({ dataset, mapping }).expect(202);
    expect(store.getFit(next.body.id).status).toBe('running');
    await request(app).delete(`/api/datasets/${dataset}`).expect(204);
    expect(store.listFits()).toEqual([]);
    expect(store.listDatasets()).toEqual([]);
    await runner.idle();
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('refuses a cross-site DELETE and needs the token', async () => {
    const { app, store, runner } = setup({ immediate: true, token: 's3cret' });
    const auth = { Authorization: 'Bearer s3cret' };
    await request(app)
      .post('/api/datasets')
      .set(auth)
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(201);
    await request(app).post('/api/fits').set(auth).send({ dataset: 1, mapping }).expect(202);
    await runner.idle();
    await request(app).delete('/api/fits/1').expect(401);
    await request(app).delete('/api/datasets/1').expect(401);
    await request(app)
      .delete('/api/fits/1')
      .set(auth)
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(403);
    await request(app)
      .delete('/api/datasets/1')
      .set(auth)
      .set('Origin', 'https://evil.example')
      .expect(403);
    expect(store.listFits()).toHaveLength(1);
    await request(app).delete('/api/fits/1').set(auth).expect(204);
    await request(app).delete('/api/datasets/1').set(auth).expect(204);
    expect(store.listDatasets()).toEqual([]);
  });
});

describe('with the real data layer (default engine)', () => {
  it('a mapping error is the CLI message (CLI hints worded for the web) and creates no fit', async () => {
    const store = openStore(':memory:');
    stores.push(store);
    const fake = controllableRunFit();
    const runner = createRunner({ store, runFit: fake.runFit });
    // Only runFit is faked: parsing and mapping checks are the data layer's, as the CLI uses them.
    const app = createApp({ store, runner, engine: { runFit: fake.runFit } });
    await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(201);
    for (const bad of [
      { ...mapping, score: 'accuracy' },
      { ...mapping, score: 'task' },
    ]) {
      let cli = '';
      try {
        prepareComparison(parseCsv(CSV, { source: 'runs.csv' }), {
          columns: { ...bad, seed: null, study: null, std: null, n: null, trials: null },
        });
      } catch (err) {
        cli = (err as Error).message;
      }
      expect(cli).not.toBe('');
      const res = await request(app)
        .post('/api/fits')
        .send({ dataset: 1, mapping: bad })
        .expect(400);
      expect(res.body.error).toBe(webMessage(cli));
      expect(res.body.error).not.toContain('--drop-missing');
    }
    expect(store.listFits()).toEqual([]);
  });

  it('row filters (the CLI --filter) make a table with two settings comparable', async () => {
    const store = openStore(':memory:');
    stores.push(store);
    const fake = controllableRunFit();
    const runner = createRunner({ store, runFit: fake.runFit });
    const app = createApp({ store, runner, engine: { runFit: fake.runFit } });
    // `setting` is no role bayesbench detects (a `budget` column would be: each budget an arm)
    const rows = ['heuristic,task,setting,score'];
    for (const h of ['a', 'b', 'c']) {
      for (const t of ['t1', 't2'])
        for (const b of ['128', '512']) rows.push(`${h},${t},${b},${rows.length}`);
    }
    await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(`${rows.join('\n')}\n`), 'budgets.csv')
      .expect(201);
    const m = { heuristic: 'heuristic', task: 'task', score: 'score' };
    const dup = await request(app).post('/api/fits').send({ dataset: 1, mapping: m }).expect(400);
    expect(dup.body.error).toMatch(/duplicate rows/);
    await request(app)
      .post('/api/fits')
      .send({ dataset: 1, mapping: m, filters: ['setting=128'] })
      .expect(202);
    const job = await fake.started;
    expect(job.spec.filters).toEqual(['setting=128']);
  });
});

describe('cross-site requests', () => {
  it('refuses a POST whose Origin is another site, accepts the same origin', async () => {
    const { app, store } = setup();
    await request(app)
      .post('/api/datasets')
      .set('Origin', 'https://evil.example')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(403);
    await request(app)
      .post('/api/fits')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ dataset: 1, mapping: { heuristic: 'h', task: 't', score: 's' } })
      .expect(403);
    expect(store.listDatasets()).toEqual([]);
    await request(app)
      .post('/api/datasets')
      .set('Sec-Fetch-Site', 'same-origin')
      .set('Origin', 'null')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(201);
    // Origin equal to a non-loopback Host: same-origin, but without a token such a Host is refused
    // (DNS rebinding; test/web/host.test.ts); with a token it passes.
    await request(app)
      .post('/api/datasets')
      .set('Host', 'bayesbench.local:3000')
      .set('Origin', 'http://bayesbench.local:3000')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(421);
    const store2 = openStore(':memory:');
    try {
      const fake = controllableRunFit({ immediate: true });
      const tokenApp = createApp({
        store: store2,
        runner: createRunner({ store: store2, runFit: fake.runFit, storeIntervalMs: 0 }),
        token: 'a-token-of-sixteen-chars',
        engine: fakeEngine(fake.runFit),
      });
      await request(tokenApp)
        .post('/api/datasets')
        .set('Host', 'bayesbench.local:3000')
        .set('Origin', 'http://bayesbench.local:3000')
        .set('Authorization', 'Bearer a-token-of-sixteen-chars')
        .attach('file', Buffer.from(CSV), 'runs.csv')
        .expect(201);
    } finally {
      store2.close();
    }
  });
});

describe('token auth', () => {
  it('needs the bearer token or the login cookie on every request', async () => {
    const { app } = setup({ token: 's3cret' });
    await request(app).get('/api/fits').expect(401);
    await request(app).get('/api/fits').set('Authorization', 'Bearer wrong').expect(401);
    await request(app).get('/api/fits').set('Authorization', 'Bearer s3cret').expect(200);
    const page = await request(app).get('/').set('Accept', 'text/html').expect(303);
    expect(page.headers.location).toBe('/login?next=%2F');
    await request(app).post('/login').type('form').send({ token: 'nope' }).expect(401);
    const login = await request(app)
      .post('/login')
      .type('form')
      .send({ token: 's3cret', next: '/' })
      .expect(303);
    const cookie = login.headers['set-cookie'][0];
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    await request(app).get('/').set('Cookie', cookie.split(';')[0]).expect(200);
  });
});
