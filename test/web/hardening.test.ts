import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../src/diagnostics/checks.js';
import { DataError } from '../../src/errors.js';
import { type FitRecord, openStore, type Store } from '../../src/store/store.js';
import { createApp, describeError } from '../../src/web/app.js';
import type { Engine } from '../../src/web/engine.js';
import { webMessage } from '../../src/web/messages.js';
import { loginThrottle } from '../../src/web/routes/auth.js';
import { diagnosticsBadge } from '../../src/web/routes/pages.js';
import { createRunner } from '../../src/web/runner.js';
import { startServer } from '../../src/web/server.js';
import { CSV, controllableRunFit, fakeEngine } from './helpers.js';
import { type Listening, listen, rawRequest } from './loopback.js';

const TOKEN = 'a-token-of-sixteen-chars';
const stores: Store[] = [];
const servers: Listening[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const s of stores.splice(0)) s.close();
});

function setup(opts: { token?: string; immediate?: boolean; engine?: Partial<Engine> } = {}) {
  const store = openStore(':memory:');
  stores.push(store);
  const fake = controllableRunFit({ immediate: opts.immediate ?? true });
  const runner = createRunner({ store, runFit: fake.runFit, storeIntervalMs: 0 });
  const engine = { ...fakeEngine(fake.runFit), ...opts.engine };
  const app = createApp({ store, runner, token: opts.token, engine });
  return { store, runner, app, fake };
}

const mapping = { heuristic: 'heuristic', task: 'task', score: 'score' };

describe('uploads', () => {
  it('a truncated multipart body is a 400 with a message, not a 500', async () => {
    const { app } = setup();
    const server = await listen(app);
    servers.push(server);
    const boundary = 'XyZ123';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nheuristic,task,score\r\na,b,1\r\n`;
    const res = await rawRequest(
      server.port,
      'POST',
      '/api/datasets',
      {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toBe(
      'upload: the multipart body is incomplete or malformed (Unexpected end of form)',
    );
    const page = await request(app)
      .post('/upload')
      .set('Content-Type', 'multipart/form-data; boundary=nope')
      .send('garbage');
    expect(page.status).toBe(400);
  });

  it('previews echo long cells bounded', async () => {
    const { app } = setup();
    const long = 'x'.repeat(10_000);
    const csv = `heuristic,task,score\n${long},t,1\nb,t,2\n`;
    await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(csv), 'long.csv')
      .expect(201);
    const page = await request(app).get('/datasets/1').expect(200);
    expect(page.text).not.toContain('x'.repeat(81));
    expect(page.text).toContain(`${'x'.repeat(80)}…`);
  });
});

describe('messages for the web', () => {
  it('do not suggest CLI flags and echo values bounded', async () => {
    const long = 'y'.repeat(50_000);
    const { app } = setup({
      engine: {
        checkFit: () => {
          throw new DataError(
            `runs.csv: line 2, column "score": "${long}" is not a finite number (use --drop-missing to drop such rows)`,
          );
        },
      },
    });
    await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(201);
    const res = await request(app).post('/api/fits').send({ dataset: 1, mapping }).expect(400);
    expect(res.body.error).not.toContain('--drop-missing');
    expect(res.body.error).toBe(
      `runs.csv: line 2, column "score": "${'y'.repeat(80)}…" is not a finite number (remove such rows from the CSV before uploading)`,
    );
    const form = await request(app)
      .post('/fits')
      .type('form')
      .send({ dataset: '1', ...mapping, source: 'model', model: 'heuristic-task' })
      .expect(400);
    expect(form.text).not.toContain('--drop-missing');
    expect(form.text).not.toContain('y'.repeat(81));
  });

  it('bound the whole message too', () => {
    expect(webMessage('z'.repeat(10_000)).length).toBe(601);
    expect(describeError(new DataError("x.csv: 'a' ; --drop-missing drops them)")).message).toBe(
      "x.csv: 'a' ; remove them from the CSV before uploading)",
    );
  });
});

describe('restart', () => {
  it('of a running or done fit is 409, as the README says', async () => {
    const { app, fake, store } = setup({ immediate: false });
    await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(201);
    await request(app).post('/api/fits').send({ dataset: 1, mapping }).expect(202);
    await fake.started;
    const running = await request(app).post('/api/fits/1/restart').expect(409);
    expect(running.body.error).toBe('fit 1 is running; only a stopped fit restarts');
    await request(app).post('/fits/1/restart').set('Accept', 'text/html').expect(409);
    fake.release();
    for (let i = 0; i < 100 && store.fitState(1).status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await request(app).post('/api/fits/1/restart').expect(409);
    await request(app).post('/api/fits/99/restart').expect(404);
  });
});

describe('token', () => {
  it('shorter than 16 characters is refused at start', async () => {
    await expect(
      startServer({ port: 0, db: ':memory:', demo: false, token: 'short', log: () => {} }),
    ).rejects.toThrow('--token: at least 16 characters (got 5); e.g. openssl rand -hex 16');
  });

  it('/login answers 429 after 10 wrong tokens a minute from one address', async () => {
    const { app } = setup({ token: TOKEN });
    const server = await listen(app);
    servers.push(server);
    const login = (token: string) =>
      rawRequest(
        server.port,
        'POST',
        '/login',
        { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        `token=${token}&next=%2F`,
      );
    for (let i = 0; i < 10; i++) expect((await login('wrong')).status).toBe(401);
    const blocked = await login(TOKEN);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toContain('too many wrong tokens from this address');
  });

  it('the throttle forgets after its window', () => {
    let t = 0;
    const th = loginThrottle({ failures: 2, windowMs: 1000, addresses: 2 }, () => t);
    th.fail('a');
    th.fail('a');
    expect(th.blocked('a')).toBe(1);
    expect(th.blocked('b')).toBe(0);
    t = 1000;
    expect(th.blocked('a')).toBe(0);
  });
});

describe('diagnostics badge', () => {
  it('uses the shared thresholds', () => {
    const doneFit = (d: Partial<NonNullable<FitRecord['diagnostics']>>) =>
      ({
        status: 'done',
        config: { chains: 4, warmup: 10, draws: 10, seed: 1 },
        diagnostics: { max_rhat: 1, min_ess_bulk: 1000, min_ess_tail: 1000, divergent: 0, ...d },
      }) as unknown as FitRecord;
    const essMin = DEFAULT_THRESHOLDS.essPerChain * 4;
    expect(diagnosticsBadge(doneFit({ max_rhat: DEFAULT_THRESHOLDS.rhat }))?.kind).toBe('ok');
    expect(diagnosticsBadge(doneFit({ max_rhat: DEFAULT_THRESHOLDS.rhat + 0.001 }))?.kind).toBe(
      'warn',
    );
    expect(diagnosticsBadge(doneFit({ min_ess_bulk: essMin }))?.kind).toBe('ok');
    expect(diagnosticsBadge(doneFit({ min_ess_tail: essMin - 1 }))?.kind).toBe('warn');
  });
});

describe('upload header', () => {
  it('a header over the column limit is refused before the parse', async () => {
    let parsed = 0;
    const { app, store } = setup({
      engine: {
        parseCsv: (bytes, source) => {
          parsed++;
          return fakeEngine(controllableRunFit().runFit).parseCsv(bytes, source);
        },
      },
    });
    // 500,000 columns in 1.9 MB: the old path parsed it all (seconds, gigabytes) before the check.
    const header = Array.from({ length: 500_000 }, (_, i) => `c${i}`).join(',');
    const res = await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(`${header}\n`), 'wide.csv')
      .expect(400);
    expect(res.body.error).toBe(
      'wide.csv: line 1: the header has more than 200 columns (the limit is 200 columns)',
    );
    expect(parsed).toBe(0);
    expect(store.listDatasets()).toEqual([]);
  });
});
