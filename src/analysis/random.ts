/** The analysis layer's seeded normal stream lives in math (one generator, one home). */
export { createNormalRng, type NormalRng } from '../math/normal-rng.js';
