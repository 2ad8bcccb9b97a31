import { type AppContext, forgetFit } from './context.js';

/*
 * Deleting from the web app. The store refuses (409) to delete a queued or running fit rather than
 * deleting it under the runner: only the runner can stop a worker, and a row deleted while its run
 * goes on would leave that run writing progress and results into nothing. So these helpers stop
 * such fits through the runner first (the same path as /fits/:id/cancel) and wait until the run
 * has ended and stored its final status; then the store deletes everything in one transaction.
 * (The store's setProgress, completeFit and failFit are also no-ops for a deleted id, so a run that
 * still ended late could not crash the server.)
 */

/**
 * Stop a fit if it is queued or running, then delete it with its draws and job row.
 * Throws NotFoundError (404) for an unknown id.
 *
 * @example await deleteFit(ctx, 3); // ctx.store.getFit(3) now throws NotFoundError
 */
export async function deleteFit(ctx: AppContext, id: number): Promise<void> {
  const { status } = ctx.store.fitState(id);
  if (status === 'queued' || status === 'running') await ctx.runner.stop(id);
  ctx.store.deleteFit(id);
  forgetFit(ctx, id);
}

/**
 * Stop the dataset's queued and running fits, then delete the dataset with all its fits.
 * Throws NotFoundError (404) for an unknown id.
 *
 * @example await deleteDataset(ctx, 1); // its fits are gone from store.listFits()
 */
export async function deleteDataset(ctx: AppContext, id: number): Promise<void> {
  const { store, runner } = ctx;
  store.getDataset(id);
  const fits = store.listFits().filter((f) => f.datasetId === id);
  // Cancel all of them before waiting on any: a run that ends starts the next queued fit.
  const active = fits.filter((f) => f.status === 'queued' || f.status === 'running');
  await Promise.all(active.map((f) => runner.stop(f.id)));
  store.deleteDataset(id);
  for (const f of fits) forgetFit(ctx, f.id);
}
