import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { openStore, type Store } from '../store/store.js';
import { createApp } from './app.js';
import { defaultEngine } from './default-engine.js';
import { packageRoot } from './paths.js';
import { ingestUploadSync } from './requests.js';
import { createRunner, type Runner } from './runner.js';

/** Options of `bayesbench serve`. */
export interface ServeOptions {
  port?: number;
  host?: string;
  db?: string;
  token?: string;
  jobs?: number;
  /** Import and fit the demo dataset when the database is empty (default true). */
  demo?: boolean;
  /** Where to print for people (default stderr). */
  log?: (line: string) => void;
}

/** A running server and how to stop it. */
export interface RunningServer {
  server: Server;
  store: Store;
  runner: Runner;
  url: string;
  /** Stop taking requests, mark running fits interrupted, close the database. */
  close(): Promise<void>;
}

/**
 * The demo dataset imported on first start: the Long Range Arena table of Tay et al. 2021.
 * @example join(packageRoot(), DEMO_DATASET)
 */
export const DEMO_DATASET = 'fixtures/real/lra_tay2021.csv';

/**
 * Shortest token accepted: 16 characters (with `openssl rand -hex 16`, 128 bits), so that the login
 * throttle (LOGIN_LIMITS) makes guessing hopeless.
 * @example MIN_TOKEN_LENGTH // 16
 */
export const MIN_TOKEN_LENGTH = 16;

/**
 * Whether a host name is loopback (127.0.0.0/8, ::1, localhost): only then may the server run
 * without a token.
 * @example isLoopback('127.0.0.1') // true
 */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The error of a failed listen, for people: a port in use or not allowed is a ConfigError (exit 2). */
function listenError(err: NodeJS.ErrnoException, port: number, host: string): Error {
  if (err.code === 'EADDRINUSE')
    return new ConfigError(`--port ${port}: the port is in use on ${host} (try another --port)`);
  if (err.code === 'EACCES')
    return new ConfigError(
      `--port ${port}: not allowed to listen on it (ports below 1024 need privileges)`,
    );
  if (err.code === 'EADDRNOTAVAIL')
    return new ConfigError(`--host ${host}: not an address of this machine`);
  return err;
}

/**
 * Import the demo dataset and queue its fit when the store has no dataset yet; returns the fit id.
 * @example seedDemo(store, engine) // 1
 */
export function seedDemo(store: Store, root = packageRoot()): number | null {
  if (store.listDatasets().length > 0) return null;
  const path = join(root, DEMO_DATASET);
  if (!existsSync(path)) return null;
  const engine = defaultEngine(join(root, 'models'));
  const dataset = ingestUploadSync(store, engine, {
    bytes: new Uint8Array(readFileSync(path)),
    filename: 'lra_tay2021.csv',
    name: 'Long Range Arena (Tay et al. 2021, demo)',
  });
  const detected = dataset.summary.detected ?? {};
  if (!detected.heuristic || !detected.task || !detected.score) return null;
  // The published table has one row per heuristic x task: keep the roles that vary in it.
  const mapping = {
    heuristic: detected.heuristic,
    task: detected.task,
    score: detected.score,
    ...(detected.category ? { category: detected.category } : {}),
  };
  const fit = store.createFit({
    datasetId: dataset.id,
    spec: { mapping, model: 'heuristic-task' },
    config: { chains: 4, warmup: 1000, draws: 1000, seed: 1 },
  });
  return fit.id;
}

/**
 * Open the store, build the app and listen (`bayesbench serve`). A host that is not loopback needs
 * a token. On an empty database the demo dataset is imported and fitted.
 *
 * @example const s = await startServer({ port: 3000, db: 'bayesbench.db' }); await s.close();
 */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 3000;
  const jobs = options.jobs ?? 1;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`--port must be an integer from 0 to 65535 (got ${port})`);
  }
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) {
    throw new ConfigError(`--jobs must be an integer from 1 to 64 (got ${jobs})`);
  }
  if (options.token !== undefined && options.token.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `--token: at least ${MIN_TOKEN_LENGTH} characters (got ${options.token.length}); e.g. openssl rand -hex 16`,
    );
  }
  if (!isLoopback(host) && !options.token) {
    throw new ConfigError(
      `--host ${host} is not a loopback address: give --token T so that only people with the token can use the server`,
    );
  }
  // Bind first: a port in use is a one-line error before the database is opened or the demo queued.
  // (Express 5's app.listen calls its callback with the error, which read as "started".)
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(err, port, host));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  let store: Store | undefined;
  let runner: Runner;
  try {
    store = openStore(options.db ?? 'bayesbench.db');
    if (store.interruptedOnOpen.length > 0) {
      log(
        `bayesbench: fits ${store.interruptedOnOpen.join(', ')} were interrupted when the server last stopped; restart them from their pages`,
      );
    }
    if (options.demo !== false) {
      const id = seedDemo(store);
      if (id !== null)
        log(`bayesbench: imported the demo dataset (${DEMO_DATASET}) and queued fit ${id}`);
    }
    const engine = defaultEngine();
    runner = createRunner({ store, runFit: engine.runFit, jobs });
    server.on('request', createApp({ store, runner, token: options.token }));
  } catch (err) {
    server.close();
    store?.close();
    throw err;
  }
  const openedStore = store;
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${boundPort}/`;
  let closing: Promise<void> | undefined;
  return {
    server,
    store: openedStore,
    runner,
    url,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await runner.close();
        await closed;
        openedStore.close();
      })();
      return closing;
    },
  };
}
