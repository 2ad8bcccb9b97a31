import { runningElsewhere } from '../store/store.js';
import { type AppContext, forgetFit } from './context.js';
import { forgetItems } from './items-view.js';

/*
 * Deleting from the web app. The store refuses (409) to delete a queued or running fit rather than
 * deleting it under the runner: only the runner can stop a worker, and a row deleted while its run
 * goes on would leave that run writing progress and results into nothing. So these helpers stop
 * such fits through the runner first (the same path as /fits/:id/cancel) and wait until the run
 * has ended and stored its final status; then the store deletes everything in one transaction.
 * A fit orphaned by a server that stopped (its lease expired) is cancelled and deleted like any
 * other; a fit another live server runs is refused (409) before anything changes.
 * (The store's setProgress, completeFit and failFit are also no-ops for a deleted id, so a run that
 * still ended late could not crash the server.)
 */

/** What deleting needs of the app: store and runner, and the app's caches to forget the fit in. */
export type DeleteContext = Pick<AppContext, 'store' | 'runner'> &
  Partial<Pick<AppContext, 'reports' | 'pages'>>;

/** Drop a deleted fit from the app's caches, when the caller has them. */
function forgetCached(ctx: DeleteContext, id: number): void {
  if (ctx.reports && ctx.pages) forgetFit({ reports: ctx.reports, pages: ctx.pages }, id);
  forgetItems(ctx, id);
}

/**
 * Stop a fit if it is queued or running, then delete it with its draws and job row.
 * Throws NotFoundError (404) for an unknown id, a 409 BayesbenchError when another server runs it.
 *
 * @example await deleteFit(ctx, 3); // ctx.store.getFit(3) now throws NotFoundError
 */
export async function deleteFit(ctx: DeleteContext, id: number): Promise<void> {
  const { status } = ctx.store.fitState(id);
  if (status === 'queued' || status === 'running') await ctx.runner.stop(id);
  ctx.store.deleteFit(id);
  forgetCached(ctx, id);
}

/**
 * Delete the dataset with all its fits: first refuse (409, nothing changed) when another live
 * server runs one of them, then stop its queued and running fits, then delete everything.
 * Throws NotFoundError (404) for an unknown id.
 *
 * @example await deleteDataset(ctx, 1); // its fits are gone from store.listFits()
 */
export async function deleteDataset(ctx: DeleteContext, id: number): Promise<void> {
  const { store, runner } = ctx;
  store.getDataset(id);
  const fits = store.listFits().filter((f) => f.datasetId === id);
  for (const f of fits) {
    if (f.status === 'running' && store.leaseState(f.id) === 'live') throw runningElsewhere(f.id);
  }
  // Cancel all of them before waiting on any: a run that ends starts the next queued fit.
  const active = fits.filter((f) => f.status === 'queued' || f.status === 'running');
  await Promise.all(active.map((f) => runner.stop(f.id)));
  store.deleteDataset(id);
  for (const f of fits) forgetCached(ctx, f.id);
}
