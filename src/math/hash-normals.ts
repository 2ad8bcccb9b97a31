import { createNormalRng } from './normal-rng.js';

/**
 * Standard normals as a deterministic function of a parameter vector: a 32-bit FNV-1a hash of
 * theta's bytes (Fowler, Noll & Vo) seeds `createNormalRng`, whose first `out.length` normals are
 * written to `out`.
 *
 * What for: an effect integrated out of the log density (nested gaussian terms, BDA3 section 5.4)
 * is reported by an exact draw from its conditional posterior given theta, r = m + sqrt(v) xi with
 * xi ~ N(0, 1) independent of everything in the posterior. Keying xi by theta keeps those draws out
 * of the sampled coordinates (sampling them with NUTS only made every leapfrog step longer), makes a
 * repeated state (a rejected proposal) repeat its draw exactly as a sampled xi would, and keeps runs
 * bit-for-bit reproducible in any thread. Two distinct states get unrelated streams.
 *
 * @example
 * const xi = new Float64Array(3);
 * hashNormals(Float64Array.of(0.5, -1), xi); // the same three numbers for the same theta
 */
export function hashNormals(theta: Float64Array, out: Float64Array): void {
  const bytes = new Uint8Array(theta.buffer, theta.byteOffset, theta.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const rng = createNormalRng(h);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
}
