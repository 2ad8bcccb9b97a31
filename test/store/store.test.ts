import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/analysis/types.js';
import { NotFoundError } from '../../src/errors.js';
import { openStore, SCHEMA_VERSION } from '../../src/store/store.js';

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
    // A pid that cannot be alive (above the kernel's pid_max) stands for the dead server.
    a.db.prepare('UPDATE fits SET owner_pid = 2147483646 WHERE id = ?').run(running.id);
    a.close();
    const b = openStore(path);
    expect(b.interruptedOnOpen).toEqual([running.id]);
    expect(b.getFit(running.id).status).toBe('interrupted');
    expect(b.getFit(done.id).status).toBe('done');
    expect(b.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const again = b.requeueFit(running.id);
    expect(again.status).toBe('queued');
    b.close();
  });
});
