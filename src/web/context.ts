import type { Store } from '../store/store.js';
import type { Engine } from './engine.js';
import type { Lru } from './lru.js';
import type { CachedPage } from './page-cache.js';
import type { ReportViews } from './report-view.js';
import type { Runner } from './runner.js';

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
export function forgetFit(ctx: AppContext, fitId: number): void {
  ctx.reports.forget(fitId);
  ctx.pages.deleteWhere((k) => k.startsWith(`${fitId}|`));
}
