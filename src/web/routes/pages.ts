import { type Response, Router } from 'express';
import { DEFAULT_THRESHOLDS } from '../../diagnostics/checks.js';
import { BayesbenchError, NotFoundError } from '../../errors.js';
import { MAX_FILTER_LENGTH } from '../../report/summary-view-model.js';
import type { ColumnMap, FitRecord } from '../../store/store.js';
import { type AppContext, forgetFit } from '../context.js';
import { deleteDataset, deleteFit } from '../delete.js';
import { drawsCsvChunks, streamChunks, summaryCsv } from '../downloads.js';
import type { Engine } from '../engine.js';
import { bounded, webMessage } from '../messages.js';
import { cachePage, pageBytes, sendCached } from '../page-cache.js';
import { parseDecisionQuery, report } from '../report-view.js';
import {
  formToFitBody,
  ingestUpload,
  LIMITS,
  parseFitRequest,
  parseId,
  splitLines,
} from '../requests.js';
import type { RunnerEvent } from '../runner.js';
import { restartable, uploadFile } from './api.js';

const MAPPING_FIELDS: { key: keyof ColumnMap; label: string; required: boolean }[] = [
  { key: 'heuristic', label: 'Heuristic', required: true },
  { key: 'task', label: 'Task', required: true },
  { key: 'score', label: 'Score', required: true },
  { key: 'category', label: 'Task category', required: false },
  { key: 'seed', label: 'Seed / run', required: false },
  { key: 'study', label: 'Study', required: false },
  { key: 'std', label: 'Std (mean ± std rows)', required: false },
  { key: 'n', label: 'n (seeds per row)', required: false },
  { key: 'trials', label: 'Trials (binomial counts)', required: false },
];

/** Render a view to a string (to cache it). */
function renderView(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    res.render(view, locals, (err: Error | null, html: string) =>
      err ? reject(err) : resolve(html),
    );
  });
}

/**
 * A short status badge of a fit's diagnostics for lists, with the thresholds the diagnostics banner
 * and `bayesbench diagnose` use (DEFAULT_THRESHOLDS: R-hat, ESS per chain).
 * @example diagnosticsBadge(store.getFit(1)) // { label: 'diagnostics ok', kind: 'ok' }
 */
export function diagnosticsBadge(f: FitRecord): { label: string; kind: string } | null {
  const d = f.diagnostics;
  if (f.status !== 'done' || !d) return null;
  const essMin = DEFAULT_THRESHOLDS.essPerChain * f.config.chains;
  const ok =
    (d.max_rhat === null || d.max_rhat <= DEFAULT_THRESHOLDS.rhat) &&
    d.divergent === 0 &&
    (d.min_ess_bulk === null || d.min_ess_bulk >= essMin) &&
    (d.min_ess_tail === null || d.min_ess_tail >= essMin);
  return ok
    ? { label: 'diagnostics ok', kind: 'ok' }
    : { label: 'check diagnostics', kind: 'warn' };
}

function fmtTime(iso: string | null): string {
  return iso ? iso.replace('T', ' ').slice(0, 19) : '';
}

function fitRow(f: FitRecord) {
  return {
    id: f.id,
    dataset: f.datasetName,
    datasetId: f.datasetId,
    status: f.status,
    model: f.spec.formula ?? f.spec.model ?? 'default model',
    created: fmtTime(f.created),
    badge: diagnosticsBadge(f),
    percent: Math.round((f.status === 'done' ? 1 : f.progress.fraction) * 100),
  };
}

/** The mapping a form or query gives, falling back to the detected one. */
function mappingFrom(q: Record<string, unknown>, detected: Partial<ColumnMap>): Partial<ColumnMap> {
  const m: Partial<ColumnMap> = {};
  for (const { key } of MAPPING_FIELDS) {
    const v = q[key];
    if (typeof v === 'string') {
      if (v) m[key] = v;
    } else if (detected[key]) m[key] = detected[key];
  }
  return m;
}

function datasetPage(
  res: Response,
  engine: Engine,
  ctx: AppContext,
  id: number,
  mapping: Partial<ColumnMap> | null,
  error: string | null,
  filters = '',
) {
  const d = ctx.store.getDataset(id);
  const fits = ctx.store
    .listFits()
    .filter((f) => f.datasetId === id)
    .map(fitRow);
  res.render('dataset', {
    title: d.name,
    dataset: {
      id: d.id,
      name: d.name,
      rows: d.summary.rows,
      created: fmtTime(d.created),
      bytes: d.bytes,
    },
    columns: d.summary.columns.map((c) => ({
      name: c.name,
      type: c.type,
      missing: String(c.missing ?? ''),
      detail:
        c.type === 'numeric'
          ? `min ${c.min ?? '–'}, mean ${c.mean ?? '–'}, max ${c.max ?? '–'}, sd ${c.sd ?? '–'}`
          : `${c.levels} levels: ${((c.examples as string[]) ?? []).map((x) => bounded(x)).join(', ')}${(c.levels as number) > 5 ? ', …' : ''}`,
    })),
    names: d.summary.columns.map((c) => c.name),
    // Cells and level names are echoed bounded (a 10 MB field is not a 10 MB page).
    preview: ((d.summary.preview as string[][]) ?? []).map((row) => row.map((x) => bounded(x))),
    mappingFields: MAPPING_FIELDS,
    mapping: mapping ?? mappingFrom({}, d.summary.detected ?? {}),
    models: engine.models(),
    fits,
    error,
    filters,
  });
}

/**
 * The HTML pages: home, upload, dataset (preview + mapping), new fit, progress, report, variable
 * explorer, downloads. Views only print what these handlers and src/report prepared.
 *
 * @example app.use(express.urlencoded({ extended: false }), pageRoutes(ctx));
 */
export function pageRoutes(ctx: AppContext): Router {
  const { store, runner } = ctx;
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

  router.get('/upload', (_req, res) => {
    res.render('upload', { title: 'Upload a CSV', error: null, limits: LIMITS });
  });

  router.post('/upload', uploadFile, async (req, res) => {
    const engine = await ctx.engine();
    try {
      const d = ingestUpload(store, engine, {
        bytes: req.file ? new Uint8Array(req.file.buffer) : undefined,
        filename: req.file?.originalname,
        name: typeof req.body?.name === 'string' ? req.body.name : undefined,
      });
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

  router.post('/fits', async (req, res) => {
    const engine = await ctx.engine();
    const form = (req.body ?? {}) as Record<string, unknown>;
    let request: ReturnType<typeof parseFitRequest>;
    try {
      request = parseFitRequest(store, engine, formToFitBody(form));
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
  // finish time, ROPE, threshold, filter, page), so `?x=random` reuses it; the cache is the app's
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
    const cacheKey = [id, state.finished, query.rope, query.threshold, keyFilter, page].join('|');
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
      query: {
        rope: query.rope ?? view.vm.rope,
        threshold: query.threshold ?? view.vm.threshold,
      },
    });
    const rendered = cachePage(html);
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
    res.redirect(303, `/fits/${id}`);
  });

  router.get('/fits/:id/variables', async (req, res) => {
    const fit = store.getFit(parseId(req.params.id, 'fit'));
    if (fit.status !== 'done') throw new NotFoundError(`fit ${fit.id} has no draws yet`);
    const names = store.drawVariables(fit.id);
    if (names.length === 0) throw new NotFoundError(`fit ${fit.id} has no stored draws`);
    const R = await report();
    const top = R.topLevelVariables(names);
    const name =
      typeof req.query.name === 'string' && req.query.name ? req.query.name : (top[0] ?? names[0]);
    const one = store.getVariable(fit.id, name);
    if (!one) throw new NotFoundError(`fit ${fit.id} has no variable "${name}"`);
    const draws = {
      nDraws: one.nDraws,
      nChains: one.nChains,
      variables: [name],
      values: one.values,
    };
    const plots = R.variableExplorer(draws, 0);
    const row = fit.summary?.variables.find((v) => v.variable === name);
    const summary =
      fit.summary && row ? R.summaryViewModel({ ...fit.summary, variables: [row] }, {}) : null;
    res.render('variable', {
      title: `${name}: fit ${fit.id}`,
      fit: fitRow(fit),
      name,
      // A model can have thousands of variables: the list shows the top-level ones and the first
      // 300 (UX.md §0.6: cap and select by name); any other is reached by typing its name.
      names: [...new Set([...top, ...names.slice(0, 300), name])],
      total: names.length,
      plots,
      summary,
    });
  });

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
    const html = R.renderStaticReport({
      comparison: fit.comparison,
      summary: fit.summary ?? undefined,
      draws: store.getDraws(fit.id) ?? undefined,
      title: `bayesbench: ${fit.datasetName} (fit ${fit.id})`,
    });
    res
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Disposition': `attachment; filename="fit-${fit.id}-report.html"`,
      })
      .send(html);
  });

  return router;
}
