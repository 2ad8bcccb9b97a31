import { ConfigError } from '../errors.js';
import type { FitRecord } from '../store/store.js';

/**
 * The options of a stored fit's plan as a request gives them (`?runs=&stop_runs=&stop_threshold=
 * &seed=&cost=`, the API and the report panel), their cache key and links, and which fits have no
 * plan. Kept apart from plan.ts (the planning itself), so the engine's types do not import it.
 */

/** The planner's options a request may set (the CLI's --runs, --stop-runs, --stop-threshold, --plan-seed, --cost COLUMN). */
export interface PlanQuery {
  runs?: number;
  stopRuns?: number;
  stopThreshold?: number;
  seed?: number;
  /** A numeric column of the fit's dataset holding the cost of each run. */
  cost?: string;
}

/**
 * Largest batch (and stopping N) a request may ask for: the greedy batch costs one pass over the
 * candidates per run and scope, and a research lead queues tens of runs at a time, not hundreds.
 */
export const MAX_PLAN_RUNS = 50;
/** Longest cost column name accepted (a column name, not a document). */
const MAX_COLUMN_LENGTH = 200;
/** Largest plan seed (a 31-bit integer, as the sampler's seeds). */
const MAX_SEED = 2 ** 31 - 1;

/**
 * Parse `?runs=&stop_runs=&stop_threshold=&seed=&cost=`; a bad value is a ConfigError (400) naming
 * the parameter. stop_threshold is rounded to 3 decimals (finer values decide nothing differently,
 * and each distinct value is a computation and a cache entry).
 * @example parsePlanQuery({ runs: '3', stop_threshold: '0.1' }) // { runs: 3, stopThreshold: 0.1 }
 */
export function parsePlanQuery(q: Record<string, unknown>): PlanQuery {
  const text = (k: string): string | undefined => {
    const v = q[k];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw new ConfigError(`${k}: give it once`);
    return v;
  };
  const int = (k: string, min: number, max: number): number | undefined => {
    const v = text(k);
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || x < min || x > max) {
      throw new ConfigError(`${k}: "${v.slice(0, 40)}" is not an integer from ${min} to ${max}`);
    }
    return x;
  };
  const out: PlanQuery = {};
  const runs = int('runs', 1, MAX_PLAN_RUNS);
  if (runs !== undefined) out.runs = runs;
  const stopRuns = int('stop_runs', 1, MAX_PLAN_RUNS);
  if (stopRuns !== undefined) out.stopRuns = stopRuns;
  const seed = int('seed', 0, MAX_SEED);
  if (seed !== undefined) out.seed = seed;
  const threshold = text('stop_threshold');
  if (threshold !== undefined) {
    const x = Math.round(Number(threshold) * 1000) / 1000;
    if (threshold.trim() === '' || !(x > 0 && x < 1)) {
      throw new ConfigError(
        `stop_threshold: "${threshold.slice(0, 40)}" must be between 0 and 1 (3 decimals)`,
      );
    }
    out.stopThreshold = x;
  }
  const cost = text('cost');
  if (cost !== undefined) {
    if (cost.length > MAX_COLUMN_LENGTH) throw new ConfigError('cost: column name too long');
    out.cost = cost;
  }
  return out;
}

/**
 * The cache key of a plan query (fields in a fixed order; empty = the planner's default).
 * @example planQueryKey({ runs: 3 }) // '3||||'
 */
export function planQueryKey(q: PlanQuery): string {
  return [q.runs, q.stopRuns, q.stopThreshold, q.seed, q.cost]
    .map((v) => (v === undefined ? '' : encodeURIComponent(String(v))))
    .join('|');
}

/**
 * The query string of a plan query (for links: page panel, JSON, CSV), without a leading '?'.
 * @example planQueryString({ runs: 3, stopThreshold: 0.1 }) // 'runs=3&stop_threshold=0.1'
 */
export function planQueryString(q: PlanQuery): string {
  const p = new URLSearchParams();
  if (q.runs !== undefined) p.set('runs', String(q.runs));
  if (q.stopRuns !== undefined) p.set('stop_runs', String(q.stopRuns));
  if (q.stopThreshold !== undefined) p.set('stop_threshold', String(q.stopThreshold));
  if (q.seed !== undefined) p.set('seed', String(q.seed));
  if (q.cost !== undefined) p.set('cost', q.cost);
  return p.toString();
}

/**
 * Why a finished fit has no plan in the web app (one line for a 400), or null when it may have
 * one: the paired item model's rows are per example, not runs, so there are no runs to plan. The
 * planner itself refuses families it does not model (a 400 with its own words).
 * @example planRefusal(fit) // null, or 'fit 3: ...'
 */
export function planRefusal(fit: FitRecord): string | null {
  if (fit.comparison?.settings?.model === 'heuristic-task-item') {
    return `fit ${fit.id}: runs are planned for comparison fits, not the paired item model (its rows are examples, not runs)`;
  }
  return null;
}
