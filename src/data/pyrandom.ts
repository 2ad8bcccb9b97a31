/**
 * A re-implementation of CPython's `random.Random` core: MT19937 (Matsumoto & Nishimura 1998,
 * mt19937ar.c: init_genrand, init_by_array, genrand_int32), `random()` with 53-bit resolution
 * (genrand_res53) and `gauss()` (Box-Muller with the second value cached, Lib/random.py), seeded
 * from an integer as CPython 3 does (`init_by_array` over the 32-bit words of abs(seed)). With the
 * same seed it gives the same stream as Python, so synthetic data match the shared gen_synth.py.
 * Used only for synthetic data; the sampler has its own streams (src/math/rng.ts).
 *
 * @example
 * const r = pyRandom(1);
 * r.random(); // 0.13436424411240122, as Python's random.Random(1).random()
 */
export interface PyRandom {
  /** Uniform on [0, 1), 53-bit resolution. */
  random(): number;
  /** Normal(mu, sigma): Python's random.gauss (not thread-safe there, deterministic here). */
  gauss(mu: number, sigma: number): number;
  /** Next raw 32-bit output. */
  int32(): number;
}

const N = 624;
const M = 397;

/**
 * Create a generator seeded like `random.Random(seed)` (a non-negative integer below 2**53) or
 * with an explicit init_by_array key.
 *
 * @example pyRandom([1, 7]).gauss(0, 1);
 */
export function pyRandom(seed: number | readonly number[]): PyRandom {
  const mt = new Uint32Array(N);
  let mti = N + 1;
  let gaussNext: number | null = null;

  const initGenrand = (s: number): void => {
    mt[0] = s >>> 0;
    for (mti = 1; mti < N; mti++) {
      const prev = mt[mti - 1] ^ (mt[mti - 1] >>> 30);
      mt[mti] = (Math.imul(1812433253, prev) + mti) >>> 0;
    }
  };

  const initByArray = (key: readonly number[]): void => {
    initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  };

  const int32 = (): number => {
    if (mti >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
        mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
        mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      const y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
      mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      mti = 0;
    }
    let y = mt[mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };

  const random = (): number => {
    const a = int32() >>> 5;
    const b = int32() >>> 6;
    return (a * 67108864 + b) * (1 / 9007199254740992);
  };

  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed))
      throw new RangeError(`pyRandom: seed must be an integer, got ${seed}`);
    let n = Math.abs(seed);
    const key: number[] = [];
    do {
      key.push(n % 4294967296);
      n = Math.floor(n / 4294967296);
    } while (n > 0);
    initByArray(key);
  } else {
    initByArray(seed.length > 0 ? seed.map((k) => k >>> 0) : [0]);
  }

  return {
    random,
    int32,
    gauss(mu: number, sigma: number): number {
      // Lib/random.py Random.gauss: Box-Muller, the sine branch cached for the next call.
      let z = gaussNext;
      gaussNext = null;
      if (z === null) {
        const x2pi = random() * 2 * Math.PI;
        const g2rad = Math.sqrt(-2 * Math.log(1 - random()));
        z = Math.cos(x2pi) * g2rad;
        gaussNext = Math.sin(x2pi) * g2rad;
      }
      return mu + z * sigma;
    },
  };
}
