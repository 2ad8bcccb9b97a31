import { Router } from 'express';
import type { AppContext } from '../context.js';
import { itemPageRoutes } from './items.js';
import { datasetPageRoutes } from './pages-datasets.js';
import { downloadRoutes } from './pages-downloads.js';
import { fitPageRoutes } from './pages-fits.js';
import { homeRoutes } from './pages-home.js';
import { variableRoutes } from './pages-variables.js';

export { diagnosticsBadge } from './view-helpers.js';

/**
 * The HTML pages, one route file per resource: home, datasets (upload, preview + mapping), fits (new
 * fit, progress, report), the variable explorer and downloads. Views only print what these handlers
 * and src/report prepared.
 *
 * @example app.use(express.urlencoded({ extended: false }), pageRoutes(ctx));
 */
export function pageRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use(homeRoutes(ctx));
  router.use(datasetPageRoutes(ctx));
  router.use(fitPageRoutes(ctx));
  router.use(itemPageRoutes(ctx));
  router.use(variableRoutes(ctx));
  router.use(downloadRoutes(ctx));
  return router;
}
