import type { LogDensity } from '../../../src/sampler/types.js';

/** Independent normals N(mu_i, sd_i^2). */
export function diagNormal(sd: readonly number[], mu?: readonly number[]): LogDensity {
  const d = sd.length;
  const prec = Float64Array.from(sd, (s) => 1 / (s * s));
  const m = Float64Array.from(mu ?? new Array(d).fill(0));
  return {
    dim: d,
    logDensityGradient(theta, grad) {
      let lp = 0;
      for (let i = 0; i < d; i++) {
        const z = theta[i] - m[i];
        lp -= 0.5 * prec[i] * z * z;
        grad[i] = -prec[i] * z;
      }
      return lp;
    },
  };
}

/** Standard normal in d dimensions. */
export function stdNormal(d: number): LogDensity {
  return diagNormal(new Array(d).fill(1));
}

/** Zero-mean 2-d Gaussian with unit variances and correlation rho. */
export function correlated2d(rho: number): LogDensity {
  const det = 1 - rho * rho;
  return {
    dim: 2,
    logDensityGradient(t, g) {
      const x = t[0];
      const y = t[1];
      g[0] = -(x - rho * y) / det;
      g[1] = -(y - rho * x) / det;
      return (-0.5 * (x * x - 2 * rho * x * y + y * y)) / det;
    },
  };
}

/** Neal's funnel, centred: v ~ N(0, 3^2), x_k ~ N(0, exp(v/2)^2), k = 1..d-1. */
export function funnel(d: number): LogDensity {
  return {
    dim: d,
    logDensityGradient(t, g) {
      const v = t[0];
      const ev = Math.exp(-v);
      let lp = -(v * v) / 18;
      g[0] = -v / 9;
      for (let k = 1; k < d; k++) {
        const x = t[k];
        lp += -0.5 * x * x * ev - 0.5 * v;
        g[k] = -x * ev;
        g[0] += 0.5 * x * x * ev - 0.5;
      }
      return lp;
    },
  };
}
