import type { PlanDocument } from '../analysis/plan-from-fit.js';
import type { Comparison } from '../analysis/types.js';
import { BayesbenchError, ConfigError, NotFoundError } from '../errors.js';
import type { LooJson } from '../pipeline/loo.js';
import type { DiagnosticsBanner } from '../report/banner.js';
import type { ComparisonViewModel } from '../report/comparison-view-model.js';
import type { FitRecord, Store } from '../store/store.js';
import type { Engine, RebuiltReport } from './engine.js';
import { createLru } from './lru.js';
import { type PlanQuery, planQueryKey } from './plan-query.js';

/**
 * Report pages: the view models and SVG plots of src/report/, computed once per (fit, ROPE,
 * threshold) and cached in memory per app, so the report page under load only prints them.
 */

// src/report/ is loaded on first use, so the JSON API works even where a plot module is missing.
const loadReport = async () => {
  const [plots, cvm, svm, banner, explorer, staticReport] = await Promise.all([
    import('../report/comparison-plots.js'),
    import('../report/comparison-view-model.js'),
    import('../report/summary-view-model.js'),
    import('../report/banner.js'),
    import('../report/variable-explorer.js'),
    import('../report/static-report.js'),
  ]);
  return { ...plots, ...cvm, ...svm, ...banner, ...explorer, ...staticReport };
};
let reportModule: ReturnType<typeof loadReport> | undefined;
/**
 * The report module (src/report/), loaded once.
 * @example const R = await report(); R.forestPlot(comparison)
 */
export function report(): ReturnType<typeof loadReport> {
  reportModule ??= loadReport();
  return reportModule;
}

/** ROPE and threshold of a report page from its query string (empty = the fit's own). */
export interface DecisionQuery {
  rope?: number;
  threshold?: number;
}

/**
 * Parse `?rope=&threshold=`; a bad value is a ConfigError (400) naming the parameter.
 * @example parseDecisionQuery({ rope: '0.51234' }) // { rope: 0.512 }
 */
export function parseDecisionQuery(q: Record<string, unknown>): DecisionQuery {
  const out: DecisionQuery = {};
  const num = (k: string): number | undefined => {
    const v = q[k];
    if (v === undefined || v === '') return undefined;
    const x = typeof v === 'string' ? Number(v) : Number.NaN;
    if (!Number.isFinite(x))
      throw new ConfigError(`${k}: "${String(v).slice(0, 40)}" is not a number`);
    return x;
  };
  // Rounded (ROPE to 3 significant digits, threshold to 3 decimals): finer values decide nothing
  // differently in practice, and each distinct value is a rebuild and a cache entry.
  const rope = num('rope');
  if (rope !== undefined) {
    if (rope < 0) throw new ConfigError('rope: must be 0 or more');
    out.rope = Number(rope.toPrecision(3));
  }
  const threshold = num('threshold');
  if (threshold !== undefined) {
    const t = Math.round(threshold * 1000) / 1000;
    if (t <= 0.5 || t >= 1) throw new ConfigError('threshold: must be in (0.5, 1) (3 decimals)');
    out.threshold = t;
  }
  return out;
}

/** Everything the report page prints (besides the parameters table, which pages per request). */
export interface ReportView {
  comparison: Comparison;
  banner: DiagnosticsBanner;
  vm: ComparisonViewModel;
  plots: Record<string, string>;
  rankPlots: { variable: string; svg: string }[];
  /** True when the comparison was rebuilt from the stored draws for this ROPE/threshold. */
  recomputed: boolean;
}

/** Bounds of a ReportViews (stated in the README's limits). */
export const REPORT_LIMITS = {
  /** Report views kept per app (LRU): one per (fit, ROPE, threshold). */
  views: 32,
  /** Rebuilds for another ROPE/threshold running at once (each on a worker thread). */
  rebuilds: 1,
  /** Rebuilds waiting for one; beyond this a request answers 503 "busy". */
  waiting: 4,
  /**
   * PSIS-LOO documents kept per app (LRU), one per fit: a document holds a row per data row
   * (~150 bytes each), so 8 of a 10,000-row table are ~12 MB. They share the rebuilds' thread and
   * queue above.
   */
  loos: 8,
  /** Plans kept per app (LRU), one per (fit, plan options); on the same thread and queue. */
  plans: 16,
};

/** The report views of one app: built once per (fit, ROPE, threshold), kept in a bounded LRU. */
export interface ReportViews {
  /** The view of a finished fit for a query (the stored comparison, or one rebuilt off-thread). */
  get(fit: FitRecord, query: DecisionQuery): Promise<ReportView>;
  /**
   * The PSIS-LOO document of a finished comparison fit (`bayesbench loo --json`), computed once
   * from its stored draws on a rebuild slot; 404 when the engine has none or the draws are gone,
   * 400 for a fit that is not a gaussian/student comparison fit.
   */
  loo(fit: FitRecord): Promise<LooJson>;
  /**
   * The plan of a finished fit (`bayesbench plan --json`) for these options, computed once on a
   * rebuild slot; 404 when the engine has none or the draws are gone.
   */
  plan(fit: FitRecord, query: PlanQuery): Promise<PlanDocument>;
  /** Forget the views, LOO and plans of a fit (restart, delete). */
  forget(fitId: number): void;
  /**
   * Run other work on stored draws (item-level results) on the rebuilds' slots: at most
   * `limits.rebuilds` at once, `limits.waiting` waiting, else a 503 with the `busy` line.
   */
  run<T>(task: () => Promise<T>, busy: string): Promise<T>;
}

/**
 * Report views owned by one app (no module globals: two apps never share or evict each other's).
 * A view for another ROPE/threshold rebuilds the comparison from the stored draws through
 * `engine.rebuildReport` (comparison, view model and plots on a worker thread in the default engine); at most `limits.rebuilds` run at
 * once and `limits.waiting` wait, further ones answer 503, so a client sending endless `?rope=`
 * values costs one thread, not the event loop. Rank plots do not depend on the ROPE: they are built
 * once per fit and shared.
 * @example const views = createReportViews(store, engine); await views.get(fit, { rope: 0.5 });
 */
export function createReportViews(
  store: Store,
  engine: () => Promise<Engine>,
  limits = REPORT_LIMITS,
): ReportViews {
  const cache = createLru<Promise<ReportView>>({ entries: limits.views });
  const rankCache = createLru<{ variable: string; svg: string }[]>({ entries: limits.views });
  const looCache = createLru<Promise<LooJson>>({ entries: limits.loos });
  const planCache = createLru<Promise<PlanDocument>>({ entries: limits.plans });
  let running = 0;
  const queue: (() => void)[] = [];
  const slot = async (
    busy = 'busy: other ROPE/threshold values are being computed; try again in a few seconds',
  ): Promise<() => void> => {
    if (running >= limits.rebuilds) {
      if (queue.length >= limits.waiting) throw new BayesbenchError(busy, 'busy', 503);
      await new Promise<void>((resolve) => queue.push(resolve));
    }
    running++;
    return () => {
      running--;
      queue.shift()?.();
    };
  };
  const rankPlots = async (fit: FitRecord) => {
    const key = `${fit.id}|${fit.finished}`;
    let hit = rankCache.get(key);
    if (!hit) {
      const R = await report();
      const draws = store.getDraws(fit.id);
      hit = draws ? R.topLevelRankPlots(draws, { max: 6 }) : [];
      rankCache.set(key, hit);
    }
    return hit;
  };
  const build = async (fit: FitRecord, query: DecisionQuery): Promise<ReportView> => {
    if (!fit.comparison) throw new NotFoundError(`fit ${fit.id} has no report yet`);
    const R = await report();
    const eng = await engine();
    const settings = fit.comparison.settings ?? {};
    const changed =
      (query.rope !== undefined && query.rope !== settings.rope) ||
      (query.threshold !== undefined && query.threshold !== settings.threshold);
    let rebuilt: RebuiltReport | null = null;
    if (changed && eng.rebuildReport) {
      const release = await slot();
      try {
        const draws = store.getDraws(fit.id);
        if (draws) {
          rebuilt = await eng.rebuildReport({
            fit,
            csv: store.getDatasetCsv(fit.datasetId),
            draws,
            rope: query.rope,
            threshold: query.threshold,
          });
        }
      } finally {
        release();
      }
    }
    const comparison = rebuilt?.comparison ?? fit.comparison;
    const recomputed = rebuilt !== null;
    const banner = R.diagnosticsBanner(
      fit.summary ?? { diagnostics: comparison.diagnostics, warnings: comparison.warnings },
      { chains: fit.config.chains },
    );
    const vm =
      rebuilt?.vm ??
      R.comparisonViewModel(comparison, { rope: query.rope, threshold: query.threshold });
    const plots =
      rebuilt?.plots ??
      (R.renderComparisonPlots(comparison, { rope: query.rope }) as unknown as Record<
        string,
        string
      >);
    return { comparison, banner, vm, plots, rankPlots: await rankPlots(fit), recomputed };
  };
  const buildLoo = async (fit: FitRecord): Promise<LooJson> => {
    const eng = await engine();
    if (!eng.loo) throw new NotFoundError(`fit ${fit.id}: PSIS-LOO is not available here`);
    const release = await slot(
      'busy: other reports or PSIS-LOO are being computed; try again in a few seconds',
    );
    try {
      const draws = store.getDraws(fit.id);
      if (!draws) throw new NotFoundError(`fit ${fit.id} has no stored draws`);
      return await eng.loo({ fit, csv: store.getDatasetCsv(fit.datasetId), draws });
    } finally {
      release();
    }
  };
  const buildPlan = async (fit: FitRecord, query: PlanQuery): Promise<PlanDocument> => {
    const eng = await engine();
    if (!eng.plan) throw new NotFoundError(`fit ${fit.id}: planning is not available here`);
    const release = await slot(
      'busy: other reports or plans are being computed; try again in a few seconds',
    );
    try {
      const draws = store.getDraws(fit.id);
      if (!draws) throw new NotFoundError(`fit ${fit.id} has no stored draws`);
      return await eng.plan({ fit, csv: store.getDatasetCsv(fit.datasetId), draws, query });
    } finally {
      release();
    }
  };
  return {
    get(fit, query) {
      const key = `${fit.id}|${fit.finished}|${query.rope ?? ''}|${query.threshold ?? ''}`;
      let hit = cache.get(key);
      if (hit) return hit;
      hit = build(fit, query);
      hit.catch(() => cache.delete(key));
      cache.set(key, hit);
      return hit;
    },
    loo(fit) {
      const key = `${fit.id}|${fit.finished}`;
      let hit = looCache.get(key);
      if (hit) return hit;
      hit = buildLoo(fit);
      hit.catch(() => looCache.delete(key));
      looCache.set(key, hit);
      return hit;
    },
    plan(fit, query) {
      const key = `${fit.id}|${fit.finished}|${planQueryKey(query)}`;
      let hit = planCache.get(key);
      if (hit) return hit;
      hit = buildPlan(fit, query);
      hit.catch(() => planCache.delete(key));
      planCache.set(key, hit);
      return hit;
    },
    async run(task, busy) {
      const release = await slot(busy);
      try {
        return await task();
      } finally {
        release();
      }
    },
    forget(fitId) {
      planCache.deleteWhere((k) => k.startsWith(`${fitId}|`));
      cache.deleteWhere((k) => k.startsWith(`${fitId}|`));
      looCache.deleteWhere((k) => k.startsWith(`${fitId}|`));
      rankCache.deleteWhere((k) => k.startsWith(`${fitId}|`));
    },
  };
}
