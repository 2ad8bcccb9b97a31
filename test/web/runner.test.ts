import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { deleteDataset, deleteFit } from '../../src/web/delete.js';
import type { FitJob, RunFit } from '../../src/web/engine.js';
import { createRunner } from '../../src/web/runner.js';
import { fakeComparison } from './helpers.js';

const stores: Store[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
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
    expect(() => again.restart(a)).toThrow(
      expect.objectContaining({
        status: 409,
        message: `fit ${a} is running; only a stopped fit restarts`,
      }),
    );
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

/** Two servers' stores on one database file (a's lease given), with one dataset. */
function twoServers(leaseMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bb-runner-'));
  dirs.push(dir);
  const path = join(dir, 'x.db');
  const a = openStore(path, { leaseMs });
  const b = openStore(path);
  stores.push(a, b);
  const ds = a.addDataset({
    name: 'd.csv',
    csv: new Uint8Array([1]),
    summary: { rows: 0, columns: [] },
  });
  const spec = { mapping: { heuristic: 'h', task: 't', score: 'y' } };
  const config = { chains: 1, warmup: 10, draws: 10, seed: 1 };
  const add = () => a.createFit({ datasetId: ds.id, spec, config }).id;
  return { a, b, datasetId: ds.id, add };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const elsewhere = /is running on another server using this database/;

describe('runners of two servers on one database', () => {
  it("keep renewing their fits' leases: the other server cannot cancel, restart or delete them", async () => {
    // A 1 s lease renewed every 50 ms; after 1.2 s it holds only through renewals (the margin of
    // 950 ms absorbs timer delays on a busy machine).
    const { a, b, datasetId, add } = twoServers(1000);
    const gated = gatedRunFit();
    const runnerA = createRunner({ store: a, runFit: gated.runFit, heartbeatMs: 50 });
    const runnerB = createRunner({ store: b, runFit: gatedRunFit().runFit });
    const id = add();
    const queued = add();
    runnerA.pump();
    await sleep(1200);
    expect(b.leaseState(id)).toBe('live');
    expect(() => runnerB.cancel(id)).toThrow(elsewhere);
    expect(() => runnerB.restart(id)).toThrow(/only a stopped fit restarts/);
    await expect(deleteFit({ store: b, runner: runnerB }, id)).rejects.toThrow(elsewhere);
    // The dataset delete is refused before anything changes: the queued fit is not cancelled.
    await expect(deleteDataset({ store: b, runner: runnerB }, datasetId)).rejects.toThrow(
      elsewhere,
    );
    expect(b.getFit(queued).status).toBe('queued');
    expect(b.getFit(id).status).toBe('running');
    gated.gates.get(id)?.();
    await sleep(20);
    expect(b.getFit(id).status).toBe('done');
    expect(b.getFit(queued).status).toBe('running');
    gated.gates.get(queued)?.();
    await runnerA.idle();
    await Promise.all([runnerA.close(), runnerB.close()]);
  });

  it('an orphaned fit (its server stalled past its lease) is cancelled, restarted and deleted', async () => {
    const { a, b, datasetId, add } = twoServers(100);
    const gated = gatedRunFit();
    // Server a never renews (a heartbeat of one hour stands for a server that died or stalled).
    const runnerA = createRunner({ store: a, runFit: gated.runFit, heartbeatMs: 3_600_000 });
    const runnerB = createRunner({ store: b, runFit: gatedRunFit().runFit });
    const id = add();
    runnerA.pump();
    await sleep(150);
    expect(b.leaseState(id)).toBe('expired');
    expect(runnerB.cancel(id)).toBe(true);
    expect(b.getFit(id)).toMatchObject({
      status: 'cancelled',
      error: 'cancelled by the user (the server running it had stopped)',
    });
    // a's run ends late: its result is not written over the cancelled fit.
    gated.gates.get(id)?.();
    await runnerA.idle();
    expect(b.getFit(id).status).toBe('cancelled');

    const other = add();
    runnerA.pump();
    await sleep(150);
    expect(runnerB.restart(other).status).toBe('queued');
    await tick();
    // b's runner took the restarted fit; a's stale run of it ends without writing.
    expect(b.leaseState(other)).toBe('mine');
    gated.gates.get(other)?.();
    await tick();
    expect(b.getFit(other)).toMatchObject({ status: 'running', comparison: null });
    const again = add();
    runnerA.pump();
    await sleep(150);
    await deleteFit({ store: b, runner: runnerB }, again);
    expect(() => b.getFit(again)).toThrow(/not found/);
    await runnerA.close();
    await runnerB.close();
    expect(b.getFit(other).status).toBe('interrupted');
    await deleteDataset({ store: b, runner: runnerB }, datasetId);
    expect(b.listFits()).toEqual([]);
  });

  it('a run whose lease was lost is stopped by its heartbeat and writes nothing', async () => {
    const { a, add } = twoServers(60_000);
    const gated = gatedRunFit();
    const runner = createRunner({ store: a, runFit: gated.runFit, heartbeatMs: 20 });
    const id = add();
    runner.pump();
    await tick();
    // Another server took the fit over (as after an expired lease) and marked it interrupted.
    a.db
      .prepare(`UPDATE fits SET status = 'interrupted', error = 'taken over' WHERE id = ?`)
      .run(id);
    await runner.idle();
    expect(a.getFit(id)).toMatchObject({ status: 'interrupted', error: 'taken over' });
    expect(gated.gates.has(id)).toBe(true);
  });
});
