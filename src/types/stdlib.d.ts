// TypeScript declarations for the individual @stdlib packages bayesbench uses (they ship no types).
// Owner: sampler; other areas append `declare module '...'` blocks below.

declare module '@stdlib/random-base-mt19937' {
  /** A seeded 32-bit Mersenne Twister: call it for a uint32, `.normalized()` for [0, 1). */
  interface MT19937 {
    (): number;
    normalized(): number;
    seed: Uint32Array;
    seedLength: number;
    state: Uint32Array;
    stateLength: number;
  }
  type Factory = (options?: {
    seed?: number | ArrayLike<number>;
    state?: Uint32Array;
    copy?: boolean;
  }) => MT19937;
  const mt19937: MT19937 & { factory: Factory };
  export default mt19937;
}

declare module '@stdlib/random-base-normal' {
  type NormalPrng = (mu: number, sigma: number) => number;
  const normal: NormalPrng & {
    factory(options?: { prng?: () => number; seed?: number | ArrayLike<number> }): NormalPrng;
  };
  export default normal;
}

declare module '@stdlib/stats-base-dists-normal-cdf' {
  /** Normal CDF at x with mean mu and standard deviation sigma (appended by report). */
  const cdf: (x: number, mu: number, sigma: number) => number;
  export default cdf;
}
