import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import { safeNext } from '../../src/web/routes/auth.js';
import { createRunner } from '../../src/web/runner.js';
import { controllableRunFit, fakeEngine } from './helpers.js';

const TOKEN = 'a-token-of-sixteen-chars';
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function tokenApp() {
  const store = openStore(':memory:');
  stores.push(store);
  const fake = controllableRunFit({ immediate: true });
  const runner = createRunner({ store, runFit: fake.runFit, storeIntervalMs: 0 });
  return createApp({ store, runner, token: TOKEN, engine: fakeEngine(fake.runFit) });
}

describe('login redirect (open redirect)', () => {
  it('goes back only to a path on this server', async () => {
    const app = tokenApp();
    const hostile = [
      '/\\evil.example/',
      '//evil.example/',
      '/\t/evil.example',
      '/%5Cevil.example',
      'https://evil.example/',
      '\\\\evil.example',
      '/ /evil.example',
      '/x/../..//evil.example',
    ];
    for (const next of hostile) {
      const res = await request(app)
        .post('/login')
        .type('form')
        .send({ token: TOKEN, next })
        .expect(303);
      const location = res.headers.location;
      // '/%5Cevil.example' is a same-site path (an escaped backslash stays a path character).
      expect(new URL(location, 'http://127.0.0.1:3000').host).toBe('127.0.0.1:3000');
      expect(location).not.toContain('\\');
      expect(location.startsWith('//')).toBe(false);
    }
    const ok = await request(app)
      .post('/login')
      .type('form')
      .send({ token: TOKEN, next: '/fits/1?filter=sd_*&page=2' })
      .expect(303);
    expect(ok.headers.location).toBe('/fits/1?filter=sd_*&page=2');
    const form = await request(app).get('/login?next=%2F%5Cevil.example%2F').expect(200);
    expect(form.text).toContain('name="next" value="/"');
  });

  it('safeNext keeps same-site paths and drops the rest', () => {
    expect(safeNext('/\\evil.example/')).toBe('/');
    expect(safeNext('/datasets/2')).toBe('/datasets/2');
    expect(safeNext('/x/../..//evil.example')).toBe('/');
    expect(safeNext(42)).toBe('/');
  });
});
