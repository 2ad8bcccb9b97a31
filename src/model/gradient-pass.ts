import { groupForward } from './group-forward.js';
import type { TermLayout } from './layout.js';
import { familyLikelihood } from './likelihood.js';
import { cellEta, interceptOf } from './linear-predictor.js';
import { marginalGaussian } from './marginal-term.js';
import { priorLogDensity } from './priors.js';
import type { ModelState } from './state.js';
import { choleskyCorrBackward } from './transforms.js';

/**
 * The gradient pass of a model on cells: group effects forward (group-forward.ts), linear
 * predictor, likelihood and d lp / d eta (likelihood.ts, marginal-term.ts), then reverse mode by
 * hand: d lp / d eta scattered into d lp / d r per term, the intercept and population
 * coefficients, the shear and totals, and each term's map from its sampled coordinates to r.
 */

/** d lp / d r for every sampled term from d lp / d eta (and the centred terms' prior gradient). */
function scatterGroups(s: ModelState, fused: boolean): void {
  const { gEta } = s;
  const { nCells } = s.cells;
  const { plain, sweep } = s.lay;
  for (let p = 0; p < (fused ? 0 : plain.length); p += 3) {
    const n = Math.min(3, plain.length - p);
    const i0 = plain[p].idx;
    const g0 = plain[p].Gr;
    g0.fill(0);
    if (n === 1) {
      for (let c = 0; c < nCells; c++) g0[i0[c]] += gEta[c];
    } else if (n === 2) {
      const i1 = plain[p + 1].idx;
      const g1 = plain[p + 1].Gr;
      g1.fill(0);
      for (let c = 0; c < nCells; c++) {
        const g = gEta[c];
        g0[i0[c]] += g;
        g1[i1[c]] += g;
      }
    } else {
      const i1 = plain[p + 1].idx;
      const g1 = plain[p + 1].Gr;
      const i2 = plain[p + 2].idx;
      const g2 = plain[p + 2].Gr;
      g1.fill(0);
      g2.fill(0);
      for (let c = 0; c < nCells; c++) {
        const g = gEta[c];
        g0[i0[c]] += g;
        g1[i1[c]] += g;
        g2[i2[c]] += g;
      }
    }
  }
  for (const t of sweep) {
    const { m, idx, Gr } = t;
    if (!(m === 1 && t.zc[0] === null)) {
      // (plain varying intercepts were filled above)
      Gr.fill(0);
      for (let j = 0; j < m; j++) {
        const zc = t.zc[j];
        if (zc === null) for (let c = 0; c < nCells; c++) Gr[idx[c] * m + j] += gEta[c];
        else for (let c = 0; c < nCells; c++) Gr[idx[c] * m + j] += gEta[c] * zc[c];
      }
    }
    if (t.centred && !t.rotated) for (let q = 0; q < Gr.length; q++) Gr[q] += t.Gprior[q];
  }
}

/** The intercept's and population coefficients' priors and gradients; adds to and returns lp. */
function populationBackward(
  s: ModelState,
  theta: Float64Array,
  grad: Float64Array,
  sumGEta: number,
  fused: boolean,
  lp: number,
): number {
  const { gEta, pOut, K } = s;
  const { nCells, Xc } = s.cells;
  const { icOff, shift } = s.lay;
  if (s.shape.hasIc) {
    let sg = sumGEta;
    if (!fused) for (let c = 0; c < nCells; c++) sg += gEta[c];
    const x = interceptOf(s, theta);
    lp += priorLogDensity(s.priors.ic, x, pOut);
    const gI = sg + pOut[1];
    grad[icOff] += gI;
    for (const t of shift) {
      if (t.rotated) {
        t.gShift = gI * t.wNorm; // H icWeight = |icWeight| e_0: only w_0 feels the shift
        t.gI = gI;
        continue;
      }
      const w = t.icWeight;
      for (let l = 0; l < t.nLevels; l++) t.Gr[l * t.m] -= gI * w[l];
    }
  }
  for (let k = 0; k < K; k++) {
    const col = Xc[k];
    let sb = 0;
    for (let c = 0; c < nCells; c++) sb += gEta[c] * col[c];
    lp += priorLogDensity(s.priors.b[k], theta[k], pOut);
    grad[k] += sb + pOut[1];
  }
  return lp;
}

/** Totals (CompileOptions.totals): T = H w (w_0 = (H m)_0 + sd theta_0), r = T - m. */
function totalsBackward(t: TermLayout, grad: Float64Array): void {
  const { Gr } = t;
  // Totals: T = H w (w_0 = (H m)_0 + sd theta_0), r = T - m, shift sum w_l r_l = |w| w_0 - w.m.
  const nL = t.nLevels;
  const v = t.hh;
  const z0 = t.zOff;
  const s = t.sd[0];
  const rs0 = t.rScale[0];
  let vg = 0;
  for (let l = 0; l < nL; l++) vg += v[l] * Gr[l];
  const f = t.hhC * vg;
  const gw0 = Gr[0] - f * v[0] - t.gShift;
  grad[z0] += s * gw0;
  grad[t.sdOff] += (t.wBuf[0] - t.hmBuf[0]) * gw0;
  for (let l = 1; l < nL; l++) grad[z0 + l] += rs0 * (Gr[l] - f * v[l]);
  // d lp / d (H m): gw0 through w_0, the prior's (w_k - (H m)_k) / sd^2 for k >= 1.
  const gHm = t.gHm;
  gHm[0] = gw0;
  let vh = 0;
  for (let l = 0; l < nL; l++) vh += v[l] * gHm[l];
  const fh = t.hhC * vh;
  // d lp / d m = H gHm - Gr (r = T - m) + gI w (the shift); reuse gHm for it.
  for (let l = 0; l < nL; l++) gHm[l] = gHm[l] - fh * v[l] - Gr[l] + t.gI * t.icWeight[l];
  for (let q = 0; q < t.sources.length; q++) {
    const sG = t.sources[q].Gr;
    const parent = t.srcParent[q];
    const share = t.srcW[q];
    for (let b = 0; b < sG.length; b++) sG[b] += share[b] * gHm[parent[b]];
  }
}

/** Shear and totals backprop (reverse order: parents push into the children they subtract). */
function shearBackward(s: ModelState, grad: Float64Array): void {
  const { sweep } = s.lay;
  const { nCells } = s.cells;
  for (let k = sweep.length - 1; k >= 0; k--) {
    const t = sweep[k];
    if (t.sources.length === 0) continue;
    const { idx, Gr, invCount } = t;
    if (t.rotated) {
      totalsBackward(t, grad);
      continue;
    }
    for (const src of t.sources) {
      const sidx = src.idx;
      const sG = src.Gr;
      for (let c = 0; c < nCells; c++) {
        const l = idx[c];
        sG[sidx[c]] -= Gr[l] * invCount[l];
      }
    }
  }
}

/** Correlated term: d lp / d r -> z, sd and the Cholesky coordinates (with the LKJ prior). */
function correlatedBackward(t: TermLayout, theta: Float64Array, grad: Float64Array): void {
  const { m, nLevels, Gr, sd, L, gL, gsd } = t;
  const z0 = t.zOff;
  gsd.fill(0);
  gL.fill(0);
  for (let l = 0; l < nLevels; l++) {
    const zb = z0 + l * m;
    for (let j = 0; j < m; j++) {
      const gr = Gr[l * m + j];
      if (gr === 0) continue;
      const h = sd[j] * gr;
      let lz = 0;
      for (let k = 0; k <= j; k++) {
        const Ljk = L[j * m + k];
        const zk = theta[zb + k];
        lz += Ljk * zk;
        grad[zb + k] += Ljk * h;
        gL[j * m + k] += h * zk;
      }
      gsd[j] += gr * lz;
    }
  }
  for (let j = 0; j < m; j++) grad[t.sdOff + j] += gsd[j] * sd[j];
  for (let i = 1; i < m; i++) gL[i * m + i] += (m - 1 - i + 2 * t.lkjEta - 2) / L[i * m + i];
  choleskyCorrBackward(theta, t.corOff, m, L, gL, grad);
}

/** d lp / d r -> each term's sampled coordinates. */
function groupBackward(s: ModelState, theta: Float64Array, grad: Float64Array): void {
  for (const t of s.lay.sweep) {
    const { m, nLevels, Gr, sd, r } = t;
    const z0 = t.zOff;
    if (t.rotated && t.sources.length > 0) continue; // totals: done in the shear backprop
    if (t.rotated) {
      // d lp / d w = H Gr (H is symmetric); w_0 = sd theta_0, w_k = rScale theta_k.
      const v = t.hh;
      let vg = 0;
      for (let l = 0; l < nLevels; l++) vg += v[l] * Gr[l];
      const f = t.hhC * vg;
      const gw0 = Gr[0] - f * v[0] - t.gShift;
      grad[z0] += sd[0] * gw0;
      grad[t.sdOff] += t.wBuf[0] * gw0;
      const rs0 = t.rScale[0];
      for (let l = 1; l < nLevels; l++) grad[z0 + l] += rs0 * (Gr[l] - f * v[l]);
    } else if (t.centred) {
      const nz = nLevels * m;
      const rs = t.rScale;
      for (let q = 0; q < nz; q++) grad[z0 + q] += rs[q % m] * Gr[q];
    } else if (t.corOff < 0) {
      for (let j = 0; j < m; j++) {
        const s = sd[j];
        let acc = 0;
        for (let l = 0; l < nLevels; l++) {
          const q = l * m + j;
          grad[z0 + q] += s * Gr[q];
          acc += Gr[q] * r[q];
        }
        grad[t.sdOff + j] += acc; // d/d log sd = sd * d/d sd, and r = sd * z
      }
    } else correlatedBackward(t, theta, grad);
  }
}

/**
 * The log density of a model on cells at theta (constants dropped) and its gradient into grad;
 * -Infinity off support. Allocates nothing.
 * @example const lp = logDensityGradient(state, theta, grad);
 */
export function logDensityGradient(s: ModelState, theta: Float64Array, grad: Float64Array): number {
  const { shape, lay, marg } = s;
  const fused = marg?.fused === true;
  grad.fill(0);
  let lp = groupForward(lay, theta, grad, s.pOut, s.cells.nCells);
  let sumGEta = 0;
  if (!fused) cellEta(s, theta);
  if (marg) {
    lp = marginalGaussian(s, marg, theta, grad, fused ? interceptOf(s, theta) : 0, lp);
    if (fused) sumGEta = marg.sumGEta;
  } else lp = familyLikelihood(s, theta, grad, lp);
  scatterGroups(s, fused);
  lp = populationBackward(s, theta, grad, sumGEta, fused, lp);
  shearBackward(s, grad);
  groupBackward(s, theta, grad);
  // Chain rule of the affine coordinates (CompileOptions.standardize); the likelihood blocks
  // above add d lp / d log(sigma) and d lp / d Intercept.
  if (shape.hasSigma) grad[lay.sigmaOff] *= s.scales.sigScale;
  if (shape.hasIc) grad[lay.icOff] *= s.scales.icScale;
  return Number.isFinite(lp) ? lp : Number.NEGATIVE_INFINITY;
}
