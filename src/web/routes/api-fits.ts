import { Router } from 'express';
import { BayesbenchError, ConfigError } from '../../errors.js';
import type { LooJson } from '../../pipeline/loo.js';
import type { FitRecord } from '../../store/store.js';
import { type AppContext, forgetFit } from '../context.js';
import { deleteFit } from '../delete.js';
import { forgetItems } from '../items-view.js';
import { looRefusal } from '../loo.js';
import { webMessage } from '../messages.js';
import { parseDecisionQuery } from '../report-view.js';
import { parseFitRequest, parseId } from '../requests.js';

/**
 * The JSON form of a fit's state (GET /api/fits/:id).
 * @example fitJson(store.getFitLight(1)).status // 'running'
 */
export function fitJson(f: FitRecord, live?: FitRecord['progress']) {
  const progress = live ?? f.progress;
  const out: Record<string, unknown> = {
    id: f.id,
    dataset: f.datasetId,
    status: f.status,
    progress: f.status === 'done' ? 1 : progress.fraction,
    chains: progress.chains,
    created: f.created,
    started: f.started,
    finished: f.finished,
    spec: f.spec,
    config: f.config,
    diagnostics: f.diagnostics,
  };
  if (f.error) out.error = webMessage(f.error);
  return out;
}

/**
 * The id of a fit that may restart (interrupted, failed or cancelled); a queued, running or done fit
 * is a 409 conflict (the README's status for "not in the right state"), an unknown id a 404.
 * @example runner.restart(restartable(ctx, 3))
 */
export function restartable(ctx: AppContext, id: number): number {
  const { status } = ctx.store.fitState(id);
  if (status === 'queued' || status === 'running' || status === 'done') {
    throw new BayesbenchError(
      `fit ${id} is ${status}; only a stopped fit restarts`,
      'conflict',
      409,
    );
  }
  return id;
}

/**
 * The PSIS-LOO document of a finished fit (computed once, off the event loop, on the report
 * rebuilds' queue): 409 until the fit is done, 400 for a fit that is not a gaussian/student
 * comparison fit (one line saying so), 404 for an unknown fit.
 * @example res.json(await storedLoo(ctx, store.getFit(3)))
 */
export function storedLoo(ctx: AppContext, fit: FitRecord): Promise<LooJson> {
  if (fit.status !== 'done' || !fit.comparison) {
    throw new BayesbenchError(`fit ${fit.id} is ${fit.status}: no PSIS-LOO yet`, 'not_ready', 409);
  }
  const refusal = looRefusal(fit);
  if (refusal) throw new ConfigError(refusal);
  return ctx.reports.loo(fit);
}

/**
 * The fits API: create (202), list, state, summary and PSIS-LOO (409 until done), cancel, restart, delete.
 * @example router.use(apiFitRoutes(ctx));
 */
export function apiFitRoutes(ctx: AppContext): Router {
  const { store, runner } = ctx;
  const router = Router();

  router.post('/fits', async (req, res) => {
    const engine = await ctx.engine();
    const request = parseFitRequest(store, engine, req.body);
    const fit = store.createFit(request);
    runner.pump();
    res.status(202).location(`/api/fits/${fit.id}`).json({ id: fit.id });
  });

  router.get('/fits', (_req, res) => {
    res.json(store.listFits().map((f) => fitJson(f, runner.progress(f.id))));
  });

  router.get('/fits/:id', (req, res) => {
    const f = store.getFitLight(parseId(req.params.id, 'fit'));
    const j = fitJson(f, runner.progress(f.id));
    res.json({
      id: j.id,
      status: j.status,
      progress: j.progress,
      ...(f.error ? { error: webMessage(f.error) } : {}),
      chains: j.chains,
      dataset: j.dataset,
    });
  });

  router.get('/fits/:id/summary', async (req, res) => {
    const f = store.getFit(parseId(req.params.id, 'fit'));
    if (f.status !== 'done' || !f.comparison) {
      throw new BayesbenchError(`fit ${f.id} is ${f.status}: no summary yet`, 'not_ready', 409);
    }
    const query = parseDecisionQuery(req.query as Record<string, unknown>);
    if (query.rope === undefined && query.threshold === undefined) {
      res.json(f.comparison);
      return;
    }
    // Another ROPE or threshold: the document rebuilt from the stored draws (no refit).
    const view = await ctx.reports.get(f, query);
    res.json(view.comparison);
  });

  router.get('/fits/:id/loo', async (req, res) => {
    res.json(await storedLoo(ctx, store.getFit(parseId(req.params.id, 'fit'))));
  });

  router.post('/fits/:id/cancel', (req, res) => {
    const id = parseId(req.params.id, 'fit');
    const f = store.getFit(id);
    if (!runner.cancel(id)) {
      throw new BayesbenchError(`fit ${id} is ${f.status}: nothing to cancel`, 'conflict', 409);
    }
    res.status(202).json({ id, status: store.getFit(id).status });
  });

  router.post('/fits/:id/restart', (req, res) => {
    const f = runner.restart(restartable(ctx, parseId(req.params.id, 'fit')));
    forgetFit(ctx, f.id);
    forgetItems(ctx, f.id);
    res.status(202).json({ id: f.id, status: f.status });
  });

  router.delete('/fits/:id', async (req, res) => {
    await deleteFit(ctx, parseId(req.params.id, 'fit'));
    res.status(204).end();
  });

  return router;
}
