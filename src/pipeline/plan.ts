import {
  type PlanDocument,
  type PlanInput,
  type PlanOptions,
  planFromFit,
  planScopes,
} from '../analysis/plan-from-fit.js';
import type { Table } from '../data/table.js';
import { type CompareOptions, type ComparisonRun, runComparison } from './compare.js';

/** Options of `plan`: compare's (data, model, sampler) and the planner's. */
export interface PlanRunOptions extends CompareOptions {
  plan?: Omit<PlanOptions, 'higherIsBetter' | 'cellSeed'>;
}

/** A plan with the comparison run it was made from. */
export interface PlanRun {
  plan: PlanDocument;
  run: ComparisonRun;
}

/**
 * Fit the comparison (as `compare`) and plan the next runs on its draws (src/analysis/plan-from-fit.ts).
 * @example const { plan } = await runPlan(table, { plan: { runs: 3 } }); plan.batch.runs
 */
export async function runPlan(table: Table, options: PlanRunOptions = {}): Promise<PlanRun> {
  // the plan reads recommendations and pairs, never the budget-curve section: no curve fit
  const run = await runComparison(table, { ...options, budgetCurve: false });
  return { plan: planFromRun(run, options.plan ?? {}), run };
}

/**
 * What planFromRun reads of a comparison run: a fresh run, or the pieces of a stored fit (the web
 * app rebuilds the preparation and keeps the draws and the comparison's settings; without the
 * compiled model the grouping terms come from the draws' names).
 */
export type PlanRunInput = Pick<ComparisonRun, 'prepared'> & {
  spec: Pick<ComparisonRun['spec'], 'family'>;
  fit: { draws: ComparisonRun['fit']['draws']; config: { seed: number } };
  model?: Pick<ComparisonRun['model'], 'groups'>;
  comparison: { settings?: Record<string, unknown> };
};

/**
 * The plan for a comparison run already made (its prepared table, draws and model).
 * @example planFromRun(run, { runs: 5 }).overall.decided
 */
export function planFromRun(
  run: PlanRunInput,
  options: Omit<PlanOptions, 'higherIsBetter' | 'cellSeed'>,
): PlanDocument {
  return planFromFit(planInputOf(run), {
    ...options,
    higherIsBetter: run.prepared.higherIsBetter,
    cellSeed: run.fit.config.seed,
  });
}

/** The planner's input from a comparison run. */
function planInputOf(run: PlanRunInput): PlanInput {
  return {
    table: run.prepared.table,
    draws: run.fit.draws,
    ...(run.model ? { groups: run.model.groups } : {}),
    family: run.spec.family ?? 'gaussian',
    scale: run.prepared.scale,
    bounded: run.prepared.bounded,
    // the ROPE the comparison used (its default or --rope): the stopping rule's scale
    rope: ropeOf(run),
    proportionUpper: run.prepared.proportionUpper,
  };
}

/** The ROPE the comparison used (settings.rope; undefined when absent: the planner's default). */
function ropeOf(run: PlanRunInput): number | undefined {
  const r = run.comparison.settings?.rope;
  return typeof r === 'number' && Number.isFinite(r) ? r : undefined;
}

/**
 * The scopes' decisions of a comparison run and whether the loss part of the stopping rule holds
 * in each, without the planner's search (src/analysis/plan-from-fit.ts `planScopes`).
 * @example scopesFromRun(run, { stopThreshold: 0.05 }).every((s) => s.loss_ok)
 */
export function scopesFromRun(
  run: PlanRunInput,
  options: Omit<PlanOptions, 'higherIsBetter' | 'cellSeed'>,
): ReturnType<typeof planScopes> {
  return planScopes(planInputOf(run), {
    ...options,
    higherIsBetter: run.prepared.higherIsBetter,
    cellSeed: run.fit.config.seed,
  });
}
