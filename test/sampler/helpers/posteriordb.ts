import { readFileSync } from 'node:fs';
import type { ReportingModel } from '../../../src/sampler/types.js';

export interface PdbFixture {
  name: string;
  data: Record<string, number | number[]>;
  reference: {
    parameter_names: string[];
    summary: Record<string, { mean: number; sd: number; mcse_mean: number }>;
  };
}

export function loadFixture(file: string): PdbFixture {
  const url = new URL(`../../../fixtures/posteriordb/${file}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as PdbFixture;
}

/**
 * Eight schools, non-centred (fixture model block): mu ~ N(0,5), tau ~ HalfCauchy(0,5) with
 * tau = exp(v), z_j ~ N(0,1), theta_j = mu + tau z_j, y_j ~ N(theta_j, sigma_j).
 * Unconstrained order: mu, v, z[1..8]. Reported: theta[1..8], mu, tau.
 */
export function eightSchools(fx: PdbFixture): ReportingModel {
  const y = fx.data.y as number[];
  const sigma = fx.data.sigma as number[];
  const J = y.length;
  return {
    dim: J + 2,
    variableNames: [...Array.from({ length: J }, (_, j) => `theta[${j + 1}]`), 'mu', 'tau'],
    logDensityGradient(t, g) {
      const mu = t[0];
      const v = t[1];
      const tau = Math.exp(v);
      const u = tau / 5;
      let lp = -(mu * mu) / 50 - Math.log1p(u * u) + v;
      g[0] = -mu / 25;
      g[1] = (-2 * u * u) / (1 + u * u) + 1;
      for (let j = 0; j < J; j++) {
        const z = t[2 + j];
        const r = (y[j] - mu - tau * z) / (sigma[j] * sigma[j]);
        lp += -0.5 * z * z - 0.5 * r * (y[j] - mu - tau * z);
        g[0] += r;
        g[1] += r * tau * z;
        g[2 + j] = -z + r * tau;
      }
      return lp;
    },
    writeVariables(t, out) {
      const tau = Math.exp(t[1]);
      for (let j = 0; j < J; j++) out[j] = t[0] + tau * t[2 + j];
      out[J] = t[0];
      out[J + 1] = tau;
    },
  };
}

/**
 * Seeds (random-effects logistic regression), written non-centred (same posterior, fixture notes):
 * alpha0, alpha1, alpha12, alpha2 ~ N(0,1); sigma ~ HalfCauchy(0,1), sigma = exp(v); z_i ~ N(0,1),
 * b_i = sigma z_i; n_i ~ Binomial(N_i, logit⁻¹(alpha0 + alpha1 x1 + alpha2 x2 + alpha12 x1 x2 + b_i)).
 * Unconstrained order: alpha0, alpha1, alpha12, alpha2, v, z[1..21].
 * Reported: alpha0, alpha1, alpha12, alpha2, b[1..21], sigma.
 */
export function seeds(fx: PdbFixture): ReportingModel {
  const n = fx.data.n as number[];
  const N = fx.data.N as number[];
  const x1 = fx.data.x1 as number[];
  const x2 = fx.data.x2 as number[];
  const I = n.length;
  return {
    dim: I + 5,
    variableNames: [
      'alpha0',
      'alpha1',
      'alpha12',
      'alpha2',
      ...Array.from({ length: I }, (_, i) => `b[${i + 1}]`),
      'sigma',
    ],
    logDensityGradient(t, g) {
      const [a0, a1, a12, a2, v] = [t[0], t[1], t[2], t[3], t[4]];
      const s = Math.exp(v);
      let lp = -0.5 * (a0 * a0 + a1 * a1 + a12 * a12 + a2 * a2) - Math.log1p(s * s) + v;
      g[0] = -a0;
      g[1] = -a1;
      g[2] = -a12;
      g[3] = -a2;
      g[4] = (-2 * s * s) / (1 + s * s) + 1;
      for (let i = 0; i < I; i++) {
        const z = t[5 + i];
        const eta = a0 + a1 * x1[i] + a2 * x2[i] + a12 * x1[i] * x2[i] + s * z;
        // log(1 + e^eta), stable
        const l1p = eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
        const p = 1 / (1 + Math.exp(-eta));
        lp += n[i] * eta - N[i] * l1p - 0.5 * z * z;
        const r = n[i] - N[i] * p;
        g[0] += r;
        g[1] += r * x1[i];
        g[2] += r * x1[i] * x2[i];
        g[3] += r * x2[i];
        g[4] += r * s * z;
        g[5 + i] = r * s - z;
      }
      return lp;
    },
    writeVariables(t, out) {
      const s = Math.exp(t[4]);
      for (let k = 0; k < 4; k++) out[k] = t[k];
      for (let i = 0; i < I; i++) out[4 + i] = s * t[5 + i];
      out[4 + I] = s;
    },
  };
}

/**
 * Radon, varying intercepts, non-centred: alpha_j = mu_alpha + sigma_alpha a_j, a_j ~ N(0,1);
 * beta_k ~ N(0,10); mu_alpha ~ N(0,10); sigma_alpha, sigma_y ~ HalfNormal(0,1) (log scale + Jacobian);
 * log_radon_n ~ N(alpha[county_n] + beta1 log_uppm_n + beta2 floor_n, sigma_y).
 * Unconstrained order: a[1..J], beta1, beta2, mu_alpha, log sigma_alpha, log sigma_y.
 * Reported: alpha[1..J], beta[1], beta[2], mu_alpha, sigma_alpha, sigma_y.
 */
export function radon(fx: PdbFixture): ReportingModel {
  const J = fx.data.J as number;
  const county = Int32Array.from(fx.data.county_idx as number[], (c) => c - 1);
  const uppm = Float64Array.from(fx.data.log_uppm as number[]);
  const floor = Float64Array.from(fx.data.floor_measure as number[]);
  const y = Float64Array.from(fx.data.log_radon as number[]);
  const N = y.length;
  const gA = new Float64Array(J);
  return {
    dim: J + 5,
    variableNames: [
      ...Array.from({ length: J }, (_, j) => `alpha[${j + 1}]`),
      'beta[1]',
      'beta[2]',
      'mu_alpha',
      'sigma_alpha',
      'sigma_y',
    ],
    logDensityGradient(t, g) {
      const b1 = t[J];
      const b2 = t[J + 1];
      const mu = t[J + 2];
      const va = t[J + 3];
      const vy = t[J + 4];
      const sa = Math.exp(va);
      const sy = Math.exp(vy);
      const prec = 1 / (sy * sy);
      let lp = -0.5 * sa * sa + va - 0.5 * sy * sy + vy - (mu * mu + b1 * b1 + b2 * b2) / 200;
      let gb1 = -b1 / 100;
      let gb2 = -b2 / 100;
      let gmu = -mu / 100;
      let gva = -sa * sa + 1;
      let gvy = -sy * sy + 1;
      gA.fill(0);
      let ss = 0;
      for (let k = 0; k < N; k++) {
        const j = county[k];
        const r = y[k] - (mu + sa * t[j] + b1 * uppm[k] + b2 * floor[k]);
        ss += r * r;
        const w = r * prec;
        gA[j] += w;
        gb1 += w * uppm[k];
        gb2 += w * floor[k];
      }
      lp += -0.5 * ss * prec - N * vy;
      gvy += ss * prec - N;
      for (let j = 0; j < J; j++) {
        const a = t[j];
        lp -= 0.5 * a * a;
        gmu += gA[j];
        gva += gA[j] * sa * a;
        g[j] = gA[j] * sa - a;
      }
      g[J] = gb1;
      g[J + 1] = gb2;
      g[J + 2] = gmu;
      g[J + 3] = gva;
      g[J + 4] = gvy;
      return lp;
    },
    writeVariables(t, out) {
      const sa = Math.exp(t[J + 3]);
      for (let j = 0; j < J; j++) out[j] = t[J + 2] + sa * t[j];
      out[J] = t[J];
      out[J + 1] = t[J + 1];
      out[J + 2] = t[J + 2];
      out[J + 3] = sa;
      out[J + 4] = Math.exp(t[J + 4]);
    },
  };
}

/**
 * kidiq: kid_score ~ N(b1 + b2 mom_hs + b3 mom_iq, sigma), flat betas, sigma ~ HalfCauchy(0, 2.5),
 * sigma = exp(v). Unconstrained: b1, b2, b3, v. Reported: beta[1..3], sigma.
 */
export function kidiq(fx: PdbFixture): ReportingModel {
  const y = fx.data.kid_score as number[];
  const hs = fx.data.mom_hs as number[];
  const iq = fx.data.mom_iq as number[];
  const N = y.length;
  return {
    dim: 4,
    variableNames: ['beta[1]', 'beta[2]', 'beta[3]', 'sigma'],
    logDensityGradient(t, g) {
      const s = Math.exp(t[3]);
      const u = s / 2.5;
      const prec = 1 / (s * s);
      let ss = 0;
      let g0 = 0;
      let g1 = 0;
      let g2 = 0;
      for (let i = 0; i < N; i++) {
        const r = y[i] - t[0] - t[1] * hs[i] - t[2] * iq[i];
        ss += r * r;
        g0 += r;
        g1 += r * hs[i];
        g2 += r * iq[i];
      }
      g[0] = g0 * prec;
      g[1] = g1 * prec;
      g[2] = g2 * prec;
      g[3] = ss * prec - N - (2 * u * u) / (1 + u * u) + 1;
      return -0.5 * ss * prec - N * t[3] - Math.log1p(u * u) + t[3];
    },
    writeVariables(t, out) {
      out[0] = t[0];
      out[1] = t[1];
      out[2] = t[2];
      out[3] = Math.exp(t[3]);
    },
  };
}
