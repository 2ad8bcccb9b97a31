import { EventEmitter } from 'node:events';
import { BayesbenchError } from '../errors.js';
import type { ProgressEvent } from '../sampler/types.js';
import {
  type ChainProgress,
  type FitConfig,
  type FitProgress,
  type FitRecord,
  type FitStatus,
  runningElsewhere,
  type Store,
} from '../store/store.js';
import type { RunFit } from './engine.js';

/** What subscribers of one fit hear: progress while it runs, then its final status. */
export type RunnerEvent =
  | { type: 'progress'; fitId: number; progress: FitProgress }
  | { type: 'status'; fitId: number; status: FitStatus; error: string | null };

/** The background job queue of fits (one at a time by default). */
export interface Runner {
  /** Look at the store's queue and start fits while fewer than `jobs` run. */
  pump(): void;
  /**
   * Cancel a queued or running fit (also one orphaned by a server that stopped); false when it had
   * already finished. Throws a 409 BayesbenchError for a fit another live server runs.
   */
  cancel(fitId: number): boolean;
  /**
   * Cancel a queued or running fit and resolve once its run has ended and its final status is
   * stored (so nothing writes to its row afterwards); false when it was not queued or running here.
   */
  stop(fitId: number): Promise<boolean>;
  /**
   * Queue an interrupted, failed, cancelled or orphaned fit again. Throws a 409 BayesbenchError for a
   * queued, running or done fit, QueueFullError (429) when the queue is full.
   */
  restart(fitId: number): FitRecord;
  /** Listen to one fit's events; returns the unsubscribe function. */
  subscribe(fitId: number, listener: (event: RunnerEvent) => void): () => void;
  /** Listen to every fit's events; returns the unsubscribe function. */
  subscribeAll(listener: (event: RunnerEvent) => void): () => void;
  /** The latest in-memory progress of a running fit (fresher than the store's). */
  progress(fitId: number): FitProgress | undefined;
  /** Resolves when no fit is running or queued. */
  idle(): Promise<void>;
  /** Cancel running fits (they become 'interrupted') and stop taking new ones. */
  close(): Promise<void>;
}

/** Options of createRunner. */
export interface RunnerOptions {
  store: Store;
  runFit: RunFit;
  /** Fits run at once (default 1). */
  jobs?: number;
  /** Minimum milliseconds between progress writes to the store (default 500). */
  storeIntervalMs?: number;
  /** Milliseconds between lease renewals (default a quarter of the store's lease). */
  heartbeatMs?: number;
}

/**
 * Record a chain's progress event in `progress` (in place) and return a snapshot to emit and store:
 * the chains seen so far and the fraction of all iterations done (chains not yet heard from count
 * as warmup + draws to go).
 * @example recordProgress({ chains: [], fraction: 0 }, event, fit.config).fraction // 0.25
 */
function recordProgress(progress: FitProgress, e: ProgressEvent, config: FitConfig): FitProgress {
  const c: ChainProgress = {
    chain: e.chain,
    iteration: e.iteration,
    total: e.total,
    phase: e.phase,
    divergent: e.divergent,
  };
  progress.chains[e.chain] = c;
  let done = 0;
  let total = 0;
  for (let i = 0; i < config.chains; i++) {
    const ch = progress.chains[i];
    done += ch ? ch.iteration : 0;
    total += ch ? ch.total : config.warmup + config.draws;
  }
  progress.fraction = total > 0 ? done / total : 0;
  return {
    chains: Array.from(progress.chains, (x) => x ?? null).filter(
      (x): x is ChainProgress => x !== null,
    ),
    fraction: progress.fraction,
  };
}

/**
 * The final status and message of a run that threw: aborted by close (interrupted) or by the user
 * (cancelled), or failed with the error's message (a BayesbenchError's own words; others marked
 * internal).
 */
function failureOf(
  aborted: boolean,
  reason: string | undefined,
  err: unknown,
): { status: 'failed' | 'cancelled' | 'interrupted'; message: string } {
  if (aborted) {
    return reason === 'close'
      ? { status: 'interrupted', message: 'the server stopped while this fit was running' }
      : { status: 'cancelled', message: 'cancelled by the user' };
  }
  const message =
    err instanceof BayesbenchError
      ? err.message
      : `internal error: ${err instanceof Error ? err.message : String(err)}`;
  return { status: 'failed', message };
}

/**
 * Create the job runner: fits queued in the store run one at a time (or `jobs` at a time) through
 * `runFit`; progress goes to subscribers (server-sent events) at once and to the store at most every
 * `storeIntervalMs`; the result, its draws and status 'done' are written in one transaction.
 * A heartbeat renews the leases of the fits running here (so other servers on the same database
 * leave them alone), stops a run whose lease was lost (its fit was taken over while this server
 * was stalled), and marks fits orphaned by a stopped server as interrupted.
 *
 * @example
 * const runner = createRunner({ store, runFit: workerRunFit });
 * store.createFit({ datasetId, spec, config }); runner.pump();
 */
export function createRunner(options: RunnerOptions): Runner {
  const { store, runFit } = options;
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  const storeIntervalMs = options.storeIntervalMs ?? 500;
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const running = new Map<
    number,
    { controller: AbortController; progress: FitProgress; done: Promise<void>; reason?: string }
  >();
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  // Never throws (it runs on a timer, where an exception would end the process): a busy or closed
  // database skips a beat; the lease outlasts several beats.
  const heartbeat = () => {
    if (!store.db.open) {
      clearInterval(timer);
      return;
    }
    try {
      beat();
    } catch {
      // Retried at the next beat.
    }
  };
  const beat = () => {
    const owned = new Set(store.renewLeases());
    for (const [id, r] of running) {
      if (owned.has(id) || r.controller.signal.aborted) continue;
      r.reason = 'lost';
      r.controller.abort();
    }
    for (const id of store.reapOrphans()) {
      const error = 'the server stopped while this fit was running';
      emit({ type: 'status', fitId: id, status: 'interrupted', error });
    }
  };
  const timer = setInterval(
    heartbeat,
    options.heartbeatMs ?? Math.max(10, Math.floor(store.leaseMs / 4)),
  );
  timer.unref();

  const emit = (event: RunnerEvent) => {
    emitter.emit(`fit:${event.fitId}`, event);
    emitter.emit('all', event);
  };

  const checkIdle = () => {
    if (running.size === 0 && (closed || store.queuedFitIds().length === 0)) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const start = (fitId: number) => {
    if (!store.markRunning(fitId)) return;
    const fit = store.getFit(fitId);
    const controller = new AbortController();
    const progress: FitProgress = { chains: [], fraction: 0 };
    let lastWrite = 0;
    const onProgress = (e: ProgressEvent) => {
      const snapshot = recordProgress(progress, e, fit.config);
      emit({ type: 'progress', fitId, progress: snapshot });
      const t = Date.now();
      if (t - lastWrite >= storeIntervalMs) {
        lastWrite = t;
        store.setProgress(fitId, snapshot);
      }
    };
    const entry = {
      controller,
      progress,
      done: Promise.resolve(),
      reason: undefined as string | undefined,
    };
    running.set(fitId, entry);
    entry.done = (async () => {
      try {
        const csv = store.getDatasetCsv(fit.datasetId);
        const result = await runFit(
          { fitId, datasetName: fit.datasetName, csv, spec: fit.spec, config: fit.config },
          { signal: controller.signal, onProgress },
        );
        if (controller.signal.aborted) throw new Error('cancelled');
        if (store.completeFit(fitId, result)) {
          emit({ type: 'status', fitId, status: 'done', error: null });
        }
      } catch (err) {
        const aborted = controller.signal.aborted;
        // Its lease was lost: the fit's row now belongs to whoever took it over.
        if (aborted && entry.reason === 'lost') return;
        const { status, message } = failureOf(aborted, entry.reason, err);
        if (store.failFit(fitId, status, message)) {
          emit({ type: 'status', fitId, status, error: message });
        }
      } finally {
        running.delete(fitId);
        if (!closed) pump();
        checkIdle();
      }
    })();
  };

  const pump = () => {
    if (closed) return;
    for (const id of store.queuedFitIds()) {
      if (running.size >= jobs) break;
      if (!running.has(id)) start(id);
    }
    checkIdle();
  };

  const cancel = (fitId: number): boolean => {
    const r = running.get(fitId);
    if (r) {
      r.reason = 'user';
      r.controller.abort();
      return true;
    }
    const { status } = store.fitState(fitId);
    if (status === 'running' && store.leaseState(fitId) === 'live') throw runningElsewhere(fitId);
    if (status !== 'queued' && status !== 'running') return false;
    // Queued, or running with no server left to run it (orphaned): nothing to stop, only the row.
    const message =
      status === 'queued'
        ? 'cancelled by the user'
        : 'cancelled by the user (the server running it had stopped)';
    if (!store.failFit(fitId, 'cancelled', message)) return false;
    emit({ type: 'status', fitId, status: 'cancelled', error: message });
    checkIdle();
    return true;
  };

  /** A running fit that no runner runs any more (its lease expired, or it was ours before close). */
  const orphaned = (fitId: number) => !running.has(fitId) && store.leaseState(fitId) !== 'live';

  return {
    pump,
    cancel,
    async stop(fitId) {
      const r = running.get(fitId);
      const cancelled = cancel(fitId);
      // The run's promise never rejects: it stores the final status (cancelled) in its finally.
      if (r) await r.done;
      return cancelled;
    },
    restart(fitId) {
      const { status } = store.fitState(fitId);
      const stopped =
        status === 'running' ? orphaned(fitId) : status !== 'queued' && status !== 'done';
      if (!stopped) {
        throw new BayesbenchError(
          `fit ${fitId} is ${status}; only a stopped fit restarts`,
          'conflict',
          409,
        );
      }
      const again = store.requeueFit(fitId);
      pump();
      return again;
    },
    subscribe(fitId, listener) {
      const key = `fit:${fitId}`;
      emitter.on(key, listener);
      return () => emitter.off(key, listener);
    },
    subscribeAll(listener) {
      emitter.on('all', listener);
      return () => emitter.off('all', listener);
    },
    progress(fitId) {
      const r = running.get(fitId);
      if (!r) return undefined;
      return {
        chains: r.progress.chains.filter((x) => x !== undefined),
        fraction: r.progress.fraction,
      };
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    async close() {
      closed = true;
      clearInterval(timer);
      for (const r of running.values()) {
        r.reason = 'close';
        r.controller.abort();
      }
      await Promise.all([...running.values()].map((r) => r.done));
      checkIdle();
    },
  };
}
