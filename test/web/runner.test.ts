import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import type { FitJob, RunFit } from '../../src/web/engine.js';
import { createRunner } from '../../src/web/runner.js';
import { fakeComparison } from './helpers.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** A runFit whose fits wait until released by id; records which run at once. */
function gatedRunFit() {
  const gates = new Map<number, () => void>();
  let active = 0;
  let maxActive = 0;
  const runFit: RunFit = (job: FitJob, ctx) =>
    new Promise((resolve, reject) => {
      active++;
      maxActive = Math.max(maxActive, active);
      ctx.signal.addEventListener('abort', () => {
        active--;
        reject(new Error('aborted'));
      });
      gates.set(job.fitId, () => {
        active--;
        resolve({ comparison: fakeComparison(['a', 'b']) });
      });
    });
  return { runFit, gates, maxActive: () => maxActive };
}

/** An in-memory store (closed after the tests) holding one dataset. */
function storeWithDataset() {
  const store = openStore(':memory:');
  stores.push(store);
  const ds = store.addDataset({
    name: 'd.csv',
    csv: new Uint8Array([1]),
    summary: { rows: 0, columns: [] },
  });
  return { store, ds };
}

function setup(jobs: number) {
  const { store, ds } = storeWithDataset();
  const gated = gatedRunFit();
  const runner = createRunner({ store, runFit: gated.runFit, jobs });
  const spec = { mapping: { heuristic: 'h', task: 't', score: 'y' } };
  const config = { chains: 1, warmup: 10, draws: 10, seed: 1 };
  const add = () => store.createFit({ datasetId: ds.id, spec, config }).id;
  return { store, runner, gated, add };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('createRunner', () => {
  it('runs one fit at a time by default, in order', async () => {
    const { store, runner, gated, add } = setup(1);
    const [a, b] = [add(), add()];
    runner.pump();
    await tick();
    expect(store.getFit(a).status).toBe('running');
    expect(store.getFit(b).status).toBe('queued');
    gated.gates.get(a)?.();
    await tick();
    expect(store.getFit(a).status).toBe('done');
    expect(store.getFit(b).status).toBe('running');
    gated.gates.get(b)?.();
    await runner.idle();
    expect(gated.maxActive()).toBe(1);
  });

  it('runs N fits at once with jobs N; cancels a queued fit without running it', async () => {
    const { store, runner, gated, add } = setup(2);
    const [a, b, c] = [add(), add(), add()];
    runner.pump();
    await tick();
    expect([a, b].map((id) => store.getFit(id).status)).toEqual(['running', 'running']);
    expect(runner.cancel(c)).toBe(true);
    expect(store.getFit(c).status).toBe('cancelled');
    gated.gates.get(a)?.();
    gated.gates.get(b)?.();
    await runner.idle();
    expect(gated.maxActive()).toBe(2);
    expect(gated.gates.has(c)).toBe(false);
  });

  it('close() leaves a running fit interrupted and restart() queues it again', async () => {
    const { store, runner, add } = setup(1);
    const a = add();
    runner.pump();
    await tick();
    await runner.close();
    expect(store.getFit(a).status).toBe('interrupted');
    const again = createRunner({ store, runFit: gatedRunFit().runFit });
    expect(again.restart(a).status).toBe('queued');
    expect(() => again.restart(a)).toThrow(/only a stopped fit restarts/);
  });

  it('stop() cancels and resolves only once a slow run has ended and stored its status', async () => {
    const { store, ds } = storeWithDataset();
    // A run that takes 30 ms to notice the abort (a worker thread winding down).
    const runFit: RunFit = (_job, ctx) =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => setTimeout(() => reject(new Error('x')), 30));
      });
    const runner = createRunner({ store, runFit });
    const spec = { mapping: { heuristic: 'h', task: 't', score: 'y' } };
    const config = { chains: 1, warmup: 10, draws: 10, seed: 1 };
    const a = store.createFit({ datasetId: ds.id, spec, config }).id;
    const b = store.createFit({ datasetId: ds.id, spec, config }).id;
    runner.pump();
    await tick();
    expect(store.getFit(a).status).toBe('running');
    expect(await runner.stop(b)).toBe(true);
    expect(store.getFit(b).status).toBe('cancelled');
    const stopping = runner.stop(a);
    expect(store.getFit(a).status).toBe('running');
    expect(await stopping).toBe(true);
    expect(store.getFit(a)).toMatchObject({ status: 'cancelled', error: 'cancelled by the user' });
    expect(await runner.stop(a)).toBe(false);
    await runner.idle();
  });
});
