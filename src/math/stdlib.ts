/**
 * The @stdlib functions bayesbench uses, re-exported from one module.
 *
 * Why one module: each individual @stdlib package is a tree of small CommonJS files (the Mersenne
 * Twister alone loads 322 of them, the Beta quantile another 277), and resolving and compiling those
 * took 0.3-0.5 s of every process's and every worker thread's start-up, more than a whole
 * synth_small fit's summary (BENCHMARKS.md section 1). `npm run build` bundles the compiled copy of
 * this file (dist/src/math/stdlib.js) into a single ES module with esbuild; the functions are the
 * packages' own code, unchanged. Running from sources (tests, tsx) it is a plain re-export.
 *
 * @example
 * import { gammaln } from './stdlib.js';
 * gammaln(5); // log(24)
 */
export { default as digamma } from '@stdlib/math-base-special-digamma';
export { default as gammaln } from '@stdlib/math-base-special-gammaln';
export { default as mt19937 } from '@stdlib/random-base-mt19937';
export { default as betaQuantile } from '@stdlib/stats-base-dists-beta-quantile';
export { default as normalCdf } from '@stdlib/stats-base-dists-normal-cdf';
