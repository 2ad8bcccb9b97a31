/**
 * One Gamma(shape, 1) variate by Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables", ACM TOMS 26(3): squeeze test, then log test; shape < 1 by their boost
 * Gamma(shape + 1) * U^(1 / shape). Draws normals and uniforms from `rng`.
 *
 * @example
 * gammaVariate(3, createRng(1, 0)); // one draw with mean 3
 */
export function gammaVariate(shape: number, rng: { normal(): number; uniform(): number }): number {
  if (shape < 1) {
    const u = rng.uniform();
    return gammaVariate(shape + 1, rng) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
