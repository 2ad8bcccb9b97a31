import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import { createRunner } from '../../src/web/runner.js';
import { CSV, controllableRunFit, fakeEngine } from './helpers.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const XSS = '<script>alert(1)</script>';

function setup(immediate = true) {
  const store = openStore(':memory:');
  stores.push(store);
  const fake = controllableRunFit({ immediate });
  const runner = createRunner({ store, runFit: fake.runFit, storeIntervalMs: 0 });
  const app = createApp({ store, runner, engine: fakeEngine(fake.runFit) });
  return { store, runner, app, fake };
}

/** Upload the CSV through the form and start a fit through the New fit form. */
async function uploadAndFit(app: ReturnType<typeof setup>['app']) {
  const up = await request(app)
    .post('/upload')
    .attach('file', Buffer.from(CSV), 'runs.csv')
    .expect(303);
  expect(up.headers.location).toBe('/datasets/1');
  const fit = await request(app)
    .post('/fits')
    .type('form')
    .send({
      dataset: '1',
      heuristic: 'heuristic',
      task: 'task',
      score: 'score',
      category: 'task_category',
      source: 'model',
      model: 'heuristic-task',
      chains: '2',
      warmup: '20',
      draws: '20',
      sampler_seed: '1',
    })
    .expect(303);
  expect(fit.headers.location).toBe('/fits/1');
}

describe('pages', () => {
  it('sets helmet headers with a CSP that forbids inline scripts', async () => {
    const { app } = setup();
    const res = await request(app).get('/').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toMatch(/script-src-attr 'none'/);
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    expect(res.headers['x-powered-by']).toBeUndefined();
    await request(app)
      .get('/static/progress.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
  });

  it('upload page shows the CLI message for a bad file and stores nothing', async () => {
    const { app, store } = setup();
    const res = await request(app)
      .post('/upload')
      .attach('file', Buffer.from('a,b\n1,2,3\n'), 'ragged.csv')
      .expect(400);
    expect(res.text).toMatch(/ragged\.csv: line 2/);
    expect(store.listDatasets()).toEqual([]);
  });

  it('escapes a hostile heuristic name on every page', async () => {
    const { app, runner } = setup();
    await uploadAndFit(app);
    await runner.idle();
    for (const path of ['/', '/datasets/1', '/fits/1', '/fits/new?dataset=1']) {
      const res = await request(app).get(path).expect(200);
      expect(res.text, path).not.toContain(XSS);
      if (path === '/datasets/1' || path === '/fits/1')
        expect(res.text, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    // Inside the server-side SVG plots the name is escaped too (linkedom serializes text nodes).
    const report = await request(app).get('/fits/1').expect(200);
    expect(report.text).toContain('id="recommendations"');
    // The leave-one-task-out check and the variance components, as in the static report.
    expect(report.text).toContain('id="robustness-table"');
    expect(report.text).toContain('rests on a task');
    expect(report.text).toContain('id="variance-table"');
    expect(report.text).toContain('sd_heuristic__Intercept');
    expect(report.text).toMatch(/<svg/);
  });

  it('dataset page shows the preview and column summary; a bad mapping shows the message', async () => {
    const { app } = setup();
    await request(app).post('/upload').attach('file', Buffer.from(CSV), 'runs.csv').expect(303);
    const page = await request(app).get('/datasets/1').expect(200);
    expect(page.text).toContain('id="preview"');
    expect(page.text).toMatch(/min 15\.8, mean/);
    const bad = await request(app)
      .get('/fits/new?dataset=1&heuristic=heuristic&task=task&score=task')
      .expect(400);
    expect(bad.text).toMatch(
      /column &#34;task&#34; is not numeric|column &quot;task&quot; is not numeric/,
    );
    const ok = await request(app)
      .get('/fits/new?dataset=1&heuristic=heuristic&task=task&score=score')
      .expect(200);
    expect(ok.text).toContain('student_t(3, 0, 2.5)');
  });

  it('progress page while running, SSE stream until done, then the report', async () => {
    const { app, fake, runner } = setup(false);
    await uploadAndFit(app);
    await fake.started;
    const progress = await request(app).get('/fits/1').expect(200);
    expect(progress.text).toContain('id="progress"');
    expect(progress.text).toContain('/static/progress.js');
    const events = request(app)
      .get('/fits/1/events')
      .buffer(true)
      .parse((res, cb) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => cb(null, text));
      });
    const pending = events.then((r) => r);
    // Release the fit once the stream is open (the first event is sent at once).
    setTimeout(() => fake.release(), 50);
    const res = await pending;
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    expect(res.body).toMatch(/^event: progress\ndata: \{/);
    expect(res.body).toMatch(/event: status\ndata: \{"status":"done"/);
    await runner.idle();
    const report = await request(app).get('/fits/1').expect(200);
    expect(report.text).toContain('id="diagnostics"');
    // A finished fit's stream sends its state and ends at once.
    const again = await request(app).get('/fits/1/events').expect(200);
    expect(again.text).toMatch(/event: status\ndata: \{"status":"done"/);
  });

  it('report: rope/threshold query re-render, bad values are 400, downloads and explorer work', async () => {
    const { app, runner } = setup();
    await uploadAndFit(app);
    await runner.idle();
    const r = await request(app).get('/fits/1?rope=2&threshold=0.9').expect(200);
    expect(r.text).toContain('value="2"');
    await request(app).get('/fits/1?rope=-1').expect(400);
    await request(app).get('/fits/1?threshold=abc').expect(400);
    // Filters are text or globs, never regular expressions: '(' is just a character.
    const paren = await request(app).get('/fits/1?filter=(').expect(200);
    expect(paren.text).not.toContain('error-message');
    const long = await request(app)
      .get(`/fits/1?filter=${'x'.repeat(201)}`)
      .expect(200);
    expect(long.text).toContain('longer than 200 characters');
    const csv = await request(app).get('/fits/1/draws.csv').expect(200);
    expect(csv.text.split('\n')[0]).toBe('chain,draw,b_Intercept,sigma');
    expect(csv.text.split('\n')[1]).toBe('1,1,1,3');
    await request(app)
      .get('/fits/1/summary.csv')
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    const json = await request(app).get('/fits/1/summary.json').expect(200);
    expect(json.body.heuristics).toHaveLength(3);
    const html = await request(app).get('/fits/1/report.html').expect(200);
    expect(html.text).toMatch(/^<!doctype html>/i);
    expect(html.text).not.toContain(XSS);
    const v = await request(app).get('/fits/1/variables?name=sigma').expect(200);
    expect(v.text).toContain('id="plot-trace"');
    await request(app).get('/fits/1/variables?name=nope').expect(404);
  });

  it('Delete buttons: fit and dataset forms redirect home; cross-site POSTs are refused', async () => {
    const { app, store, runner } = setup();
    await uploadAndFit(app);
    await runner.idle();
    const report = await request(app).get('/fits/1').expect(200);
    expect(report.text).toContain('<form method="post" action="/fits/1/delete"');
    const dataset = await request(app).get('/datasets/1').expect(200);
    expect(dataset.text).toContain('<form method="post" action="/datasets/1/delete"');
    expect(dataset.text).toContain('Delete this dataset and its 1 fit<');
    await request(app).post('/fits/1/delete').set('Sec-Fetch-Site', 'cross-site').expect(403);
    await request(app).post('/datasets/1/delete').set('Origin', 'https://evil.example').expect(403);
    expect(store.listFits()).toHaveLength(1);
    const fit = await request(app)
      .post('/fits/1/delete')
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(303);
    expect(fit.headers.location).toBe('/');
    await request(app).get('/fits/1').expect(404);
    const home = await request(app).get('/').expect(200);
    expect(home.text).not.toContain('href="/fits/1"');
    await request(app).post('/fits/1/delete').expect(404);
    const ds = await request(app)
      .post('/datasets/1/delete')
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(303);
    expect(ds.headers.location).toBe('/');
    await request(app).get('/datasets/1').expect(404);
    expect(store.listDatasets()).toEqual([]);
    const gone = await request(app)
      .post('/datasets/1/delete')
      .set('Accept', 'text/html')
      .expect(404);
    expect(gone.text).toContain('dataset 1 not found');
  });

  it('the progress page of a running fit has a Delete button that cancels it first', async () => {
    const { app, store, runner } = setup(false);
    await uploadAndFit(app);
    const progress = await request(app).get('/fits/1').expect(200);
    expect(progress.text).toContain('action="/fits/1/delete"');
    expect(store.getFit(1).status).toBe('running');
    const res = await request(app).post('/fits/1/delete').expect(303);
    expect(res.headers.location).toBe('/');
    await runner.idle();
    expect(store.listFits()).toEqual([]);
    await request(app).get('/').expect(200);
  });
});
