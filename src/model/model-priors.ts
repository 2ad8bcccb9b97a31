import type { Design } from './design.js';
import type { FamilyShape } from './families.js';
import {
  type CompiledPrior,
  compilePrior,
  defaultLocationScale,
  type ParsedPrior,
  type PriorDist,
  type PriorSlot,
  resolvePriors,
} from './priors.js';
import type { PriorRow } from './spec.js';

/** Every prior of a model: the rows `bayesbench priors` prints and the compiled densities. */
export interface ModelPriors {
  rows: PriorRow[];
  /** The prior of a class, coefficient and group (e.g. 'sd', 'Intercept', 'task'). */
  of(cls: string, coef?: string, group?: string): PriorDist;
  b: CompiledPrior[];
  /** Intercept, sigma, nu and phi (flat when the model has no such parameter). */
  ic: CompiledPrior;
  sigma: CompiledPrior;
  nu: CompiledPrior;
  phi: CompiledPrior;
}

/**
 * brms's default prior of a slot, scaled from the response (brms 2.18 `get_prior`): student_t(3,
 * location, scale) for the intercept, student_t(3, 0, scale) for sd and sigma, gamma(2, 0.1) for
 * nu, gamma(0.01, 0.01) for phi, lkj(1) for correlations, flat for b.
 */
function brmsDefault(slot: PriorSlot, ls: { location: number; scale: number }): PriorDist {
  switch (slot.class) {
    case 'Intercept':
      return { kind: 'student_t', df: 3, mu: ls.location, sigma: ls.scale };
    case 'sd':
    case 'sigma':
      return { kind: 'student_t', df: 3, mu: 0, sigma: ls.scale };
    case 'nu':
      return { kind: 'gamma', shape: 2, rate: 0.1 };
    case 'phi':
      return { kind: 'gamma', shape: 0.01, rate: 0.01 };
    case 'cor':
      return { kind: 'lkj', eta: 1 };
    default:
      return { kind: 'flat' };
  }
}

/**
 * The prior slots of a design (one per parameter class, coefficient and group), resolved against
 * the user's priors with brms's defaults for the rest.
 * @example resolveModelPriors(design, familyShape('gaussian', design), []).rows
 */
export function resolveModelPriors(
  d: Design,
  shape: FamilyShape,
  userPriors: ParsedPrior[],
): ModelPriors {
  const slots: PriorSlot[] = [];
  if (shape.hasIc) slots.push({ class: 'Intercept', coef: '', group: '' });
  for (const b of d.bNames) slots.push({ class: 'b', coef: b, group: '' });
  for (const g of d.groups) {
    for (const c of g.coefs) slots.push({ class: 'sd', coef: c, group: g.group, lb: 0 });
  }
  for (const g of d.groups)
    if (g.correlated) slots.push({ class: 'cor', coef: '', group: g.group });
  if (shape.hasSigma) slots.push({ class: 'sigma', coef: '', group: '', lb: 0 });
  if (shape.hasNu) slots.push({ class: 'nu', coef: '', group: '', lb: 1 });
  if (shape.hasPhi) slots.push({ class: 'phi', coef: '', group: '', lb: 0 });
  const ls = defaultLocationScale(d.y, shape.family);
  const resolved = resolvePriors(slots, userPriors, (slot) => brmsDefault(slot, ls));
  const of = (cls: string, coef = '', group = ''): PriorDist =>
    resolved.find((r) => r.slot.class === cls && r.slot.coef === coef && r.slot.group === group)!
      .dist;
  const ic = shape.hasIc ? compilePrior(of('Intercept')) : compilePrior({ kind: 'flat' });
  return {
    rows: resolved.map((r) => r.row),
    of,
    b: d.bNames.map((b) => compilePrior(of('b', b))),
    ic,
    sigma: shape.hasSigma ? compilePrior(of('sigma')) : ic,
    nu: shape.hasNu ? compilePrior(of('nu')) : ic,
    phi: shape.hasPhi ? compilePrior(of('phi')) : ic,
  };
}
