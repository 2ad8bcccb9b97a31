/**
 * The static HTML report of `bayesbench plan --html FILE`: the comparison report of the fit the plan
 * was made from (src/report/static-report.ts) with a "What to run next" section after the
 * recommendations (src/report/plan-section.ts, the same section as the web app's panel).
 */
import type { PlanDocument } from '../analysis/plan-from-fit.js';
import { planSection } from './plan-section.js';
import { renderStaticReport, type StaticReportInput } from './static-report.js';

/** Id of the section in the static report (its anchor: `report.html#plan`). */
export const PLAN_SECTION_ID = 'plan';

/**
 * The comparison report with the plan's section; pure (no I/O), every user string escaped.
 * @example writeFileSync('plan.html', renderPlanReport({ comparison, summary, fit, plan, title: 'LRA' }));
 */
export function renderPlanReport(
  input: Omit<StaticReportInput, 'extraSections'> & { plan: PlanDocument },
): string {
  const { plan, ...report } = input;
  return renderStaticReport({
    ...report,
    extraSections: [{ id: PLAN_SECTION_ID, title: 'What to run next', body: planSection(plan) }],
  });
}
