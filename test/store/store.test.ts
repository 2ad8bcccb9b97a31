import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/analysis/types.js';
import { BayesbenchError, NotFoundError } from '../../src/errors.js';
import { openStore, SCHEMA_VERSION, type Store } from '../../src/store/store.js';

const comparison: Comparison = {
  heuristics: [{ name: 'a', mean: 1, q5: 0, q95: 2, p_best: 0.7, expected_rank: 1.3 }],
  pairs: [],
  categories: [],
  tasks: [],
  diagnostics: { max_rhat: 1.001, min_ess_bulk: 900, min_ess_tail: 800, divergent: 0 },
  warnings: [],
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const spec = { mapping: { heuristic: 'h', task: 't', score: 'y' } };
const config = { chains: 2, warmup: 10, draws: 5, seed: 1 };

describe('openStore', () => {
  it('migrates to the current schema version', () => {
    const store = openStore(':memory:');
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    store.close();
  });

  it('round-trips datasets, fits and draws bit for bit', () => {
    const store = openStore(':memory:');
    const csv = new TextEncoder().encode('h,t,y\na,x,1\n');
    const ds = store.addDataset({ name: 'd.csv', csv, summary: { rows: 1, columns: [] } });
    expect(store.getDatasetCsv(ds.id)).toEqual(csv);
    const fit = store.createFit({ datasetId: ds.id, spec, config });
    expect(fit.status).toBe('queued');
    expect(store.queuedFitIds()).toEqual([fit.id]);
    expect(store.markRunning(fit.id)).toBe(true);
    expect(store.markRunning(fit.id)).toBe(false);
    // Values that a lossy text encoding would change: exact Float64 round trip is required.
    const values = Float64Array.from([0.1, 1 / 3, -2e-300, Math.PI, 5, 6, 7, 8, 9, 10, 11, 12]);
    const draws = { nDraws: 3, nChains: 2, variables: ['mu', 'tau'], values };
    store.completeFit(fit.id, { comparison, draws });
    const done = store.getFit(fit.id);
    expect(done.status).toBe('done');
    expect(done.comparison?.heuristics[0].name).toBe('a');
    expect(done.diagnostics?.max_rhat).toBe(1.001);
    expect(store.getDraws(fit.id)).toEqual(draws);
    expect(store.drawVariables(fit.id)).toEqual(['mu', 'tau']);
    expect(Array.from(store.getVariable(fit.id, 'tau')?.values ?? [])).toEqual([
      7, 8, 9, 10, 11, 12,
    ]);
    store.close();
  });

  it('throws NotFoundError for unknown ids and a fit on an unknown dataset', () => {
    const store = openStore(':memory:');
    expect(() => store.getFit(42)).toThrow(NotFoundError);
    expect(() => store.getDataset(42)).toThrow(NotFoundError);
    expect(() => store.createFit({ datasetId: 42, spec, config })).toThrow(NotFoundError);
    expect(store.listFits()).toEqual([]);
    store.close();
  });

  it('marks fits left running by a dead process as interrupted, keeps finished ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-store-'));
    dirs.push(dir);
    const path = join(dir, 'x.db');
    const a = openStore(path);
    const ds = a.addDataset({
      name: 'd.csv',
      csv: new Uint8Array([104]),
      summary: { rows: 0, columns: [] },
    });
    const done = a.createFit({ datasetId: ds.id, spec, config });
    a.markRunning(done.id);
    a.completeFit(done.id, { comparison });
    const running = a.createFit({ datasetId: ds.id, spec, config });
    a.markRunning(running.id);
    // A pid that cannot be alive (above the kernel's pid_max) stands for a server on this host
    // killed with -9: its lease has not run out, but its process is gone.
    a.db
      .prepare('UPDATE fits SET owner = ? WHERE id = ?')
      .run(`${hostname()}/2147483646/dead`, running.id);
    const b = openStore(path);
    expect(b.interruptedOnOpen).toEqual([running.id]);
    expect(b.getFit(running.id).status).toBe('interrupted');
    expect(b.getFit(done.id).status).toBe('done');
    a.close();
    expect(b.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const again = b.requeueFit(running.id);
    expect(again.status).toBe('queued');
    b.close();
  });

  it('deletes a fit with its draws and job row, and a dataset with all its fits, in one go', () => {
    const store = openStore(':memory:');
    const ds = store.addDataset({
      name: 'd.csv',
      csv: new Uint8Array([1]),
      summary: { rows: 0, columns: [] },
    });
    const other = store.addDataset({
      name: 'e.csv',
      csv: new Uint8Array([2]),
      summary: { rows: 0, columns: [] },
    });
    const draws = { nDraws: 1, nChains: 1, variables: ['mu'], values: Float64Array.from([1]) };
    const finish = (datasetId: number) => {
      const f = store.createFit({ datasetId, spec, config });
      store.markRunning(f.id);
      store.completeFit(f.id, { comparison, draws, stats: draws });
      return f.id;
    };
    const count = (table: string, fitId: number) =>
      (
        store.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE fit_id = ?`).get(fitId) as {
          n: number;
        }
      ).n;
    const a = finish(ds.id);
    const b = finish(ds.id);
    const kept = finish(other.id);
    const failed = store.createFit({ datasetId: ds.id, spec, config }).id;
    store.failFit(failed, 'failed', 'boom');

    store.deleteFit(a);
    expect(() => store.getFit(a)).toThrow(NotFoundError);
    expect(count('draws', a)).toBe(0);
    expect(store.listFits().map((f) => f.id)).toEqual([failed, kept, b]);
    expect(() => store.deleteFit(a)).toThrow(new NotFoundError(`fit ${a} not found`));

    store.deleteDataset(ds.id);
    expect(() => store.getDataset(ds.id)).toThrow(NotFoundError);
    expect(store.listFits().map((f) => f.id)).toEqual([kept]);
    expect(count('draws', b)).toBe(0);
    expect(count('draws', kept)).toBe(2);
    expect(() => store.deleteDataset(ds.id)).toThrow(
      new NotFoundError(`dataset ${ds.id} not found`),
    );
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
    store.close();
  });

  it('refuses to delete a queued or running fit (409) and deletes nothing', () => {
    const store = openStore(':memory:');
    const ds = store.addDataset({
      name: 'd.csv',
      csv: new Uint8Array([1]),
      summary: { rows: 0, columns: [] },
    });
    const stopped = store.createFit({ datasetId: ds.id, spec, config }).id;
    store.failFit(stopped, 'cancelled', 'cancelled by the user');
    const queued = store.createFit({ datasetId: ds.id, spec, config }).id;
    const running = store.createFit({ datasetId: ds.id, spec, config }).id;
    store.markRunning(running);
    for (const id of [queued, running]) {
      const err = (() => {
        try {
          store.deleteFit(id);
        } catch (e) {
          return e as BayesbenchError;
        }
      })();
      expect(err).toBeInstanceOf(BayesbenchError);
      expect(err?.status).toBe(409);
      expect(err?.message).toBe(
        `fit ${id} is ${id === queued ? 'queued' : 'running'}: cancel it before deleting`,
      );
    }
    expect(() => store.deleteDataset(ds.id)).toThrow(/cancel it before deleting/);
    expect(store.getDataset(ds.id).id).toBe(ds.id);
    expect(store.listFits()).toHaveLength(3);
    expect(store.queuedFitIds()).toEqual([queued]);
    store.close();
  });

  it('progress, completion and failure of a deleted fit are no-ops', () => {
    const store = openStore(':memory:');
    const ds = store.addDataset({
      name: 'd.csv',
      csv: new Uint8Array([1]),
      summary: { rows: 0, columns: [] },
    });
    const id = store.createFit({ datasetId: ds.id, spec, config }).id;
    store.failFit(id, 'cancelled', 'cancelled by the user');
    store.deleteFit(id);
    const draws = { nDraws: 1, nChains: 1, variables: ['mu'], values: Float64Array.from([1]) };
    expect(() => store.setProgress(id, { chains: [], fraction: 0.5 })).not.toThrow();
    expect(() => store.completeFit(id, { comparison, draws })).not.toThrow();
    expect(() => store.failFit(id, 'failed', 'late')).not.toThrow();
    expect(store.listFits()).toEqual([]);
    expect(store.getDraws(id)).toBeNull();
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    store.close();
  });
});

/** Two connections to one database file, standing for two servers; closed after the test. */
function twoServers(leaseMs = 60_000): { a: Store; b: Store; datasetId: number } {
  const dir = mkdtempSync(join(tmpdir(), 'bb-lease-'));
  dirs.push(dir);
  const path = join(dir, 'x.db');
  const a = openStore(path, { leaseMs });
  const b = openStore(path, { leaseMs });
  opened.push(a, b);
  const ds = a.addDataset({
    name: 'd.csv',
    csv: new Uint8Array([1]),
    summary: { rows: 0, columns: [] },
  });
  return { a, b, datasetId: ds.id };
}
const opened: Store[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

describe('leases of running fits', () => {
  it('leaves a fit another server runs alone while its lease holds', () => {
    const { a, b, datasetId } = twoServers();
    const id = a.createFit({ datasetId, spec, config }).id;
    expect(a.markRunning(id)).toBe(true);
    expect(b.markRunning(id)).toBe(false);
    expect(a.leaseState(id)).toBe('mine');
    expect(b.leaseState(id)).toBe('live');
    expect(b.reapOrphans()).toEqual([]);
    expect(b.failFit(id, 'cancelled', 'no')).toBe(false);
    const refusal =
      `fit ${id} is running on another server using this database: cancel it there, ` +
      'or wait until that server stops and its lease runs out';
    expect(() => b.deleteFit(id)).toThrow(refusal);
    expect(() => b.deleteDataset(datasetId)).toThrow(refusal);
    // b's progress writes do not land on a's fit; a's do.
    b.setProgress(id, { chains: [], fraction: 0.9 });
    expect(a.getFit(id).progress.fraction).toBe(0);
    a.setProgress(id, { chains: [], fraction: 0.5 });
    expect(b.getFit(id)).toMatchObject({ status: 'running', progress: { fraction: 0.5 } });
    expect(a.renewLeases()).toEqual([id]);
    expect(b.renewLeases()).toEqual([]);
    expect(a.completeFit(id, { comparison })).toBe(true);
    expect(b.getFit(id).status).toBe('done');
  });

  it('orphans a fit whose lease ran out: reaped as interrupted, its late result not written', () => {
    const { a, b, datasetId } = twoServers();
    const id = a.createFit({ datasetId, spec, config }).id;
    a.markRunning(id);
    // Server a stalls past its lease (no renewal): the lease runs out.
    a.db.prepare('UPDATE fits SET lease_until = ? WHERE id = ?').run(Date.now() - 1, id);
    expect(b.leaseState(id)).toBe('expired');
    expect(b.reapOrphans()).toEqual([id]);
    expect(b.getFit(id)).toMatchObject({
      status: 'interrupted',
      error: 'the server stopped while this fit was running',
    });
    // a wakes up: its renewal finds nothing, its result and its failure are not written.
    expect(a.renewLeases()).toEqual([]);
    expect(a.completeFit(id, { comparison })).toBe(false);
    expect(b.getFit(id).status).toBe('interrupted');
    // Restarted and run by b: a's late writes still change nothing.
    b.requeueFit(id);
    expect(b.markRunning(id)).toBe(true);
    expect(a.failFit(id, 'failed', 'late')).toBe(false);
    expect(a.completeFit(id, { comparison })).toBe(false);
    expect(b.getFit(id)).toMatchObject({ status: 'running', error: null });
  });

  it('an expired fit can be deleted with its dataset; close() gives up the leases at once', () => {
    const { a, b, datasetId } = twoServers();
    const stale = a.createFit({ datasetId, spec, config }).id;
    a.markRunning(stale);
    a.db.prepare('UPDATE fits SET lease_until = 0 WHERE id = ?').run(stale);
    b.deleteFit(stale);
    expect(() => b.getFit(stale)).toThrow(NotFoundError);
    const running = a.createFit({ datasetId, spec, config }).id;
    a.markRunning(running);
    expect(b.leaseState(running)).toBe('live');
    a.close();
    expect(b.leaseState(running)).toBe('expired');
    b.deleteDataset(datasetId);
    expect(b.listFits()).toEqual([]);
  });

  it('migrates a schema-1 database: a fit it left running has no lease and is interrupted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-v1-'));
    dirs.push(dir);
    const path = join(dir, 'v1.db');
    const a = openStore(path);
    const ds = a.addDataset({
      name: 'd.csv',
      csv: new Uint8Array([1]),
      summary: { rows: 0, columns: [] },
    });
    const id = a.createFit({ datasetId: ds.id, spec, config }).id;
    a.markRunning(id);
    // What a schema-1 server leaves: no lease columns.
    a.db.exec('ALTER TABLE fits DROP COLUMN owner; ALTER TABLE fits DROP COLUMN lease_until');
    a.db.pragma('user_version = 1');
    a.db.close();
    const b = openStore(path);
    opened.push(b);
    expect(b.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(b.interruptedOnOpen).toEqual([id]);
  });
});
