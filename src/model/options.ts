import type { Table } from '../data/table.js';
import type { BudgetCurveData } from './budget-curve.js';
import type { ItemData } from './item-types.js';
import type { NestedData } from './nested-data.js';
import type { ModelSpec } from './spec.js';
/** Options of compileModel (defaults keep a worker's rebuild identical). */
export interface CompileOptions {
  /** Collapse rows into sufficient statistics where exact (default true). */
  sufficientStats?: boolean;
  /**
   * Sample the intercept shifted by the mean of every varying intercept (default true): the sampled
   * coordinate is `Intercept + sum_g sd_g * mean(z_g)`, a shear with unit Jacobian, so the posterior is
   * exactly brms's; it removes the strong posterior correlation between the intercept and the means of
   * the group effects (crossed designs such as heuristic x task), which otherwise forces tiny steps.
   */
  shiftIntercept?: boolean;
  /**
   * Integrate out, exactly, the gaussian group term whose levels are the cells (default true), e.g.
   * (1|heuristic:task) in the comparison model: ybar_c ~ N(mu_c, V_c + sd^2) with V_c = sigma^2 / W_c.
   * Its r_ draws are then drawn from their exact conditional posterior N(m_c, v_c) in writeVariables
   * with normals keyed by the bits of theta (math/hash-normals.ts; deterministic per draw). Same
   * posterior, far fewer parameters (10,000 fewer for 20 heuristics x 500 tasks) and no funnel.
   *
   * 'nested': when the model has the comparison model's shape (gaussian, varying intercepts only,
   * a heuristic:task term; see nested-data.ts `nestApplies`), integrate out the whole nested chain
   * heuristic:task in heuristic:category in heuristic and sample the other varying intercepts as a
   * centred level plus contrasts (nested-model.ts); other models compile as with `true`.
   */
  marginalize?: boolean | 'nested';
  /**
   * Sample each centred varying intercept as its level's total (opt-in, default false): the sampled
   * coordinate of level l of a centred term is r_l + the mean, over the cells of level l, of the
   * effects of the terms with more levels (e.g. a task's effect plus its heuristic x category
   * effects). A triangular shear with unit Jacobian, so the posterior is unchanged; it removes the
   * confounding of nested or crossed terms that the data cannot split. Measured on the benchmark
   * synth_med it lowered the min ESS (about 310 against 650 per 4000 draws), hence opt-in.
   */
  shear?: boolean;
  /** Group terms (brms group names) to sample centred, or 'auto'; overrides spec.centred. */
  centred?: readonly string[] | 'auto';
  /**
   * Sample the location and scale coordinates of gaussian, lognormal and student models in data
   * units (default true): the intercept as (Intercept - mean(y)) / s_I, log(sigma) as
   * (log(sigma) - log(s)) * sqrt(2 dof), centred varying intercepts as r / sd(y), and the log sd of
   * varying intercepts shifted by log sd(y); s is the pooled within-cell sd (sd(y) without
   * replicates), s_I = s / sqrt(sum of weights), dof = the within-cell degrees of freedom (at least
   * half the rows), the rough posterior sds of these coordinates. Affine maps with constant
   * Jacobian, so the posterior is unchanged. On the y scale of the benchmark synth_small (bench/reference/) the raw
   * coordinates have posterior sds from 0.0014 (intercept) to 0.6 (z): warmup's unit metric (its
   * first 100 iterations) then needs 700-1000 leapfrog steps per iteration, and the metric
   * regularization (1e-3 shrinkage, docs/ALGORITHMS.md §3.5) inflates the smallest scales.
   */
  standardize?: boolean;
  /**
   * Sample a centred varying intercept that is folded into the intercept (shiftIntercept) as its
   * weighted mean direction and orthonormal contrasts (default true): r = H w, with H the
   * Householder reflection that maps the first axis to the unit vector of the shift weights, w_0 =
   * sd * theta_0 (non-centred) and w_k = theta_k (centred) for k >= 1. H is orthogonal, so
   * w ~ N(0, sd^2 I) is the same prior as r ~ N(0, sd^2 I); the Jacobian is sd (in lp). The shifted
   * intercept absorbs the likelihood's dependence on the weighted mean, which the prior alone then
   * determines: sampled centred it made every level's coordinate share one mode with sd about
   * sd / sqrt(levels), the smallest posterior correlation eigenvalues on the benchmark synth_small (0.02;
   * the contrasts are 7x narrower than the levels' marginal sds).
   */
  meanContrasts?: boolean;
  /**
   * With meanContrasts, sample such a term A as its totals T = r_A + m, m_a = the mean over the
   * cells of level a of the effects of the plain terms whose factors include A's (default true;
   * e.g. heuristic with heuristic:category). The data determine T; the prior alone splits T into
   * r_A and m, and sampled as r_A the split left A's contrasts 5-10x narrower than their marginal
   * sds (the smallest posterior correlation eigenvalues on the benchmarks synth_small and synth_med in bench/reference/).
   * T = H w with w_0 = (H m)_0 + sd * theta_0 and w_k = theta_k: r_A = T - m ~ N(0, sd^2 I) is the
   * same prior (H orthogonal); a shear with the same Jacobian (sd) as meanContrasts.
   */
  totals?: boolean;
}

/**
 * What a sampler worker receives to rebuild a model of this layer: a spec and the table (plus the
 * compile options), or the compact data of the nested-chain model (O(cells), no table), or of the
 * paired item model (item-model.ts; O(cells x patterns), no rows).
 */
export type RebuildArgs =
  | { kind: 'spec'; spec: ModelSpec; table: Table; options?: CompileOptions }
  | { kind: 'nested'; data: NestedData }
  | { kind: 'budget-curve'; data: BudgetCurveData }
  | { kind: 'item'; data: ItemData };
