import { type FftPlan, fft, fftPlan, nextPow2 } from '../math/fft.js';
import { mean, variance } from '../math/moments.js';

/**
 * Autocovariance by FFT (docs/ALGORITHMS.md §5.4, posterior `autocovariance`): the biased estimate
 * acov_t = (1/N) sum_{n < N-t} y_n y_{n+t} of the centred chain y, by zero padding to a power of two
 * >= 2N (any padding >= 2N - 1 gives the linear, not circular, autocovariance), |FFT|^2 and an
 * inverse FFT, rescaled so that acov_0 = var(x) (N-1)/N exactly as posterior does.
 */

interface AcovWorkspace {
  plan: FftPlan;
  re: Float64Array;
  im: Float64Array;
  power: Float64Array;
  powerIm: Float64Array;
}

const workspaces = new Map<number, AcovWorkspace>();

function workspaceFor(n: number): AcovWorkspace {
  let ws = workspaces.get(n);
  if (!ws) {
    const len = nextPow2(2 * n);
    ws = {
      plan: fftPlan(len),
      re: new Float64Array(len),
      im: new Float64Array(len),
      power: new Float64Array(len),
      powerIm: new Float64Array(len),
    };
    if (workspaces.size > 16) workspaces.clear();
    workspaces.set(n, ws);
  }
  return ws;
}

/**
 * Autocovariances of one chain for lags 0..N-1 (posterior `autocovariance`); all zeros when the
 * chain is constant.
 * @example autocovariance(new Float64Array([1, 2, 3, 4, 5])) // [2, 0.8, -0.2, -0.8, -0.8]
 */
export function autocovariance(x: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  const v = variance(x);
  if (!(v !== 0) || n < 2) return out;
  meanAutocovariance(x, n, 1, out);
  return out;
}

/**
 * The autocovariance averaged over chains, abar_t = mean_m acov_m[t], t = 0..N-1, of a block of
 * nChains chains of nDraws draws (column-major). Two real chains share one complex FFT
 * (x + iy; the power spectra add up as (|Z_k|^2 + |Z_-k|^2)/2), and the power spectra of all chains
 * are summed before one inverse FFT, so M chains cost ceil(M/2) + 1 transforms. abar_0 is the mean
 * of var_m (N-1)/N, computed directly; the other lags are scaled by the same factor (posterior
 * rescales each chain's FFT result to its variance; the difference is rounding, ~1e-15).
 * @example meanAutocovariance(new Float64Array([1, 2, 3, 4, 5]), 5, 1)[1] // 0.8
 */
export function meanAutocovariance(
  x: Float64Array,
  nDraws: number,
  nChains: number,
  out?: Float64Array,
): Float64Array {
  const n = nDraws;
  const o = out ?? new Float64Array(n);
  const ws = workspaceFor(n);
  const { plan, re, im, power, powerIm } = ws;
  const len = plan.n;
  power.fill(0);
  let direct0 = 0;
  for (let c = 0; c < nChains; c += 2) {
    re.fill(0);
    im.fill(0);
    const a = c * n;
    const ma = mean(x, a, n);
    for (let d = 0; d < n; d++) {
      const y = x[a + d] - ma;
      re[d] = y;
      direct0 += y * y;
    }
    if (c + 1 < nChains) {
      const b = (c + 1) * n;
      const mb = mean(x, b, n);
      for (let d = 0; d < n; d++) {
        const y = x[b + d] - mb;
        im[d] = y;
        direct0 += y * y;
      }
    }
    fft(plan, re, im);
    for (let k = 0; k < len; k++) {
      const j = k === 0 ? 0 : len - k;
      power[k] += 0.5 * (re[k] * re[k] + im[k] * im[k] + re[j] * re[j] + im[j] * im[j]);
    }
  }
  powerIm.fill(0);
  fft(plan, power, powerIm, true);
  direct0 /= n * nChains;
  const f0 = power[0];
  if (!(f0 > 0) || !(direct0 > 0)) {
    o.fill(0, 0, n);
    return o;
  }
  const scale = direct0 / f0;
  o[0] = direct0;
  for (let t = 1; t < n; t++) o[t] = power[t] * scale;
  return o;
}
