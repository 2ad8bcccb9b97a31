import { BayesbenchError, NotFoundError } from '../errors.js';
import type { AppContext } from './context.js';
import { matrixBytes } from './item-matrix.js';
import { checkItemsFit, itemFitOf, itemsDoc, itemsPair } from './items.js';
import { itemsDocInWorker } from './items-in-worker.js';
import type { ItemFit, ItemMatrix, ItemsDoc, ItemsQuery } from './items-types.js';
import { createLru, type Lru } from './lru.js';

/**
 * Item-level results of stored fits (GET /api/fits/:id/items and the page /fits/:id/items). Per
 * fit, its item matrix (src/web/item-matrix.ts: the per-heuristic item means and the cell draws)
 * is built once, on demand, on a worker thread through the report rebuilds' slots (a 503 beyond
 * their queue, never the event loop), and kept in an LRU bounded by entries and bytes; every pair
 * is then answered from it on this thread (src/web/items.ts itemsDoc: O(draws x tasks + the two
 * heuristics' items), no parsing). Documents per (fit, pair, k) and what the view needs of each
 * fit (so the fit's comparison document is parsed once) are kept in LRUs too.
 */

/** Item documents kept per app (a document holds at most 2 k items per task), and fits. */
export const ITEMS_CACHE_ENTRIES = 32;

/**
 * Item matrices kept per app: a matrix holds 16 bytes per (heuristic, task, item) of the data and
 * 8 (16 for 0/1 scores) per heuristic x task cell and draw, 4.6 MB for 100,000 rows of 20
 * heuristics x 5 tasks and 4,000 draws; one larger than the byte bound answers its request and is
 * not kept.
 */
export const ITEM_MATRIX_LIMITS = { entries: 8, bytes: 256 * 1024 * 1024 };

/**
 * Tasks x draws of a fit up to which a pair is answered on the server's thread (a pair summarizes
 * two rows of draws per task: 2-13 ms for 5 tasks x 4,000 draws, BENCHMARKS.md §13.3); above it
 * (e.g. 10 tasks x 100,000 draws, ~0.5 s) on a worker thread through the rebuild slots.
 */
export const ITEMS_ON_THREAD = 1_000_000;

interface ItemCaches {
  docs: Lru<ItemsDoc>;
  fits: Lru<ItemFit>;
  matrices: Lru<Promise<ItemMatrix>>;
}

const caches = new WeakMap<AppContext, ItemCaches>();

function cachesOf(ctx: AppContext): ItemCaches {
  let c = caches.get(ctx);
  if (!c) {
    c = {
      docs: createLru<ItemsDoc>({ entries: ITEMS_CACHE_ENTRIES }),
      fits: createLru<ItemFit>({ entries: ITEMS_CACHE_ENTRIES }),
      matrices: createLru<Promise<ItemMatrix>>(ITEM_MATRIX_LIMITS),
    };
    caches.set(ctx, c);
  }
  return c;
}

/**
 * Forget the item matrix, documents and record kept for a fit (deleted or restarted), so a deleted
 * fit's matrix does not hold memory until the LRU evicts it.
 * @example forgetItems(ctx, 3)
 */
export function forgetItems(ctx: object, fitId: number): void {
  const c = caches.get(ctx as AppContext);
  if (!c) return;
  const match = (k: string) => k.startsWith(`${fitId}|`);
  c.docs.deleteWhere(match);
  c.fits.deleteWhere(match);
  c.matrices.deleteWhere(match);
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
 * The item matrix of a finished fit, built once on a rebuild slot and kept (a failed build is
 * forgotten, so the next request tries again).
 */
function matrixOf(ctx: AppContext, info: ItemFit): Promise<ItemMatrix> {
  const { fit, settings } = info;
  const { matrices } = cachesOf(ctx);
  const key = `${fit.id}|${fit.finished}`;
  const cached = matrices.get(key);
  if (cached) return cached;
  const built = ctx.reports.run(async () => {
    const engine = await ctx.engine();
    if (!engine.itemMatrix) {
      throw new NotFoundError(`fit ${fit.id}: item-level results are not available here`);
    }
    const draws = ctx.store.getDraws(fit.id);
    if (!draws) throw new NotFoundError(`fit ${fit.id} has no stored draws`);
    const csv = ctx.store.getDatasetCsv(fit.datasetId);
    return engine.itemMatrix({ fit, settings, csv, draws });
  }, 'busy: other reports or item-level results are being computed; try again in a few seconds');
  matrices.set(key, built);
  built.then(
    // now its size is known: stated for the byte bound (evicted at once when over it)
    (m) => {
      if (matrices.get(key) === built) matrices.set(key, built, matrixBytes(m));
    },
    () => matrices.delete(key),
  );
  return built;
}

/**
 * The item-level document of a finished fit of the paired item model for the query's pair (the
 * two best heuristics by default): 409 until the fit is done, 400 for another model, an unknown
 * heuristic or A = B (one line naming the parameter), 404 for an unknown fit, when the engine has
 * none or the draws are gone, 503 when the rebuild queue is full (only while the fit's matrix is
 * being built, or for a pair of a fit over `onThread` tasks x draws, which goes to a worker).
 * @example const { doc } = await storedItems(ctx, 3, { a: 'snapkv', b: 'full_kv', k: 10 })
 */
export async function storedItems(
  ctx: AppContext,
  id: number,
  query: ItemsQuery,
  onThread = ITEMS_ON_THREAD,
): Promise<{ doc: ItemsDoc; info: ItemFit }> {
  const info = itemFitState(ctx, id);
  const { fit } = info;
  const { a, b } = itemsPair(info, query);
  const { docs } = cachesOf(ctx);
  const key = `${fit.id}|${fit.finished}|${a}\u0000${b}|${query.k}`;
  let doc = docs.get(key);
  if (!doc) {
    const matrix = await matrixOf(ctx, info);
    const { tasks, heuristics, draws } = matrix.posterior;
    // a pair the matrix lacks throws at once, on this thread
    const known = heuristics.includes(a) && heuristics.includes(b);
    doc =
      known && tasks.length * draws > onThread
        ? await ctx.reports.run(
            () => itemsDocInWorker(matrix, a, b, query.k),
            'busy: other reports or item-level results are being computed; try again in a few seconds',
          )
        : itemsDoc(matrix, a, b, query.k);
    docs.set(key, doc);
  }
  return { doc, info };
}
