import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, type ServerChild, startChild } from './child.js';
import { seedDoneFit } from './seed.js';

/**
 * Requests an attacker (or any web page, through `<img src>`) can send to a loopback server, against
 * the real server in a child process: if one froze its event loop, the bounded fetches here fail
 * instead of the test process hanging with it.
 */

const dir = mkdtempSync(join(tmpdir(), 'bb-hostile-'));
let server: ServerChild;

beforeAll(async () => {
  seedDoneFit(join(dir, 'hostile.db'), { variables: 300 });
  server = await startChild(join(dir, 'hostile.db'));
}, 60_000);

afterAll(async () => {
  // SIGKILL: a server whose event loop is stuck would never run its SIGTERM handler.
  server?.child.kill('SIGKILL');
  if (server) await exited(server.child);
  rmSync(dir, { recursive: true, force: true });
});

/** GET with a deadline: 10 s is far above a normal answer (tens of ms) on a busy 2-core machine. */
function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path.replace(/^\//, '')}`, {
    headers,
    signal: AbortSignal.timeout(10_000),
  });
}

describe('hostile requests to a loopback server', () => {
  it('a catastrophic-backtracking filter answers, and the next request too', async () => {
    const hostile = encodeURIComponent('^([\\s\\S]|[\\s\\S])*!');
    const res = await get(`/fits/1?filter=${hostile}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('0 of 300 variables');
    const glob = encodeURIComponent(`${'*a'.repeat(99)}!`);
    expect((await get(`/fits/1?filter=${glob}`)).status).toBe(200);
    const next = await get('/api/fits/1');
    expect(next.status).toBe(200);
    expect(((await next.json()) as { status: string }).status).toBe('done');
    const some = await (await get(`/fits/1?filter=${encodeURIComponent('r_task[t1?,*')}`)).text();
    expect(some).toContain('10 of 300 variables');
  }, 60_000);
});
