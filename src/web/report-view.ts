import type { Comparison } from '../analysis/types.js';
import type { Draws } from '../draws/draws.js';
import { ConfigError, NotFoundError } from '../errors.js';
import type { DiagnosticsBanner } from '../report/banner.js';
import type { ComparisonViewModel } from '../report/comparison-view-model.js';
import type { FitRecord, Store } from '../store/store.js';
import type { Engine } from './engine.js';

/**
 * Report pages: the view models and SVG plots of src/report/, computed once per (fit, ROPE,
 * threshold) and cached in memory, so the report page under load only prints them.
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
 * @example parseDecisionQuery({ rope: '0.5' }) // { rope: 0.5 }
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
  const rope = num('rope');
  if (rope !== undefined) {
    if (rope < 0) throw new ConfigError('rope: must be 0 or more');
    out.rope = rope;
  }
  const threshold = num('threshold');
  if (threshold !== undefined) {
    if (threshold <= 0.5 || threshold >= 1) throw new ConfigError('threshold: must be in (0.5, 1)');
    out.threshold = threshold;
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

const CACHE_SIZE = 64;
const cache = new Map<string, Promise<ReportView>>();

/**
 * Forget cached reports of a fit (after a restart).
 * @example forgetReport(3)
 */
export function forgetReport(fitId: number): void {
  for (const k of cache.keys()) if (k.startsWith(`${fitId}|`)) cache.delete(k);
}

/**
 * The report of a finished fit for a ROPE/threshold: the stored comparison, or one rebuilt from the
 * stored draws with `compareFromFit` (no refit) when they differ from the fit's own.
 * @example const view = await reportView(store, engine, fit, { rope: 0.5 });
 */
export function reportView(
  store: Store,
  engine: Engine,
  fit: FitRecord,
  query: DecisionQuery,
): Promise<ReportView> {
  const key = `${fit.id}|${fit.finished}|${query.rope ?? ''}|${query.threshold ?? ''}`;
  let hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  hit = buildReport(store, engine, fit, query);
  hit.catch(() => cache.delete(key));
  cache.set(key, hit);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return hit;
}

async function buildReport(
  store: Store,
  engine: Engine,
  fit: FitRecord,
  query: DecisionQuery,
): Promise<ReportView> {
  if (!fit.comparison) throw new NotFoundError(`fit ${fit.id} has no report yet`);
  const R = await report();
  let comparison = fit.comparison;
  let recomputed = false;
  const settings = comparison.settings ?? {};
  const changed =
    (query.rope !== undefined && query.rope !== settings.rope) ||
    (query.threshold !== undefined && query.threshold !== settings.threshold);
  let draws: Draws | null = null;
  if (changed && engine.compareFromFit) {
    draws = store.getDraws(fit.id);
    if (draws) {
      const dataset = store.getDataset(fit.datasetId);
      const table = engine.parseCsv(store.getDatasetCsv(fit.datasetId), dataset.name);
      comparison = await engine.compareFromFit({
        fit,
        table,
        draws,
        rope: query.rope,
        threshold: query.threshold,
      });
      recomputed = true;
    }
  }
  const banner = R.diagnosticsBanner(
    fit.summary ?? { diagnostics: comparison.diagnostics, warnings: comparison.warnings },
    { chains: fit.config.chains },
  );
  const vm = R.comparisonViewModel(comparison, {
    rope: query.rope,
    threshold: query.threshold,
  });
  const plots = R.renderComparisonPlots(comparison, { rope: query.rope }) as unknown as Record<
    string,
    string
  >;
  draws ??= store.getDraws(fit.id);
  const rankPlots = draws ? R.topLevelRankPlots(draws, { max: 6 }) : [];
  return { comparison, banner, vm, plots, rankPlots, recomputed };
}
