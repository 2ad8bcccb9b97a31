import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
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
  // diamonds (5,000 x 25 predictors, 2.2 MB as JSON) is stored gzipped to keep fixtures small
  const bytes = readFileSync(url);
  const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return JSON.parse(text) as PdbFixture;
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

/**
 * Sufficient statistics of a normal linear model y ~ N(Z w, sigma): n, y'y, Z'y and Z'Z (row-major
 * p x p). With them |y - Z w|² = y'y - 2 w'Z'y + w'Z'Z w costs O(p²) per gradient instead of O(n p),
 * the same density (Stan's posteriordb programs loop over the rows; the sum is exact algebra).
 */
export interface LinearStats {
  n: number;
  p: number;
  yy: number;
  zy: Float64Array;
  zz: Float64Array;
}

/** The statistics of the n rows `row(i, out)` (writes row i of Z into out) and responses y. */
export function linearStats(
  n: number,
  p: number,
  row: (i: number, out: Float64Array) => void,
  y: ArrayLike<number>,
): LinearStats {
  const zy = new Float64Array(p);
  const zz = new Float64Array(p * p);
  const z = new Float64Array(p);
  let yy = 0;
  for (let i = 0; i < n; i++) {
    row(i, z);
    yy += y[i] * y[i];
    for (let a = 0; a < p; a++) {
      zy[a] += z[a] * y[i];
      for (let b = 0; b < p; b++) zz[a * p + b] += z[a] * z[b];
    }
  }
  return { n, p, yy, zy, zz };
}

/**
 * A normal linear regression on the unconstrained vector t = (w[0..p-1], v), sigma = exp(v):
 * log N(y | Z w, sigma) summed over the rows (constants dropped) + log prior(w) + log prior(sigma)
 * + v (the Jacobian of sigma = exp(v)). `priorW(w, g)` returns its log density and adds its gradient
 * into g[0..p-1]; `priorSigma(sigma)` returns [log density, d/d sigma].
 */
function normalRegression(
  st: LinearStats,
  names: readonly string[],
  priorW: (w: Float64Array, g: Float64Array) => number,
  priorSigma: (sigma: number) => [number, number],
): ReportingModel {
  const { n, p, yy, zy, zz } = st;
  return {
    dim: p + 1,
    variableNames: names,
    logDensityGradient(t, g) {
      const v = t[p];
      const s = Math.exp(v);
      const prec = 1 / (s * s);
      // ss = y'y - 2 w'Z'y + w'Z'Z w; -(1/2) d ss / dw = Z'y - Z'Z w
      let ss = yy;
      for (let a = 0; a < p; a++) {
        let q = 0;
        for (let b = 0; b < p; b++) q += zz[a * p + b] * t[b];
        ss += t[a] * q - 2 * t[a] * zy[a];
        g[a] = (zy[a] - q) * prec;
      }
      const [lps, dlps] = priorSigma(s);
      g[p] = ss * prec - n + dlps * s + 1;
      return -0.5 * ss * prec - n * v + priorW(t, g) + lps + v;
    },
    writeVariables(t, out) {
      for (let a = 0; a < p; a++) out[a] = t[a];
      out[p] = Math.exp(t[p]);
    },
  };
}

/** Independent N(m, s) priors on w[0..p-1] (m and s per coordinate or shared). */
function normalPriors(m: number | readonly number[], s: number | readonly number[], p: number) {
  const mean = Array.from({ length: p }, (_, k) => (typeof m === 'number' ? m : m[k]));
  const prec = Array.from({ length: p }, (_, k) => 1 / (typeof s === 'number' ? s : s[k]) ** 2);
  return (w: Float64Array, g: Float64Array): number => {
    let lp = 0;
    for (let k = 0; k < p; k++) {
      const r = w[k] - mean[k];
      lp -= 0.5 * r * r * prec[k];
      g[k] -= r * prec[k];
    }
    return lp;
  };
}

/** log StudentT(x | nu, mu, s) up to a constant, and its derivative in x. */
function studentT(x: number, nu: number, mu: number, s: number): [number, number] {
  const z = (x - mu) / s;
  return [-0.5 * (nu + 1) * Math.log1p((z * z) / nu), (-(nu + 1) * z) / (s * (nu + z * z))];
}

const halfCauchy =
  (scale: number) =>
  (s: number): [number, number] => {
    const u = s / scale;
    return [-Math.log1p(u * u), (-2 * u) / (scale * (1 + u * u))];
  };
const halfNormal =
  (scale: number) =>
  (s: number): [number, number] => [(-0.5 * s * s) / (scale * scale), -s / (scale * scale)];
const flat = (): [number, number] => [0, 0];
const indexed = (name: string, k: number) =>
  Array.from({ length: k }, (_, i) => `${name}[${i + 1}]`);

/**
 * arK: AR(K) as a regression on the lagged series, y[t] ~ N(alpha + sum_k beta[k] y[t-k], sigma),
 * t = K+1..T; alpha, beta[k] ~ N(0, 10); sigma ~ HalfCauchy(0, 2.5).
 * Unconstrained: alpha, beta[1..K], log sigma. Reported: alpha, beta[1..K], sigma.
 */
export function arK(fx: PdbFixture): ReportingModel {
  const K = fx.data.K as number;
  const y = fx.data.y as number[];
  const T = y.length;
  const st = linearStats(
    T - K,
    K + 1,
    (i, z) => {
      const t = K + i;
      z[0] = 1;
      for (let k = 1; k <= K; k++) z[k] = y[t - k];
    },
    y.slice(K),
  );
  return normalRegression(
    st,
    ['alpha', ...indexed('beta', K), 'sigma'],
    normalPriors(0, 10, K + 1),
    halfCauchy(2.5),
  );
}

/**
 * diamonds (brms): Y ~ N(Intercept + Xc b, sigma) with Xc the centred columns 2..K of X;
 * b[k] ~ N(0, 1), Intercept ~ StudentT(3, 8, 10), sigma ~ HalfStudentT(3, 0, 10).
 * Unconstrained: Intercept, b[1..24], log sigma (Intercept first so that the regression's w is
 * (Intercept, b)). Reported: b[1..24], Intercept, sigma (reference order) by writeVariables.
 */
export function diamonds(fx: PdbFixture): ReportingModel {
  const X = fx.data.X as unknown as number[][];
  const Y = fx.data.Y as number[];
  const N = Y.length;
  const P = X[0].length - 1;
  const xbar = new Float64Array(P);
  for (const r of X) for (let k = 0; k < P; k++) xbar[k] += r[k + 1] / N;
  const st = linearStats(
    N,
    P + 1,
    (i, z) => {
      z[0] = 1;
      for (let k = 0; k < P; k++) z[k + 1] = X[i][k + 1] - xbar[k];
    },
    Y,
  );
  const base = normalRegression(
    st,
    [],
    (w, g) => {
      const [lp, d] = studentT(w[0], 3, 8, 10);
      g[0] += d;
      let lb = lp;
      for (let k = 1; k <= P; k++) {
        lb -= 0.5 * w[k] * w[k];
        g[k] -= w[k];
      }
      return lb;
    },
    (s) => studentT(s, 3, 0, 10),
  );
  return {
    ...base,
    variableNames: [...indexed('b', P), 'Intercept', 'sigma'],
    writeVariables(t, out) {
      for (let k = 0; k < P; k++) out[k] = t[k + 1];
      out[P] = t[0];
      out[P + 1] = Math.exp(t[P + 1]);
    },
  };
}

/**
 * kilpisjarvi: y ~ N(alpha + beta x, sigma), alpha ~ N(pmualpha, psalpha), beta ~ N(pmubeta, psbeta),
 * sigma flat on (0, inf) (improper; only the Jacobian v of sigma = exp(v) remains).
 * Unconstrained: alpha, beta, log sigma. Reported: alpha, beta, sigma.
 */
export function kilpisjarvi(fx: PdbFixture): ReportingModel {
  const x = fx.data.x as number[];
  const y = fx.data.y as number[];
  const d = fx.data as Record<string, number>;
  const st = linearStats(
    x.length,
    2,
    (i, z) => {
      z[0] = 1;
      z[1] = x[i];
    },
    y,
  );
  return normalRegression(
    st,
    ['alpha', 'beta', 'sigma'],
    normalPriors([d.pmualpha, d.pmubeta], [d.psalpha, d.psbeta], 2),
    flat,
  );
}

/**
 * nes2000 (Gelman & Hill ch. 4): partyid7 ~ N(beta[1] + beta[2] real_ideo + beta[3] race_adj +
 * beta[4..6] age-group indicators (30-44, 45-64, 65+) + beta[7] educ1 + beta[8] gender + beta[9] income,
 * sigma), flat priors on beta and sigma. Unconstrained: beta[1..9], log sigma.
 */
export function nes(fx: PdbFixture): ReportingModel {
  const c = (k: string) => fx.data[k] as number[];
  const [ideo, race, age, educ, gender, income] = [
    c('real_ideo'),
    c('race_adj'),
    c('age_discrete'),
    c('educ1'),
    c('gender'),
    c('income'),
  ];
  const y = c('partyid7');
  const st = linearStats(
    y.length,
    9,
    (i, z) => {
      z.set([
        1,
        ideo[i],
        race[i],
        age[i] === 2 ? 1 : 0,
        age[i] === 3 ? 1 : 0,
        age[i] === 4 ? 1 : 0,
        educ[i],
        gender[i],
        income[i],
      ]);
    },
    y,
  );
  return normalRegression(st, [...indexed('beta', 9), 'sigma'], () => 0, flat);
}

/**
 * sblrc-blr: y ~ N(X beta, sigma) without intercept, beta[d] ~ N(0, 10), sigma ~ HalfNormal(0, 10).
 * Unconstrained: beta[1..D], log sigma.
 */
export function sblrc(fx: PdbFixture): ReportingModel {
  const X = fx.data.X as unknown as number[][];
  const y = fx.data.y as number[];
  const D = X[0].length;
  const st = linearStats(y.length, D, (i, z) => z.set(X[i]), y);
  return normalRegression(
    st,
    [...indexed('beta', D), 'sigma'],
    normalPriors(0, 10, D),
    halfNormal(10),
  );
}

/**
 * Eight schools, centred (the funnel): theta[j] ~ N(mu, tau), y[j] ~ N(theta[j], sigma[j]),
 * mu ~ N(0, 5), tau ~ HalfCauchy(0, 5), tau = exp(v) with Jacobian v.
 * Unconstrained: theta[1..J], mu, v. Reported: theta[1..J], mu, tau.
 */
export function eightSchoolsCentered(fx: PdbFixture): ReportingModel {
  const y = fx.data.y as number[];
  const sigma = fx.data.sigma as number[];
  const J = y.length;
  return {
    dim: J + 2,
    variableNames: [...indexed('theta', J), 'mu', 'tau'],
    logDensityGradient(t, g) {
      const mu = t[J];
      const v = t[J + 1];
      const tau = Math.exp(v);
      const ip = 1 / (tau * tau);
      const u = tau / 5;
      let lp = -(mu * mu) / 50 - Math.log1p(u * u) + v - J * v;
      let gmu = -mu / 25;
      let ss = 0;
      for (let j = 0; j < J; j++) {
        const d = t[j] - mu;
        const e = (y[j] - t[j]) / (sigma[j] * sigma[j]);
        ss += d * d;
        lp -= 0.5 * e * (y[j] - t[j]);
        g[j] = e - d * ip;
        gmu += d * ip;
      }
      lp -= 0.5 * ss * ip;
      g[J] = gmu;
      g[J + 1] = ss * ip - J - (2 * u * u) / (1 + u * u) + 1;
      return lp;
    },
    writeVariables(t, out) {
      for (let j = 0; j < J; j++) out[j] = t[j];
      out[J] = t[J];
      out[J + 1] = Math.exp(t[J + 1]);
    },
  };
}

/**
 * gp_pois_regr: k[i] ~ Poisson(exp(f[i])), f = L f_tilde, L = chol(K),
 * K[i,j] = alpha² exp(-(x[i]-x[j])² / (2 rho²)) + 1e-10 [i = j]; rho ~ Gamma(25, 4),
 * alpha ~ HalfNormal(0, 2), f_tilde ~ N(0, 1). Unconstrained: log rho, log alpha, f_tilde[1..N]
 * (Jacobians log rho + log alpha). The gradient in (log rho, log alpha) differentiates the Cholesky
 * factorization in forward mode (two tangents carried through the textbook algorithm). An indefinite
 * K (pivot <= 0) is off support: -Infinity. Reported: rho, alpha, f[1..N].
 */
export function gpPoisRegr(fx: PdbFixture): ReportingModel {
  const x = fx.data.x as number[];
  const k = fx.data.k as number[];
  const N = x.length;
  const L = new Float64Array(N * N);
  const dLr = new Float64Array(N * N); // d L / d log rho
  const dLa = new Float64Array(N * N); // d L / d log alpha
  const f = new Float64Array(N);
  const r = new Float64Array(N);
  const logDensityGradient = (t: Float64Array, g: Float64Array): number => {
    const rho = Math.exp(t[0]);
    const alpha = Math.exp(t[1]);
    const a2 = alpha * alpha;
    L.fill(0);
    dLr.fill(0);
    dLa.fill(0);
    for (let j = 0; j < N; j++) {
      let s = a2 + 1e-10;
      let ds = 0; // dK_jj / dlog rho = 0
      let da = 2 * a2;
      for (let q = 0; q < j; q++) {
        const l = L[j * N + q];
        s -= l * l;
        ds -= 2 * l * dLr[j * N + q];
        da -= 2 * l * dLa[j * N + q];
      }
      if (!(s > 0)) return Number.NEGATIVE_INFINITY;
      const ljj = Math.sqrt(s);
      L[j * N + j] = ljj;
      dLr[j * N + j] = ds / (2 * ljj);
      dLa[j * N + j] = da / (2 * ljj);
      for (let i = j + 1; i < N; i++) {
        const d2 = (x[i] - x[j]) ** 2;
        const e = a2 * Math.exp(-d2 / (2 * rho * rho));
        let v = e;
        let dv = (e * d2) / (rho * rho);
        let dav = 2 * e;
        for (let q = 0; q < j; q++) {
          const li = L[i * N + q];
          const lj = L[j * N + q];
          v -= li * lj;
          dv -= dLr[i * N + q] * lj + li * dLr[j * N + q];
          dav -= dLa[i * N + q] * lj + li * dLa[j * N + q];
        }
        const lij = v / ljj;
        L[i * N + j] = lij;
        dLr[i * N + j] = (dv - lij * dLr[j * N + j]) / ljj;
        dLa[i * N + j] = (dav - lij * dLa[j * N + j]) / ljj;
      }
    }
    let lp = 25 * t[0] - 4 * rho - a2 / 8 + t[1];
    for (let i = 0; i < N; i++) {
      let fi = 0;
      for (let q = 0; q <= i; q++) fi += L[i * N + q] * t[2 + q];
      f[i] = fi;
      const mu = Math.exp(fi);
      lp += k[i] * fi - mu;
      r[i] = k[i] - mu;
    }
    let gr = 25 - 4 * rho;
    let ga = -a2 / 4 + 1;
    for (let q = 0; q < N; q++) {
      const z = t[2 + q];
      lp -= 0.5 * z * z;
      let gq = -z;
      for (let i = q; i < N; i++) {
        gq += L[i * N + q] * r[i];
        gr += r[i] * dLr[i * N + q] * z;
        ga += r[i] * dLa[i * N + q] * z;
      }
      g[2 + q] = gq;
    }
    g[0] = gr;
    g[1] = ga;
    return lp;
  };
  return {
    dim: N + 2,
    variableNames: ['rho', 'alpha', ...indexed('f', N)],
    logDensityGradient,
    writeVariables(t, out) {
      // recompute f at t (the cached f belongs to the last gradient call, maybe another point)
      logDensityGradient(t, new Float64Array(N + 2));
      out[0] = Math.exp(t[0]);
      out[1] = Math.exp(t[1]);
      for (let i = 0; i < N; i++) out[2 + i] = f[i];
    },
  };
}

/** log(1 + e^x), stable for large |x|. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * low_dim_gauss_mix: y[n] ~ theta N(mu[1], sigma[1]) + (1 - theta) N(mu[2], sigma[2]), mu ordered
 * (mu[1] = v1, mu[2] = v1 + exp(v2), Jacobian v2), sigma[k] = exp(w_k) (Jacobian w_k),
 * theta = logit⁻¹(u) (Jacobian log theta + log(1 - theta)); sigma[k] ~ HalfNormal(0, 2),
 * mu[k] ~ N(0, 2), theta ~ Beta(5, 5). Unconstrained: v1, v2, w1, w2, u.
 * Reported: mu[1], mu[2], sigma[1], sigma[2], theta.
 */
export function lowDimGaussMix(fx: PdbFixture): ReportingModel {
  const y = Float64Array.from(fx.data.y as number[]);
  const N = y.length;
  return {
    dim: 5,
    variableNames: ['mu[1]', 'mu[2]', 'sigma[1]', 'sigma[2]', 'theta'],
    logDensityGradient(t, g) {
      const mu1 = t[0];
      const e2 = Math.exp(t[1]);
      const mu2 = mu1 + e2;
      const s1 = Math.exp(t[2]);
      const s2 = Math.exp(t[3]);
      const lth = -softplus(-t[4]); // log theta
      const l1th = -softplus(t[4]); // log(1 - theta)
      const th = Math.exp(lth);
      const p1s = 1 / (s1 * s1);
      const p2s = 1 / (s2 * s2);
      // priors and Jacobians: Beta(5,5) + Jacobian = 5 log theta + 5 log(1 - theta)
      let lp =
        t[1] +
        t[2] +
        t[3] +
        5 * (lth + l1th) -
        (s1 * s1 + s2 * s2) / 8 -
        (mu1 * mu1 + mu2 * mu2) / 8;
      let g1 = -mu1 / 4;
      let g2 = -mu2 / 4;
      let gw1 = 1 - (s1 * s1) / 4;
      let gw2 = 1 - (s2 * s2) / 4;
      let gu = 5 * (1 - th) - 5 * th;
      for (let n = 0; n < N; n++) {
        const d1 = y[n] - mu1;
        const d2 = y[n] - mu2;
        const a = lth - t[2] - 0.5 * d1 * d1 * p1s;
        const b = l1th - t[3] - 0.5 * d2 * d2 * p2s;
        const m = Math.max(a, b);
        const l = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
        const w1 = Math.exp(a - l);
        const w2 = Math.exp(b - l);
        lp += l;
        g1 += w1 * d1 * p1s;
        g2 += w2 * d2 * p2s;
        gw1 += w1 * (d1 * d1 * p1s - 1);
        gw2 += w2 * (d2 * d2 * p2s - 1);
        gu += w1 * (1 - th) - w2 * th;
      }
      g[0] = g1 + g2;
      g[1] = g2 * e2 + 1;
      g[2] = gw1;
      g[3] = gw2;
      g[4] = gu;
      return lp;
    },
    writeVariables(t, out) {
      out[0] = t[0];
      out[1] = t[0] + Math.exp(t[1]);
      out[2] = Math.exp(t[2]);
      out[3] = Math.exp(t[3]);
      out[4] = 1 / (1 + Math.exp(-t[4]));
    },
  };
}

/** One posteriordb fixture with its log density and the settings of its reference test. */
export interface PdbCase {
  /** Short name (bench tables). */
  name: string;
  file: string;
  build: (fx: PdbFixture) => ReportingModel;
}

/** All twelve posteriordb fixtures of fixtures/posteriordb (tests and bench/metric-compare). */
export const POSTERIORDB: readonly PdbCase[] = [
  {
    name: 'eight_schools_noncentered',
    file: 'eight_schools-eight_schools_noncentered.json',
    build: eightSchools,
  },
  {
    name: 'eight_schools_centered',
    file: 'eight_schools-eight_schools_centered.json',
    build: eightSchoolsCentered,
  },
  { name: 'seeds_stanified', file: 'seeds_data-seeds_stanified_model.json', build: seeds },
  {
    name: 'radon_intercept_noncentered',
    file: 'radon_mn-radon_hierarchical_intercept_noncentered.json',
    build: radon,
  },
  { name: 'kidiq_momhsiq', file: 'kidiq-kidscore_momhsiq.json', build: kidiq },
  { name: 'arK', file: 'arK-arK.json', build: arK },
  { name: 'diamonds', file: 'diamonds-diamonds.json.gz', build: diamonds },
  { name: 'gp_pois_regr', file: 'gp_pois_regr-gp_pois_regr.json', build: gpPoisRegr },
  { name: 'kilpisjarvi', file: 'kilpisjarvi_mod-kilpisjarvi.json', build: kilpisjarvi },
  {
    name: 'low_dim_gauss_mix',
    file: 'low_dim_gauss_mix-low_dim_gauss_mix.json',
    build: lowDimGaussMix,
  },
  { name: 'nes2000', file: 'nes2000-nes.json', build: nes },
  { name: 'sblrc_blr', file: 'sblrc-blr.json', build: sblrc },
];
