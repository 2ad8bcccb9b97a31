/**
 * Priors: parsing `CLASS ~ dist(args)` strings, their log densities (up to constants) and brms's
 * default priors.
 *
 * Classes follow brms (`?set_prior`): Intercept, b, b_COEF, sd, sd_GROUP, sd_GROUP__COEF, sigma, nu,
 * phi, cor, cor_GROUP. Scale parameters (sd, sigma, phi) live on (0, inf) and nu on (1, inf); their
 * priors are the half (truncated) distributions, as brms does with `lb = 0` / `lb = 1`. The truncation
 * constants do not depend on the parameters, so they are dropped (the posterior is the same).
 */
import { FormulaError } from '../errors.js';
import { mad, median } from '../math/quantile.js';
import { caretMessage } from './formula.js';
import type { Family, PriorRow } from './spec.js';

/** Prior distributions (brms/Stan parameterizations: sd not variance, gamma shape/rate). */
export type PriorDist =
  | { kind: 'normal'; mu: number; sigma: number }
  | { kind: 'student_t'; df: number; mu: number; sigma: number }
  | { kind: 'cauchy'; mu: number; sigma: number }
  | { kind: 'exponential'; rate: number }
  | { kind: 'gamma'; shape: number; rate: number }
  | { kind: 'lkj'; eta: number }
  | { kind: 'flat' };

/** Parameter classes of a prior. */
export type PriorClass = 'Intercept' | 'b' | 'sd' | 'sigma' | 'nu' | 'phi' | 'cor';

/** A parsed `CLASS ~ dist(args)` statement. */
export interface ParsedPrior {
  class: PriorClass;
  coef: string;
  group: string;
  dist: PriorDist;
  text: string;
}

const ARITY: Record<string, number> = {
  normal: 2,
  student_t: 3,
  cauchy: 2,
  exponential: 1,
  gamma: 2,
  lkj: 1,
  lkj_corr_cholesky: 1,
  flat: 0,
};

/**
 * Format a distribution the way brms prints it, e.g. `student_t(3, 0, 2.5)`.
 * @example formatDist({ kind: 'normal', mu: 0, sigma: 1 }) // 'normal(0, 1)'
 */
export function formatDist(d: PriorDist): string {
  switch (d.kind) {
    case 'normal':
      return `normal(${d.mu}, ${d.sigma})`;
    case 'student_t':
      return `student_t(${d.df}, ${d.mu}, ${d.sigma})`;
    case 'cauchy':
      return `cauchy(${d.mu}, ${d.sigma})`;
    case 'exponential':
      return `exponential(${d.rate})`;
    case 'gamma':
      return `gamma(${d.shape}, ${d.rate})`;
    case 'lkj':
      return `lkj(${d.eta})`;
    case 'flat':
      return 'flat';
  }
}

/**
 * Parse a prior statement such as `sd_task ~ student_t(3, 0, 2.5)` or `b_x ~ normal(0, 1)`.
 * Throws FormulaError with a caret under the offending position.
 *
 * @example
 * parsePrior('sd_heuristic:task ~ student_t(3, 0, 2.5)')
 * // { class: 'sd', group: 'heuristic:task', coef: '', dist: { kind: 'student_t', df: 3, mu: 0, sigma: 2.5 }, ... }
 */
export function parsePrior(text: string): ParsedPrior {
  const fail = (pos: number, msg: string): never => {
    throw new FormulaError(caretMessage(text, pos, msg, 'prior'));
  };
  const tilde = text.indexOf('~');
  if (tilde < 0)
    fail(text.length, "expected 'CLASS ~ distribution(...)', e.g. 'sd ~ student_t(3, 0, 2.5)'");
  const lhsRaw = text.slice(0, tilde);
  const lhs = lhsRaw.trim();
  const lhsPos = lhsRaw.length - lhsRaw.trimStart().length;
  let cls: PriorClass | undefined;
  let coef = '';
  let group = '';
  const m = /^(Intercept|b|sd|sigma|nu|phi|cor)(?:_(.+))?$/.exec(lhs);
  if (!m) {
    fail(
      lhsPos,
      `unknown parameter class '${lhs}' (use Intercept, b, b_COEF, sd, sd_GROUP, sd_GROUP__COEF, sigma, nu, phi, cor, cor_GROUP)`,
    );
  } else {
    cls = m[1] as PriorClass;
    const rest = m[2] ?? '';
    if (rest !== '') {
      if (cls === 'b') coef = rest;
      else if (cls === 'sd') {
        const k = rest.indexOf('__');
        if (k >= 0) {
          group = rest.slice(0, k);
          coef = rest.slice(k + 2);
        } else group = rest;
      } else if (cls === 'cor') group = rest;
      else fail(lhsPos + m[1].length, `class '${cls}' takes no suffix`);
    }
  }
  const rhsRaw = text.slice(tilde + 1);
  const rhsPos = tilde + 1 + (rhsRaw.length - rhsRaw.trimStart().length);
  const rhs = rhsRaw.trim();
  const dm = /^([A-Za-z_]+)\s*(?:\((.*)\))?$/.exec(rhs);
  if (!dm) return fail(rhsPos, "expected a distribution such as 'normal(0, 1)'");
  const name = dm[1];
  if (!(name in ARITY)) {
    fail(
      rhsPos,
      `unknown distribution '${name}' (use ${Object.keys(ARITY)
        .filter((k) => k !== 'lkj_corr_cholesky')
        .join(', ')})`,
    );
  }
  const argText = dm[2] ?? '';
  const args = argText.trim() === '' ? [] : argText.split(',').map((s) => s.trim());
  const argPos = rhsPos + rhs.indexOf('(') + 1;
  const nums = args.map((a, i) => {
    const v = Number(a);
    if (a === '' || !Number.isFinite(v))
      fail(argPos, `argument ${i + 1} of ${name}() is not a number: '${a}'`);
    return v;
  });
  if (nums.length !== ARITY[name]) {
    fail(
      argPos,
      `${name}() takes ${ARITY[name]} argument${ARITY[name] === 1 ? '' : 's'}, got ${nums.length}`,
    );
  }
  let dist: PriorDist;
  switch (name) {
    case 'normal':
      dist = { kind: 'normal', mu: nums[0], sigma: nums[1] };
      break;
    case 'student_t':
      dist = { kind: 'student_t', df: nums[0], mu: nums[1], sigma: nums[2] };
      if (nums[0] <= 0) fail(argPos, 'student_t degrees of freedom must be > 0');
      break;
    case 'cauchy':
      dist = { kind: 'cauchy', mu: nums[0], sigma: nums[1] };
      break;
    case 'exponential':
      dist = { kind: 'exponential', rate: nums[0] };
      if (nums[0] <= 0) fail(argPos, 'exponential rate must be > 0');
      break;
    case 'gamma':
      dist = { kind: 'gamma', shape: nums[0], rate: nums[1] };
      if (nums[0] <= 0 || nums[1] <= 0) fail(argPos, 'gamma shape and rate must be > 0');
      break;
    case 'lkj':
    case 'lkj_corr_cholesky':
      dist = { kind: 'lkj', eta: nums[0] };
      if (nums[0] <= 0) fail(argPos, 'lkj eta must be > 0');
      break;
    default:
      dist = { kind: 'flat' };
  }
  if ('sigma' in dist && !(dist.sigma > 0)) fail(argPos, `${name}() scale must be > 0`);
  const c = cls as PriorClass;
  if (c === 'cor' && dist.kind !== 'lkj') fail(rhsPos, 'cor takes an lkj(eta) prior');
  if (c !== 'cor' && dist.kind === 'lkj') fail(rhsPos, 'lkj() is a prior for cor only');
  if ((c === 'b' || c === 'Intercept') && (dist.kind === 'exponential' || dist.kind === 'gamma')) {
    fail(
      rhsPos,
      `${name}() has positive support; ${c} is unbounded (use normal, student_t, cauchy or flat)`,
    );
  }
  return { class: c, coef, group, dist, text };
}

/** Numeric codes of distributions for the hot path. */
export enum PriorCode {
  Flat = 0,
  Normal = 1,
  StudentT = 2,
  Cauchy = 3,
  Exponential = 4,
  Gamma = 5,
}

/** A prior compiled to numbers: code and up to three parameters. */
export interface CompiledPrior {
  code: PriorCode;
  a: number;
  b: number;
  c: number;
}

/** @example compilePrior({ kind: 'normal', mu: 0, sigma: 2 }) // { code: 1, a: 0, b: 2, c: 0 } */
export function compilePrior(d: PriorDist): CompiledPrior {
  switch (d.kind) {
    case 'normal':
      return { code: PriorCode.Normal, a: d.mu, b: d.sigma, c: 0 };
    case 'student_t':
      return { code: PriorCode.StudentT, a: d.mu, b: d.sigma, c: d.df };
    case 'cauchy':
      return { code: PriorCode.Cauchy, a: d.mu, b: d.sigma, c: 0 };
    case 'exponential':
      return { code: PriorCode.Exponential, a: d.rate, b: 0, c: 0 };
    case 'gamma':
      return { code: PriorCode.Gamma, a: d.shape, b: d.rate, c: 0 };
    default:
      return { code: PriorCode.Flat, a: 0, b: 0, c: 0 };
  }
}

/**
 * Log density of a compiled prior at x (constants dropped) and its derivative, written to out[0..1].
 * Returns the log density. For positive-support priors x must be > 0 (the transforms guarantee it).
 *
 * @example const o = new Float64Array(2); priorLogDensity(compilePrior({ kind: 'normal', mu: 0, sigma: 1 }), 1, o) // -0.5
 */
export function priorLogDensity(p: CompiledPrior, x: number, out: Float64Array): number {
  switch (p.code) {
    case PriorCode.Normal: {
      const d = x - p.a;
      const s2 = p.b * p.b;
      out[1] = -d / s2;
      return (-0.5 * d * d) / s2;
    }
    case PriorCode.StudentT: {
      const d = x - p.a;
      const s2nu = p.b * p.b * p.c;
      out[1] = (-(p.c + 1) * d) / (s2nu + d * d);
      return -0.5 * (p.c + 1) * Math.log1p((d * d) / s2nu);
    }
    case PriorCode.Cauchy: {
      const d = x - p.a;
      const s2 = p.b * p.b;
      out[1] = (-2 * d) / (s2 + d * d);
      return -Math.log1p((d * d) / s2);
    }
    case PriorCode.Exponential:
      out[1] = -p.a;
      return -p.a * x;
    case PriorCode.Gamma:
      out[1] = (p.a - 1) / x - p.b;
      return (p.a - 1) * Math.log(x) - p.b * x;
    default:
      out[1] = 0;
      return 0;
  }
}

/** R's round(x, 1) for the default-prior rule (halves away from zero; R differs only in ties). */
function round1(x: number): number {
  return (Math.sign(x) * Math.round(Math.abs(x) * 10 + 1e-9)) / 10;
}

/**
 * brms's default location and scale (`def_scale_prior`, brms 2.18): on the link scale of the response
 * when the link is identity or log (gaussian, student, lognormal), location = round(median(link(y)), 1)
 * and scale = max(2.5, round(mad(link(y)), 1)); for logit links (binomial, bernoulli, beta,
 * beta_binomial) location 0
 * and scale 2.5. Note: for scores on a 0-1 scale the 2.5 floor makes these priors very wide
 * (weakly informative in name only); pass explicit priors when that matters.
 *
 * @example defaultLocationScale(Float64Array.from([1, 2, 3, 40]), 'gaussian') // { location: 2.5, scale: 2.5 }
 */
export function defaultLocationScale(
  y: Float64Array,
  family: Family,
): { location: number; scale: number } {
  if (
    family === 'binomial' ||
    family === 'bernoulli' ||
    family === 'beta' ||
    family === 'beta_binomial'
  ) {
    return { location: 0, scale: 2.5 };
  }
  let v = y;
  if (family === 'lognormal') {
    v = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) v[i] = Math.log(y[i] === 0 ? 0.1 : y[i]);
  }
  const loc = round1(median(v));
  const sc = round1(mad(v));
  return {
    location: Number.isFinite(loc) ? loc : 0,
    scale: Number.isFinite(sc) ? Math.max(2.5, sc) : 2.5,
  };
}

/** A place a prior applies to: one parameter (or block of parameters) of the model. */
export interface PriorSlot {
  class: PriorClass;
  coef: string;
  group: string;
  lb?: number;
}

/**
 * Resolve the prior of every slot: the most specific user prior (sd_g__coef > sd_g > sd; b_x > b;
 * cor_g > cor), else the default. Throws FormulaError when a user prior matches no slot.
 *
 * @example resolvePriors([{ class: 'sigma', coef: '', group: '', lb: 0 }], [], () => ({ kind: 'flat' }))
 */
export function resolvePriors(
  slots: PriorSlot[],
  user: ParsedPrior[],
  defaults: (slot: PriorSlot) => PriorDist,
): { slot: PriorSlot; dist: PriorDist; row: PriorRow }[] {
  const used = new Array<boolean>(user.length).fill(false);
  const out = slots.map((slot) => {
    let best = -1;
    let bestScore = -1;
    user.forEach((p, i) => {
      if (p.class !== slot.class) return;
      if (p.group !== '' && p.group !== slot.group) return;
      if (p.coef !== '' && p.coef !== slot.coef) return;
      used[i] = true; // matches a parameter, even when a more specific prior wins
      const score = (p.group !== '' ? 2 : 0) + (p.coef !== '' ? 1 : 0);
      if (score >= bestScore) {
        best = i;
        bestScore = score;
      }
    });
    const dist = best >= 0 ? user[best].dist : defaults(slot);
    const row: PriorRow = {
      class: slot.class,
      coef: slot.coef,
      group: slot.group,
      prior: formatDist(dist),
      source: best >= 0 ? 'user' : 'default',
    };
    if (slot.lb !== undefined) row.lb = slot.lb;
    return { slot, dist, row };
  });
  user.forEach((p, i) => {
    if (!used[i]) {
      const names = slots
        .map((s) =>
          s.class === 'sd'
            ? `sd_${s.group}__${s.coef}`
            : s.class === 'b'
              ? `b_${s.coef}`
              : s.class === 'cor'
                ? `cor_${s.group}`
                : s.class,
        )
        .join(', ');
      throw new FormulaError(
        `prior '${p.text}' matches no parameter of this model (parameters: ${names})`,
      );
    }
  });
  return out;
}
