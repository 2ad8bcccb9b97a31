import { Router } from 'express';
import { BayesbenchError, NotFoundError } from '../../errors.js';
import type { LooJson } from '../../pipeline/loo.js';
import { MAX_FILTER_LENGTH } from '../../report/summary-view-model.js';
import type { ColumnMap, FitRecord } from '../../store/store.js';
import { type AppContext, forgetFit } from '../context.js';
import { deleteFit } from '../delete.js';
import type { Engine } from '../engine.js';
import { forgetItems } from '../items-view.js';
import { looRefusal } from '../loo.js';
import { webMessage } from '../messages.js';
import { cachePage, pageBytes, sendCached } from '../page-cache.js';
import { planPanel, planPanelKey } from '../plan-panel.js';
import { parseDecisionQuery, report } from '../report-view.js';
import {
  formToFitBody,
  parseFitRequest,
  parseId,
  splitLines,
  withItemsPerTaskFile,
} from '../requests.js';
import type { RunnerEvent } from '../runner.js';
import { restartable, storedLoo } from './api-fits.js';
import { itemsHref } from './items.js';
import { itemsPerTaskFile } from './upload.js';
import { datasetPage, fitRow, MAPPING_FIELDS, mappingFrom, renderView } from './view-helpers.js';

/** The report page's "Model check (PSIS-LOO)" section: a link, the result, or why not. */
type LooSection =
  | { state: 'link'; href: string }
  | { state: 'done'; doc: LooJson }
  | { state: 'refused' | 'error'; message: string };

/**
 * The LOO section of a finished fit's report: computed only when asked (`?loo=1`, the page's
 * "Compute LOO" link), so the report page costs nothing more for everyone else. A busy queue stays
 * a 503 (as a ROPE rebuild); another failure is shown in the section and the page is not cached.
 */
async function looSection(
  ctx: AppContext,
  fit: FitRecord,
  wanted: boolean,
  query: { rope?: number; threshold?: number },
): Promise<LooSection> {
  const refusal = looRefusal(fit);
  if (refusal) return { state: 'refused', message: webMessage(refusal) };
  if (!wanted) {
    const params = new URLSearchParams();
    if (query.rope !== undefined) params.set('rope', String(query.rope));
    if (query.threshold !== undefined) params.set('threshold', String(query.threshold));
    params.set('loo', '1');
    return { state: 'link', href: `/fits/${fit.id}?${params}#loo` };
  }
  try {
    return { state: 'done', doc: await storedLoo(ctx, fit) };
  } catch (err) {
    if (err instanceof BayesbenchError && err.status === 503) throw err;
    return {
      state: 'error',
      message: webMessage(err instanceof Error ? err.message : String(err)),
    };
  }
}

/**
 * Fit pages: new fit form, create, progress or report, live progress events, cancel, delete, restart.
 * @example router.use(fitPageRoutes(ctx));
 */
export function fitPageRoutes(ctx: AppContext): Router {
  const { store, runner } = ctx;
  const router = Router();

  router.get('/fits/new', async (req, res) => {
    const engine = await ctx.engine();
    const q = req.query as Record<string, unknown>;
    const id = parseId(q.dataset, 'dataset');
    const d = store.getDataset(id);
    const mapping = mappingFrom(q, d.summary.detected ?? {});
    const model = typeof q.model === 'string' && q.model ? q.model : undefined;
    const formula =
      typeof q.formula === 'string' && q.formula.trim() ? q.formula.trim() : undefined;
    const filtersText = typeof q.filters === 'string' ? q.filters : '';
    const filters = splitLines(filtersText);
    const models = engine.models();
    let priors: ReturnType<Engine['priors']> = [];
    try {
      const table = engine.parseCsv(store.getDatasetCsv(id), d.name);
      const spec = { mapping: mapping as ColumnMap, model, formula, filters };
      engine.checkFit(table, spec);
      priors = engine.priors(table, spec);
    } catch (err) {
      if (!(err instanceof BayesbenchError)) throw err;
      res.status(err.status);
      datasetPage(res, engine, ctx, id, mapping, webMessage(err.message), filtersText);
      return;
    }
    res.render('new-fit', {
      filters: filtersText,
      title: `New fit: ${d.name}`,
      dataset: { id: d.id, name: d.name },
      mapping,
      mappingFields: MAPPING_FIELDS,
      models,
      model: model ?? models[0]?.name ?? '',
      formula: formula ?? '',
      source: formula ? 'formula' : 'model',
      priors,
      error: null,
    });
  });

  // multipart (the form's optional items-per-task file) or urlencoded (scripts, older forms)
  router.post('/fits', itemsPerTaskFile, async (req, res) => {
    const engine = await ctx.engine();
    const form = (req.body ?? {}) as Record<string, unknown>;
    let request: ReturnType<typeof parseFitRequest>;
    try {
      request = parseFitRequest(store, engine, formToFitBody(withItemsPerTaskFile(form, req.file)));
    } catch (err) {
      if (!(err instanceof BayesbenchError) || err instanceof NotFoundError) throw err;
      const id = parseId(form.dataset, 'dataset');
      res.status(err.status);
      const filters = typeof form.filters === 'string' ? form.filters : '';
      datasetPage(res, engine, ctx, id, mappingFrom(form, {}), webMessage(err.message), filters);
      return;
    }
    const fit = store.createFit(request);
    runner.pump();
    res.redirect(303, `/fits/${fit.id}`);
  });

  // Rendered report pages of finished fits: a report does not change once done, so under load the
  // page is served from memory (see bench/server.ts). The key holds only what changes the page (fit,
  // finish time, ROPE, threshold, filter, page, LOO asked, plan asked with its options), so `?x=random` reuses it; the cache is the app's
  // bounded LRU (PAGE_CACHE_LIMITS).
  router.get('/fits/:id', async (req, res) => {
    const id = parseId(req.params.id, 'fit');
    const state = store.fitState(id);
    const q = req.query as Record<string, unknown>;
    const query = state.status === 'done' ? parseDecisionQuery(q) : {};
    const rawFilter = typeof q.filter === 'string' ? q.filter : '';
    const page = Math.max(1, Number.parseInt(String(q.page ?? '1'), 10) || 1);
    // Filters over the limit all render the same refusal: one key for them.
    const keyFilter = rawFilter.slice(0, MAX_FILTER_LENGTH + 1);
    const wantLoo = q.loo === '1';
    const looKey = wantLoo ? 'loo' : '';
    const cacheKey = [
      id,
      state.finished,
      query.rope,
      query.threshold,
      keyFilter,
      page,
      looKey,
      planPanelKey(q),
    ].join('|');
    const cached = state.status === 'done' ? ctx.pages.get(cacheKey) : undefined;
    if (cached !== undefined) {
      sendCached(req, res, cached);
      return;
    }
    const fit = store.getFit(id);
    if (fit.status !== 'done') {
      const progress = runner.progress(fit.id) ?? fit.progress;
      res.render('fit-progress', {
        title: `Fit ${fit.id}`,
        fit: fitRow(fit),
        error: fit.error === null ? null : webMessage(fit.error),
        config: fit.config,
        chains: Array.from({ length: fit.config.chains }, (_, c) => {
          const p = progress.chains.find((x) => x && x.chain === c);
          const total = p?.total ?? fit.config.warmup + fit.config.draws;
          return {
            chain: c + 1,
            iteration: p?.iteration ?? 0,
            total,
            phase: p?.phase ?? 'waiting',
            percent: Math.round(((p?.iteration ?? 0) / total) * 100),
          };
        }),
        active: fit.status === 'queued' || fit.status === 'running',
        restartable: ['interrupted', 'failed', 'cancelled'].includes(fit.status),
      });
      return;
    }
    const view = await ctx.reports.get(fit, query);
    const loo = await looSection(ctx, fit, wantLoo, query);
    const plan = await planPanel(ctx, fit, q, query);
    const R = await report();
    const params = fit.summary
      ? R.summaryViewModel(fit.summary, { filter: rawFilter, page, pageSize: 50 })
      : null;
    // Echoed into the filter box and pager links: at most what the view model accepts.
    const filter = rawFilter.slice(0, MAX_FILTER_LENGTH);
    const html = await renderView(res, 'report', {
      title: `Report: fit ${fit.id} (${fit.datasetName})`,
      fit: fitRow(fit),
      view,
      params,
      filter,
      hasDraws: store.drawVariables(fit.id).length > 0,
      loo,
      plan,
      itemsHref: itemsHref(fit),
      query: {
        rope: query.rope ?? view.vm.rope,
        threshold: query.threshold ?? view.vm.threshold,
      },
    });
    const rendered = cachePage(html);
    // a failed LOO or plan is not kept: the next request tries again
    if (loo.state !== 'error' && plan.state !== 'error')
      ctx.pages.set(cacheKey, rendered, pageBytes(rendered));
    sendCached(req, res, rendered);
  });

  router.get('/fits/:id/events', (req, res) => {
    const fit = store.getFit(parseId(req.params.id, 'fit'));
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const send = (event: string, data: unknown) => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const finalStatus = (status: string) => !['queued', 'running'].includes(status);
    send('progress', runner.progress(fit.id) ?? fit.progress);
    if (finalStatus(fit.status)) {
      send('status', { status: fit.status, error: fit.error && webMessage(fit.error) });
      res.end();
      return;
    }
    const unsubscribe = runner.subscribe(fit.id, (e: RunnerEvent) => {
      if (e.type === 'progress') send('progress', e.progress);
      else {
        send('status', { status: e.status, error: e.error && webMessage(e.error) });
        cleanup();
        res.end();
      }
    });
    // A comment line every 15 s keeps proxies and the browser from timing the stream out.
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const cleanup = () => {
      clearInterval(heartbeat);
      unsubscribe();
    };
    // The fit may have finished between reading it and subscribing.
    const now = store.getFit(fit.id);
    if (finalStatus(now.status)) {
      send('status', { status: now.status, error: now.error && webMessage(now.error) });
      cleanup();
      res.end();
      return;
    }
    req.on('close', cleanup);
  });

  router.post('/fits/:id/cancel', (req, res) => {
    const id = parseId(req.params.id, 'fit');
    store.getFit(id);
    runner.cancel(id);
    res.redirect(303, `/fits/${id}`);
  });

  router.post('/fits/:id/delete', async (req, res) => {
    await deleteFit(ctx, parseId(req.params.id, 'fit'));
    res.redirect(303, '/');
  });

  router.post('/fits/:id/restart', (req, res) => {
    const id = restartable(ctx, parseId(req.params.id, 'fit'));
    runner.restart(id);
    forgetFit(ctx, id);
    forgetItems(ctx, id);
    res.redirect(303, `/fits/${id}`);
  });

  return router;
}
