import type { Store } from '../store/store.js';
import type { Engine } from './engine.js';
import type { Lru } from './lru.js';
import { type CachedPage, createPageCache } from './page-cache.js';
import { createReportViews, type ReportViews } from './report-view.js';
import { createRunner, type Runner } from './runner.js';

/**
 * What the route modules of one app share: the store, the fit runner, the engine, the token, and the
 * app's own caches (report views, rendered pages). Built by createApp; nothing here is a module
 * global, so two apps in one process never share or evict each other's state.
 */
export interface AppContext {
  store: Store;
  runner: Runner;
  engine: () => Promise<Engine>;
  token?: string;
  reports: ReportViews;
  pages: Lru<CachedPage>;
}

/**
 * Forget everything cached for a fit (restart, delete).
 * @example forgetFit(ctx, 3)
 */
export function forgetFit(ctx: Pick<AppContext, 'reports' | 'pages'>, fitId: number): void {
  ctx.reports.forget(fitId);
  ctx.pages.deleteWhere((k) => k.startsWith(`${fitId}|`));
}

/** Options of createApp (and createContext). */
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

/**
 * The context of one app: the engine (the default one, loaded on first use, with the given parts
 * replaced), the runner (default: fits on worker threads through the engine) and new caches.
 * @example const ctx = createContext({ store: openStore(':memory:') });
 */
export function createContext(options: AppOptions): AppContext {
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
  return {
    store,
    runner,
    engine,
    token: options.token,
    reports: options.caches?.reports ?? createReportViews(store, engine),
    pages: options.caches?.pages ?? createPageCache(),
  };
}
