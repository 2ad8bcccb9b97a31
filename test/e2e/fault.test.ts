import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { exited, poll, type ServerChild, startChild } from './child.js';

const dir = mkdtempSync(join(tmpdir(), 'bb-fault-'));
const db = join(dir, 'fault.db');
const children: ServerChild[] = [];
afterAll(() => {
  for (const c of children) c.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const csv = readFileSync(new URL('../../fixtures/real/lra_tay2021.csv', import.meta.url));
const mapping = { heuristic: 'heuristic', task: 'task', score: 'value', category: 'task_category' };

async function json(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('kill -9 during a fit', () => {
  // Generous timeout: the machine may be busy with other test files (it has 2 cores).
  it('marks the fit interrupted on restart and keeps everything before it intact', {
    timeout: 400_000,
  }, async () => {
    const a = await startChild(db);
    children.push(a);
    const form = new FormData();
    form.append('file', new Blob([csv]), 'lra_tay2021.csv');
    const up = await json(`${a.url}api/datasets`, { method: 'POST', body: form });
    expect(up.status).toBe(201);
    const post = (body: unknown) =>
      json(`${a.url}api/fits`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    // A short fit that finishes, then a long one that is killed half-way.
    const first = await post({ dataset: 1, mapping, chains: 2, warmup: 100, draws: 100 });
    expect(first.status).toBe(202);
    await poll(async () => {
      const s = await json(`${a.url}api/fits/1`);
      return s.body.status === 'done' ? true : undefined;
    });
    const second = await post({ dataset: 1, mapping, chains: 2, warmup: 20000, draws: 20000 });
    expect(second.status).toBe(202);
    await poll(async () => {
      const s = await json(`${a.url}api/fits/2`);
      return s.body.status === 'running' && (s.body.progress as number) > 0 ? true : undefined;
    });
    a.child.kill('SIGKILL');
    await exited(a.child);

    const b = await startChild(db);
    children.push(b);
    const fits = await json(`${b.url}api/fits/2`);
    expect(fits.body.status).toBe('interrupted');
    const done = await json(`${b.url}api/fits/1/summary`);
    expect(done.status).toBe(200);
    const names = (done.body.heuristics as { name: string }[]).map((h) => h.name);
    // Every heuristic of the table (one column of the fixture) is in the finished fit's document.
    const levels = new Set(
      csv
        .toString()
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[1]),
    );
    expect(new Set(names)).toEqual(levels);
    const page = await fetch(`${b.url}fits/2`);
    expect(await page.text()).toContain('id="restart"');
    b.child.kill('SIGTERM');
    await exited(b.child);

    const store = openStore(db);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(store.listDatasets()).toHaveLength(1);
    expect(store.getFit(1).status).toBe('done');
    expect(store.drawVariables(1).length).toBeGreaterThan(0);
    // No draws of the interrupted fit are kept as if final.
    expect(store.getFit(2).status).toBe('interrupted');
    expect(store.getDraws(2)).toBeNull();
    store.close();
  });
});
