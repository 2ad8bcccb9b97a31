import type { Table } from '../data/table.js';
import type { ReportingModel } from '../sampler/types.js';

/** Response family (link): gaussian, student, binomial (logit), bernoulli (logit), beta (logit), lognormal, beta_binomial (logit). */
/**
 * The response families, the one list (the spec-file schema, the CLI's --family check and the
 * compiler read it).
 * @example FAMILIES.includes('student') // true
 */
export const FAMILIES = [
  'gaussian',
  'student',
  'binomial',
  'bernoulli',
  'beta',
  'lognormal',
  'beta_binomial',
] as const;

export type Family = (typeof FAMILIES)[number];

/**
 * A model as data: what models/*.json holds and what `--formula/--family/--prior` build.
 * Priors use the CLI syntax, e.g. 'sd_task ~ student_t(3, 0, 2.5)'.
 *
 * @example
 * const spec: ModelSpec = { formula: 'score ~ 1 + (1|heuristic) + (1|task)', family: 'gaussian', priors: [] };
 */
export interface ModelSpec {
  name?: string;
  description?: string;
  formula: string;
  family?: Family;
  priors?: string[];
  /**
   * Group terms to sample centred (r ~ N(0, sd) directly) instead of the default non-centred
   * r = sd * z; e.g. ['task'] when every task has much data. Same posterior, different geometry.
   * 'auto' (the default for gaussian and lognormal) centres the terms the data inform (see
   * compile.ts autoCentred); [] keeps every term non-centred.
   */
  centred?: string[] | 'auto';
}

/** One prior a fit uses, as `bayesbench priors` prints it. */
export interface PriorRow {
  /** Class as brms names it: Intercept, b, sd, sigma, nu, phi, cor. */
  class: string;
  /** Coefficient or empty. */
  coef: string;
  /** Group or empty. */
  group: string;
  /** e.g. 'student_t(3, 71.2, 12.5)'. */
  prior: string;
  /** 'user' or 'default'. */
  source: 'user' | 'default';
  /** Lower bound when the parameter is bounded (sd, sigma, phi: 0; nu: 1). */
  lb?: number;
}

/**
 * One group term of a compiled model. The r_ variable of level i and coefficient j is named
 * `r_${group}[${levels[i].join('_')},${coefs[j]}]`, e.g. r_heuristic:task[performer_ListOps,Intercept].
 */
export interface GroupInfo {
  /** brms group name, e.g. 'task' or 'heuristic:task'. */
  group: string;
  /** Grouping columns, e.g. ['heuristic', 'task']. */
  factors: string[];
  /** Levels in index order, one value per factor. */
  levels: string[][];
  /** Varying coefficients: 'Intercept' and slope names. */
  coefs: string[];
}

/** A compiled model: a LogDensity with brms variable names, rebuildable in a worker from spec + table. */
export interface CompiledModel extends ReportingModel {
  readonly spec: ModelSpec;
  /** Unconstrained coordinates. */
  readonly parameterNames: readonly string[];
  /** Reported variables under brms names: b_Intercept, sd_task__Intercept, r_task[ListOps,Intercept], sigma. */
  readonly variableNames: readonly string[];
  readonly priors: readonly PriorRow[];
  readonly table: Table;
  /** Group terms in formula order (after expanding g1/g2). */
  readonly groups: readonly GroupInfo[];
}
