import { Router } from 'express';
import { NotFoundError } from '../../errors.js';
import type { AppContext } from '../context.js';
import { drawsCsvChunks, streamChunks, summaryCsv } from '../downloads.js';
import { parsePlanQuery } from '../plan-query.js';
import { report } from '../report-view.js';
import { parseId } from '../requests.js';
import { storedPlan } from './api-plan.js';

/**
 * Downloads of a finished fit: draws.csv (streamed), summary.csv, the comparison JSON, the static report.
 * @example router.use(downloadRoutes(ctx));
 */
export function downloadRoutes(ctx: AppContext): Router {
  const { store } = ctx;
  const router = Router();

  router.get('/fits/:id/draws.csv', async (req, res) => {
    const fit = store.getFit(parseId(req.params.id, 'fit'));
    const draws = fit.status === 'done' ? store.getDraws(fit.id) : null;
    if (!draws) throw new NotFoundError(`fit ${fit.id} has no stored draws`);
    const stats = store.getDraws(fit.id, 'stats');
    res.set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="fit-${fit.id}-draws.csv"`,
    });
    try {
      await streamChunks(drawsCsvChunks(draws, stats), res);
    } catch (err) {
      // A client that goes away mid-download is not a server error.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
    }
  });

  router.get('/fits/:id/summary.csv', (req, res) => {
    const fit = store.getFit(parseId(req.params.id, 'fit'));
    if (!fit.summary) throw new NotFoundError(`fit ${fit.id} has no summary yet`);
    res
      .set({
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="fit-${fit.id}-summary.csv"`,
      })
      .send(summaryCsv(fit.summary));
  });

  router.get('/fits/:id/summary.json', (req, res) => {
    const fit = store.getFit(parseId(req.params.id, 'fit'));
    if (!fit.comparison) throw new NotFoundError(`fit ${fit.id} has no summary yet`);
    res
      .set('Content-Disposition', `attachment; filename="fit-${fit.id}-comparison.json"`)
      .json(fit.comparison);
  });

  router.get('/fits/:id/report.html', async (req, res) => {
    const fit = store.getFit(parseId(req.params.id, 'fit'));
    if (!fit.comparison) throw new NotFoundError(`fit ${fit.id} has no report yet`);
    const R = await report();
    const input = {
      comparison: fit.comparison,
      summary: fit.summary ?? undefined,
      draws: store.getDraws(fit.id) ?? undefined,
      title: `bayesbench: ${fit.datasetName} (fit ${fit.id})`,
    };
    // `?plan=1&runs=...`: with the "What to run next" section of that plan (as `plan --html`)
    const q = req.query as Record<string, unknown>;
    const html =
      q.plan === '1'
        ? (await import('../../report/plan-report.js')).renderPlanReport({
            ...input,
            plan: await storedPlan(ctx, fit, parsePlanQuery(q)),
          })
        : R.renderStaticReport(input);
    res
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Disposition': `attachment; filename="fit-${fit.id}-report.html"`,
      })
      .send(html);
  });

  return router;
}
