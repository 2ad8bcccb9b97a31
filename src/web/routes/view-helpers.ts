import type { Response } from 'express';
import { DEFAULT_THRESHOLDS } from '../../diagnostics/checks.js';
import type { ColumnMap, FitRecord } from '../../store/store.js';
import type { AppContext } from '../context.js';
import type { Engine } from '../engine.js';
import { bounded } from '../messages.js';

/**
 * What the dataset, fit and report pages share: the mapping fields, a fit's row in lists and its
 * diagnostics badge, the dataset page, and rendering a view to a string (for the page cache).
 */

/**
 * The column roles of the mapping form, in order.
 * @example MAPPING_FIELDS.filter((f) => f.required).map((f) => f.key) // ['heuristic', 'task', 'score']
 */
export const MAPPING_FIELDS: { key: keyof ColumnMap; label: string; required: boolean }[] = [
  { key: 'heuristic', label: 'Heuristic', required: true },
  { key: 'task', label: 'Task', required: true },
  { key: 'score', label: 'Score', required: true },
  { key: 'category', label: 'Task category', required: false },
  { key: 'seed', label: 'Seed / run', required: false },
  { key: 'study', label: 'Study', required: false },
  { key: 'std', label: 'Std (mean ± std rows)', required: false },
  { key: 'n', label: 'n (seeds per row)', required: false },
  { key: 'trials', label: 'Trials (binomial counts)', required: false },
  { key: 'item', label: 'Item (per-example rows: paired item model)', required: false },
];

/** How the dataset page names an upload's input format (src/data/input.ts InputFormat). */
const FORMAT_LABELS: Record<string, string> = {
  csv: 'a long CSV',
  wide: 'a wide table, converted to one row per heuristic and task',
  'harness-results': 'an lm-evaluation-harness results JSON, one row per heuristic and task',
  'harness-samples': 'lm-evaluation-harness per-sample JSONL, one row per item (per-example rows)',
};

/** Render a view to a string (to cache it). @example await renderView(res, 'report', locals) */
export function renderView(
  res: Response,
  view: string,
  locals: Record<string, unknown>,
): Promise<string> {
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

/**
 * An ISO time as 'YYYY-MM-DD HH:MM:SS' ('' for null).
 * @example fmtTime('2026-01-02T03:04:05.678Z') // '2026-01-02 03:04:05'
 */
export function fmtTime(iso: string | null): string {
  return iso ? iso.replace('T', ' ').slice(0, 19) : '';
}

/**
 * The items per task a fit was given (the CLI's --items-per-task), as the user would type it; ''
 * when not given.
 * @example itemsPerTaskText({ vt: 96, qa: 200 }) // 'vt=96, qa=200'
 */
export function itemsPerTaskText(spec: FitRecord['spec']['itemsPerTask']): string {
  if (spec === undefined) return '';
  if (typeof spec === 'number' || spec === 'none') return String(spec);
  return Object.entries(spec)
    .map(([task, n]) => `${task}=${n}`)
    .join(', ');
}

/**
 * A fit's row in the home and dataset lists.
 * @example fitRow(store.getFit(1)).badge
 */
export function fitRow(f: FitRecord) {
  return {
    id: f.id,
    dataset: f.datasetName,
    datasetId: f.datasetId,
    status: f.status,
    model: f.spec.formula ?? f.spec.model ?? 'default model',
    itemsPerTask: itemsPerTaskText(f.spec.itemsPerTask),
    created: fmtTime(f.created),
    badge: diagnosticsBadge(f),
    percent: Math.round((f.status === 'done' ? 1 : f.progress.fraction) * 100),
  };
}

/**
 * The mapping a form or query gives, falling back to the detected one.
 * @example mappingFrom({ heuristic: 'h' }, { task: 't' }) // { heuristic: 'h', task: 't' }
 */
export function mappingFrom(
  q: Record<string, unknown>,
  detected: Partial<ColumnMap>,
): Partial<ColumnMap> {
  const m: Partial<ColumnMap> = {};
  for (const { key } of MAPPING_FIELDS) {
    const v = q[key];
    if (typeof v === 'string') {
      if (v) m[key] = v;
    } else if (detected[key]) m[key] = detected[key];
  }
  return m;
}

/**
 * Render the dataset page (preview, column summary, mapping form, its fits), with an error if any.
 * @example datasetPage(res, engine, ctx, 1, null, null)
 */
export function datasetPage(
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
    // what the reader said at upload (stored with the dataset; older datasets have none)
    format: FORMAT_LABELS[String(d.summary.format)] ?? null,
    notes: Array.isArray(d.summary.notes) ? (d.summary.notes as string[]) : [],
    mappingFields: MAPPING_FIELDS,
    mapping: mapping ?? mappingFrom({}, d.summary.detected ?? {}),
    models: engine.models(),
    fits,
    error,
    filters,
  });
}
