import { Router } from 'express';
import type { AppContext } from '../context.js';
import { apiDatasetRoutes } from './api-datasets.js';
import { apiFitRoutes } from './api-fits.js';
import { apiPlanRoutes } from './api-plan.js';
import { apiItemRoutes } from './items.js';

export { datasetJson } from './api-datasets.js';
export { fitJson, restartable } from './api-fits.js';
export { upload, uploadFile } from './upload.js';

/**
 * The JSON API for scripts (the README documents it), one route file per resource: datasets, fits and their plans.
 *
 * @example app.use('/api', express.json(), apiRoutes(ctx));
 */
export function apiRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use(apiDatasetRoutes(ctx));
  router.use(apiFitRoutes(ctx));
  router.use(apiPlanRoutes(ctx));
  router.use(apiItemRoutes(ctx));
  return router;
}
