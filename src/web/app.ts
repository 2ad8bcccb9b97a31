import ejs from 'ejs';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { NotFoundError } from '../errors.js';
import { loopbackHostOnly, sameOrigin, tokenAuth } from './auth.js';
import { type AppOptions, createContext } from './context.js';
import { errorHandler } from './http-errors.js';
import { packageRoot } from './paths.js';
import { apiRoutes } from './routes/api.js';
import { authRoutes } from './routes/auth.js';
import { pageRoutes } from './routes/pages.js';

export type { AppContext, AppOptions } from './context.js';
export { describeError } from './http-errors.js';
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
  const ctx = createContext(options);
  const { store, runner } = ctx;
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
