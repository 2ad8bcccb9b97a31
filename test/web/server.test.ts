import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { openStore } from '../../src/store/store.js';
import { isLoopback, seedDemo, startServer } from '../../src/web/server.js';

describe('startServer', () => {
  it('needs a token on a non-loopback host and checks port and jobs', async () => {
    await expect(startServer({ host: '0.0.0.0', db: ':memory:', demo: false })).rejects.toThrow(
      /--host 0\.0\.0\.0 is not a loopback address: give --token/,
    );
    await expect(startServer({ port: 70000, db: ':memory:' })).rejects.toBeInstanceOf(ConfigError);
    await expect(startServer({ jobs: 0, db: ':memory:' })).rejects.toThrow(/--jobs/);
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '192.168.1.2', '::', 'example.com'].some(isLoopback)).toBe(false);
  });

  it('listens on loopback, answers, and closes', async () => {
    const s = await startServer({ port: 0, db: ':memory:', demo: false, log: () => {} });
    try {
      const res = await fetch(`${s.url}api/fits`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('imports the demo dataset and queues its fit into an empty store only', () => {
    const store = openStore(':memory:');
    const id = seedDemo(store);
    expect(id).toBe(1);
    const fit = store.getFit(1);
    expect(fit.status).toBe('queued');
    expect(fit.spec.mapping).toEqual({
      heuristic: 'heuristic',
      task: 'task',
      score: 'value',
      category: 'task_category',
    });
    expect(store.listDatasets()[0].summary.rows).toBe(55);
    expect(seedDemo(store)).toBeNull();
    store.close();
  });
});
