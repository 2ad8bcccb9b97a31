import Database from 'better-sqlite3';
import type { Comparison } from '../analysis/types.js';
import type { ColumnMapping } from '../data/benchmark.js';
import type { Summary } from '../diagnostics/types.js';
import type { Draws, SamplerStats } from '../draws/draws.js';
import { BayesbenchError, NotFoundError } from '../errors.js';

/**
 * The SQLite store of the web app: datasets (raw CSV bytes + parsed summary), fits (spec, config,
 * status, progress, timings, diagnostics, comparison), draws (one BLOB of Float64Array per variable)
 * and jobs. WAL mode, migrations by PRAGMA user_version, every multi-step write in one transaction
 * (SQLite docs, "Atomic Commit"), so a kill -9 never leaves half a fit behind.
 */

/** Status of a fit; 'interrupted' marks a fit whose process died while it was queued or running. */
export type FitStatus = 'queued' | 'running' | 'done' | 'failed' | 'interrupted' | 'cancelled';

/** Column mapping of a comparison (the CLI's --heuristic, --task, --score, ... options). */
export type ColumnMap = ColumnMapping;

/** Per-chain progress of a fit, as the sampler reports it. */
export interface ChainProgress {
  chain: number;
  iteration: number;
  total: number;
  phase: 'warmup' | 'sampling' | 'done';
  divergent?: number;
}

/** Progress of a fit: one entry per chain (empty before the first event). */
export interface FitProgress {
  chains: ChainProgress[];
  /** Fraction of all iterations done, 0..1. */
  fraction: number;
}

/** A stored dataset without its bytes. */
export interface DatasetInfo {
  id: number;
  name: string;
  /** Parsed summary JSON made at upload (rows, columns, detected mapping...). */
  summary: DatasetSummary;
  created: string;
  bytes: number;
}

/** What the upload page computed about a dataset. */
export interface DatasetSummary {
  rows: number;
  columns: { name: string; type: 'numeric' | 'factor'; [k: string]: unknown }[];
  detected?: Partial<ColumnMap>;
  [k: string]: unknown;
}

/** What a fit was asked to do. */
export interface FitSpec {
  mapping: ColumnMap;
  model?: string;
  formula?: string;
  priors?: string[];
  rope?: number;
  threshold?: number;
  higherIsBetter?: boolean;
  /** Row filters `column=value` (the CLI's --filter), all must hold. */
  filters?: string[];
}

/** Sampler settings of a fit. */
export interface FitConfig {
  chains: number;
  warmup: number;
  draws: number;
  seed: number;
  adaptDelta?: number;
}

/** A stored fit (without draws). */
export interface FitRecord {
  id: number;
  datasetId: number;
  datasetName: string;
  spec: FitSpec;
  config: FitConfig;
  status: FitStatus;
  progress: FitProgress;
  error: string | null;
  created: string;
  started: string | null;
  finished: string | null;
  timings: Record<string, number> | null;
  diagnostics: Comparison['diagnostics'] | null;
  /** The comparison document (`compare --json`), when done. */
  comparison: Comparison | null;
  /** The diagnostics summary (variables table), when done. */
  summary: Summary | null;
}

/** Everything a finished fit writes at once. */
export interface FitResult {
  comparison: Comparison;
  summary?: Summary | null;
  draws?: Draws | null;
  stats?: SamplerStats | null;
  timings?: Record<string, number>;
}

/** The store's functions over one database connection. */
export interface Store {
  readonly db: Database.Database;
  readonly path: string;
  addDataset(input: { name: string; csv: Uint8Array; summary: DatasetSummary }): DatasetInfo;
  listDatasets(): DatasetInfo[];
  getDataset(id: number): DatasetInfo;
  getDatasetCsv(id: number): Uint8Array;
  createFit(input: { datasetId: number; spec: FitSpec; config: FitConfig }): FitRecord;
  listFits(): FitRecord[];
  getFit(id: number): FitRecord;
  /** A fit without its summary and comparison documents (cheap, for status polling). */
  getFitLight(id: number): FitRecord;
  /** Status and finish time only (cheap: no JSON parsing), for caches. */
  fitState(id: number): { status: FitStatus; finished: string | null };
  /** Move a queued fit to running (returns false when it is no longer queued, e.g. cancelled). */
  markRunning(id: number): boolean;
  setProgress(id: number, progress: FitProgress): void;
  /** Draws, summary, comparison and status 'done' in one transaction. */
  completeFit(id: number, result: FitResult): void;
  failFit(id: number, status: 'failed' | 'cancelled' | 'interrupted', error: string | null): void;
  /** Re-queue an interrupted, failed or cancelled fit: clears its draws, progress and results. */
  requeueFit(id: number): FitRecord;
  /**
   * Delete a stopped fit with its job row and draws, in one transaction. Throws NotFoundError for an
   * unknown id and a 409 BayesbenchError for a queued or running fit (cancel it through the runner
   * first: the store cannot stop a worker, and refusing here keeps a live job from losing its row).
   */
  deleteFit(id: number): void;
  /**
   * Delete a dataset with all its fits, their draws and job rows, in one transaction. Throws
   * NotFoundError for an unknown id and a 409 BayesbenchError while any of its fits is queued or
   * running (nothing is deleted then).
   */
  deleteDataset(id: number): void;
  /** Queued fits, oldest first (the job queue). */
  queuedFitIds(): number[];
  /** The draws of a finished fit (null when it has none). */
  getDraws(id: number, kind?: 'draws' | 'stats'): Draws | null;
  /** Names of the stored variables of a fit, in order. */
  drawVariables(id: number): string[];
  /** One variable's draws (a draws x chains block) or null. */
  getVariable(
    id: number,
    variable: string,
  ): { nDraws: number; nChains: number; values: Float64Array } | null;
  /** Ids of fits marked interrupted when the store was opened. */
  readonly interruptedOnOpen: number[];
  close(): void;
}

const MIGRATIONS: string[] = [
  // 1: initial schema
  `CREATE TABLE datasets (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL,
     csv BLOB NOT NULL,
     summary TEXT NOT NULL,
     created TEXT NOT NULL
   );
   CREATE TABLE fits (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     dataset_id INTEGER NOT NULL REFERENCES datasets(id),
     spec TEXT NOT NULL,
     config TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','interrupted','cancelled')),
     progress TEXT NOT NULL DEFAULT '{"chains":[],"fraction":0}',
     error TEXT,
     created TEXT NOT NULL,
     started TEXT,
     finished TEXT,
     timings TEXT,
     diagnostics TEXT,
     summary TEXT,
     comparison TEXT,
     owner_pid INTEGER
   );
   CREATE INDEX fits_status ON fits(status);
   CREATE TABLE draws (
     fit_id INTEGER NOT NULL REFERENCES fits(id) ON DELETE CASCADE,
     kind TEXT NOT NULL CHECK (kind IN ('draws','stats')),
     position INTEGER NOT NULL,
     variable TEXT NOT NULL,
     n_draws INTEGER NOT NULL,
     n_chains INTEGER NOT NULL,
     data BLOB NOT NULL,
     PRIMARY KEY (fit_id, kind, variable)
   );
   CREATE TABLE jobs (
     fit_id INTEGER PRIMARY KEY REFERENCES fits(id) ON DELETE CASCADE,
     state TEXT NOT NULL CHECK (state IN ('queued','running')),
     enqueued TEXT NOT NULL,
     started TEXT,
     pid INTEGER
   );`,
];

/**
 * Current schema version (PRAGMA user_version after migrating).
 * @example store.db.pragma('user_version', { simple: true }) === SCHEMA_VERSION
 */
export const SCHEMA_VERSION = MIGRATIONS.length;

interface FitRow {
  id: number;
  dataset_id: number;
  dataset_name: string;
  spec: string;
  config: string;
  status: FitStatus;
  progress: string;
  error: string | null;
  created: string;
  started: string | null;
  finished: string | null;
  timings: string | null;
  diagnostics: string | null;
  summary: string | null;
  comparison: string | null;
}

interface DatasetRow {
  id: number;
  name: string;
  summary: string;
  created: string;
  bytes: number;
}

function now(): string {
  return new Date().toISOString();
}

/** JSON with NaN/Infinity as null (docs/ARCHITECTURE.md "Contracts"). */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}

function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function isAlive(pid: number | null): boolean {
  if (!pid || pid === process.pid) return pid === process.pid;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function toBlob(values: Float64Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

function fromBlob(blob: Buffer): Float64Array {
  // Copy: the Buffer from SQLite may not be 8-byte aligned.
  const out = new Float64Array(blob.byteLength / 8);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

/**
 * Open (or create) a store at a file path or ':memory:'. Migrates the schema, turns on WAL and
 * foreign keys, and marks fits left 'queued' or 'running' by a dead process as 'interrupted'.
 *
 * @example
 * const store = openStore(':memory:');
 * const ds = store.addDataset({ name: 'lra.csv', csv: bytes, summary: { rows: 55, columns: [] } });
 */
export function openStore(path: string): Store {
  const db = new Database(path);
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  migrate(db);

  const fitSelect = `SELECT f.id, f.dataset_id, d.name AS dataset_name, f.spec, f.config, f.status,
      f.progress, f.error, f.created, f.started, f.finished, f.timings, f.diagnostics`;
  const fitFull = `${fitSelect}, f.summary, f.comparison FROM fits f JOIN datasets d ON d.id = f.dataset_id`;
  const fitLight = `${fitSelect}, NULL AS summary, NULL AS comparison FROM fits f JOIN datasets d ON d.id = f.dataset_id`;
  const datasetCols = 'id, name, summary, created, length(csv) AS bytes';

  const st = {
    insertDataset: db.prepare(
      'INSERT INTO datasets (name, csv, summary, created) VALUES (?, ?, ?, ?)',
    ),
    listDatasets: db.prepare(`SELECT ${datasetCols} FROM datasets ORDER BY id DESC`),
    getDataset: db.prepare(`SELECT ${datasetCols} FROM datasets WHERE id = ?`),
    getCsv: db.prepare('SELECT csv FROM datasets WHERE id = ?'),
    insertFit: db.prepare(
      `INSERT INTO fits (dataset_id, spec, config, status, created) VALUES (?, ?, ?, 'queued', ?)`,
    ),
    insertJob: db.prepare(
      `INSERT OR REPLACE INTO jobs (fit_id, state, enqueued, pid) VALUES (?, 'queued', ?, ?)`,
    ),
    listFits: db.prepare(`${fitLight} ORDER BY f.id DESC`),
    getFit: db.prepare(`${fitFull} WHERE f.id = ?`),
    fitState: db.prepare('SELECT status, finished FROM fits WHERE id = ?'),
    getFitLight: db.prepare(`${fitLight} WHERE f.id = ?`),
    markRunning: db.prepare(
      `UPDATE fits SET status = 'running', started = ?, owner_pid = ? WHERE id = ? AND status = 'queued'`,
    ),
    jobRunning: db.prepare(
      `UPDATE jobs SET state = 'running', started = ?, pid = ? WHERE fit_id = ?`,
    ),
    setProgress: db.prepare(`UPDATE fits SET progress = ? WHERE id = ? AND status = 'running'`),
    complete: db.prepare(
      `UPDATE fits SET status = 'done', finished = ?, timings = ?, diagnostics = ?, summary = ?,
         comparison = ?, progress = ?, error = NULL WHERE id = ?`,
    ),
    fail: db.prepare(`UPDATE fits SET status = ?, finished = ?, error = ? WHERE id = ?`),
    deleteJob: db.prepare('DELETE FROM jobs WHERE fit_id = ?'),
    deleteDraws: db.prepare('DELETE FROM draws WHERE fit_id = ?'),
    deleteFit: db.prepare('DELETE FROM fits WHERE id = ?'),
    datasetFits: db.prepare('SELECT id, status FROM fits WHERE dataset_id = ? ORDER BY id'),
    deleteDataset: db.prepare('DELETE FROM datasets WHERE id = ?'),
    insertDraw: db.prepare(
      `INSERT INTO draws (fit_id, kind, position, variable, n_draws, n_chains, data)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    requeue: db.prepare(
      `UPDATE fits SET status = 'queued', progress = '{"chains":[],"fraction":0}', error = NULL,
         started = NULL, finished = NULL, timings = NULL, diagnostics = NULL, summary = NULL,
         comparison = NULL, owner_pid = NULL WHERE id = ?`,
    ),
    queued: db.prepare(`SELECT id FROM fits WHERE status = 'queued' ORDER BY id`),
    drawRows: db.prepare(
      'SELECT variable, n_draws, n_chains, data FROM draws WHERE fit_id = ? AND kind = ? ORDER BY position',
    ),
    drawNames: db.prepare(
      `SELECT variable FROM draws WHERE fit_id = ? AND kind = 'draws' ORDER BY position`,
    ),
    oneVariable: db.prepare(
      `SELECT n_draws, n_chains, data FROM draws WHERE fit_id = ? AND kind = 'draws' AND variable = ?`,
    ),
  };

  const toDataset = (r: DatasetRow): DatasetInfo => ({
    id: r.id,
    name: r.name,
    summary: JSON.parse(r.summary) as DatasetSummary,
    created: r.created,
    bytes: r.bytes,
  });
  const toFit = (r: FitRow): FitRecord => ({
    id: r.id,
    datasetId: r.dataset_id,
    datasetName: r.dataset_name,
    spec: JSON.parse(r.spec) as FitSpec,
    config: JSON.parse(r.config) as FitConfig,
    status: r.status,
    progress: JSON.parse(r.progress) as FitProgress,
    error: r.error,
    created: r.created,
    started: r.started,
    finished: r.finished,
    timings: parseJson(r.timings),
    diagnostics: parseJson(r.diagnostics),
    summary: parseJson(r.summary),
    comparison: parseJson(r.comparison),
  });

  const getFit = (id: number): FitRecord => {
    const row = st.getFit.get(id) as FitRow | undefined;
    if (!row) throw new NotFoundError(`fit ${id} not found`);
    return toFit(row);
  };

  // Fits whose owner died while queued or running: interrupted (restartable), never shown as final.
  const interruptedOnOpen = db.transaction((): number[] => {
    const rows = db
      .prepare(`SELECT id, owner_pid FROM fits WHERE status IN ('queued','running')`)
      .all() as { id: number; owner_pid: number | null }[];
    const jobPid = db.prepare('SELECT pid FROM jobs WHERE fit_id = ?');
    const ids: number[] = [];
    for (const r of rows) {
      const job = jobPid.get(r.id) as { pid: number | null } | undefined;
      const pid = r.owner_pid ?? job?.pid ?? null;
      if (pid !== null && pid !== process.pid && isAlive(pid)) continue;
      st.deleteDraws.run(r.id);
      st.fail.run('interrupted', now(), 'the server stopped while this fit was running', r.id);
      st.deleteJob.run(r.id);
      ids.push(r.id);
    }
    return ids;
  })();

  const writeDraws = (fitId: number, kind: 'draws' | 'stats', d: Draws) => {
    const n = d.nDraws * d.nChains;
    d.variables.forEach((name, v) => {
      st.insertDraw.run(
        fitId,
        kind,
        v,
        name,
        d.nDraws,
        d.nChains,
        toBlob(d.values.subarray(v * n, (v + 1) * n)),
      );
    });
  };

  const readDraws = (fitId: number, kind: 'draws' | 'stats'): Draws | null => {
    const rows = st.drawRows.all(fitId, kind) as {
      variable: string;
      n_draws: number;
      n_chains: number;
      data: Buffer;
    }[];
    if (rows.length === 0) return null;
    const { n_draws: nDraws, n_chains: nChains } = rows[0];
    const n = nDraws * nChains;
    const values = new Float64Array(n * rows.length);
    rows.forEach((r, v) => {
      values.set(fromBlob(r.data), v * n);
    });
    return { nDraws, nChains, variables: rows.map((r) => r.variable), values };
  };

  return {
    db,
    path,
    interruptedOnOpen,
    addDataset({ name, csv, summary }) {
      const info = st.insertDataset.run(name, Buffer.from(csv), toJson(summary), now());
      return toDataset(st.getDataset.get(info.lastInsertRowid) as DatasetRow);
    },
    listDatasets() {
      return (st.listDatasets.all() as DatasetRow[]).map(toDataset);
    },
    getDataset(id) {
      const row = st.getDataset.get(id) as DatasetRow | undefined;
      if (!row) throw new NotFoundError(`dataset ${id} not found`);
      return toDataset(row);
    },
    getDatasetCsv(id) {
      const row = st.getCsv.get(id) as { csv: Buffer } | undefined;
      if (!row) throw new NotFoundError(`dataset ${id} not found`);
      return new Uint8Array(row.csv);
    },
    createFit({ datasetId, spec, config }) {
      const id = db.transaction(() => {
        if (!st.getDataset.get(datasetId))
          throw new NotFoundError(`dataset ${datasetId} not found`);
        const info = st.insertFit.run(datasetId, toJson(spec), toJson(config), now());
        st.insertJob.run(info.lastInsertRowid, now(), process.pid);
        return Number(info.lastInsertRowid);
      })();
      return getFit(id);
    },
    listFits() {
      return (st.listFits.all() as FitRow[]).map(toFit);
    },
    getFit,
    getFitLight(id) {
      const row = st.getFitLight.get(id) as FitRow | undefined;
      if (!row) throw new NotFoundError(`fit ${id} not found`);
      return toFit(row);
    },
    fitState(id) {
      const row = st.fitState.get(id) as { status: FitStatus; finished: string | null } | undefined;
      if (!row) throw new NotFoundError(`fit ${id} not found`);
      return row;
    },
    markRunning(id) {
      return db.transaction(() => {
        const changed = st.markRunning.run(now(), process.pid, id).changes > 0;
        if (changed) st.jobRunning.run(now(), process.pid, id);
        return changed;
      })();
    },
    setProgress(id, progress) {
      st.setProgress.run(toJson(progress), id);
    },
    completeFit(id, result) {
      db.transaction(() => {
        // A fit deleted meanwhile (its run outlived the row): nothing to write, not an error.
        const fit = st.getFit.get(id) as FitRow | undefined;
        if (!fit) return;
        st.deleteDraws.run(id);
        if (result.draws) writeDraws(id, 'draws', result.draws);
        if (result.stats) writeDraws(id, 'stats', result.stats);
        const progress = JSON.parse(fit.progress) as FitProgress;
        progress.fraction = 1;
        for (const c of progress.chains) {
          c.iteration = c.total;
          c.phase = 'done';
        }
        st.complete.run(
          now(),
          toJson(result.timings ?? null),
          toJson(result.comparison.diagnostics ?? null),
          toJson(result.summary ?? null),
          toJson(result.comparison),
          toJson(progress),
          id,
        );
        st.deleteJob.run(id);
      })();
    },
    failFit(id, status, error) {
      db.transaction(() => {
        st.deleteDraws.run(id);
        st.fail.run(status, now(), error, id);
        st.deleteJob.run(id);
      })();
    },
    requeueFit(id) {
      db.transaction(() => {
        getFit(id);
        st.deleteDraws.run(id);
        st.requeue.run(id);
        st.insertJob.run(id, now(), process.pid);
      })();
      return getFit(id);
    },
    deleteFit(id) {
      db.transaction(() => {
        const row = st.fitState.get(id) as { status: FitStatus } | undefined;
        if (!row) throw new NotFoundError(`fit ${id} not found`);
        refuseActive(id, row.status);
        st.deleteDraws.run(id);
        st.deleteJob.run(id);
        st.deleteFit.run(id);
      })();
    },
    deleteDataset(id) {
      db.transaction(() => {
        if (!st.getDataset.get(id)) throw new NotFoundError(`dataset ${id} not found`);
        const fits = st.datasetFits.all(id) as { id: number; status: FitStatus }[];
        for (const f of fits) refuseActive(f.id, f.status);
        for (const f of fits) {
          st.deleteDraws.run(f.id);
          st.deleteJob.run(f.id);
          st.deleteFit.run(f.id);
        }
        st.deleteDataset.run(id);
      })();
    },
    queuedFitIds() {
      return (st.queued.all() as { id: number }[]).map((r) => r.id);
    },
    getDraws(id, kind = 'draws') {
      return readDraws(id, kind);
    },
    drawVariables(id) {
      return (st.drawNames.all(id) as { variable: string }[]).map((r) => r.variable);
    },
    getVariable(id, variable) {
      const row = st.oneVariable.get(id, variable) as
        | { n_draws: number; n_chains: number; data: Buffer }
        | undefined;
      if (!row) return null;
      return { nDraws: row.n_draws, nChains: row.n_chains, values: fromBlob(row.data) };
    },
    close() {
      db.close();
    },
  };
}

/** A queued or running fit is not deleted: the runner must cancel it first (409). */
function refuseActive(id: number, status: FitStatus): void {
  if (status === 'queued' || status === 'running') {
    throw new BayesbenchError(`fit ${id} is ${status}: cancel it before deleting`, 'conflict', 409);
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
