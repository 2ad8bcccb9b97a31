import type { ModelState } from './state.js';

/**
 * brms's (centred) Intercept at theta: the sampled coordinate minus the cell-weighted mean of the
 * varying intercepts (see CompileOptions.shiftIntercept); groupForward must have run.
 * @example const b0 = interceptOf(state, theta);
 */
export function interceptOf(s: ModelState, theta: Float64Array): number {
  if (!s.shape.hasIc) return 0;
  let ic = s.scales.icLoc + s.scales.icScale * theta[s.lay.icOff];
  for (const t of s.lay.shift) {
    if (t.rotated) {
      // sum_l w_l r_l = |w| w_0 (- w.m for totals)
      ic -= t.wNorm * t.wBuf[0] - (t.sources.length > 0 ? t.omegaM : 0);
      continue;
    }
    const w = t.icWeight;
    let acc = 0;
    for (let l = 0; l < t.nLevels; l++) acc += w[l] * t.r[l * t.m];
    ic -= acc;
  }
  return ic;
}

/**
 * Linear predictor of every cell into s.eta (groupForward must have run).
 * @example cellEta(state, theta); state.eta[0]
 */
export function cellEta(s: ModelState, theta: Float64Array): void {
  const { eta, K } = s;
  const { nCells, Xc } = s.cells;
  const { plain, terms } = s.lay;
  eta.fill(interceptOf(s, theta));
  for (let k = 0; k < K; k++) {
    const bk = theta[k];
    const col = Xc[k];
    for (let c = 0; c < nCells; c++) eta[c] += col[c] * bk;
  }
  // Varying intercepts, up to three per pass (fewer sweeps over eta).
  for (let p = 0; p < plain.length; p += 3) {
    const n = Math.min(3, plain.length - p);
    const i0 = plain[p].idx;
    const r0 = plain[p].r;
    if (n === 1) {
      for (let c = 0; c < nCells; c++) eta[c] += r0[i0[c]];
    } else if (n === 2) {
      const i1 = plain[p + 1].idx;
      const r1 = plain[p + 1].r;
      for (let c = 0; c < nCells; c++) eta[c] += r0[i0[c]] + r1[i1[c]];
    } else {
      const i1 = plain[p + 1].idx;
      const r1 = plain[p + 1].r;
      const i2 = plain[p + 2].idx;
      const r2 = plain[p + 2].r;
      for (let c = 0; c < nCells; c++) eta[c] += r0[i0[c]] + r1[i1[c]] + r2[i2[c]];
    }
  }
  for (const t of terms) {
    const { m, idx, r } = t;
    if (t.marginal || (m === 1 && t.zc[0] === null)) continue;
    for (let j = 0; j < m; j++) {
      const zc = t.zc[j];
      if (zc === null) for (let c = 0; c < nCells; c++) eta[c] += r[idx[c] * m + j];
      else for (let c = 0; c < nCells; c++) eta[c] += r[idx[c] * m + j] * zc[c];
    }
  }
}

/**
 * The linear predictor of every row (not cell) into `rowEta` (groupForward and any draw of an
 * integrated-out term must have run): for posteriorPredict.
 * @example rowEtaOf(state, theta, new Float64Array(state.d.nRows))
 */
export function rowEtaOf(s: ModelState, theta: Float64Array, rowEta: Float64Array): void {
  const { d, K } = s;
  const n = d.nRows;
  rowEta.fill(interceptOf(s, theta));
  for (let k = 0; k < K; k++) {
    const bk = theta[k];
    const col = d.X[k];
    const mk = d.means[k];
    for (let i = 0; i < n; i++) rowEta[i] += (col[i] - mk) * bk;
  }
  s.lay.terms.forEach((t, ti) => {
    const g = d.groups[ti];
    for (let j = 0; j < t.m; j++) {
      const z = g.z[j];
      for (let i = 0; i < n; i++) rowEta[i] += t.r[g.idx[i] * t.m + j] * (z === null ? 1 : z[i]);
    }
  });
}
