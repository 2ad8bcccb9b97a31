import { hashNormals } from '../math/hash-normals.js';
import type { CellData } from './cell-data.js';
import { isPlain, type Layout } from './layout.js';
import { cellEta } from './linear-predictor.js';
import { priorLogDensity } from './priors.js';
import { logSigmaOf, type MarginalTerm, type ModelState } from './state.js';

export type { MarginalTerm } from './state.js';

/**
 * The integrated-out term of a layout (or null). The fused pass: linear predictor, residual,
 * d lp / d eta, its scatter into the varying intercepts and its sum for the intercept in one pass
 * over the cells instead of four; used when there are no population columns and at most three
 * plain varying intercepts besides the integrated-out term (absent terms read a zero effect and
 * scatter into a scratch slot).
 */
export function marginalTerm(lay: Layout, cells: CellData, K: number): MarginalTerm | null {
  if (lay.marginalGroup < 0) return null;
  const t = lay.terms[lay.marginalGroup];
  const { nCells, W: cW } = cells;
  const wClass = new Int32Array(nCells);
  const wValList: number[] = [];
  const map = new Map<number, number>();
  for (let c = 0; c < nCells; c++) {
    let k = map.get(cW[c]);
    if (k === undefined) {
      k = wValList.length;
      map.set(cW[c], k);
      wValList.push(cW[c]);
    }
    wClass[c] = k;
  }
  const wVals = Float64Array.from(wValList);
  const wCount = new Float64Array(wVals.length);
  for (let c = 0; c < wClass.length; c++) wCount[wClass[c]] += 1;
  const margCell = new Int32Array(t.nLevels);
  for (let c = 0; c < nCells; c++) margCell[t.idx[c]] = c;
  const { plain } = lay;
  const zero = { idx: new Int32Array(nCells), r: new Float64Array(1), Gr: new Float64Array(1) };
  const fusedTerm = (p: number) => (p < plain.length ? plain[p] : zero);
  const kV = new Float64Array(wVals.length);
  const kID = new Float64Array(wVals.length);
  const kE2 = new Float64Array(wVals.length);
  const f0 = fusedTerm(0);
  const f1 = fusedTerm(1);
  const f2 = fusedTerm(2);
  const cM = cells.M;
  const fusedPass = (ic: number): number => {
    const i0 = f0.idx;
    const r0 = f0.r;
    const g0 = f0.Gr;
    const i1 = f1.idx;
    const r1 = f1.r;
    const g1 = f1.Gr;
    const i2 = f2.idx;
    const r2 = f2.r;
    const g2 = f2.Gr;
    g0.fill(0);
    g1.fill(0);
    g2.fill(0);
    let sum = 0;
    for (let c = 0; c < nCells; c++) {
      const a = i0[c];
      const b = i1[c];
      const d2 = i2[c];
      const k = wClass[c];
      const e = cM[c] - (ic + r0[a] + r1[b] + r2[d2]);
      const ge = e * kID[k];
      kE2[k] += e * e;
      sum += ge;
      g0[a] += ge;
      g1[b] += ge;
      g2[d2] += ge;
    }
    return sum;
  };
  return {
    t,
    wClass,
    wVals,
    wCount,
    kV,
    kID,
    kE2,
    margCell,
    xi: new Float64Array(margCell.length),
    fused: K === 0 && plain.length <= 3 && lay.sweep.every(isPlain),
    f0,
    f1,
    f2,
    sumGEta: 0,
    fusedPass,
  };
}

/**
 * The marginal gaussian likelihood (and sigma's prior): cell c adds -0.5 log(D/V) - 0.5 e^2 / D
 * with D = V + tau^2; fills gEta (or, fused, the plain terms' Gr and mt.sumGEta) and adds the
 * gradient of tau and sigma. Adds to and returns the running lp.
 */
export function marginalGaussian(
  s: ModelState,
  mt: MarginalTerm,
  theta: Float64Array,
  grad: Float64Array,
  ic: number,
  lp: number,
): number {
  const { hasSigma } = s.shape;
  const { nCells, M: cM, ssConst, totalW } = s.cells;
  const { eta, gEta, pOut } = s;
  const { wClass, wVals, wCount, kV, kID, kE2 } = mt;
  const sigmaOff = s.lay.sigmaOff;
  const tau = mt.t.sd[0];
  const tau2 = tau * tau;
  let sigma = 1;
  let u = 0;
  if (hasSigma) {
    u = logSigmaOf(s, theta);
    sigma = Math.exp(u);
  }
  const s2 = sigma * sigma;
  // Cells sharing a weight W share V, D and log(D / V): one log per distinct W, not per cell.
  const nk = wVals.length;
  for (let k = 0; k < nk; k++) {
    const W = wVals[k];
    const V = W > 0 ? s2 / W : Number.POSITIVE_INFINITY;
    kV[k] = V;
    kID[k] = W > 0 ? 1 / (V + tau2) : 0;
    kE2[k] = 0;
  }
  if (mt.fused) {
    mt.sumGEta = mt.fusedPass(ic);
  } else {
    for (let c = 0; c < nCells; c++) {
      const k = wClass[c];
      const e = cM[c] - eta[c];
      gEta[c] = e * kID[k];
      kE2[k] += e * e;
    }
  }
  let gTau2 = 0;
  let gLogSigma = 0;
  for (let k = 0; k < nk; k++) {
    if (!(wVals[k] > 0)) continue;
    const V = kV[k];
    const iD = kID[k];
    const cnt = wCount[k];
    const e2 = kE2[k];
    lp -= 0.5 * (cnt * Math.log1p(tau2 / V) + e2 * iD);
    gTau2 += 0.5 * (e2 * iD * iD - cnt * iD);
    gLogSigma += V * (e2 * iD * iD - cnt * iD) + cnt;
  }
  grad[mt.t.sdOff] += 2 * tau2 * gTau2;
  if (hasSigma) {
    const inv2 = 1 / s2;
    lp += -0.5 * ssConst * inv2 - totalW * u;
    lp += priorLogDensity(s.priors.sigma, sigma, pOut) + u;
    grad[sigmaOff] += ssConst * inv2 - totalW + gLogSigma + pOut[1] * sigma + 1;
  }
  return lp;
}

/**
 * Draw the integrated-out term's effects from their exact conditional posterior given theta:
 * r_c | rest ~ N(tau^2 e_c / (V_c + tau^2), V_c tau^2 / (V_c + tau^2)), with standard normals from
 * math/hash-normals.ts (keyed by theta's bits), so the same theta gives the same draw.
 * groupForward must have run.
 */
export function drawMarginal(s: ModelState, theta: Float64Array): void {
  const mt = s.marg;
  if (!mt) return;
  const marg = mt.t;
  const { W: cW, M: cM } = s.cells;
  cellEta(s, theta);
  const tau2 = marg.sd[0] * marg.sd[0];
  const s2 = s.shape.hasSigma ? Math.exp(2 * logSigmaOf(s, theta)) : 1;
  hashNormals(theta, mt.xi);
  for (let l = 0; l < marg.nLevels; l++) {
    const c = mt.margCell[l];
    const W = cW[c];
    const z = mt.xi[l];
    if (!(W > 0)) {
      marg.r[l] = Math.sqrt(tau2) * z;
      continue;
    }
    const V = s2 / W;
    const D = V + tau2;
    marg.r[l] = (tau2 * (cM[c] - s.eta[c])) / D + Math.sqrt((V * tau2) / D) * z;
  }
}
