import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import type { Comparison } from '../analysis/types.js';
import type { ColumnMapping } from '../data/benchmark.js';
import type { ItemsPerTaskSpec } from '../data/items-per-task.js';
import type { Summary } from '../diagnostics/types.js';
import type { Draws } from '../draws/draws.js';
import { BayesbenchError, DatabaseError, NotFoundError, QueueFullError } from '../errors.js';
import { type StoredFitResult, serializeFitResult, toJson } from './documents.js';

/**
 * The SQLite store of the web app: datasets (raw CSV bytes + parsed summary), fits (spec, config,
 * status, progress, timings, diagnostics, comparison), draws (one BLOB of Float64Array per variable)
 * and jobs. WAL mode, migrations by PRAGMA user_version, every multi-step write in one transaction
 * (SQLite docs, "Atomic Commit"), so a kill -9 never leaves half a fit behind.
 */

/** Status of a fit; 'interrupted' marks a fit whose server stopped while it was running. */
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
  /**
   * Items of each task for the binomial likelihood (the CLI's --items-per-task: one n, n per task,
   * or 'none'); absent: the sizes table decides (src/analysis/binomial-items.ts).
   */
  itemsPerTask?: ItemsPerTaskSpec;
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

export type {
  ComputedFitResult,
  SerializedFitResult,
  StoredFitResult,
} from './documents.js';
export { serializeFitResult } from './documents.js';

/**
 * Who runs a running fit, as seen from this connection: 'mine' (this connection's runner), 'live'
 * (another server whose lease holds) or 'expired' (its server stopped: the fit is orphaned and may be
 * cancelled, restarted or deleted from here).
 */
export type LeaseState = 'mine' | 'live' | 'expired';

/** Options of openStore. */
export interface StoreOptions {
  /**
   * How long a running fit stays owned without a renewal (ms, default 60,000). The runner renews
   * its fits' leases several times per lease; a fit whose lease ran out is orphaned.
   */
  leaseMs?: number;
  /** Most fits queued at once in the database (default 32); more are refused with a 429. */
  maxQueuedFits?: number;
}

/** The store's functions over one database connection. */
export interface Store {
  readonly db: Database.Database;
  readonly path: string;
  /** This connection's owner id (host/pid/random), written on the fits it runs. */
  readonly owner: string;
  /** Lease length in ms (see StoreOptions). */
  readonly leaseMs: number;
  addDataset(input: { name: string; csv: Uint8Array; summary: DatasetSummary }): DatasetInfo;
  listDatasets(): DatasetInfo[];
  getDataset(id: number): DatasetInfo;
  getDatasetCsv(id: number): Uint8Array;
  /**
   * Queue a new fit. Throws NotFoundError for an unknown dataset and QueueFullError (429) when
   * `maxQueuedFits` fits are already queued.
   */
  createFit(input: { datasetId: number; spec: FitSpec; config: FitConfig }): FitRecord;
  listFits(): FitRecord[];
  getFit(id: number): FitRecord;
  /** A fit without its summary and comparison documents (cheap, for status polling). */
  getFitLight(id: number): FitRecord;
  /** Status and finish time only (cheap: no JSON parsing), for caches. */
  fitState(id: number): { status: FitStatus; finished: string | null };
  /**
   * Move a queued fit to running under this connection's lease (returns false when it is no longer
   * queued, e.g. cancelled, or another server took it).
   */
  markRunning(id: number): boolean;
  /** Extend the leases of the fits this connection runs; returns their ids. */
  renewLeases(): number[];
  /** Lease of a running fit (null when the fit is not running). Throws NotFoundError. */
  leaseState(id: number): LeaseState | null;
  /**
   * Mark running fits whose lease expired (or whose server, on this host, is gone) as interrupted,
   * in one transaction; returns their ids.
   */
  reapOrphans(): number[];
  setProgress(id: number, progress: FitProgress): void;
  /**
   * Draws, summary, comparison and status 'done' in one transaction; a no-op (false) unless the fit
   * is running under this connection's lease (markRunning): a fit deleted, or orphaned and then
   * cancelled, restarted or taken over meanwhile keeps its new state.
   */
  completeFit(id: number, result: StoredFitResult): boolean;
  /**
   * Stop a fit with a final status and message; a no-op (false) for an unknown fit and for a fit
   * running under another server's live lease.
   */
  failFit(
    id: number,
    status: 'failed' | 'cancelled' | 'interrupted',
    error: string | null,
  ): boolean;
  /**
   * Re-queue an interrupted, failed or cancelled fit: clears its draws, progress and results.
   * Throws QueueFullError (429) when the queue is full.
   */
  requeueFit(id: number): FitRecord;
  /**
   * Delete a stopped or orphaned fit with its job row and draws, in one transaction. Throws
   * NotFoundError for an unknown id and a 409 BayesbenchError for a queued fit or one running under a
   * live lease (cancel it through the runner first: the store cannot stop a worker, and refusing
   * here keeps a live job from losing its row).
   */
  deleteFit(id: number): void;
  /**
   * Delete a dataset with all its fits, their draws and job rows, in one transaction. Throws
   * NotFoundError for an unknown id and a 409 BayesbenchError while any of its fits is queued or
   * running under a live lease (nothing is deleted then).
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
  /** Ids of fits marked interrupted when the store was opened (their lease had expired). */
  readonly interruptedOnOpen: number[];
  /** Give up this connection's leases (its running fits become orphaned at once) and close. */
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
  // 2: leases. A running fit is owned by `owner` (host/pid/random of one open store) until
  // `lease_until` (ms since the epoch); its server renews the lease while it runs the fit.
  `ALTER TABLE fits ADD COLUMN owner TEXT;
   ALTER TABLE fits ADD COLUMN lease_until INTEGER;`,
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

function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** Default cap of the fit queue; see StoreOptions.maxQueuedFits. */
export const DEFAULT_MAX_QUEUED_FITS = 32;

/** Default lease of a running fit (ms); see StoreOptions.leaseMs. */
export const DEFAULT_LEASE_MS = 60_000;

interface LeaseRow {
  id: number;
  status: FitStatus;
  owner: string | null;
  lease_until: number | null;
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
 * Open (or create) a store at a file path or ':memory:'. Checks the file first (see openDatabase:
 * a directory, an unreadable, corrupt or newer-schema file throws a DatabaseError naming it),
 * migrates the schema, turns on WAL and foreign keys, and marks fits left running by a server that
 * is gone (lease expired) as 'interrupted'.
 *
 * @example
 * const store = openStore(':memory:');
 * const ds = store.addDataset({ name: 'lra.csv', csv: bytes, summary: { rows: 55, columns: [] } });
 */
export function openStore(path: string, options: StoreOptions = {}): Store {
  const host = hostname();
  const db = openDatabase(path);
  const s: StoreState = {
    db,
    st: prepareStatements(db),
    owner: `${host}/${process.pid}/${randomUUID().slice(0, 8)}`,
    host,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    maxQueued: options.maxQueuedFits ?? DEFAULT_MAX_QUEUED_FITS,
  };
  const run = runMethods(s);
  const interruptedOnOpen = run.reapOrphans();
  const { owner, leaseMs } = s;
  return {
    db,
    path,
    owner,
    leaseMs,
    interruptedOnOpen,
    ...datasetMethods(s),
    ...fitMethods(s),
    ...run,
    ...drawMethods(s),
    close() {
      if (db.open) {
        db.prepare(`UPDATE fits SET lease_until = 0 WHERE owner = ? AND status = 'running'`).run(
          owner,
        );
        db.close();
      }
    },
  };
}

/**
 * The 409 for a fit run by another server on the same database (its lease holds).
 * @example runningElsewhere(3).message // 'fit 3 is running on another server using this database: ...'
 */
export function runningElsewhere(id: number): BayesbenchError {
  return new BayesbenchError(
    `fit ${id} is running on another server using this database: cancel it there, or wait until that server stops and its lease runs out`,
    'conflict',
    409,
  );
}

/**
 * Open a database file for the store, or throw a DatabaseError that names it and says what to do:
 * a directory or a path that cannot be opened; a file that is not an SQLite database or fails
 * `PRAGMA quick_check` (SQLite docs, "PRAGMA quick_check": the integrity check without the index
 * cross-checks, O(N) in the file size); a schema newer than this code's (user_version above
 * SCHEMA_VERSION). An existing file is checked through a read-only connection first, so a file that
 * is refused is never written (not even switched to WAL).
 */
function openDatabase(path: string): Database.Database {
  if (path === ':memory:') return configure(new Database(path), false);
  let exists = true;
  try {
    if (statSync(path).isDirectory()) {
      throw new DatabaseError(
        `${path}: is a directory, not a database file: give --db the path of a file`,
      );
    }
  } catch (err) {
    if (err instanceof DatabaseError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw unusable(path, err);
    exists = false;
  }
  if (exists) {
    let probe: Database.Database | undefined;
    try {
      probe = new Database(path, { readonly: true, fileMustExist: true });
      const version = probe.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new DatabaseError(
          `${path}: the database was written by a newer bayesbench (schema ${version}; this one knows up to ${SCHEMA_VERSION}) and is left untouched: upgrade bayesbench, or give --db another file`,
        );
      }
      const check = String(probe.pragma('quick_check', { simple: true }));
      if (check !== 'ok') throw corrupt(path, check);
    } catch (err) {
      throw err instanceof DatabaseError ? err : unusable(path, err);
    } finally {
      probe?.close();
    }
  }
  try {
    return configure(new Database(path), true);
  } catch (err) {
    throw err instanceof DatabaseError ? err : unusable(path, err);
  }
}

/** WAL (files only), foreign keys, a 5 s busy wait, then the migrations. Closes `db` on failure. */
function configure(db: Database.Database, file: boolean): Database.Database {
  try {
    if (file) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** One line for a corrupt file: the first problem SQLite names (quick_check lists one a line). */
function corrupt(path: string, detail: string): DatabaseError {
  const problems = detail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('***'));
  const first = (problems[0] ?? 'unreadable').slice(0, 160);
  const more = problems.length > 1 ? `, and ${problems.length - 1} more problems` : '';
  return new DatabaseError(
    `${path}: the database file is corrupt (${first}${more}): restore it from a backup, or give --db another file`,
  );
}

/** The DatabaseError for an SQLite or file-system error while opening `path`. */
function unusable(path: string, err: unknown): DatabaseError {
  const code = String((err as { code?: unknown }).code ?? '');
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 200);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return corrupt(path, message);
  return new DatabaseError(
    `${path}: cannot open the database file for reading and writing (${message}): check the path and its permissions, or give --db another file`,
  );
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

/** The store's prepared statements, built once per connection. */
function prepareStatements(db: Database.Database) {
  const fitSelect = `SELECT f.id, f.dataset_id, d.name AS dataset_name, f.spec, f.config, f.status,
      f.progress, f.error, f.created, f.started, f.finished, f.timings, f.diagnostics`;
  const fitFull = `${fitSelect}, f.summary, f.comparison FROM fits f JOIN datasets d ON d.id = f.dataset_id`;
  const fitLight = `${fitSelect}, NULL AS summary, NULL AS comparison FROM fits f JOIN datasets d ON d.id = f.dataset_id`;
  const datasetCols = 'id, name, summary, created, length(csv) AS bytes';

  return {
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
      `UPDATE fits SET status = 'running', started = ?, owner_pid = ?, owner = ?, lease_until = ?
         WHERE id = ? AND status = 'queued'`,
    ),
    renew: db.prepare(
      `UPDATE fits SET lease_until = ? WHERE owner = ? AND status = 'running' RETURNING id`,
    ),
    lease: db.prepare('SELECT id, status, owner, lease_until FROM fits WHERE id = ?'),
    runningLeases: db.prepare(
      `SELECT id, status, owner, lease_until FROM fits WHERE status = 'running' ORDER BY id`,
    ),
    jobRunning: db.prepare(
      `UPDATE jobs SET state = 'running', started = ?, pid = ? WHERE fit_id = ?`,
    ),
    setProgress: db.prepare(
      `UPDATE fits SET progress = ? WHERE id = ? AND status = 'running' AND owner = ?`,
    ),
    complete: db.prepare(
      `UPDATE fits SET status = 'done', finished = ?, timings = ?, diagnostics = ?, summary = ?,
         comparison = ?, progress = ?, error = NULL WHERE id = ?`,
    ),
    fail: db.prepare(`UPDATE fits SET status = ?, finished = ?, error = ? WHERE id = ?`),
    deleteJob: db.prepare('DELETE FROM jobs WHERE fit_id = ?'),
    deleteDraws: db.prepare('DELETE FROM draws WHERE fit_id = ?'),
    deleteFit: db.prepare('DELETE FROM fits WHERE id = ?'),
    datasetFits: db.prepare(
      'SELECT id, status, owner, lease_until FROM fits WHERE dataset_id = ? ORDER BY id',
    ),
    deleteDataset: db.prepare('DELETE FROM datasets WHERE id = ?'),
    insertDraw: db.prepare(
      `INSERT INTO draws (fit_id, kind, position, variable, n_draws, n_chains, data)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    requeue: db.prepare(
      `UPDATE fits SET status = 'queued', progress = '{"chains":[],"fraction":0}', error = NULL,
         started = NULL, finished = NULL, timings = NULL, diagnostics = NULL, summary = NULL,
         comparison = NULL, owner_pid = NULL, owner = NULL, lease_until = NULL WHERE id = ?`,
    ),
    queued: db.prepare(`SELECT id FROM fits WHERE status = 'queued' ORDER BY id`),
    queuedCount: db.prepare(`SELECT count(*) AS n FROM fits WHERE status = 'queued'`),
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
}

type Statements = ReturnType<typeof prepareStatements>;

/** What the store's operations share: the connection, its statements and this server's identity. */
interface StoreState {
  db: Database.Database;
  st: Statements;
  /** This connection's owner id (host/pid/random). */
  owner: string;
  host: string;
  leaseMs: number;
  maxQueued: number;
}

function toDataset(r: DatasetRow): DatasetInfo {
  return {
    id: r.id,
    name: r.name,
    summary: JSON.parse(r.summary) as DatasetSummary,
    created: r.created,
    bytes: r.bytes,
  };
}

function toFit(r: FitRow): FitRecord {
  return {
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
  };
}

function getFitOf(s: StoreState, id: number): FitRecord {
  const row = s.st.getFit.get(id) as FitRow | undefined;
  if (!row) throw new NotFoundError(`fit ${id} not found`);
  return toFit(row);
}

/**
 * The lease of a running fit's row. A lease holds until `lease_until` unless its owner is a
 * process on this host that is gone (kill -9: no need to wait for the lease to run out). A row
 * without an owner (run by a schema-1 server, before leases) is orphaned.
 */
function leaseOf(s: StoreState, r: LeaseRow): LeaseState {
  if (r.owner === s.owner) return 'mine';
  if (r.owner === null || r.lease_until === null || r.lease_until < Date.now()) return 'expired';
  const [ownerHost, pid] = r.owner.split('/');
  if (ownerHost === s.host && !isAlive(Number(pid))) return 'expired';
  return 'live';
}

/**
 * Running fits whose server is gone: interrupted (restartable), never shown as final. Queued fits
 * stay queued: the queue belongs to the database, and any server on it runs them.
 */
function orphanReaper(s: StoreState): () => number[] {
  const { st } = s;
  return s.db.transaction((): number[] => {
    const ids: number[] = [];
    for (const r of st.runningLeases.all() as LeaseRow[]) {
      if (leaseOf(s, r) !== 'expired') continue;
      st.deleteDraws.run(r.id);
      st.fail.run('interrupted', now(), 'the server stopped while this fit was running', r.id);
      st.deleteJob.run(r.id);
      ids.push(r.id);
    }
    return ids;
  });
}

/** A queued fit, or one running under a lease that holds, is not deleted (409). */
function refuseActive(s: StoreState, r: LeaseRow): void {
  if (r.status === 'queued') {
    throw new BayesbenchError(`fit ${r.id} is queued: cancel it before deleting`, 'conflict', 409);
  }
  if (r.status !== 'running') return;
  const lease = leaseOf(s, r);
  if (lease === 'mine') {
    throw new BayesbenchError(`fit ${r.id} is running: cancel it before deleting`, 'conflict', 409);
  }
  if (lease === 'live') throw runningElsewhere(r.id);
}

/** Refuse one more queued fit when the queue is full (inside the inserting transaction). */
function refuseFullQueue(s: StoreState): void {
  const { n } = s.st.queuedCount.get() as { n: number };
  if (n >= s.maxQueued) {
    throw new QueueFullError(
      `the fit queue is full (${n} fits queued, the limit is ${s.maxQueued}): wait until some finish or cancel some, then try again`,
    );
  }
}

function writeDraws(s: StoreState, fitId: number, kind: 'draws' | 'stats', d: Draws): void {
  const n = d.nDraws * d.nChains;
  d.variables.forEach((name, v) => {
    s.st.insertDraw.run(
      fitId,
      kind,
      v,
      name,
      d.nDraws,
      d.nChains,
      toBlob(d.values.subarray(v * n, (v + 1) * n)),
    );
  });
}

function readDraws(s: StoreState, fitId: number, kind: 'draws' | 'stats'): Draws | null {
  const rows = s.st.drawRows.all(fitId, kind) as {
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
}

/** Datasets: add, list, one, its CSV bytes. */
function datasetMethods(
  s: StoreState,
): Pick<Store, 'addDataset' | 'listDatasets' | 'getDataset' | 'getDatasetCsv'> {
  const { st } = s;
  return {
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
  };
}

/** Fits: create (queue), list, one, state, requeue (restart), delete; datasets deleted with their fits. */
function fitMethods(
  s: StoreState,
): Pick<
  Store,
  | 'createFit'
  | 'listFits'
  | 'getFit'
  | 'getFitLight'
  | 'fitState'
  | 'requeueFit'
  | 'deleteFit'
  | 'deleteDataset'
  | 'queuedFitIds'
> {
  const { db, st } = s;
  return {
    createFit({ datasetId, spec, config }) {
      const id = db.transaction(() => {
        if (!st.getDataset.get(datasetId))
          throw new NotFoundError(`dataset ${datasetId} not found`);
        refuseFullQueue(s);
        const info = st.insertFit.run(datasetId, toJson(spec), toJson(config), now());
        st.insertJob.run(info.lastInsertRowid, now(), process.pid);
        return Number(info.lastInsertRowid);
      })();
      return getFitOf(s, id);
    },
    listFits() {
      return (st.listFits.all() as FitRow[]).map(toFit);
    },
    getFit: (id) => getFitOf(s, id),
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
    requeueFit(id) {
      db.transaction(() => {
        if (!st.fitState.get(id)) throw new NotFoundError(`fit ${id} not found`);
        refuseFullQueue(s);
        st.deleteDraws.run(id);
        st.requeue.run(id);
        st.insertJob.run(id, now(), process.pid);
      })();
      return getFitOf(s, id);
    },
    deleteFit(id) {
      db.transaction(() => {
        const row = st.lease.get(id) as LeaseRow | undefined;
        if (!row) throw new NotFoundError(`fit ${id} not found`);
        refuseActive(s, row);
        st.deleteDraws.run(id);
        st.deleteJob.run(id);
        st.deleteFit.run(id);
      })();
    },
    deleteDataset(id) {
      db.transaction(() => {
        if (!st.getDataset.get(id)) throw new NotFoundError(`dataset ${id} not found`);
        const fits = st.datasetFits.all(id) as LeaseRow[];
        for (const f of fits) refuseActive(s, f);
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
  };
}

/** A run's life: start under a lease, renew it, progress, complete or fail; orphans reaped. */
function runMethods(
  s: StoreState,
): Pick<
  Store,
  | 'markRunning'
  | 'renewLeases'
  | 'leaseState'
  | 'reapOrphans'
  | 'setProgress'
  | 'completeFit'
  | 'failFit'
> {
  const { db, st, owner, leaseMs } = s;
  return {
    markRunning(id) {
      return db.transaction(() => {
        const lease = Date.now() + leaseMs;
        const changed = st.markRunning.run(now(), process.pid, owner, lease, id).changes > 0;
        if (changed) st.jobRunning.run(now(), process.pid, id);
        return changed;
      })();
    },
    renewLeases() {
      return (st.renew.all(Date.now() + leaseMs, owner) as { id: number }[]).map((r) => r.id);
    },
    leaseState(id) {
      const row = st.lease.get(id) as LeaseRow | undefined;
      if (!row) throw new NotFoundError(`fit ${id} not found`);
      return row.status === 'running' ? leaseOf(s, row) : null;
    },
    reapOrphans: orphanReaper(s),
    setProgress(id, progress) {
      st.setProgress.run(toJson(progress), id, owner);
    },
    completeFit(id, result) {
      return db.transaction(() => {
        // A fit deleted meanwhile (its run outlived the row), or orphaned and then cancelled,
        // restarted or run by another server: nothing to write, not an error.
        const lease = st.lease.get(id) as LeaseRow | undefined;
        if (lease?.status !== 'running' || lease.owner !== owner) return false;
        const fit = st.getFit.get(id) as FitRow;
        const docs = serializeFitResult(result);
        st.deleteDraws.run(id);
        if (result.draws) writeDraws(s, id, 'draws', result.draws);
        if (result.stats) writeDraws(s, id, 'stats', result.stats);
        const progress = JSON.parse(fit.progress) as FitProgress;
        progress.fraction = 1;
        for (const c of progress.chains) {
          c.iteration = c.total;
          c.phase = 'done';
        }
        st.complete.run(
          now(),
          toJson(result.timings ?? null),
          docs.diagnosticsJson,
          docs.summaryJson,
          docs.comparisonJson,
          toJson(progress),
          id,
        );
        st.deleteJob.run(id);
        return true;
      })();
    },
    failFit(id, status, error) {
      return db.transaction(() => {
        const row = st.lease.get(id) as LeaseRow | undefined;
        if (!row || (row.status === 'running' && leaseOf(s, row) === 'live')) return false;
        st.deleteDraws.run(id);
        st.fail.run(status, now(), error, id);
        st.deleteJob.run(id);
        return true;
      })();
    },
  };
}

/** Stored draws of a finished fit: all of them, the names, one variable. */
function drawMethods(s: StoreState): Pick<Store, 'getDraws' | 'drawVariables' | 'getVariable'> {
  const { st } = s;
  return {
    getDraws(id, kind = 'draws') {
      return readDraws(s, id, kind);
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
  };
}
