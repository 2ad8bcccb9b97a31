import type { Table } from '../data/table.js';
import { type CompiledPrior, compilePrior, parsePrior, priorLogDensity } from '../model/priors.js';
import type { CompiledModel, GroupInfo, ModelSpec } from '../model/spec.js';
import type { ReportingModel } from '../sampler/types.js';
import { createNormalRng } from './random.js';

/**
 * The default comparison model with the heuristic x task effect integrated out (Rao-Blackwellized).
 *
 * Why: benchmark tables often hold one number per heuristic x task cell. Then the cell effect
 * r_heuristic:task and the residual sigma are only identified through sd^2 + sigma^2, and sampling
 * the non-centred z's of that term next to sigma makes funnels: divergences, E-BFMI < 0.3, R-hat
 * > 1.01 and tree depth 10 on the Tay LRA table with the plain model. The term is a Gaussian
 * effect with one level per cell, so it integrates out in closed form (Gelman et al., BDA3 section
 * 5.4; the same algebra as a normal-normal hierarchical model): for cell c with rows i, residuals
 * e_i = y_i - eta_i, weights w_i = 1 / (sigma^2 + se_i^2), W = sum w_i, S = sum w_i e_i and
 * tau = sd_heuristic:task,
 *
 *   log p(y_c | eta, sigma, tau) = 1/2 sum log w_i - 1/2 sum w_i e_i^2 + 1/2 k S^2 - 1/2 log(1 + W tau^2)
 *
 * with k = tau^2 / (1 + W tau^2) (constants dropped). The cell effects come back exactly: given the
 * other parameters r_c ~ N(k S, k), so each cell gets an auxiliary standard normal xi_c in the
 * parameter vector (independent of everything in the posterior) and r_c = k S + sqrt(k) xi_c is
 * reported under its brms name. The joint posterior of all reported variables is the same as the
 * plain model's; only the geometry the sampler sees changes. Everything else (non-centred group
 * effects, priors including user priors, brms names) follows the model layer's compiled model,
 * which is built first and supplies the priors and group levels.
 */

/** Whether the model layer's compiled model has the shape this model reproduces. */
export function canMarginalize(ref: CompiledModel, spec: ModelSpec): boolean {
  const family = spec.family ?? 'gaussian';
  if (family !== 'gaussian') return false;
  if (ref.variableNames.some((v) => v.startsWith('b_') && v !== 'b_Intercept')) return false;
  if (!ref.variableNames.includes('b_Intercept')) return false;
  if (ref.groups.some((g) => g.coefs.length !== 1 || g.coefs[0] !== 'Intercept')) return false;
  if (/weights\(|trials\(|cens\(|mi\(/.test(spec.formula)) return false;
  return ref.groups.some((g) => isCellGroup(g));
}

function isCellGroup(g: GroupInfo): boolean {
  return g.factors.length === 2 && g.factors.includes('heuristic') && g.factors.includes('task');
}

function isCategoryGroup(g: GroupInfo): boolean {
  return (
    g.factors.length === 2 && g.factors.includes('heuristic') && g.factors.includes('category')
  );
}

/** The marginalized model: a ReportingModel with the reference model's variable names. */
export interface ComparisonModel extends ReportingModel {
  readonly groups: readonly GroupInfo[];
  readonly parameterNames: readonly string[];
  readonly priors: CompiledModel['priors'];
  readonly spec: ModelSpec;
  readonly table: Table;
  /**
   * Starting points for `chains` chains: the overall level at the mean score, every scale at half
   * the scores' sd, standardized effects uniform on (-1, 1) (seeded). Random inits on (-2, 2) put
   * the overall level near 0 while scores sit near 50, and a chain can then spend its warmup
   * collapsing its step size (seen on the Tay table).
   */
  inits(chains: number, seed: number): Float64Array[];
}

function rowLevels(table: Table, g: GroupInfo): Int32Array {
  const cols = g.factors.map((f) => table.columns[f]);
  const key = new Map(g.levels.map((lv, i) => [lv.join('\u0000'), i]));
  return Int32Array.from({ length: table.nRows }, (_, i) => {
    const parts: string[] = [];
    for (const c of cols) {
      if (!c) return -1;
      if (c.type === 'factor') {
        if (c.codes[i] < 0) return -1;
        parts.push(c.levels[c.codes[i]]);
      } else parts.push(String(c.values[i]));
    }
    return key.get(parts.join('\u0000')) ?? -1;
  });
}

function priorFor(ref: CompiledModel, cls: string, group = ''): CompiledPrior {
  const row = ref.priors.find((p) => p.class === cls && (cls !== 'sd' || p.group === group));
  if (!row) return compilePrior({ kind: 'flat' });
  const name = cls === 'sd' ? `sd_${group}` : cls;
  return compilePrior(parsePrior(`${name} ~ ${row.prior}`).dist);
}

/**
 * Build the marginalized model from the model layer's compiled reference model (same spec, same
 * fitted table). Call only when `canMarginalize(ref, spec)`.
 *
 * When the model also has a heuristic:category term (tasks nest in categories, so every
 * heuristic x task cell lies in exactly one heuristic x category level), that term is integrated out
 * too, one level further up (the same normal-normal algebra): given r_hc the cell term leaves cell t
 * the likelihood exp(b_t r_hc - a_t r_hc^2 / 2) with a_t = W_t / q_t, b_t = S_t / q_t,
 * q_t = 1 + W_t tau^2; with A = sum a_t, B = sum b_t over the level's cells and s = sd_hc,
 * integrating r_hc ~ N(0, s^2) adds 1/2 kappa B^2 - 1/2 log(1 + A s^2), kappa = s^2 / (1 + A s^2).
 * Draws come back in order: r_hc ~ N(kappa B, kappa), then r_ht | r_hc ~ N(k_t S'_t, k_t) with
 * S'_t = S_t - W_t r_hc. A single-task category (ListOps in LRA) is where these two terms and sigma
 * are least identified, which is why both are integrated out.
 * @example const m = compileComparisonModel(compileModel(spec, table), spec, table); await sample(m)
 */
export function compileComparisonModel(
  ref: CompiledModel,
  spec: ModelSpec,
  table: Table,
): ComparisonModel {
  const N = table.nRows;
  const yCol = table.columns.score;
  if (yCol?.type !== 'numeric') throw new Error('compileComparisonModel: no numeric score');
  const y = yCol.values;
  const seCol = /\bse\(/.test(spec.formula) ? table.columns.se : undefined;
  const se2 = seCol?.type === 'numeric' ? seCol.values.map((s) => s * s) : null;
  const hasSigma = ref.variableNames.includes('sigma');
  const cellGroup = ref.groups.find(isCellGroup) as GroupInfo;
  const catGroupCandidate = ref.groups.find(isCategoryGroup);
  const others = ref.groups.filter((g) => g !== cellGroup && g !== catGroupCandidate);
  const cellOfRow = rowLevels(table, cellGroup);
  const C = cellGroup.levels.length;
  // rows of each cell (CSR)
  const cellStart = new Int32Array(C + 1);
  for (let i = 0; i < N; i++) cellStart[cellOfRow[i] + 1]++;
  for (let c = 0; c < C; c++) cellStart[c + 1] += cellStart[c];
  const cellRows = new Int32Array(N);
  const fill = cellStart.slice(0, C);
  for (let i = 0; i < N; i++) cellRows[fill[cellOfRow[i]]++] = i;
  // heuristic x category level of each cell; nesting must hold, else the term stays sampled
  let catGroup: GroupInfo | undefined = catGroupCandidate;
  const catOfCell = new Int32Array(C).fill(-1);
  if (catGroup) {
    const catOfRow = rowLevels(table, catGroup);
    for (let c = 0; c < C && catGroup; c++) {
      for (let k = cellStart[c]; k < cellStart[c + 1]; k++) {
        const v = catOfRow[cellRows[k]];
        if (v < 0 || (catOfCell[c] >= 0 && catOfCell[c] !== v)) {
          catGroup = undefined;
          break;
        }
        catOfCell[c] = v;
      }
    }
    if (!catGroup && catGroupCandidate) others.push(catGroupCandidate);
  }
  const K = catGroup ? catGroup.levels.length : 0;

  // parameter layout
  const parameterNames: string[] = ['Intercept+mean(r)'];
  const terms = others.map((g) => {
    const sdOff = parameterNames.length;
    parameterNames.push(`log(sd_${g.group}__Intercept)`);
    const zOff = parameterNames.length;
    for (const lv of g.levels) parameterNames.push(`z_${g.group}[${lv.join('_')},Intercept]`);
    return {
      g,
      sdOff,
      zOff,
      n: g.levels.length,
      idx: rowLevels(table, g),
      prior: priorFor(ref, 'sd', g.group),
    };
  });
  const catOff = catGroup ? parameterNames.length : -1;
  if (catGroup) parameterNames.push(`log(sd_${catGroup.group}__Intercept)`);
  const tauOff = parameterNames.length;
  parameterNames.push(`log(sd_${cellGroup.group}__Intercept)`);
  const sigmaOff = hasSigma ? parameterNames.length : -1;
  if (hasSigma) parameterNames.push('log(sigma)');
  const xiCatOff = parameterNames.length;
  if (catGroup)
    for (const lv of catGroup.levels) parameterNames.push(`xi_${catGroup.group}[${lv.join('_')}]`);
  const xiOff = parameterNames.length;
  for (const lv of cellGroup.levels) parameterNames.push(`xi_${cellGroup.group}[${lv.join('_')}]`);
  const dim = parameterNames.length;
  const pIntercept = priorFor(ref, 'Intercept');
  const pTau = priorFor(ref, 'sd', cellGroup.group);
  const pCat = catGroup ? priorFor(ref, 'sd', catGroup.group) : null;
  const pSigma = priorFor(ref, 'sigma');

  const eta = new Float64Array(N);
  const gEta = new Float64Array(N);
  const w = new Float64Array(N);
  const pg = new Float64Array(2);
  const W = new Float64Array(C);
  const S = new Float64Array(C);
  const q = new Float64Array(C);
  const A = new Float64Array(Math.max(K, 1));
  const B = new Float64Array(Math.max(K, 1));

  const zMean = new Float64Array(terms.length);
  /**
   * eta without the integrated terms. theta[0] is mu* = Intercept + sum_g mean_l(r_g[l]), the
   * well-identified overall level: each group enters through z - mean(z), so the ridge "intercept
   * up, every task effect down" (condition numbers in the thousands with a few tasks far apart,
   * as in LRA) is gone. b_Intercept = mu* - sum_g sd_g mean(z_g); the map has unit Jacobian.
   */
  const computeEta = (theta: Float64Array) => {
    eta.fill(theta[0]);
    terms.forEach((t, k) => {
      const sd = Math.exp(theta[t.sdOff]);
      let m = 0;
      for (let l = 0; l < t.n; l++) m += theta[t.zOff + l];
      m /= t.n;
      zMean[k] = m;
      for (let i = 0; i < N; i++) {
        const l = t.idx[i];
        if (l >= 0) eta[i] += sd * (theta[t.zOff + l] - m);
      }
    });
  };
  const interceptOf = (theta: Float64Array) => {
    let b = theta[0];
    terms.forEach((t, k) => {
      b -= Math.exp(theta[t.sdOff]) * zMean[k];
    });
    return b;
  };
  /** Cell sums W, S (and the row part of the log density when lp is wanted). */
  const cellSums = (tau2: number, s2: number): number => {
    let lp = 0;
    A.fill(0);
    B.fill(0);
    for (let c = 0; c < C; c++) {
      let wc = 0;
      let sc = 0;
      for (let k = cellStart[c]; k < cellStart[c + 1]; k++) {
        const i = cellRows[k];
        const e = y[i] - eta[i];
        wc += w[i];
        sc += w[i] * e;
        lp += 0.5 * Math.log(w[i]) - 0.5 * w[i] * e * e;
      }
      W[c] = wc;
      S[c] = sc;
      q[c] = 1 + wc * tau2;
      lp += (0.5 * tau2 * sc * sc) / q[c] - 0.5 * Math.log(q[c]);
      if (K > 0) {
        A[catOfCell[c]] += wc / q[c];
        B[catOfCell[c]] += sc / q[c];
      }
    }
    for (let j = 0; j < K; j++) {
      const p = 1 + A[j] * s2;
      lp += (0.5 * s2 * B[j] * B[j]) / p - 0.5 * Math.log(p);
    }
    return lp;
  };
  const weights = (sigma2: number) => {
    for (let i = 0; i < N; i++) w[i] = 1 / (sigma2 + (se2 ? se2[i] : 0));
  };

  const logDensityGradient = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    computeEta(theta);
    const tau = Math.exp(theta[tauOff]);
    const tau2 = tau * tau;
    const s = catGroup ? Math.exp(theta[catOff]) : 0;
    const s2 = s * s;
    const sigma = hasSigma ? Math.exp(theta[sigmaOff]) : 0;
    const sigma2 = sigma * sigma;
    weights(sigma2);
    let lp = cellSums(tau2, s2);
    let gTau2 = 0;
    let gS2 = 0;
    let gSigma2 = 0;
    for (let j = 0; j < K; j++) {
      const p = 1 + A[j] * s2;
      gS2 += (0.5 * B[j] * B[j]) / (p * p) - (0.5 * A[j]) / p;
    }
    for (let c = 0; c < C; c++) {
      const qc = q[c];
      let kap = 0;
      let bj = 0;
      if (K > 0) {
        const j = catOfCell[c];
        kap = s2 / (1 + A[j] * s2);
        bj = B[j];
      }
      const dA = -0.5 * kap * kap * bj * bj - 0.5 * kap; // dL/dA
      const dB = kap * bj; // dL/dB
      const gS = (tau2 * S[c] + dB) / qc;
      const gW =
        (-0.5 * tau2 * tau2 * S[c] * S[c]) / (qc * qc) -
        (0.5 * tau2) / qc +
        dA / (qc * qc) -
        (dB * S[c] * tau2) / (qc * qc);
      gTau2 +=
        (0.5 * S[c] * S[c]) / (qc * qc) -
        (0.5 * W[c]) / qc -
        (dA * W[c] * W[c]) / (qc * qc) -
        (dB * S[c] * W[c]) / (qc * qc);
      for (let k = cellStart[c]; k < cellStart[c + 1]; k++) {
        const i = cellRows[k];
        const e = y[i] - eta[i];
        gEta[i] = w[i] * (e - gS);
        if (hasSigma) {
          const gw = gS * e - 0.5 * e * e + gW + 0.5 / w[i];
          gSigma2 -= w[i] * w[i] * gw;
        }
      }
    }
    // chain rule to the intercept and the non-centred group effects
    for (let i = 0; i < N; i++) grad[0] += gEta[i];
    const b0 = interceptOf(theta);
    lp += priorLogDensity(pIntercept, b0, pg);
    const dB0 = pg[1];
    grad[0] += dB0;
    terms.forEach((t, k) => {
      const sd = Math.exp(theta[t.sdOff]);
      const m = zMean[k];
      let gsd = 0;
      let gTot = 0;
      for (let i = 0; i < N; i++) {
        const l = t.idx[i];
        if (l < 0) continue;
        grad[t.zOff + l] += sd * gEta[i];
        gTot += gEta[i];
        gsd += (theta[t.zOff + l] - m) * gEta[i];
      }
      for (let l = 0; l < t.n; l++) {
        const z = theta[t.zOff + l];
        lp -= 0.5 * z * z;
        grad[t.zOff + l] -= z + (sd * (gTot + dB0)) / t.n;
      }
      lp += priorLogDensity(t.prior, sd, pg) + theta[t.sdOff];
      grad[t.sdOff] += sd * gsd - dB0 * sd * m + sd * pg[1] + 1;
    });
    lp += priorLogDensity(pTau, tau, pg) + theta[tauOff];
    grad[tauOff] += 2 * tau2 * gTau2 + tau * pg[1] + 1;
    if (pCat) {
      lp += priorLogDensity(pCat, s, pg) + theta[catOff];
      grad[catOff] += 2 * s2 * gS2 + s * pg[1] + 1;
    }
    if (hasSigma) {
      lp += priorLogDensity(pSigma, sigma, pg) + theta[sigmaOff];
      grad[sigmaOff] += 2 * sigma2 * gSigma2 + sigma * pg[1] + 1;
    }
    for (let c = xiCatOff; c < dim; c++) {
      const x = theta[c];
      lp -= 0.5 * x * x;
      grad[c] -= x;
    }
    return Number.isFinite(lp) ? lp : Number.NEGATIVE_INFINITY;
  };

  // reported variables: the reference model's names, filled by name
  const variableNames = ref.variableNames;
  const slot = new Map(variableNames.map((v, i) => [v, i]));
  const levelSlots = (g: GroupInfo) =>
    Int32Array.from(g.levels, (lv) => slot.get(`r_${g.group}[${lv.join('_')},Intercept]`) ?? -1);
  const sdSlot = others.map((g) => slot.get(`sd_${g.group}__Intercept`) ?? -1);
  const rSlot = others.map(levelSlots);
  const cellSlot = levelSlots(cellGroup);
  const catSlot = catGroup ? levelSlots(catGroup) : new Int32Array(0);
  const rCat = new Float64Array(Math.max(K, 1));
  const writeVariables = (theta: Float64Array, out: Float64Array): void => {
    out.fill(Number.NaN);
    const set = (name: string, v: number) => {
      const k = slot.get(name);
      if (k !== undefined) out[k] = v;
    };
    computeEta(theta);
    set('b_Intercept', interceptOf(theta));
    terms.forEach((t, k) => {
      const sd = Math.exp(theta[t.sdOff]);
      if (sdSlot[k] >= 0) out[sdSlot[k]] = sd;
      for (let l = 0; l < t.n; l++) if (rSlot[k][l] >= 0) out[rSlot[k][l]] = sd * theta[t.zOff + l];
    });
    const tau = Math.exp(theta[tauOff]);
    const tau2 = tau * tau;
    set(`sd_${cellGroup.group}__Intercept`, tau);
    const s = catGroup ? Math.exp(theta[catOff]) : 0;
    if (catGroup) set(`sd_${catGroup.group}__Intercept`, s);
    const sigma = hasSigma ? Math.exp(theta[sigmaOff]) : 0;
    if (hasSigma) set('sigma', sigma);
    computeEta(theta);
    weights(sigma * sigma);
    cellSums(tau2, s * s);
    for (let j = 0; j < K; j++) {
      const kap = (s * s) / (1 + A[j] * s * s);
      rCat[j] = kap * B[j] + Math.sqrt(kap) * theta[xiCatOff + j];
      if (catSlot[j] >= 0) out[catSlot[j]] = rCat[j];
    }
    for (let c = 0; c < C; c++) {
      const rc = K > 0 ? rCat[catOfCell[c]] : 0;
      const kk = tau2 / q[c];
      const sPrime = S[c] - W[c] * rc;
      if (cellSlot[c] >= 0) out[cellSlot[c]] = kk * sPrime + Math.sqrt(kk) * theta[xiOff + c];
    }
  };

  let ySum = 0;
  for (let i = 0; i < N; i++) ySum += y[i];
  const yMean = ySum / N;
  let ySs = 0;
  for (let i = 0; i < N; i++) ySs += (y[i] - yMean) ** 2;
  const ySd = N > 1 && ySs > 0 ? Math.sqrt(ySs / (N - 1)) : 1;
  const inits = (chains: number, seed: number): Float64Array[] =>
    Array.from({ length: chains }, (_, c) => {
      const rng = createNormalRng(seed * 7919 + c + 1);
      const th = new Float64Array(dim);
      const u = () => Math.tanh(rng.normal()); // in (-1, 1)
      for (let j = 0; j < dim; j++) th[j] = u();
      th[0] = yMean + 0.1 * ySd * u();
      const logScale = Math.log(0.5 * ySd);
      for (const t of terms) th[t.sdOff] = logScale + 0.3 * u();
      if (catOff >= 0) th[catOff] = logScale + 0.3 * u();
      th[tauOff] = logScale + 0.3 * u();
      if (sigmaOff >= 0) th[sigmaOff] = logScale + 0.3 * u();
      return th;
    });

  return {
    dim,
    parameterNames,
    variableNames,
    inits,
    groups: ref.groups,
    priors: ref.priors,
    spec,
    table,
    logDensityGradient,
    writeVariables,
  };
}
