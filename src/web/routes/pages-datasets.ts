import { Router } from 'express';
import { BayesbenchError } from '../../errors.js';
import type { AppContext } from '../context.js';
import { deleteDataset } from '../delete.js';
import { webMessage } from '../messages.js';
import { ingestUpload, LIMITS, parseId } from '../requests.js';
import { uploadFile, uploadInput } from './upload.js';
import { datasetPage } from './view-helpers.js';

/**
 * Dataset pages: upload form and upload, dataset preview with the column mapping, delete.
 * @example router.use(datasetPageRoutes(ctx));
 */
export function datasetPageRoutes(ctx: AppContext): Router {
  const { store } = ctx;
  const router = Router();

  router.get('/upload', (_req, res) => {
    res.render('upload', { title: 'Upload a CSV', error: null, limits: LIMITS });
  });

  router.post('/upload', uploadFile, async (req, res) => {
    const engine = await ctx.engine();
    try {
      const d = await ingestUpload(store, engine, uploadInput(req));
      res.redirect(303, `/datasets/${d.id}`);
    } catch (err) {
      if (!(err instanceof BayesbenchError)) throw err;
      res.status(err.status).render('upload', {
        title: 'Upload a CSV',
        error: webMessage(err.message),
        limits: LIMITS,
      });
    }
  });

  router.get('/datasets/:id', async (req, res) => {
    const engine = await ctx.engine();
    datasetPage(res, engine, ctx, parseId(req.params.id, 'dataset'), null, null);
  });

  router.post('/datasets/:id/delete', async (req, res) => {
    await deleteDataset(ctx, parseId(req.params.id, 'dataset'));
    res.redirect(303, '/');
  });

  return router;
}
