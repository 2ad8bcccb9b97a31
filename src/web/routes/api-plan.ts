import { Router } from 'express';
import type { PlanDocument } from '../../analysis/plan-from-fit.js';
import { BayesbenchError, ConfigError } from '../../errors.js';
import type { FitRecord } from '../../store/store.js';
import type { AppContext } from '../context.js';
import { planBatchCsv } from '../plan-csv.js';
import { type PlanQuery, parsePlanQuery, planRefusal } from '../plan-query.js';
import { parseId } from '../requests.js';

/**
 * The plan of a finished fit for these options (computed once per (fit, options), off the event
 * loop, on the report rebuilds' queue): 409 until the fit is done, 400 for the paired item model or
 * a model the planner cannot handle (one line), 404 for an unknown fit.
 * @example res.json(await storedPlan(ctx, store.getFit(3), { runs: 5 }))
 */
export function storedPlan(
  ctx: AppContext,
  fit: FitRecord,
  query: PlanQuery,
): Promise<PlanDocument> {
  if (fit.status !== 'done' || !fit.comparison) {
    throw new BayesbenchError(`fit ${fit.id} is ${fit.status}: no plan yet`, 'not_ready', 409);
  }
  const refusal = planRefusal(fit);
  if (refusal) throw new ConfigError(refusal);
  return ctx.reports.plan(fit, query);
}

/**
 * "What to run next" in the JSON API: GET /api/fits/:id/plan (the `bayesbench plan --json`
 * document) and GET /api/fits/:id/plan.csv (its batch, src/web/plan-csv.ts), both with
 * `?runs=&stop_runs=&stop_threshold=&seed=&cost=`.
 * @example router.use(apiPlanRoutes(ctx));
 */
export function apiPlanRoutes(ctx: AppContext): Router {
  const router = Router();
  const plan = (id: unknown, q: unknown) => {
    const fit = ctx.store.getFit(parseId(id, 'fit'));
    return storedPlan(ctx, fit, parsePlanQuery(q as Record<string, unknown>)).then((doc) => ({
      fit,
      doc,
    }));
  };

  router.get('/fits/:id/plan', async (req, res) => {
    res.json((await plan(req.params.id, req.query)).doc);
  });

  router.get('/fits/:id/plan.csv', async (req, res) => {
    const { fit, doc } = await plan(req.params.id, req.query);
    res
      .set({
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="fit-${fit.id}-plan.csv"`,
      })
      .send(planBatchCsv(doc));
  });

  return router;
}
