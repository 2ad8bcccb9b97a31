import { mean as meanOf, variance } from '../math/moments.js';
import type { Design } from './design.js';

/**
 * Which varying intercepts to sample centred ('auto'): a term is centred when its level effects are
 * informed by the data more than by the prior (Betancourt & Girolami 2015, "Hamiltonian Monte Carlo
 * for hierarchical models"): when the variance of its fitted level effects exceeds twice the noise
 * variance of one level's effect, D / (cells per level). The effects come from a least-squares
 * additive fit of the cell means on the candidate terms (backfitting, coarsest term first, so nested
 * and crossed terms keep only what the coarser ones leave), and D, the noise variance of one cell
 * mean (replicates plus any per-cell term), is the residual variance of that fit. When the fit has no
 * residual degrees of freedom, D is the variance of all cell means (an upper bound). Terms with fewer
 * than 2 cells per level stay non-centred, and interaction groups (g1:g2) unless `interactions`.
 * Both forms define the same posterior.
 * @example autoCentred(design, cells.nCells, cells.firstRow, cells.M, true) // e.g. ['task']
 */
export function autoCentred(
  d: Design,
  nCells: number,
  firstRow: Int32Array,
  cM: Float64Array,
  interactions: boolean,
): string[] {
  if (nCells < 3) return [];
  const mean = meanOf(cM, 0, nCells);
  const s2 = variance(cM, 0, nCells);
  // Interaction groups are candidates only when centred terms are sampled as mean direction and
  // contrasts (CompileOptions.meanContrasts): centring them as levels next to centred main effects
  // left a ridge on synth_med (R-hat 1.011 vs 1.007); as contrasts they sample better centred
  // (BENCHMARKS.md §4, session 2).
  const cands = d.groups
    .filter((g) => {
      if (g.coefs.length !== 1 || g.z[0] !== null) return false;
      if (g.factors.length > 1 && !interactions) return false;
      const L = g.levels.length;
      return L >= 2 && nCells / L >= 2;
    })
    .sort((a, b) => a.levels.length - b.levels.length);
  const codes = cands.map((g) => {
    const k = new Int32Array(nCells);
    for (let c = 0; c < nCells; c++) k[c] = g.idx[firstRow[c]];
    return k;
  });
  const effects = cands.map((g) => new Float64Array(g.levels.length));
  const res = new Float64Array(nCells);
  for (let c = 0; c < nCells; c++) res[c] = cM[c] - mean;
  // Backfitting: 30 sweeps settle the fitted values of these small designs far below the factor-2
  // margin of the rule.
  for (let sweep = 0; sweep < 30; sweep++) {
    cands.forEach((g, i) => {
      const L = g.levels.length;
      const e = effects[i];
      const k = codes[i];
      const sum = new Float64Array(L);
      const cnt = new Float64Array(L);
      for (let c = 0; c < nCells; c++) {
        sum[k[c]] += res[c] + e[k[c]];
        cnt[k[c]] += 1;
      }
      for (let l = 0; l < L; l++) sum[l] = cnt[l] > 0 ? sum[l] / cnt[l] : 0;
      for (let c = 0; c < nCells; c++) res[c] += e[k[c]] - sum[k[c]];
      e.set(sum);
    });
  }
  let dofUsed = 1;
  for (const g of cands) dofUsed += g.levels.length - 1;
  let D = s2;
  if (nCells - dofUsed >= 1) {
    let rss = 0;
    for (let c = 0; c < nCells; c++) rss += res[c] * res[c];
    D = rss / (nCells - dofUsed);
  }
  const out: string[] = [];
  cands.forEach((g, i) => {
    const e = effects[i];
    const L = e.length;
    if (variance(e) > (2 * D * L) / nCells) out.push(g.group);
  });
  return d.groups.filter((g) => out.includes(g.group)).map((g) => g.group);
}
