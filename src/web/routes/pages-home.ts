import { Router } from 'express';
import type { AppContext } from '../context.js';
import { fitRow, fmtTime } from './view-helpers.js';

/**
 * The home page: datasets and fits with their status and diagnostics badge.
 * @example router.use(homeRoutes(ctx));
 */
export function homeRoutes(ctx: AppContext): Router {
  const { store } = ctx;
  const router = Router();

  router.get('/', (_req, res) => {
    res.render('home', {
      title: 'bayesbench',
      datasets: store.listDatasets().map((d) => ({
        id: d.id,
        name: d.name,
        rows: d.summary.rows,
        columns: d.summary.columns.length,
        created: fmtTime(d.created),
      })),
      fits: store.listFits().map(fitRow),
    });
  });

  return router;
}
