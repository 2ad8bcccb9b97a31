import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import { loopbackHostMatches } from '../../src/web/auth.js';
import { createRunner } from '../../src/web/runner.js';
import { controllableRunFit, fakeEngine } from './helpers.js';
import { type Listening, listen, rawRequest } from './loopback.js';

const open: { store: Store; server: Listening }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.server.close();
    o.store.close();
  }
});

async function serve(token?: string) {
  const store = openStore(':memory:');
  const fake = controllableRunFit({ immediate: true });
  const runner = createRunner({ store, runFit: fake.runFit, storeIntervalMs: 0 });
  const server = await listen(createApp({ store, runner, token, engine: fakeEngine(fake.runFit) }));
  open.push({ store, server });
  return server;
}

describe('Host check without a token (DNS rebinding)', () => {
  it('answers loopback names on the served port only', async () => {
    const s = await serve();
    for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, `[::1]:${s.port}`]) {
      expect((await rawRequest(s.port, 'GET', '/api/datasets', { host })).status).toBe(200);
    }
    const rebind = await rawRequest(s.port, 'GET', '/api/datasets', {
      host: `rebind.evil.example:${s.port}`,
    });
    expect(rebind.status).toBe(421);
    expect(JSON.parse(rebind.body).error).toBe(
      `Host "rebind.evil.example:${s.port}" refused: without --token this server answers only localhost, 127.0.0.1 or [::1] on port ${s.port}`,
    );
    // A page gets the same words, and so does an upload (no state change behind a foreign Host).
    const page = await rawRequest(s.port, 'GET', '/', {
      host: `rebind.evil.example:${s.port}`,
      accept: 'text/html',
    });
    expect(page.status).toBe(421);
    expect(page.body).toContain('only localhost, 127.0.0.1 or [::1]');
    const post = await rawRequest(s.port, 'DELETE', '/api/datasets/1', {
      host: `evil.example:${s.port}`,
    });
    expect(post.status).toBe(421);
    // Right name, wrong port (another server's origin).
    expect((await rawRequest(s.port, 'GET', '/', { host: 'localhost:1' })).status).toBe(421);
  });

  it('leaves Host alone when a token protects the server', async () => {
    const s = await serve('a-token-of-sixteen-chars');
    const res = await rawRequest(s.port, 'GET', '/api/datasets', {
      host: 'bayesbench.lan:8080',
      authorization: 'Bearer a-token-of-sixteen-chars',
    });
    expect(res.status).toBe(200);
  });

  it('matches names exactly', () => {
    expect(loopbackHostMatches('localhost', 80)).toBe(true);
    expect(loopbackHostMatches('LOCALHOST:3000', 3000)).toBe(true);
    expect(loopbackHostMatches('127.5.6.7:3000', 3000)).toBe(true);
    expect(loopbackHostMatches('localhost.evil.example:3000', 3000)).toBe(false);
    expect(loopbackHostMatches('127.0.0.1.nip.io:3000', 3000)).toBe(false);
    expect(loopbackHostMatches('[::1]:3001', 3000)).toBe(false);
    expect(loopbackHostMatches(undefined, 3000)).toBe(false);
  });
});
