import { ConfigError } from '../errors.js';
import type { Design } from './design.js';
import { FAMILIES, type Family, type ModelSpec } from './spec.js';

/**
 * Normalize a spec: family defaults to gaussian; checks the family name.
 * @example normalizeSpec({ formula: 'y ~ 1' }).family // 'gaussian'
 */
export function normalizeSpec(spec: ModelSpec): ModelSpec & { family: Family } {
  const family = spec.family ?? 'gaussian';
  if (!FAMILIES.includes(family)) {
    throw new ConfigError(`unknown family '${family}' (use ${FAMILIES.join(', ')})`);
  }
  return { ...spec, family, priors: spec.priors ?? [] };
}

/** Which parameters a family and design have (brms's parameter classes). */
export interface FamilyShape {
  family: Family;
  /** A centred intercept. */
  hasIc: boolean;
  /** A residual scale: gaussian without se(), student, lognormal. */
  hasSigma: boolean;
  /** Student's degrees of freedom. */
  hasNu: boolean;
  /** The precision of beta and beta_binomial. */
  hasPhi: boolean;
  /** Families whose rows collapse into exact per-cell statistics (model/cells.ts). */
  collapsible: boolean;
  /** Families whose location and scale coordinates are standardized (model/standardize.ts). */
  locationScale: boolean;
}

/**
 * The parameter classes of a family on a design.
 * @example familyShape('student', design).hasNu // true
 */
export function familyShape(family: Family, d: Design): FamilyShape {
  return {
    family,
    hasIc: d.intercept,
    hasSigma: (family === 'gaussian' && !d.se) || family === 'student' || family === 'lognormal',
    hasNu: family === 'student',
    hasPhi: family === 'beta' || family === 'beta_binomial',
    collapsible:
      family === 'gaussian' ||
      family === 'lognormal' ||
      family === 'binomial' ||
      family === 'bernoulli',
    locationScale: family === 'gaussian' || family === 'lognormal' || family === 'student',
  };
}
