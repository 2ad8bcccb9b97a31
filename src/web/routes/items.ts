import { Router } from 'express';
import type { AppContext } from '../context.js';
import { isItemFit, parseItemsQuery } from '../items.js';
import { itemsPageModel } from '../items-page.js';
import { storedItems } from '../items-view.js';
import { parseId } from '../requests.js';
import { fitRow } from './view-helpers.js';

/**
 * Item-level results of a fit of the paired item model (src/web/items.ts): per task the posterior
 * of A minus B and the items that separate A and B most, for a pair chosen in the query
 * (`?a=&b=&k=`; default the two best heuristics, k = 10).
 */

/**
 * GET /api/fits/:id/items: the item document as JSON (409 until done, 400 for another model or a
 * bad query, 404 for an unknown fit, 503 when busy).
 * @example router.use(apiItemRoutes(ctx));
 */
export function apiItemRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/fits/:id/items', async (req, res) => {
    const id = parseId(req.params.id, 'fit');
    const query = parseItemsQuery(req.query as Record<string, unknown>);
    res.json((await storedItems(ctx, id, query)).doc);
  });
  return router;
}

/**
 * GET /fits/:id/items: the page, with a pair chooser (a form over the same query).
 * @example router.use(itemPageRoutes(ctx));
 */
export function itemPageRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/fits/:id/items', async (req, res) => {
    const id = parseId(req.params.id, 'fit');
    const query = parseItemsQuery(req.query as Record<string, unknown>);
    const { doc, info } = await storedItems(ctx, id, query);
    const { fit } = info;
    const params = new URLSearchParams({ a: doc.a, b: doc.b, k: String(doc.k) });
    res.render('items', {
      title: `Items: fit ${fit.id} (${fit.datasetName})`,
      fit: fitRow(fit),
      heuristics: info.ranked,
      vm: itemsPageModel(doc),
      jsonHref: `/api/fits/${fit.id}/items?${params}`,
      swapHref: `/fits/${fit.id}/items?${new URLSearchParams({ a: doc.b, b: doc.a, k: String(doc.k) })}`,
    });
  });
  return router;
}

/**
 * The report page's link to the item page ('' for a fit of another model).
 * @example itemsHref(fit) // '/fits/3/items'
 */
export function itemsHref(fit: Parameters<typeof isItemFit>[0]): string {
  return isItemFit(fit) ? `/fits/${fit.id}/items` : '';
}
