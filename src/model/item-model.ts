import { createNormalRng } from '../math/normal-rng.js';
import type { ReportingModel } from '../sampler/types.js';
import {
  basisApply,
  basisTranspose,
  helmertBasis,
  type NestedBasis,
} from './geometry/nested-basis.js';
import { patternIntegrals, quadratureScratch } from './item-quadrature.js';
import { ITEM_GROUP, type ItemData } from './item-types.js';
import { type CompiledPrior, compilePrior, parsePrior, priorLogDensity } from './priors.js';
import type { CompiledModel, Family, GroupInfo, ModelSpec } from './spec.js';

/**
 * The paired item model: per-example scores y of heuristic h on item i of task t,
 *
 *   y_hti = eta_ht + u_ti + e_hti (gaussian, e ~ N(0, sigma^2)),  logit P(y_hti = 1) = eta_ht + u_ti (bernoulli),
 *   eta_ht = Intercept + r_heuristic[h] + r_task[t] + r_heuristic:category[h, c(t)] + r_heuristic:task[h, t],
 *   u_ti ~ N(0, sd_task:item^2),
 *
 * i.e. brms's `upper + (1|task:item)`: item effects crossed with heuristics within each task (every
 * heuristic answers the same items, so an item's difficulty is shared: the pairing), with the
 * default comparison model above them. The item effects are integrated out, never sampled:
 *
 * - gaussian, exactly: an item's rows are jointly normal with the compound-symmetric covariance
 *   sigma^2 I + tau^2 1 1' (tau = sd_task:item), whose log density for n rows with residuals e is
 *   -1/2 [(n - 1) log sigma^2 + log(sigma^2 + n tau^2) + |e|^2 / sigma^2 - tau^2 (sum e)^2 /
 *   (sigma^2 (sigma^2 + n tau^2))] (Searle, Casella & McCulloch 1992, "Variance Components",
 *   section 3.6). Summed over items, |e|^2 needs each cell's mean and sum of squares and (sum e)^2
 *   each pattern's mean and sum of squares of the item totals (item-data.ts);
 * - bernoulli, by the trapezoid rule on one grid per pattern for each (pattern, sum score)
 *   integral (item-quadrature.ts).
 *
 * Sampled coordinates: the intercept, each upper term as log sd, its levels' mean and contrasts
 * (below), log sd_heuristic:task, the cell predictors eta_ht themselves (centred: with hundreds or
 * thousands of items per cell the data pin them down, the regime where the centred form has no
 * funnel; Betancourt & Girolami 2015), log sd_task:item and log sigma. r_heuristic:task = eta -
 * (the upper terms) is a shift of eta (unit Jacobian), so the posterior is brms's.
 *
 * An upper term's effects r (n levels) enter the cells only through their contrasts r - mean(r):
 * the overall level theta_0 carries the mean. The mean itself is seen only by the prior
 * r ~ N(0, sd^2) (and the flat-ish intercept prior through b_Intercept = theta_0 - sum mean(r)),
 * so with thousands of items per cell the contrasts are pinned to ~1e-3 while the mean wanders
 * over sd / sqrt(n): in level coordinates every r_l moves with the mean, a ridge along the
 * direction (1, ..., 1) that a diagonal metric cannot follow (min bulk ESS ~300 of 4,000 draws
 * and R-hat 1.013 on b_Intercept and r_task at 1M rows, BENCHMARKS.md section 13). So each term
 * is sampled in an orthonormal basis of (1, ..., 1) / sqrt(n) and the n - 1 Helmert contrasts Q
 * (Q'1 = 0, Q'Q = I): r = sd zm / sqrt(n) + Q y (centred terms) or sd (zm / sqrt(n) + Q y)
 * (non-centred), with zm ~ N(0, 1) exactly apart from the intercept prior: |r|^2 = n m^2 + |Qy|^2
 * splits the prior into independent parts, and the Jacobian sd / sqrt(n) of the mean cancels its
 * own normalizing constant. The map is linear with a constant-times-sd Jacobian, so the posterior
 * of (b_Intercept, r, sd) is unchanged (test/model/item-model.test.ts checks it against the
 * density in brms's coordinates).
 */

/** The item model: a ReportingModel with brms variable names. */
export interface ItemModel extends ReportingModel {
  readonly groups: readonly GroupInfo[];
  readonly parameterNames: readonly string[];
  readonly priors: CompiledModel['priors'];
  readonly family: Family;
  readonly spec: ModelSpec;
  readonly data: ItemData;
  /** Starting points near the data (cell predictors at their empirical values), seeded. */
  inits(chains: number, seed: number): Float64Array[];
}

/** The rebuild module (ends in .ts when running from sources; the sampler's loader handles both). */
const REBUILD_MODULE = import.meta.url.replace(/\/item-model\.([cm]?[jt]s)$/, '/rebuild.$1');

interface Term {
  sdOff: number;
  /** Coordinates: zOff = the mean zm, zOff + 1 .. zOff + n - 1 = the Helmert contrasts y. */
  zOff: number;
  n: number;
  level: Int32Array;
  centred: boolean;
  prior: CompiledPrior;
  /** The effects r at theta and d lp / d r (summed over the term's cells). */
  v: Float64Array;
  gSum: Float64Array;
  /** Mean of v over the levels. */
  vBar: number;
  /** Q y (the contrasts in level coordinates) and Q' gSum. */
  /** The Helmert basis of the term's levels (src/model/geometry/nested-basis.ts). */
  basis: NestedBasis;
  qy: Float64Array;
  qg: Float64Array;
}

/** Where the item model's variables are in a list of names (itemVariableIndex). */
export interface ItemVariableIndex {
  intercept: number;
  sd: number[];
  r: Int32Array[];
  cellSd: number;
  cell: Int32Array;
  itemSd: number;
  sigma: number;
}

interface ItemState {
  d: ItemData;
  dim: number;
  parameterNames: string[];
  terms: Term[];
  cellSdOff: number;
  etaOff: number;
  itemSdOff: number;
  sigmaOff: number;
  nCells: number;
  pIntercept: CompiledPrior;
  pCellSd: CompiledPrior;
  pItemSd: CompiledPrior;
  pSigma: CompiledPrior;
  mu: Float64Array;
  /** The cells' linear predictors at theta. */
  eta: Float64Array;
  gEta: Float64Array;
  cellCentred: boolean;
  pg: Float64Array;
  out2: Float64Array;
  scr: ReturnType<typeof quadratureScratch>;
  /** Output slot of each reported variable (-1: not reported). */
  slots: ItemVariableIndex;
}

function priorFor(d: ItemData, cls: string, group = ''): CompiledPrior {
  const row = d.priors.find((p) => p.class === cls && (cls !== 'sd' || p.group === group));
  if (!row) return compilePrior({ kind: 'flat' });
  const name = cls === 'sd' ? `sd_${group}` : cls;
  return compilePrior(parsePrior(`${name} ~ ${row.prior}`).dist);
}

/**
 * The column of each of the item model's variables in a list of variable names (a Draws' or the
 * model's own): the intercept, each upper term's levels, the cells (r_heuristic:task), the sds,
 * tau (sd_task:item) and sigma; -1 where absent.
 * @example itemVariableIndex(data, fit.draws.variables).itemSd
 */
export function itemVariableIndex(d: ItemData, variables: readonly string[]): ItemVariableIndex {
  const slotOf = new Map(variables.map((v, i) => [v, i]));
  const at = (name: string) => slotOf.get(name) ?? -1;
  const rSlots = (g: GroupInfo) =>
    Int32Array.from(g.levels, (lv) => at(`r_${g.group}[${lv.join('_')},Intercept]`));
  const cg = d.groups[d.cellGroup];
  return {
    intercept: at('b_Intercept'),
    sd: d.terms.map((t) => at(`sd_${d.groups[t.group].group}__Intercept`)),
    r: d.terms.map((t) => rSlots(d.groups[t.group])),
    cellSd: at(`sd_${cg.group}__Intercept`),
    cell: rSlots(cg),
    itemSd: at(`sd_${ITEM_GROUP}__Intercept`),
    sigma: at('sigma'),
  };
}

/** The output slot of every reported variable, by its brms name. */
function slotsOf(d: ItemData): ItemVariableIndex {
  return itemVariableIndex(d, d.variableNames);
}

function itemState(d: ItemData): ItemState {
  const parameterNames = ['Intercept+mean(r)'];
  const terms: Term[] = d.terms.map((t) => {
    const g = d.groups[t.group];
    const sdOff = parameterNames.length;
    parameterNames.push(`log(sd_${g.group}__Intercept)`);
    const zOff = parameterNames.length;
    const coord = t.centred ? 'r' : 'z';
    parameterNames.push(`mean(z_${g.group})`);
    for (let k = 1; k < g.levels.length; k++)
      parameterNames.push(`${coord}_${g.group}[helmert ${k}]`);
    return {
      sdOff,
      zOff,
      n: g.levels.length,
      level: t.level,
      centred: t.centred,
      prior: priorFor(d, 'sd', g.group),
      v: new Float64Array(g.levels.length),
      gSum: new Float64Array(g.levels.length),
      vBar: 0,
      basis: helmertBasis(g.levels.length),
      qy: new Float64Array(g.levels.length),
      qg: new Float64Array(g.levels.length),
    };
  });
  const cg = d.groups[d.cellGroup];
  const cellSdOff = parameterNames.length;
  parameterNames.push(`log(sd_${cg.group}__Intercept)`);
  const etaOff = parameterNames.length;
  for (const lv of cg.levels) {
    parameterNames.push(d.cellCentred ? `eta[${lv.join('_')}]` : `z_${cg.group}[${lv.join('_')}]`);
  }
  const itemSdOff = parameterNames.length;
  parameterNames.push(`log(sd_${ITEM_GROUP}__Intercept)`);
  const sigmaOff = d.family === 'gaussian' ? parameterNames.length : -1;
  if (sigmaOff >= 0) parameterNames.push('log(sigma)');
  const nCells = cg.levels.length;
  let maxCells = 1;
  for (let p = 0; p + 1 < d.patStart.length; p++) {
    maxCells = Math.max(maxCells, d.patStart[p + 1] - d.patStart[p]);
  }
  return {
    d,
    dim: parameterNames.length,
    parameterNames,
    terms,
    cellSdOff,
    etaOff,
    itemSdOff,
    sigmaOff,
    nCells,
    pIntercept: priorFor(d, 'Intercept'),
    pCellSd: priorFor(d, 'sd', cg.group),
    pItemSd: priorFor(d, 'sd', ITEM_GROUP),
    pSigma: priorFor(d, 'sigma'),
    mu: new Float64Array(nCells),
    eta: new Float64Array(nCells),
    gEta: new Float64Array(nCells),
    cellCentred: d.cellCentred,
    pg: new Float64Array(2),
    out2: new Float64Array(2),
    scr: quadratureScratch(maxCells),
    slots: slotsOf(d),
  };
}

/**
 * The gaussian item likelihood (items integrated out exactly) at cell predictors eta; adds
 * d / d eta to gEta and returns [lp, d / d log tau, d / d log sigma] in out3.
 */
function gaussianItems(
  s: ItemState,
  eta: Float64Array,
  tau: number,
  sigma: number,
  out3: Float64Array,
): void {
  const d = s.d;
  const { n, mean, ss } = d.cells;
  const { gEta, nCells } = s;
  const a = sigma * sigma;
  const b = tau * tau;
  let sse = 0;
  for (let c = 0; c < nCells; c++) {
    const r = mean[c] - eta[c];
    sse += ss[c] + n[c] * r * r;
    gEta[c] += (n[c] * r) / a;
  }
  let lp = -0.5 * (sse / a);
  let dA = (0.5 * sse) / (a * a);
  let dB = 0;
  const P = d.patStart.length - 1;
  for (let p = 0; p < P; p++) {
    const Np = d.patItems[p];
    const np = d.patRows[p];
    const D = a + np * b;
    let M = 0;
    for (let j = d.patStart[p]; j < d.patStart[p + 1]; j++) M += d.patK[j] * eta[d.patCell[j]];
    const dev = d.patMean[p] - M;
    const R = d.patSs[p] + Np * dev * dev;
    const c = b / (a * D);
    lp += -0.5 * Np * ((np - 1) * Math.log(a) + Math.log(D)) + 0.5 * c * R;
    dB += -0.5 * ((Np * np) / D) + (0.5 * R) / (D * D);
    dA += -0.5 * Np * ((np - 1) / a + 1 / D) - (0.5 * R * b * (D + a)) / (a * a * D * D);
    const ge = -c * Np * dev;
    for (let j = d.patStart[p]; j < d.patStart[p + 1]; j++) gEta[d.patCell[j]] += ge * d.patK[j];
  }
  out3[0] = lp;
  out3[1] = 2 * b * dB;
  out3[2] = 2 * a * dA;
}

/** The bernoulli item likelihood (items integrated out by quadrature); same outputs as gaussianItems. */
function bernoulliItems(s: ItemState, eta: Float64Array, tau: number, out3: Float64Array): void {
  const d = s.d;
  const { successes } = d.cells;
  const { gEta, nCells, scr, out2 } = s;
  let lp = 0;
  for (let c = 0; c < nCells; c++) {
    lp += successes[c] * eta[c];
    gEta[c] += successes[c];
  }
  let gLogTau = 0;
  const P = d.patStart.length - 1;
  for (let p = 0; p < P; p++) {
    const j0 = d.patStart[p];
    const m = d.patStart[p + 1] - j0;
    for (let i = 0; i < m; i++) {
      scr.eta[i] = eta[d.patCell[j0 + i]];
      scr.k[i] = d.patK[j0 + i];
    }
    patternIntegrals(
      scr,
      m,
      d.patCell,
      j0,
      d.sVal,
      d.sCount,
      d.sStart[p],
      d.sStart[p + 1],
      tau,
      gEta,
      out2,
    );
    lp += out2[0];
    gLogTau += out2[1];
  }
  out3[0] = lp;
  out3[1] = gLogTau;
  out3[2] = 0;
}

const out3 = new Float64Array(3);

/**
 * The upper terms' mean of each cell, mu_c = theta_0 + sum_g (r_g[level of c] - mean(r_g)), with
 * r_g = sd_g z_g (non-centred) or sampled as is (centred). theta_0 = Intercept + sum_g mean(r_g)
 * is the well-identified overall level (as in nested-model.ts): the ridge "intercept up, every
 * task effect down" is gone; a shift with unit Jacobian. Returns brms's Intercept.
 */
function cellMeans(s: ItemState, theta: Float64Array): number {
  const { mu, terms, nCells } = s;
  mu.fill(theta[0]);
  let b0 = theta[0];
  for (const t of terms) {
    const sd = Math.exp(theta[t.sdOff]);
    const f = t.centred ? 1 : sd;
    basisApply(t.basis, theta, t.zOff + 1, t.qy);
    // r = mean + contrasts (the Helmert columns sum to zero, so vBar is the mean exactly)
    t.vBar = (sd * theta[t.zOff]) / Math.sqrt(t.n);
    for (let l = 0; l < t.n; l++) t.v[l] = t.vBar + f * t.qy[l];
    b0 -= t.vBar;
    for (let c = 0; c < nCells; c++) {
      const l = t.level[c];
      if (l >= 0) mu[c] += f * t.qy[l];
    }
  }
  return b0;
}

function logDensityGradient(s: ItemState, theta: Float64Array, grad: Float64Array): number {
  const { terms, mu, eta, gEta, pg, nCells, etaOff, cellSdOff, itemSdOff, sigmaOff } = s;
  grad.fill(0);
  gEta.fill(0);
  const b0 = cellMeans(s, theta);
  const sdC = Math.exp(theta[cellSdOff]);
  // the cells' predictors: sampled (centred) or mu + sd z (non-centred)
  for (let c = 0; c < nCells; c++) {
    eta[c] = s.cellCentred ? theta[etaOff + c] : mu[c] + sdC * theta[etaOff + c];
  }
  // the item level
  const tau = Math.exp(theta[itemSdOff]);
  if (sigmaOff >= 0) gaussianItems(s, eta, tau, Math.exp(theta[sigmaOff]), out3);
  else bernoulliItems(s, eta, tau, out3);
  let lp = out3[0];
  grad[itemSdOff] += out3[1];
  if (sigmaOff >= 0) grad[sigmaOff] += out3[2];
  // the cell level: eta_c ~ N(mu_c, sd_ht^2); afterwards gEta holds d lp / d mu_c
  if (s.cellCentred) {
    const precC = 1 / (sdC * sdC);
    let rr = 0;
    for (let c = 0; c < nCells; c++) {
      const r = eta[c] - mu[c];
      rr += r * r;
      const g = r * precC;
      grad[etaOff + c] = gEta[c] - g;
      gEta[c] = g;
    }
    lp += -nCells * theta[cellSdOff] - 0.5 * rr * precC;
    grad[cellSdOff] += -nCells + rr * precC;
  } else {
    let zz = 0;
    let gLogSd = 0;
    for (let c = 0; c < nCells; c++) {
      const z = theta[etaOff + c];
      zz += z * z;
      grad[etaOff + c] = gEta[c] * sdC - z;
      gLogSd += gEta[c] * sdC * z;
    }
    lp -= 0.5 * zz;
    grad[cellSdOff] += gLogSd;
  }
  // the intercept's prior (b0 = theta_0 - sum_g mean(r_g)) and the upper terms
  lp += priorLogDensity(s.pIntercept, b0, pg);
  const gB0 = pg[1];
  let gMu = 0;
  for (let c = 0; c < nCells; c++) gMu += gEta[c];
  grad[0] += gMu + gB0;
  for (const t of terms) {
    const sd = Math.exp(theta[t.sdOff]);
    t.gSum.fill(0);
    for (let c = 0; c < nCells; c++) {
      const l = t.level[c];
      if (l >= 0) t.gSum[l] += gEta[c];
    }
    // the mean m = sd zm / sqrt(n) reaches lp only through b0 = theta_0 - sum m; the contrasts
    // f Q y (f = 1 centred, sd non-centred) through mu: d lp / d y = f Q' gSum
    t.qg.fill(0);
    basisTranspose(t.basis, t.gSum, t.qg, 0);
    const zm = theta[t.zOff];
    grad[t.zOff] += (-gB0 * sd) / Math.sqrt(t.n) - zm;
    let gLogSd = -gB0 * t.vBar;
    let yy = 0;
    for (let k = 0; k + 1 < t.n; k++) {
      const y = theta[t.zOff + 1 + k];
      yy += y * y;
      if (t.centred) grad[t.zOff + 1 + k] += t.qg[k] - y / (sd * sd);
      else grad[t.zOff + 1 + k] += sd * t.qg[k] - y;
    }
    if (!t.centred) for (let l = 0; l < t.n; l++) gLogSd += t.gSum[l] * sd * t.qy[l];
    // N(r; 0, sd^2) = N(zm; 0, 1) [Jacobian sd / sqrt(n) of the mean included] x the contrasts'
    // (n - 1)-dimensional normal, centred: N(y; 0, sd^2 I); non-centred: N(y; 0, I)
    lp -= 0.5 * zm * zm;
    if (t.centred) {
      lp += -(t.n - 1) * theta[t.sdOff] - (0.5 * yy) / (sd * sd);
      gLogSd += -(t.n - 1) + yy / (sd * sd);
    } else lp -= 0.5 * yy;
    lp += priorLogDensity(t.prior, sd, pg) + theta[t.sdOff];
    grad[t.sdOff] += gLogSd + sd * pg[1] + 1;
  }
  lp += priorLogDensity(s.pCellSd, sdC, pg) + theta[cellSdOff];
  grad[cellSdOff] += sdC * pg[1] + 1;
  lp += priorLogDensity(s.pItemSd, tau, pg) + theta[itemSdOff];
  grad[itemSdOff] += tau * pg[1] + 1;
  if (sigmaOff >= 0) {
    const sigma = Math.exp(theta[sigmaOff]);
    lp += priorLogDensity(s.pSigma, sigma, pg) + theta[sigmaOff];
    grad[sigmaOff] += sigma * pg[1] + 1;
  }
  if (!Number.isFinite(lp)) return Number.NEGATIVE_INFINITY;
  for (let j = 0; j < s.dim; j++) if (!Number.isFinite(grad[j])) return Number.NEGATIVE_INFINITY;
  return lp;
}

function writeVariables(s: ItemState, theta: Float64Array, out: Float64Array): void {
  const { terms, mu, etaOff, nCells, slots } = s;
  out.fill(Number.NaN);
  const set = (k: number, x: number) => {
    if (k >= 0) out[k] = x;
  };
  set(slots.intercept, cellMeans(s, theta));
  terms.forEach((t, k) => {
    set(slots.sd[k], Math.exp(theta[t.sdOff]));
    for (let l = 0; l < t.n; l++) set(slots.r[k][l], t.v[l]);
  });
  const sdC = Math.exp(theta[s.cellSdOff]);
  set(slots.cellSd, sdC);
  for (let c = 0; c < nCells; c++) {
    const r = s.cellCentred ? theta[etaOff + c] - mu[c] : sdC * theta[etaOff + c];
    set(slots.cell[c], r);
  }
  set(slots.itemSd, Math.exp(theta[s.itemSdOff]));
  if (s.sigmaOff >= 0) set(slots.sigma, Math.exp(theta[s.sigmaOff]));
}

const logit = (p: number) => Math.log(p / (1 - p));

function inits(s: ItemState, chains: number, seed: number): Float64Array[] {
  const { d, dim, terms, etaOff, nCells, cellSdOff, itemSdOff, sigmaOff } = s;
  const bern = d.family === 'bernoulli';
  const { n, mean, successes } = d.cells;
  const cellEta = Float64Array.from({ length: nCells }, (_, c) =>
    bern ? logit((successes[c] + 0.5) / (n[c] + 1)) : mean[c],
  );
  let m = 0;
  for (const e of cellEta) m += e;
  m /= Math.max(1, nCells);
  let v = 0;
  for (const e of cellEta) v += (e - m) ** 2;
  const spread = Math.sqrt(v / Math.max(1, nCells - 1)) || 1;
  return Array.from({ length: chains }, (_, ch) => {
    const rng = createNormalRng(seed * 7919 + ch + 1);
    const u = () => Math.tanh(rng.normal());
    const th = new Float64Array(dim);
    th[0] = m + 0.1 * spread * u();
    for (const t of terms) {
      th[t.sdOff] = Math.log(0.5 * spread) + 0.3 * u();
      // centred effects' contrasts at their cells' mean deviations from the overall level
      const sum = new Float64Array(t.n);
      const cnt = new Float64Array(t.n);
      for (let c = 0; c < nCells; c++) {
        if (t.level[c] < 0) continue;
        sum[t.level[c]] += cellEta[c] - m;
        cnt[t.level[c]]++;
      }
      for (let l = 0; l < t.n; l++) sum[l] = cnt[l] > 0 ? sum[l] / cnt[l] : 0;
      t.qg.fill(0);
      basisTranspose(t.basis, sum, t.qg, 0);
      th[t.zOff] = 0.1 * u();
      for (let k = 0; k + 1 < t.n; k++) th[t.zOff + 1 + k] = t.centred ? t.qg[k] : 0.1 * u();
    }
    th[cellSdOff] = Math.log(0.5 * spread) + 0.3 * u();
    // each cell near its empirical value, a small fraction of its standard error away
    for (let c = 0; c < nCells; c++) {
      const se = bern ? 2 / Math.sqrt(n[c] + 1) : d.ySd / Math.sqrt(n[c]);
      th[etaOff + c] = d.cellCentred ? cellEta[c] + 0.1 * se * u() : 0.1 * u();
    }
    th[itemSdOff] = Math.log(bern ? 1 : 0.5 * d.ySd) + 0.3 * u();
    if (sigmaOff >= 0) th[sigmaOff] = Math.log(0.5 * d.ySd) + 0.3 * u();
    return th;
  });
}

/**
 * The item model from its compact data (in-process and in sampler workers alike: the same
 * function on the same numbers, so bit-identical draws).
 * @example const m = buildItemModel(itemData(table, upperSpec, 'bernoulli'));
 */
export function buildItemModel(data: ItemData): ItemModel {
  const s = itemState(data);
  return {
    dim: s.dim,
    parameterNames: s.parameterNames,
    variableNames: data.variableNames,
    groups: data.groups,
    priors: data.priors,
    spec: data.spec,
    family: data.family,
    data,
    inits: (chains: number, seed: number) => inits(s, chains, seed),
    logDensityGradient: (theta: Float64Array, grad: Float64Array) =>
      logDensityGradient(s, theta, grad),
    writeVariables: (theta: Float64Array, out: Float64Array) => writeVariables(s, theta, out),
    source: {
      kind: 'module',
      path: REBUILD_MODULE,
      exportName: 'rebuildModel',
      // the per-item records stay here: workers need only the collapsed statistics
      args: { kind: 'item', data: { ...data, items: undefined } },
    },
  };
}

/**
 * The item level alone (the likelihood of the rows with the item effects integrated out) at cell
 * predictors `eta`, item sd `tau` and (gaussian) `sigma`: its value and gradient; for tests and the
 * brute-force checks of test/model/item-model.test.ts.
 * @example itemLogLikelihood(data, eta, 1, 1).lp
 */
export function itemLogLikelihood(
  data: ItemData,
  eta: Float64Array,
  tau: number,
  sigma: number,
): { lp: number; gEta: Float64Array; gLogTau: number; gLogSigma: number } {
  const s = itemState(data);
  const o = new Float64Array(3);
  if (data.family === 'gaussian') gaussianItems(s, eta, tau, sigma, o);
  else bernoulliItems(s, eta, tau, o);
  return { lp: o[0], gEta: s.gEta.slice(), gLogTau: o[1], gLogSigma: o[2] };
}

/**
 * Whether a model is the paired item model.
 * @example isItemModel(buildItemModel(data)) // true
 */
export function isItemModel(m: ReportingModel): m is ItemModel {
  return 'data' in m && 'inits' in m && (m as ItemModel).spec.formula.includes(`(1|${ITEM_GROUP})`);
}
