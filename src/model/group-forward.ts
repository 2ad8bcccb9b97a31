import type { Layout, TermLayout } from './layout.js';
import { priorLogDensity } from './priors.js';
import { choleskyCorr } from './transforms.js';

/**
 * The forward pass of the group terms: the effects r of every term at theta (r = diag(sd) L z,
 * centred, rotated into a mean direction and contrasts, or totals; see CompileOptions) and the log
 * density of the sd, z, r and L priors. Each function adds to and returns the running lp (the
 * summation order of one single pass, so results stay bit-identical).
 */

/** Correlated term: r = diag(sd) L z, with L from canonical partial correlations and its LKJ prior. */
function correlatedEffects(t: TermLayout, theta: Float64Array, lp: number): number {
  const { m, nLevels, sd, L, r } = t;
  const z0 = t.zOff;
  lp += choleskyCorr(theta, t.corOff, m, L);
  // LKJ on the Cholesky factor (Stan lkj_corr_cholesky_lpdf).
  for (let i = 1; i < m; i++) {
    lp += (m - 1 - i + 2 * t.lkjEta - 2) * Math.log(L[i * m + i]);
  }
  for (let l = 0; l < nLevels; l++) {
    const zb = z0 + l * m;
    for (let j = 0; j < m; j++) {
      let acc = 0;
      for (let k = 0; k <= j; k++) acc += L[j * m + k] * theta[zb + k];
      r[l * m + j] = sd[j] * acc;
    }
  }
  return lp;
}

/** Totals (CompileOptions.totals): m from the sources, T = H w, r = T - m. */
function totalsEffects(
  t: TermLayout,
  theta: Float64Array,
  grad: Float64Array | null,
  lp: number,
): number {
  const { nLevels, sd, r } = t;
  const z0 = t.zOff;
  const s = sd[0];
  const rs0 = t.rScale[0];
  const w = t.wBuf;
  const v = t.hh;
  const mm = t.shiftBuf;
  const hm = t.hmBuf;
  mm.fill(0);
  for (let q = 0; q < t.sources.length; q++) {
    const sr = t.sources[q].r;
    const parent = t.srcParent[q];
    const share = t.srcW[q];
    for (let b = 0; b < sr.length; b++) mm[parent[b]] += share[b] * sr[b];
  }
  let vm = 0;
  let om = 0;
  for (let l = 0; l < nLevels; l++) {
    vm += v[l] * mm[l];
    om += t.icWeight[l] * mm[l];
  }
  t.omegaM = om;
  const fm = t.hhC * vm;
  for (let l = 0; l < nLevels; l++) hm[l] = mm[l] - fm * v[l];
  w[0] = hm[0] + s * theta[z0];
  let vw = v[0] * w[0];
  let q2 = 0;
  const inv2 = 1 / (s * s);
  for (let l = 1; l < nLevels; l++) {
    const x = rs0 * theta[z0 + l];
    w[l] = x;
    vw += v[l] * x;
    const dk = x - hm[l];
    q2 += dk * dk;
    t.gHm[l] = dk * inv2;
  }
  const f = t.hhC * vw;
  for (let l = 0; l < nLevels; l++) r[l] = w[l] - f * v[l] - mm[l];
  // theta_0 ~ N(0, 1); w_k ~ N((H m)_k, sd^2) for k >= 1.
  lp -= 0.5 * theta[z0] * theta[z0] + 0.5 * q2 * inv2 + (nLevels - 1) * Math.log(s);
  if (grad) {
    grad[t.sdOff] += q2 * inv2 - (nLevels - 1);
    grad[z0] -= theta[z0];
    for (let l = 1; l < nLevels; l++) grad[z0 + l] -= rs0 * t.gHm[l];
  }
  return lp;
}

/** Mean direction and contrasts (CompileOptions.meanContrasts): r = H w. */
function rotatedEffects(
  t: TermLayout,
  theta: Float64Array,
  grad: Float64Array | null,
  lp: number,
): number {
  const { nLevels, sd, r } = t;
  const z0 = t.zOff;
  const s = sd[0];
  const rs0 = t.rScale[0];
  const w = t.wBuf;
  const v = t.hh;
  w[0] = s * theta[z0];
  let vw = v[0] * w[0];
  let q2 = 0;
  for (let l = 1; l < nLevels; l++) {
    const x = rs0 * theta[z0 + l];
    w[l] = x;
    vw += v[l] * x;
    q2 += x * x;
  }
  const f = t.hhC * vw;
  for (let l = 0; l < nLevels; l++) r[l] = w[l] - f * v[l];
  // theta_0 ~ N(0, 1); w_k ~ N(0, sd^2) for k >= 1 (w_0's density over the Jacobian sd).
  const inv2 = 1 / (s * s);
  lp -= 0.5 * theta[z0] * theta[z0] + 0.5 * q2 * inv2 + (nLevels - 1) * Math.log(s);
  if (grad) {
    grad[t.sdOff] += q2 * inv2 - (nLevels - 1);
    grad[z0] -= theta[z0];
    for (let l = 1; l < nLevels; l++) grad[z0 + l] -= rs0 * w[l] * inv2;
  }
  return lp;
}

/** Centred: r = rScale theta with r ~ N(0, sd) (and the shear of CompileOptions.shear). */
function centredEffects(
  t: TermLayout,
  theta: Float64Array,
  grad: Float64Array | null,
  nCells: number,
  lp: number,
): number {
  const { m, nLevels, sd, r } = t;
  const z0 = t.zOff;
  const nz = nLevels * m;
  const rs = t.rScale;
  if (m === 1) {
    const s0 = rs[0];
    for (let q = 0; q < nz; q++) r[q] = s0 * theta[z0 + q];
  } else {
    for (let q = 0; q < nz; q++) r[q] = rs[q % m] * theta[z0 + q];
  }
  if (t.sources.length > 0) {
    // Shear: r_l = total_l - mean over the cells of level l of the earlier terms' effects.
    const buf = t.shiftBuf;
    buf.fill(0);
    const idx = t.idx;
    for (const src of t.sources) {
      const sidx = src.idx;
      const sr = src.r;
      for (let c = 0; c < nCells; c++) buf[idx[c]] += sr[sidx[c]];
    }
    for (let l = 0; l < nLevels; l++) r[l] -= buf[l] * t.invCount[l];
  }
  // r ~ N(0, sd): -0.5 (r / sd)^2 - log sd per level.
  for (let j = 0; j < m; j++) {
    const s = sd[j];
    const inv2 = 1 / (s * s);
    let q2 = 0;
    for (let l = 0; l < nLevels; l++) {
      const q = l * m + j;
      const x = r[q];
      q2 += x * x;
      if (grad) t.Gprior[q] = -x * inv2;
    }
    lp -= 0.5 * q2 * inv2 + nLevels * Math.log(s);
    if (grad) grad[t.sdOff + j] += q2 * inv2 - nLevels;
  }
  return lp;
}

/** Non-centred: r = sd z. */
function nonCentredEffects(t: TermLayout, theta: Float64Array): void {
  const { m, nLevels, sd, r } = t;
  const z0 = t.zOff;
  if (m === 1) {
    const s = sd[0];
    for (let l = 0; l < nLevels; l++) r[l] = s * theta[z0 + l];
  } else {
    for (let l = 0; l < nLevels; l++) {
      for (let j = 0; j < m; j++) r[l * m + j] = sd[j] * theta[z0 + l * m + j];
    }
  }
}

/** z ~ N(0, 1) for the standardized effects of a non-centred or correlated term. */
function standardNormalPrior(
  t: TermLayout,
  theta: Float64Array,
  grad: Float64Array | null,
  lp: number,
): number {
  const z0 = t.zOff;
  const nz = t.nLevels * t.m;
  for (let q = 0; q < nz; q++) {
    const z = theta[z0 + q];
    lp -= 0.5 * z * z;
    if (grad) grad[z0 + q] -= z;
  }
  return lp;
}

/**
 * Group effects of every term at theta (into each term's r and sd); returns the lp of the sd, z,
 * r and L priors and, with grad, adds their gradient.
 * @example const lp = groupForward(layout, theta, grad, pOut, nCells);
 */
export function groupForward(
  lay: Layout,
  theta: Float64Array,
  grad: Float64Array | null,
  pOut: Float64Array,
  nCells: number,
): number {
  let lp = 0;
  for (const t of lay.terms) {
    for (let j = 0; j < t.m; j++) {
      const u = t.sdLoc[j] + theta[t.sdOff + j];
      const s = Math.exp(u);
      t.sd[j] = s;
      lp += priorLogDensity(t.sdPriors[j], s, pOut) + u; // + log Jacobian of exp
      if (grad) grad[t.sdOff + j] += pOut[1] * s + 1;
    }
  }
  for (const t of lay.sweep) {
    if (t.corOff >= 0) {
      lp = correlatedEffects(t, theta, lp);
    } else if (t.rotated && t.sources.length > 0) {
      lp = totalsEffects(t, theta, grad, lp);
      continue;
    } else if (t.rotated) {
      lp = rotatedEffects(t, theta, grad, lp);
      continue;
    } else if (t.centred) {
      lp = centredEffects(t, theta, grad, nCells, lp);
      continue;
    } else nonCentredEffects(t, theta);
    lp = standardNormalPrior(t, theta, grad, lp);
  }
  return lp;
}
