import ejs from 'ejs';
import express, { type ErrorRequestHandler, type Express } from 'express';
import helmet from 'helmet';
import { BayesbenchError, NotFoundError } from '../errors.js';
import type { Store } from '../store/store.js';
import { loopbackHostOnly, sameOrigin, tokenAuth } from './auth.js';
import type { AppContext } from './context.js';
import type { Engine } from './engine.js';
import type { Lru } from './lru.js';
import { webMessage } from './messages.js';
import { type CachedPage, createPageCache } from './page-cache.js';
import { packageRoot } from './paths.js';
import { createReportViews, type ReportViews } from './report-view.js';
import { LIMITS } from './requests.js';
import { apiRoutes } from './routes/api.js';
import { authRoutes } from './routes/auth.js';
import { pageRoutes } from './routes/pages.js';
import { createRunner, type Runner } from './runner.js';

/** Options of createApp. */
export interface AppOptions {
  store: Store;
  /** The job runner; default: one built from `engine.runFit` (worker threads), one fit at a time. */
  runner?: Runner;
  /** When set, every request needs `Authorization: Bearer <token>` or the login cookie. */
  token?: string;
  /** Replace parts of the default engine (tests inject a fake `runFit`). */
  engine?: Partial<Engine>;
  /** Fits at once for the default runner (default 1). */
  jobs?: number;
  /** The app's caches (default: new ones with REPORT_LIMITS and PAGE_CACHE_LIMITS). */
  caches?: { reports?: ReportViews; pages?: Lru<CachedPage> };
}

export type { AppContext } from './context.js';
export { packageRoot } from './paths.js';

/**
 * Build the web app over a store. It never listens by itself: `serve` (or a test's supertest) does.
 * Helmet's default CSP (no inline scripts: page JS lives in public/), EJS views that print prepared
 * view models, one error handler mapping typed errors to 400/404 pages or JSON (never a stack).
 *
 * @example
 * const app = createApp({ store: openStore(':memory:') });
 * app.listen(3000, '127.0.0.1');
 */
export function createApp(options: AppOptions): Express {
  const { store } = options;
  let enginePromise: Promise<Engine> | undefined;
  const overrides = options.engine ?? {};
  const engine = (): Promise<Engine> => {
    enginePromise ??= (async () => {
      const needed: (keyof Engine)[] = [
        'parseCsv',
        'detectColumns',
        'checkFit',
        'priors',
        'models',
      ];
      if (needed.every((k) => overrides[k]) && overrides.runFit) return overrides as Engine;
      const { defaultEngine } = await import('./default-engine.js');
      return { ...defaultEngine(), ...overrides } as Engine;
    })();
    return enginePromise;
  };
  const runner =
    options.runner ??
    createRunner({
      store,
      jobs: options.jobs,
      runFit: async (job, ctx) => (await engine()).runFit(job, ctx),
    });
  const ctx: AppContext = {
    store,
    runner,
    engine,
    token: options.token,
    reports: options.caches?.reports ?? createReportViews(store, engine),
    pages: options.caches?.pages ?? createPageCache(),
  };

  const app = express();
  const root = packageRoot();
  app.disable('x-powered-by');
  app.set('views', `${root}views`);
  app.set('view engine', 'ejs');
  app.engine('ejs', (ejs as unknown as { __express: Parameters<Express['engine']>[1] }).__express);
  app.set('view cache', true);
  app.set('query parser', 'simple');
  // Without a token the server trusts loopback, so it must be reached by a loopback name (DNS rebinding).
  if (!options.token) app.use(loopbackHostOnly());
  // Helmet's defaults, except upgrade-insecure-requests: the server speaks plain HTTP, and on a LAN
  // address (--host with --token) that directive would make browsers fetch /static over https.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use('/static', express.static(`${root}public`, { maxAge: '1h', index: false }));
  app.use(sameOrigin());
  app.use(authRoutes(ctx));
  if (options.token) app.use(tokenAuth(options.token));
  app.use('/api', express.json({ limit: '100kb' }), apiRoutes(ctx));
  app.use(express.urlencoded({ extended: false, limit: '100kb' }), pageRoutes(ctx));

  app.use((req, _res, next) => {
    next(new NotFoundError(`no page at ${req.path}`));
  });
  app.use(errorHandler);
  // Render a finished fit's report once in the background, so its first page view is fast.
  runner.subscribeAll((event) => {
    if (event.type !== 'status' || event.status !== 'done') return;
    ctx.reports.get(store.getFit(event.fitId), {}).catch(() => {
      // A report that cannot be built shows its error when the page is opened.
    });
  });
  runner.pump();
  return app;
}

/**
 * Map an error to a status and a message for people; unknown errors are 500 without details.
 * @example describeError(new NotFoundError('fit 9 not found')) // { status: 404, message: 'fit 9 not found' }
 */
export function describeError(err: unknown): { status: number; message: string } {
  const { status, message } = describeRaw(err);
  return { status, message: webMessage(message) };
}

function describeRaw(err: unknown): { status: number; message: string } {
  if (err instanceof BayesbenchError) return { status: err.status, message: err.message };
  const e = err as { status?: number; statusCode?: number; type?: string; code?: string };
  const status = e?.status ?? e?.statusCode;
  if (e?.code === 'LIMIT_FILE_SIZE')
    return {
      status: 400,
      message: `the file is over the upload limit of ${LIMITS.bytes / 1024 / 1024} MB`,
    };
  if (typeof e?.code === 'string' && e.code.startsWith('LIMIT_')) {
    return { status: 400, message: `upload rejected: ${(err as Error).message}` };
  }
  if (e?.type === 'entity.parse.failed')
    return { status: 400, message: 'the request body is not valid JSON' };
  if (e?.type === 'entity.too.large')
    return { status: 413, message: 'the request body is too large' };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, message: (err as Error).message || 'bad request' };
  }
  return { status: 500, message: 'internal error (see the server log)' };
}

const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const { status, message } = describeError(err);
  // 500 is a bug (logged with its stack); 503 "busy" is the server protecting itself.
  if (status === 500) console.error(`bayesbench web: ${req.method} ${req.path}:`, err);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status);
  if (status === 503) res.set('Retry-After', '5');
  if (req.path.startsWith('/api/') || req.path === '/api' || !req.accepts('html')) {
    res.json({ error: message, status });
    return;
  }
  res.render('error', { title: status === 404 ? 'Not found' : 'Error', status, message });
};
