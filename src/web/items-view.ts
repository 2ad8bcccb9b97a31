import { BayesbenchError, NotFoundError } from '../errors.js';
import type { AppContext } from './context.js';
import { checkItemsFit, itemFitOf, itemsPair } from './items.js';
import type { ItemFit, ItemsDoc, ItemsQuery } from './items-types.js';
import { createLru, type Lru } from './lru.js';

/**
 * Item-level results of stored fits (GET /api/fits/:id/items and the page /fits/:id/items): one
 * document per (fit, pair, k), computed on demand on a worker thread through the report rebuilds'
 * slots (so a client asking for every pair costs one thread and a 503 beyond the queue, never the
 * event loop) and kept in a bounded LRU per app, with what the view needs of each fit (so the fit's
 * comparison document is parsed once, not per request).
 */

/** Item documents kept per app (a document holds at most 2 k items per task), and fits. */
export const ITEMS_CACHE_ENTRIES = 32;

interface ItemCaches {
  docs: Lru<Promise<ItemsDoc>>;
  fits: Lru<ItemFit>;
}

const caches = new WeakMap<AppContext, ItemCaches>();

function cachesOf(ctx: AppContext): ItemCaches {
  let c = caches.get(ctx);
  if (!c) {
    c = {
      docs: createLru<Promise<ItemsDoc>>({ entries: ITEMS_CACHE_ENTRIES }),
      fits: createLru<ItemFit>({ entries: ITEMS_CACHE_ENTRIES }),
    };
    caches.set(ctx, c);
  }
  return c;
}

/**
 * What an item view needs of a fit: 404 for an unknown fit, 409 until it is done (from the cheap
 * status row), 400 for a fit of another model; the record is read once per (fit, finish time).
 * @example const info = itemFitState(ctx, 3); info.ranked
 */
export function itemFitState(ctx: AppContext, id: number): ItemFit {
  const state = ctx.store.fitState(id);
  if (state.status !== 'done') {
    throw new BayesbenchError(
      `fit ${id} is ${state.status}: no item-level results yet`,
      'not_ready',
      409,
    );
  }
  const { fits } = cachesOf(ctx);
  const key = `${id}|${state.finished}`;
  let info = fits.get(key);
  if (!info) {
    info = itemFitOf(ctx.store.getFit(id));
    fits.set(key, info);
  }
  checkItemsFit(info);
  return info;
}

/**
 * The item-level document of a finished fit of the paired item model for the query's pair (the
 * two best heuristics by default): 409 until the fit is done, 400 for another model, an unknown
 * heuristic or A = B (one line naming the parameter), 404 for an unknown fit, when the engine has
 * none or the draws are gone, 503 when the rebuild queue is full.
 * @example const { doc } = await storedItems(ctx, 3, { a: 'snapkv', b: 'full_kv', k: 10 })
 */
export async function storedItems(
  ctx: AppContext,
  id: number,
  query: ItemsQuery,
): Promise<{ doc: ItemsDoc; info: ItemFit }> {
  const info = itemFitState(ctx, id);
  const { fit, settings } = info;
  const { a, b } = itemsPair(info, query);
  const { docs } = cachesOf(ctx);
  const key = `${fit.id}|${fit.finished}|${a}\u0000${b}|${query.k}`;
  let built = docs.get(key);
  if (!built) {
    built = ctx.reports.run(async () => {
      const engine = await ctx.engine();
      if (!engine.items) {
        throw new NotFoundError(`fit ${fit.id}: item-level results are not available here`);
      }
      const draws = ctx.store.getDraws(fit.id);
      if (!draws) throw new NotFoundError(`fit ${fit.id} has no stored draws`);
      const csv = ctx.store.getDatasetCsv(fit.datasetId);
      return engine.items({ fit, settings, csv, draws, a, b, k: query.k });
    }, 'busy: other reports or item-level results are being computed; try again in a few seconds');
    const entry = built;
    entry.catch(() => docs.delete(key));
    docs.set(key, entry);
  }
  return { doc: await built, info };
}
