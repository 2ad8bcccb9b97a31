/**
 * A small seeded normal generator: new-level draws of unobserved cells, posterior predictive
 * replicates, and the theta-keyed auxiliary normals of math/hash-normals.ts. xoshiro128**
 * (Blackman & Vigna 2018) for uniforms, Box-Muller for normals: deterministic for a seed,
 * independent of the sampler's per-chain streams (math/rng.ts).
 */
export interface NormalRng {
  /** One standard normal draw. */
  normal(): number;
  /** One uniform draw on (0, 1) from the same stream (does not disturb a cached normal). */
  uniform(): number;
}

/**
 * A seeded standard-normal stream.
 * @example const rng = createNormalRng(1); rng.normal(); // same number for the same seed
 */
export function createNormalRng(seed: number): NormalRng {
  // splitmix32 to spread the seed over the 128-bit state
  let x = seed >>> 0;
  const split = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split() | 1;
  const next = (): number => {
    const r = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = ((d << 11) | (d >>> 21)) >>> 0;
    return r;
  };
  let spare = Number.NaN;
  return {
    normal() {
      if (!Number.isNaN(spare)) {
        const v = spare;
        spare = Number.NaN;
        return v;
      }
      const u1 = (next() + 1) / 4294967297;
      const u2 = next() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    },
    uniform() {
      return (next() + 1) / 4294967297;
    },
  };
}
