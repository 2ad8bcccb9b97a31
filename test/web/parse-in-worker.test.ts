import { readFileSync } from 'node:fs';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { BayesbenchError } from '../../src/errors.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import { parseInWorker } from '../../src/web/parse-in-worker.js';

const csv = new Uint8Array(
  readFileSync(new URL('../../fixtures/real/lra_tay2021.csv', import.meta.url)),
);
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('uploads are parsed on a worker thread', () => {
  it('gives the same Table as parseCsv on this thread', async () => {
    const there = await parseInWorker(csv, 'lra.csv');
    expect(there.format).toBe('csv');
    expect(there.table).toEqual(parseCsv(csv, { source: 'lra.csv' }));
  });

  it("keeps the parser's DataError (message and 400) across the thread boundary", async () => {
    const bad = new TextEncoder().encode('heuristic,task,score\na,t1,0.5\nb,t1\n');
    let here: unknown;
    try {
      parseCsv(bad, { source: 'bad.csv' });
    } catch (err) {
      here = err;
    }
    const there = await parseInWorker(bad, 'bad.csv').catch((err: unknown) => err);
    expect(there).toBeInstanceOf(BayesbenchError);
    expect((there as BayesbenchError).status).toBe(400);
    expect((there as Error).message).toBe((here as Error).message);
  });

  it('the upload route of the default engine stores the dataset parsed there', {
    timeout: 60_000,
  }, async () => {
    const store = openStore(':memory:');
    stores.push(store);
    const app = createApp({
      store,
      engine: { runFit: async () => Promise.reject(new Error('no fits')) },
    });
    const res = await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(csv), 'lra.csv')
      .expect(201);
    expect(res.body.rows).toBe(parseCsv(csv, { source: 'lra.csv' }).nRows);
    expect(store.listDatasets()).toHaveLength(1);
  });
});
