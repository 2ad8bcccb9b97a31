/**
 * The log prior density of every posterior draw, for power-scaling the prior
 * (src/diagnostics/powerscale.ts): the sum over the model's prior rows (brms's `lprior`: the priors
 * of the intercept, coefficients, group-level sds and family parameters, not the group-level
 * effects' own normal distribution), each evaluated at the drawn value of its parameter, constants
 * dropped (they cancel in the power-scaling weights).
 */

import type { Table } from '../data/table.js';
import { buildDesign } from './design.js';
import { normalizeSpec } from './families.js';
import { parseFormula } from './formula.js';
import type { VariableDraws } from './log-lik.js';
import { compilePrior, parsePrior, priorLogDensity } from './priors.js';
import type { ModelSpec, PriorRow } from './spec.js';

/** The log prior per draw, and the rows that could not be evaluated (cor: an LKJ prior). */
export interface LogPriorDraws {
  values: Float64Array;
  skipped: string[];
}

/**
 * log p(theta_s) from prior rows in the units of the draws (as `settings.priors` records them).
 * @example logPriorDraws(spec, table, comparison.settings.priors, fit.draws).values
 */
export function logPriorDraws(
  spec: ModelSpec,
  table: Table,
  rows: readonly PriorRow[],
  draws: VariableDraws,
): LogPriorDraws {
  const S = draws.nDraws * draws.nChains;
  const index = new Map(draws.variables.map((v, i) => [v, i]));
  const block = (name: string): Float64Array | null => {
    const v = index.get(name);
    return v === undefined ? null : draws.values.subarray(v * S, (v + 1) * S);
  };
  const nspec = normalizeSpec(spec);
  const d = buildDesign(parseFormula(nspec.formula), nspec.family, table);
  const out = new Float64Array(S);
  const skipped: string[] = [];
  const tmp = new Float64Array(2);
  for (const row of rows) {
    let x: Float64Array | null = null;
    if (row.class === 'Intercept') {
      // brms puts the prior on the intercept of the centred predictors
      const b0 = block('b_Intercept');
      if (b0) {
        x = Float64Array.from(b0);
        d.bNames.forEach((b, k) => {
          const bk = block(`b_${b}`);
          if (bk) for (let s = 0; s < S; s++) x![s] += d.means[k] * bk[s];
        });
      }
    } else if (row.class === 'b') x = block(`b_${row.coef}`);
    else if (row.class === 'sd') x = block(`sd_${row.group}__${row.coef || 'Intercept'}`);
    else if (row.class === 'sigma' || row.class === 'nu' || row.class === 'phi')
      x = block(row.class);
    const label = `${row.class}${row.group ? ` ${row.group}` : ''}${row.coef ? ` ${row.coef}` : ''}`;
    if (!x) {
      skipped.push(label);
      continue;
    }
    const prior = compilePrior(parsePrior(`${row.class} ~ ${row.prior}`).dist);
    for (let s = 0; s < S; s++) out[s] += priorLogDensity(prior, x[s], tmp);
  }
  return { values: out, skipped };
}
