import { NotFoundError } from '../errors.js';
import type { FitRecord } from '../store/store.js';
import type { AppContext } from './context.js';
import { checkItemsFit, itemsPair } from './items.js';
import type { ItemsDoc, ItemsQuery } from './items-types.js';
import { createLru, type Lru } from './lru.js';

/**
 * Item-level results of stored fits (GET /api/fits/:id/items and the page /fits/:id/items): one
 * document per (fit, pair, k), computed on demand on a worker thread through the report rebuilds'
 * slots (so a client asking for every pair costs one thread and a 503 beyond the queue, never the
 * event loop) and kept in a bounded LRU per app.
 */

/** Item documents kept per app: a document holds at most 2 k items per task. */
export const ITEMS_CACHE_ENTRIES = 32;

const caches = new WeakMap<AppContext, Lru<Promise<ItemsDoc>>>();

/**
 * The item-level document of a finished fit of the paired item model for the query's pair (the
 * two best heuristics by default): 409 until the fit is done, 400 for another model, an unknown
 * heuristic or A = B (one line naming the parameter), 404 when the engine has none or the draws
 * are gone, 503 when the rebuild queue is full.
 * @example res.json(await storedItems(ctx, store.getFit(3), { a: 'snapkv', b: 'full_kv', k: 10 }))
 */
export function storedItems(ctx: AppContext, fit: FitRecord, query: ItemsQuery): Promise<ItemsDoc> {
  checkItemsFit(fit);
  const { a, b } = itemsPair(fit, query);
  let cache = caches.get(ctx);
  if (!cache) {
    cache = createLru<Promise<ItemsDoc>>({ entries: ITEMS_CACHE_ENTRIES });
    caches.set(ctx, cache);
  }
  const key = `${fit.id}|${fit.finished}|${a}\u0000${b}|${query.k}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const built = ctx.reports.run(async () => {
    const engine = await ctx.engine();
    if (!engine.items)
      throw new NotFoundError(`fit ${fit.id}: item-level results are not available here`);
    const draws = ctx.store.getDraws(fit.id);
    if (!draws) throw new NotFoundError(`fit ${fit.id} has no stored draws`);
    return engine.items({
      fit,
      csv: ctx.store.getDatasetCsv(fit.datasetId),
      draws,
      a,
      b,
      k: query.k,
    });
  }, 'busy: other reports or item-level results are being computed; try again in a few seconds');
  built.catch(() => cache.delete(key));
  cache.set(key, built);
  return built;
}
