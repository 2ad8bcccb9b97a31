import { BayesbenchError } from '../errors.js';
import type { FitRecord } from '../store/store.js';
import type { AppContext } from './context.js';
import { webMessage } from './messages.js';
import { type PlanQuery, parsePlanQuery, planQueryString, planRefusal } from './plan-query.js';
import { storedPlan } from './routes/api-plan.js';

/**
 * The report page's "What to run next" panel: computed only when asked (`?plan=1`, the panel's
 * form), like the PSIS-LOO section, so the report page costs nothing more for everyone else.
 */

/** What the panel prints: the form, the plan (escaped HTML of src/report/plan-section.ts), or why not. */
export type PlanPanel = (
  | { state: 'form' }
  | { state: 'done'; section: string; links: { csv: string; json: string; html: string } }
  | { state: 'unavailable' | 'error'; message: string }
) & {
  /** The plan options asked for (echoed in the form). */
  query: PlanQuery;
  /** The page's own ROPE/threshold parameters, kept by the form. */
  keep: [string, string][];
};

/**
 * The panel of a finished fit for the page's query: `plan=1` asks for the plan with the query's
 * `runs`, `stop_threshold`, ... (a bad value is shown in the panel, not a 400 for the whole page; the page's ROPE and
 * threshold are kept by the form).
 * A busy queue stays a 503 (as a ROPE rebuild); another failure is shown in the panel, and the
 * caller does not cache the page (state 'error').
 * @example const panel = await planPanel(ctx, fit, req.query, { rope: 0.5 }); panel.state // 'form'
 */
export async function planPanel(
  ctx: AppContext,
  fit: FitRecord,
  q: Record<string, unknown>,
  decision: { rope?: number; threshold?: number },
): Promise<PlanPanel> {
  const keep: [string, string][] = [];
  if (decision.rope !== undefined) keep.push(['rope', String(decision.rope)]);
  if (decision.threshold !== undefined) keep.push(['threshold', String(decision.threshold)]);
  const refusal = planRefusal(fit);
  if (refusal) return { state: 'unavailable', query: {}, keep, message: webMessage(refusal) };
  // not asked: the plain form (the page is cached without the plan's options in its key)
  if (q.plan !== '1') return { state: 'form', query: {}, keep };
  let query: PlanQuery = {};
  try {
    query = parsePlanQuery(q);
    const doc = await storedPlan(ctx, fit, query);
    const { planSection } = await import('../report/plan-section.js');
    const qs = planQueryString(query);
    const links = {
      csv: `/api/fits/${fit.id}/plan.csv${qs ? `?${qs}` : ''}`,
      json: `/api/fits/${fit.id}/plan${qs ? `?${qs}` : ''}`,
      html: `/fits/${fit.id}/report.html?plan=1${qs ? `&${qs}` : ''}`,
    };
    return { state: 'done', query, keep, section: planSection(doc, links).__html, links };
  } catch (err) {
    if (err instanceof BayesbenchError && err.status === 503) throw err;
    return {
      state: 'error',
      query,
      keep,
      message: webMessage(err instanceof Error ? err.message : String(err)),
    };
  }
}

/**
 * The part of the page cache key the panel adds: empty unless the plan was asked for (a bad option
 * shows an error, which is not cached).
 * @example planPanelKey({ plan: '1', runs: '3' }) // 'plan:runs=3'
 */
export function planPanelKey(q: Record<string, unknown>): string {
  if (q.plan !== '1') return '';
  try {
    return `plan:${planQueryString(parsePlanQuery(q))}`;
  } catch {
    return 'plan:bad';
  }
}
