import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueFullError } from '../../src/errors.js';
import { DEFAULT_MAX_QUEUED_FITS, openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import { createRunner } from '../../src/web/runner.js';
import { CSV, controllableRunFit, fakeEngine } from './helpers.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const spec = { mapping: { heuristic: 'h', task: 't', score: 'y' } };
const config = { chains: 1, warmup: 10, draws: 10, seed: 1 };
const full = (n: number, max: number) =>
  `the fit queue is full (${n} fits queued, the limit is ${max}): wait until some finish or cancel some, then try again`;

describe('the fit queue cap', () => {
  it(`refuses a fit beyond ${DEFAULT_MAX_QUEUED_FITS} queued (429), storing nothing`, () => {
    const store = openStore(':memory:');
    stores.push(store);
    const ds = store.addDataset({
      name: 'd.csv',
      csv: new Uint8Array([1]),
      summary: { rows: 0, columns: [] },
    });
    for (let i = 0; i < DEFAULT_MAX_QUEUED_FITS; i++)
      store.createFit({ datasetId: ds.id, spec, config });
    const err = (() => {
      try {
        store.createFit({ datasetId: ds.id, spec, config });
      } catch (e) {
        return e as QueueFullError;
      }
    })();
    expect(err).toBeInstanceOf(QueueFullError);
    expect(err?.status).toBe(429);
    expect(err?.message).toBe(full(32, 32));
    expect(store.listFits()).toHaveLength(32);
    // A fit that starts leaves the queue and frees a place.
    store.markRunning(store.queuedFitIds()[0]);
    expect(store.createFit({ datasetId: ds.id, spec, config }).status).toBe('queued');
  });

  it('a restart into a full queue is refused and the fit stays as it was', async () => {
    const store = openStore(':memory:', { maxQueuedFits: 1 });
    stores.push(store);
    const ds = store.addDataset({
      name: 'd.csv',
      csv: new Uint8Array([1]),
      summary: { rows: 0, columns: [] },
    });
    const failed = store.createFit({ datasetId: ds.id, spec, config }).id;
    store.failFit(failed, 'failed', 'boom');
    store.createFit({ datasetId: ds.id, spec, config });
    const runner = createRunner({ store, runFit: controllableRunFit().runFit, jobs: 1 });
    await runner.close();
    expect(() => runner.restart(failed)).toThrow(full(1, 1));
    expect(store.getFit(failed)).toMatchObject({ status: 'failed', error: 'boom' });
  });

  it('POST /api/fits answers 429 with the message when the queue is full', async () => {
    const store = openStore(':memory:', { maxQueuedFits: 1 });
    stores.push(store);
    const fake = controllableRunFit();
    const runner = createRunner({ store, runFit: fake.runFit });
    const app = createApp({ store, runner, engine: fakeEngine(fake.runFit) });
    await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(CSV), 'runs.csv')
      .expect(201);
    const mapping = { heuristic: 'heuristic', task: 'task', score: 'score' };
    const post = () =>
      request(app)
        .post('/api/fits')
        .send({ dataset: 1, mapping, chains: 1, warmup: 10, draws: 10 });
    await post().expect(202); // runs
    await fake.started;
    await post().expect(202); // queued: the queue is full
    const res = await post().expect(429);
    expect(res.body).toEqual({ error: full(1, 1), status: 429 });
    expect(store.listFits()).toHaveLength(2);
    fake.release();
    await runner.close();
  });
});
