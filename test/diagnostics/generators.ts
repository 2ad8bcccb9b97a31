/**
 * Deterministic draw generators for property tests: an exact 32-bit LCG (as §9.6) driving
 * Box-Muller normals and AR(1) chains, so every test input is fixed by its seed.
 */

/** Uniforms in (0, 1) from s <- (69069 s + 1) mod 2^32. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(69069, s) + 1) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

/** Standard normals by Box-Muller from the LCG. */
export function normals(seed: number): () => number {
  const u = lcg(seed);
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/**
 * nChains AR(1) chains x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t started from the stationary law
 * (unit marginal variance), draws x chains column-major.
 */
export function ar1Block(nDraws: number, nChains: number, phi: number, seed: number): Float64Array {
  const z = normals(seed);
  const out = new Float64Array(nDraws * nChains);
  const k = Math.sqrt(1 - phi * phi);
  for (let c = 0; c < nChains; c++) {
    let x = z();
    for (let d = 0; d < nDraws; d++) {
      if (d > 0) x = phi * x + k * z();
      out[c * nDraws + d] = x;
    }
  }
  return out;
}
