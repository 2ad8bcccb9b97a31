/** The analysis layer's seeded normal stream and gamma variates live in math (one generator, one home). */
export { gammaVariate } from '../math/gamma-variate.js';
export { createNormalRng, type NormalRng } from '../math/normal-rng.js';
