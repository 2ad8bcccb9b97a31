import { Router } from 'express';
import type { DatasetInfo } from '../../store/store.js';
import type { AppContext } from '../context.js';
import { deleteDataset } from '../delete.js';
import { ingestUpload, parseId } from '../requests.js';

import { uploadFile, uploadInput } from './upload.js';

/**
 * The JSON form of a dataset (no bytes).
 * @example datasetJson(store.getDataset(1)).columns
 */
export function datasetJson(d: DatasetInfo) {
  return {
    id: d.id,
    name: d.name,
    rows: d.summary.rows,
    columns: d.summary.columns.map((c) => c.name),
    created: d.created,
    bytes: d.bytes,
  };
}

/**
 * The datasets API: upload (201), list, one with its column summary, delete (204).
 * @example router.use(apiDatasetRoutes(ctx));
 */
export function apiDatasetRoutes(ctx: AppContext): Router {
  const { store } = ctx;
  const router = Router();

  router.post('/datasets', uploadFile, async (req, res) => {
    const engine = await ctx.engine();
    const d = await ingestUpload(store, engine, uploadInput(req));
    res
      .status(201)
      .location(`/api/datasets/${d.id}`)
      .json({
        id: d.id,
        rows: d.summary.rows,
        columns: d.summary.columns.map((c) => c.name),
      });
  });

  router.get('/datasets', (_req, res) => {
    res.json(store.listDatasets().map(datasetJson));
  });

  router.get('/datasets/:id', (req, res) => {
    const d = store.getDataset(parseId(req.params.id, 'dataset'));
    res.json({
      ...datasetJson(d),
      summary: d.summary.columns,
      detected: d.summary.detected ?? {},
      format: d.summary.format ?? null,
      notes: Array.isArray(d.summary.notes) ? d.summary.notes : [],
    });
  });

  router.delete('/datasets/:id', async (req, res) => {
    await deleteDataset(ctx, parseId(req.params.id, 'dataset'));
    res.status(204).end();
  });

  return router;
}
