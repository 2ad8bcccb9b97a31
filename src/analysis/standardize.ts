import type { Table } from '../data/table.js';
import type { Draws } from '../draws/draws.js';
import { DataError } from '../errors.js';
import { formatDist, type PriorDist, parsePrior } from '../model/priors.js';
import type { Family, ModelSpec, PriorRow } from '../model/spec.js';
import { checkNotFlat } from './flat-tasks.js';

/**
 * Scale-free comparisons: the score is standardized, y' = (y - center) / scale, before the model
 * sees it, and every draw is put back in the user's units right after sampling, so the sampler works
 * on a unit scale whatever the units (latencies in seconds, 1e-6, 1e12) while everything reported
 * (and stored) is in the units of the data. This is the "autoscale" of rstanarm's priors (Gabry &
 * Goodrich, "Prior distributions for rstanarm models", section "Default (weakly informative) prior
 * distributions") applied to the response: brms's default priors (src/model/priors.ts,
 * `defaultLocationScale`) floor their scale at 2.5, which is flat for scores of order 1e-6 and leaves
 * the sampler far from the posterior's scale at 1e12.
 *
 * On the identity link (gaussian, student), y = center + scale y' maps the parameters as
 *   b_Intercept = center + scale b'_Intercept,  b_x, r_*, sd_*, sigma = scale x (their primed values),
 * and leaves nu and correlations unchanged. A user's priors are given in the user's units and are
 * moved to the model's units the same way (location-scale families: location and scale; exponential
 * and gamma: rate x scale). Other families (binomial counts, beta proportions, lognormal) are left
 * as they are: their link already fixes the scale.
 */
export interface ResponseScale {
  center: number;
  scale: number;
}

/** Families whose response is standardized (identity link on a continuous score). */
const IDENTITY_FAMILIES: ReadonlySet<string> = new Set(['gaussian', 'student']);

/**
 * The center (mean) and scale (sample sd) of the finite scores, or null when the family is not
 * standardized (or fewer than two scores). All-equal scores are refused (`checkNotFlat`).
 * @example responseScale(table, 'gaussian') // { center: 62.1, scale: 14.8 }
 */
export function responseScale(table: Table, family: Family | string): ResponseScale | null {
  if (!IDENTITY_FAMILIES.has(family)) return null;
  const col = table.columns.score;
  if (col?.type !== 'numeric') return null;
  checkNotFlat(table);
  let n = 0;
  let sum = 0;
  for (const v of col.values) {
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
  }
  if (n < 2) return null;
  const center = sum / n;
  let ss = 0;
  for (const v of col.values) if (Number.isFinite(v)) ss += (v - center) ** 2;
  const scale = Math.sqrt(ss / (n - 1));
  // the scores differ (checkNotFlat), so the spread is positive unless it underflows (~1e-160)
  if (!(scale > 0 && Number.isFinite(scale))) {
    throw new DataError(
      `${table.source ?? 'data'}: the scores' spread (${scale}) cannot be represented; rescale the scores`,
    );
  }
  return { center, scale };
}

/**
 * The table with score' = (score - center) / scale and se' = se / scale.
 * @example standardizeTable(table, { center: 50, scale: 10 }).columns.score
 */
export function standardizeTable(table: Table, s: ResponseScale): Table {
  const columns: Record<string, Table['columns'][string]> = { ...table.columns };
  const score = table.columns.score;
  if (score?.type === 'numeric') {
    columns.score = { type: 'numeric', values: score.values.map((v) => (v - s.center) / s.scale) };
  }
  const se = table.columns.se;
  if (se?.type === 'numeric') {
    columns.se = { type: 'numeric', values: se.values.map((v) => v / s.scale) };
  }
  return { ...table, columns };
}

/** A prior of `cls` moved between units: x_model = (x_user - shift) / scale. */
function scaleDist(d: PriorDist, cls: string, shift: number, scale: number): PriorDist {
  if (cls === 'nu' || cls === 'cor' || cls === 'phi') return d;
  const loc = cls === 'Intercept' ? shift : 0;
  switch (d.kind) {
    case 'normal':
    case 'cauchy':
      return { ...d, mu: (d.mu - loc) / scale, sigma: d.sigma / scale };
    case 'student_t':
      return { ...d, mu: (d.mu - loc) / scale, sigma: d.sigma / scale };
    case 'exponential':
      return { ...d, rate: d.rate * scale };
    case 'gamma':
      return { ...d, rate: d.rate * scale };
    default:
      return d;
  }
}

/**
 * A user's prior statements (user units) in the model's standardized units.
 * @example standardizePriors(['sd_task ~ normal(0, 20)'], { center: 50, scale: 10 }) // ['sd_task ~ normal(0, 2)']
 */
export function standardizePriors(priors: readonly string[], s: ResponseScale): string[] {
  return priors.map((text) => {
    const p = parsePrior(text);
    const lhs = text.slice(0, text.indexOf('~')).trim();
    return `${lhs} ~ ${formatDist(scaleDist(p.dist, p.class, s.center, s.scale))}`;
  });
}

/**
 * The model's prior rows (standardized units) as the user's units, for reports.
 * @example priorRowsInUserUnits(model.priors, s)[0].prior // 'student_t(3, 0, 37.1)'
 */
export function priorRowsInUserUnits(rows: readonly PriorRow[], s: ResponseScale): PriorRow[] {
  return rows.map((row) => {
    let dist: PriorDist;
    try {
      dist = parsePrior(`${row.class} ~ ${row.prior}`).dist;
    } catch {
      return { ...row };
    }
    // the inverse of scaleDist: shift -center/scale, scale 1/scale
    const back = scaleDist(dist, row.class, -s.center / s.scale, 1 / s.scale);
    return { ...row, prior: formatDist(roundDist(back)) };
  });
}

/** Six significant digits, for printing. */
function roundDist(d: PriorDist): PriorDist {
  const r = (x: number) => Number(x.toPrecision(6));
  switch (d.kind) {
    case 'normal':
    case 'cauchy':
      return { ...d, mu: r(d.mu), sigma: r(d.sigma) };
    case 'student_t':
      return { ...d, mu: r(d.mu), sigma: r(d.sigma) };
    case 'exponential':
      return { ...d, rate: r(d.rate) };
    case 'gamma':
      return { ...d, rate: r(d.rate) };
    default:
      return d;
  }
}

/**
 * Put draws of a model fitted to standardized scores back in the user's units, in place (the
 * sampler's draws are not shared): b_Intercept and Intercept -> center + scale x; other b_*, r_*,
 * sd_* and sigma -> scale x; everything else (nu, cor_*, lp__ of the standardized model) unchanged.
 * Rank-based R-hat and ESS are unchanged by this affine map.
 * @example unstandardizeDraws(fit.draws, { center: 50, scale: 10 })
 */
export function unstandardizeDraws(draws: Draws, s: ResponseScale): Draws {
  const S = draws.nDraws * draws.nChains;
  draws.variables.forEach((name, v) => {
    const intercept = name === 'b_Intercept' || name === 'Intercept';
    const scaled = /^(b_|r_|sd_)/.test(name) || name === 'sigma';
    if (!intercept && !scaled) return;
    const block = draws.values.subarray(v * S, (v + 1) * S);
    const shift = intercept ? s.center : 0;
    for (let i = 0; i < S; i++) block[i] = shift + s.scale * block[i];
  });
  return draws;
}

/** What the model is compiled from: the standardized table and spec, and the scale (null: none). */
export interface ModelInput {
  scale: ResponseScale | null;
  spec: ModelSpec;
  table: Table;
}

/**
 * The table and spec the model sees: scores standardized and the user's priors moved to those
 * units (identity-link families), else both unchanged with scale null.
 * @example const { scale, spec, table } = standardizedInput(fitted, spec);
 */
export function standardizedInput(table: Table, spec: ModelSpec): ModelInput {
  const scale = responseScale(table, spec.family ?? 'gaussian');
  if (!scale) return { scale, spec, table };
  return {
    scale,
    spec: { ...spec, priors: standardizePriors(spec.priors ?? [], scale) },
    table: standardizeTable(table, scale),
  };
}
