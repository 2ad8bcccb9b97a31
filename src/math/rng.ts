import { mt19937 } from './stdlib.js';

/**
 * A source of randomness for one chain. The sampler takes it as an argument (no Math.random), so tests
 * can inject forced draws (docs/ALGORITHMS.md §9.2, §9.5 and §11).
 *
 * @example
 * const rng = createRng(42, 0);
 * const u = rng.uniform(); // in [0, 1)
 * const z = rng.normal(); // standard normal
 */
export interface Rng {
  /** Uniform on [0, 1) with 53-bit precision. */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

const TWO_PI = 2 * Math.PI;

/**
 * The random stream of chain `chain` for run seed `seed`: a Mersenne Twister (@stdlib/random-base-mt19937)
 * seeded with the array [seed, chain] (docs/ALGORITHMS.md §4: one stream per chain, create_rng(seed, chain)).
 * Normals come from the same stream by the Box-Muller transform (pairs; the second value is cached).
 * Same (seed, chain) gives the same sequence in any thread or process.
 *
 * @example
 * const a = createRng(1, 2);
 * const b = createRng(1, 2);
 * a.normal() === b.normal(); // true
 */
export function createRng(seed: number, chain: number): Rng {
  const s = new Uint32Array([seed >>> 0, chain >>> 0]);
  const gen = mt19937.factory({ seed: s });
  let cached = 0;
  let hasCached = false;
  return {
    uniform(): number {
      return gen.normalized();
    },
    normal(): number {
      if (hasCached) {
        hasCached = false;
        return cached;
      }
      // Box-Muller: u1 in (0, 1] so the log is finite.
      const u1 = 1 - gen.normalized();
      const u2 = gen.normalized();
      const r = Math.sqrt(-2 * Math.log(u1));
      cached = r * Math.sin(TWO_PI * u2);
      hasCached = true;
      return r * Math.cos(TWO_PI * u2);
    },
  };
}

/**
 * An Rng that returns the given draws in turn (then repeats the last one): for deterministic tests of
 * the NUTS kernel with injected randomness (docs/ALGORITHMS.md §9.2).
 *
 * @example
 * const rng = forcedRng({ uniforms: [0.99], normals: [1] });
 * rng.normal(); // 1
 * rng.uniform(); // 0.99
 */
export function forcedRng(draws: { uniforms: readonly number[]; normals: readonly number[] }): Rng {
  let iu = 0;
  let inorm = 0;
  const us = draws.uniforms;
  const ns = draws.normals;
  return {
    uniform(): number {
      const v = us[Math.min(iu, us.length - 1)];
      iu++;
      return v;
    },
    normal(): number {
      const v = ns[Math.min(inorm, ns.length - 1)];
      inorm++;
      return v;
    },
  };
}
