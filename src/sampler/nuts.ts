import { logAddExp } from '../math/logsumexp.js';
import type { Rng } from '../math/rng.js';
import { leapfrog, safeLogDensity } from './leapfrog.js';
import { type Metric, refreshMomentum, velocity } from './metric.js';
import type { LogDensity } from './types.js';

/** Divergence threshold on the energy increase H − H0 (docs/ALGORITHMS.md §2.1, Stan's max_deltaH). */
export const MAX_DELTA_H = 1000;

/**
 * The chain's state between transitions: position, its log density and gradient (cached so a
 * transition does not re-evaluate the start point).
 *
 * @example
 * const state = createHmcState(model, new Float64Array([0, 0]));
 */
export interface HmcState {
  position: Float64Array;
  logDensity: number;
  grad: Float64Array;
}

/** Tuning parameters of one NUTS transition (separate from state and info). */
export interface NutsParams {
  stepSize: number;
  metric: Metric;
  maxTreeDepth: number;
  /** Step-size jitter j in [0, 1) (docs/ALGORITHMS.md §2.1); 0 or absent: no jitter, no random draw. */
  jitter?: number;
  /**
   * Debug switch: false disables the extra cross-subtree U-turn checks of Stan PR #2800
   * (docs/ALGORITHMS.md §2.3, §9.5). Default true. Never turn it off outside tests.
   */
  crossChecks?: boolean;
}

/** What one transition reports (docs/ALGORITHMS.md §2.4, Stan's sampler params). */
export interface NutsInfo {
  acceptStat: number;
  treeDepth: number;
  nLeapfrog: number;
  divergent: boolean;
  energy: number;
  /** The step size actually used (after jitter). */
  stepSize: number;
  /**
   * Position of the selected draw in the trajectory, in leapfrog steps from the start point (0: the
   * chain did not move; negative: backward in time). nuts-rs's `index_in_trajectory`, which the
   * Fisher adaptation (fisher.ts) uses to skip draws that did not move.
   */
  sampleIndex: number;
}

/**
 * Build the state at a position (one density evaluation).
 *
 * @example
 * createHmcState(model, new Float64Array(model.dim));
 */
export function createHmcState(model: LogDensity, position: Float64Array): HmcState {
  const q = Float64Array.from(position);
  const grad = new Float64Array(q.length);
  let lp: number;
  try {
    lp = model.logDensityGradient(q, grad);
  } catch {
    lp = Number.NEGATIVE_INFINITY;
  }
  return { position: q, logDensity: !Number.isNaN(lp) ? lp : Number.NEGATIVE_INFINITY, grad };
}

/** A completed subtree in the iterative builder (buffers are swapped between slots, never reallocated). */
interface Slot extends SubtreeEnds {
  q: Float64Array;
  grad: Float64Array;
  rho: Float64Array;
  pBeg: Float64Array;
  vBeg: Float64Array;
  pEnd: Float64Array;
  vEnd: Float64Array;
  logW: number;
  lp: number;
  energy: number;
  /** Trajectory index of the subtree's selected state (NutsInfo.sampleIndex). */
  idx: number;
}

/** One end of the trajectory: the phase-space point that the builder walks outward. */
interface Cursor {
  q: Float64Array;
  p: Float64Array;
  grad: Float64Array;
  v: Float64Array;
  lp: number;
}

/**
 * Preallocated buffers for NUTS transitions of one chain, so the hot path allocates nothing.
 *
 * @example
 * const ws = createNutsWorkspace(model.dim, 10);
 */
export interface NutsWorkspace {
  readonly dim: number;
  readonly maxDepth: number;
  fwd: Cursor;
  bwd: Cursor;
  slots: Slot[];
  free: Int32Array;
  nFree: number;
  stack: Int32Array;
  p0: Float64Array;
  v0: Float64Array;
  rho: Float64Array;
  rhoF: Float64Array;
  rhoB: Float64Array;
  pFF: Float64Array;
  vFF: Float64Array;
  pFB: Float64Array;
  vFB: Float64Array;
  pBF: Float64Array;
  vBF: Float64Array;
  pBB: Float64Array;
  vBB: Float64Array;
  tmp: Float64Array;
  sampleQ: Float64Array;
  sampleGrad: Float64Array;
  // transition-wide accumulators
  /** Leapfrog steps built so far forward / backward of the start point (for trajectory indices). */
  extFwd: number;
  extBwd: number;
  nLeapfrog: number;
  sumAccept: number;
  divergent: boolean;
}

function makeSlot(d: number): Slot {
  return {
    q: new Float64Array(d),
    grad: new Float64Array(d),
    rho: new Float64Array(d),
    pBeg: new Float64Array(d),
    vBeg: new Float64Array(d),
    pEnd: new Float64Array(d),
    vEnd: new Float64Array(d),
    logW: 0,
    lp: 0,
    energy: 0,
    idx: 0,
  };
}

function makeCursor(d: number): Cursor {
  return {
    q: new Float64Array(d),
    p: new Float64Array(d),
    grad: new Float64Array(d),
    v: new Float64Array(d),
    lp: 0,
  };
}

/**
 * Allocate the buffers of one chain's NUTS transitions (dimension d, trees up to maxDepth).
 *
 * @example
 * const ws = createNutsWorkspace(2, 10);
 */
export function createNutsWorkspace(dim: number, maxDepth: number): NutsWorkspace {
  const nSlots = maxDepth + 2;
  const slots: Slot[] = [];
  const free = new Int32Array(nSlots);
  for (let i = 0; i < nSlots; i++) {
    slots.push(makeSlot(dim));
    free[i] = i;
  }
  const f = () => new Float64Array(dim);
  return {
    dim,
    maxDepth,
    fwd: makeCursor(dim),
    bwd: makeCursor(dim),
    slots,
    free,
    nFree: nSlots,
    stack: new Int32Array(nSlots),
    p0: f(),
    v0: f(),
    rho: f(),
    rhoF: f(),
    rhoB: f(),
    pFF: f(),
    vFF: f(),
    pFB: f(),
    vFB: f(),
    pBF: f(),
    vBF: f(),
    pBB: f(),
    vBB: f(),
    tmp: f(),
    sampleQ: f(),
    sampleGrad: f(),
    extFwd: 0,
    extBwd: 0,
    nLeapfrog: 0,
    sumAccept: 0,
    divergent: false,
  };
}

function dot(a: Float64Array, b: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += a[i] * b[i];
  return s;
}

/**
 * The generalized no-U-turn criterion (docs/ALGORITHMS.md §2.2): a block with momentum sum ρ and end
 * velocities vA, vB keeps going iff vA·ρ > 0 and vB·ρ > 0 (strict).
 *
 * @example
 * uturnContinues(new Float64Array([1, 0]), new Float64Array([0, 1]), new Float64Array([1, 1])); // true
 */
export function uturnContinues(vA: Float64Array, vB: Float64Array, rho: Float64Array): boolean {
  const d = rho.length;
  return dot(vA, rho, d) > 0 && dot(vB, rho, d) > 0;
}

/** The parts of a subtree the U-turn checks look at (momentum sum, boundary momenta and velocities). */
export interface SubtreeEnds {
  rho: Float64Array;
  pBeg: Float64Array;
  vBeg: Float64Array;
  pEnd: Float64Array;
  vEnd: Float64Array;
}

/**
 * Validity of merging two adjacent subtrees L (earlier in build order) and R (docs/ALGORITHMS.md §2.3 step 6):
 * the whole-subtree check plus, when `crossChecks`, the two extra cross-subtree checks of Stan PR #2800:
 * ends (L.beg, R.beg) with sum ρ_L + p_{R,beg}, and ends (L.end, R.end) with sum ρ_R + p_{L,end}.
 *
 * @example
 * // §9.5: L = (1,0),(0,1); R = (-1.1,0.2),(1,0.5) -> false with cross checks, true without
 * mergeCriterion(left, right, true);
 */
export function mergeCriterion(l: SubtreeEnds, r: SubtreeEnds, crossChecks: boolean): boolean {
  return uturnChecks(
    l.rho,
    l.vBeg,
    l.pEnd,
    l.vEnd,
    r.rho,
    r.pBeg,
    r.vBeg,
    r.vEnd,
    crossChecks,
    null,
  );
}

/**
 * All three checks of a merge in one pass (no temporaries): sums are formed element by element exactly
 * as `tmp = a + b; dot(v, tmp)` would, so results are bit-identical to the unfused form. When `out` is
 * given it receives ρ_L + ρ_R (it may be ρ_R itself: each element is read before it is written).
 */
function uturnChecks(
  lRho: Float64Array,
  lvBeg: Float64Array,
  lpEnd: Float64Array,
  lvEnd: Float64Array,
  rRho: Float64Array,
  rpBeg: Float64Array,
  rvBeg: Float64Array,
  rvEnd: Float64Array,
  crossChecks: boolean,
  out: Float64Array | null,
): boolean {
  const d = lRho.length;
  let s1 = 0;
  let s2 = 0;
  if (!crossChecks) {
    for (let i = 0; i < d; i++) {
      const a = lRho[i] + rRho[i];
      s1 += lvBeg[i] * a;
      s2 += rvEnd[i] * a;
      if (out !== null) out[i] = a;
    }
    return s1 > 0 && s2 > 0;
  }
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  for (let i = 0; i < d; i++) {
    const lr = lRho[i];
    const rr = rRho[i];
    const a = lr + rr; // whole subtree
    const b = lr + rpBeg[i]; // left half + first state of the right half
    const c = rr + lpEnd[i]; // last state of the left half + right half
    s1 += lvBeg[i] * a;
    s2 += rvEnd[i] * a;
    s3 += lvBeg[i] * b;
    s4 += rvBeg[i] * b;
    s5 += lvEnd[i] * c;
    s6 += rvEnd[i] * c;
    if (out !== null) out[i] = a;
  }
  return s1 > 0 && s2 > 0 && s3 > 0 && s4 > 0 && s5 > 0 && s6 > 0;
}

/**
 * Iterative `buildTree(depth, sign)` (docs/ALGORITHMS.md §2.3): appends 2^depth leapfrog states from the
 * cursor. Subtrees are merged in post-order with a binary counter, so random draws happen in the same
 * order as in Stan's recursion. Returns the slot index of the finished subtree, or -1 if invalid
 * (divergence or an internal U-turn); accumulates nLeapfrog/sumAccept/divergent in `ws`.
 */
function buildTree(
  model: LogDensity,
  rng: Rng,
  metric: Metric,
  h: number,
  depth: number,
  cur: Cursor,
  H0: number,
  crossChecks: boolean,
  ws: NutsWorkspace,
): number {
  const d = ws.dim;
  const n = 1 << depth;
  const slots = ws.slots;
  const stack = ws.stack;
  const diag = metric.kind === 'diag';
  const m = metric.invMetric;
  const half = 0.5 * h;
  let top = 0;
  for (let i = 0; i < n; i++) {
    // base case: one leapfrog step, then the new leaf subtree in a free slot
    const ri = ws.free[--ws.nFree];
    const r = slots[ri];
    let lp: number;
    let kinetic2 = 0; // p·v = 2 T
    if (diag) {
      // The diagonal leapfrog of leapfrog.ts with its closing half kick fused with the kinetic
      // energy and the copies into the leaf slot: the same operations in the same order as
      // leapfrog() followed by dot(p, v), so the numbers are bit-identical, in one pass over the
      // coordinates instead of three.
      const cq = cur.q;
      const cg = cur.grad;
      const cp = cur.p;
      const cv = cur.v;
      for (let k = 0; k < d; k++) {
        const pk = cp[k] + half * cg[k];
        cp[k] = pk;
        cq[k] += h * (m[k] * pk);
      }
      lp = safeLogDensity(model, cq, cg);
      const rq = r.q;
      const rg = r.grad;
      const rr = r.rho;
      // Every leaf at depth >= 1 is merged with its sibling first (the plain check, see below),
      // which reads rho and the outer edge of each leaf only, and the merged subtree keeps the left
      // leaf's beginning and the right leaf's end: a left leaf's end and a right leaf's beginning
      // are never read, so the pass writes the outer edge only. A one-leaf subtree (depth 0) is
      // returned as is, so its other edge is copied after the pass.
      const outerBeg = depth === 0 || (i & 1) === 0;
      const ep = outerBeg ? r.pBeg : r.pEnd;
      const ev = outerBeg ? r.vBeg : r.vEnd;
      for (let k = 0; k < d; k++) {
        const pk = cp[k] + half * cg[k];
        const vk = m[k] * pk;
        cp[k] = pk;
        cv[k] = vk;
        kinetic2 += pk * vk;
        rq[k] = cq[k];
        rg[k] = cg[k];
        rr[k] = pk;
        ep[k] = pk;
        ev[k] = vk;
      }
      if (depth === 0) {
        r.pEnd.set(r.pBeg);
        r.vEnd.set(r.vBeg);
      }
    } else {
      lp = leapfrog(model, metric, cur.q, cur.p, cur.grad, cur.v, h);
      kinetic2 = dot(cur.p, cur.v, d);
    }
    cur.lp = lp;
    ws.nLeapfrog++;
    let energy = -lp + 0.5 * kinetic2;
    if (Number.isNaN(energy)) energy = Number.POSITIVE_INFINITY;
    const dH = H0 - energy;
    if (-dH > MAX_DELTA_H) ws.divergent = true;
    ws.sumAccept += dH > 0 ? 1 : Math.exp(dH);
    if (ws.divergent) {
      ws.free[ws.nFree++] = ri;
      while (top > 0) ws.free[ws.nFree++] = stack[--top];
      return -1;
    }
    if (!diag) {
      // one pass instead of seven TypedArray.set calls (cheaper for small d)
      const cq = cur.q;
      const cg = cur.grad;
      const cp = cur.p;
      const cv = cur.v;
      const rq = r.q;
      const rg = r.grad;
      const rr = r.rho;
      const rpb = r.pBeg;
      const rpe = r.pEnd;
      const rvb = r.vBeg;
      const rve = r.vEnd;
      for (let k = 0; k < d; k++) {
        const pk = cp[k];
        const vk = cv[k];
        rq[k] = cq[k];
        rg[k] = cg[k];
        rr[k] = pk;
        rpb[k] = pk;
        rpe[k] = pk;
        rvb[k] = vk;
        rve[k] = vk;
      }
    }
    r.logW = dH;
    r.lp = lp;
    r.energy = energy;
    r.idx = h > 0 ? ws.extFwd + i + 1 : -(ws.extBwd + i + 1);
    // merge with completed left siblings: one merge per trailing 1 bit of i
    let j = i;
    // The first merge joins two single leaves (half of all merges). Each leaf's rho, pBeg and pEnd
    // are its p and vBeg, vEnd its v, so the two cross-subtree sums equal the whole-subtree sum
    // (p_L + p_R; IEEE addition commutes) and the four cross checks repeat its two dot products
    // bit for bit: the plain check gives the same verdict with a third of the work.
    let leafPair = true;
    while (j & 1) {
      const li = stack[--top];
      const l = slots[li];
      const logW = logAddExp(l.logW, r.logW);
      // uniform progressive sampling: default L's proposal, take R's with prob w_R / (w_L + w_R)
      let takeR: boolean;
      if (r.logW > logW) takeR = true;
      else takeR = rng.uniform() < Math.exp(r.logW - logW);
      // checks on the unmerged halves; r.rho becomes ρ_L + ρ_R in the same pass
      const valid = uturnChecks(
        l.rho,
        l.vBeg,
        l.pEnd,
        l.vEnd,
        r.rho,
        r.pBeg,
        r.vBeg,
        r.vEnd,
        crossChecks && !leafPair,
        r.rho,
      );
      leafPair = false;
      if (!takeR) {
        const tq = l.q;
        l.q = r.q;
        r.q = tq;
        const tg = l.grad;
        l.grad = r.grad;
        r.grad = tg;
        r.lp = l.lp;
        r.energy = l.energy;
        r.idx = l.idx;
      }
      // the merged subtree begins where L began
      const tp = l.pBeg;
      l.pBeg = r.pBeg;
      r.pBeg = tp;
      const tv = l.vBeg;
      l.vBeg = r.vBeg;
      r.vBeg = tv;
      r.logW = logW;
      ws.free[ws.nFree++] = li;
      if (!valid) {
        ws.free[ws.nFree++] = ri;
        while (top > 0) ws.free[ws.nFree++] = stack[--top];
        return -1;
      }
      j >>= 1;
    }
    stack[top++] = ri;
  }
  return stack[--top];
}

function copyCursor(from: Cursor, to: Cursor): void {
  to.q.set(from.q);
  to.p.set(from.p);
  to.grad.set(from.grad);
  to.v.set(from.v);
  to.lp = from.lp;
}

/**
 * One NUTS transition exactly as Stan's `base_nuts::transition` (docs/ALGORITHMS.md §2.4): multinomial
 * sampling, biased progressive sampling at the top level, uniform progressive sampling inside subtrees,
 * the generalized U-turn criterion with the extra cross-subtree checks, divergence when H − H0 > 1000
 * (NaN energy = +∞). Updates `state` in place and fills `info`; returns both. Allocates nothing.
 *
 * Random numbers: d normals for the momentum, one uniform per doubling for the direction (> 0.5 is
 * forward), one per internal merge (post-order), one for the top-level acceptance when needed.
 *
 * @example
 * const ws = createNutsWorkspace(model.dim, 10);
 * const info = createNutsInfo();
 * nutsTransition(model, createRng(1, 0), state, { stepSize: 0.5, metric: unitMetric('diag', model.dim), maxTreeDepth: 10 }, ws, info);
 */
export function nutsTransition(
  model: LogDensity,
  rng: Rng,
  state: HmcState,
  params: NutsParams,
  ws: NutsWorkspace,
  info: NutsInfo,
): { state: HmcState; info: NutsInfo } {
  const d = ws.dim;
  const metric = params.metric;
  const jitter = params.jitter ?? 0;
  // Stan's sample_stepsize: ε = ε_nominal (1 + j (2U − 1)), drawn before the momentum
  const eps =
    jitter > 0 ? params.stepSize * (1 + jitter * (2 * rng.uniform() - 1)) : params.stepSize;
  const maxDepth = Math.min(params.maxTreeDepth, ws.maxDepth);
  const cross = params.crossChecks !== false;
  const fwd = ws.fwd;
  const bwd = ws.bwd;

  refreshMomentum(metric, rng, ws.p0);
  velocity(metric, ws.p0, ws.v0);
  const H0 = -state.logDensity + 0.5 * dot(ws.p0, ws.v0, d);

  fwd.q.set(state.position);
  fwd.p.set(ws.p0);
  fwd.grad.set(state.grad);
  fwd.v.set(ws.v0);
  fwd.lp = state.logDensity;
  copyCursor(fwd, bwd);

  ws.sampleQ.set(state.position);
  ws.sampleGrad.set(state.grad);
  let sampleLp = state.logDensity;
  let sampleEnergy = H0;
  let sampleIndex = 0;

  ws.pFF.set(ws.p0);
  ws.pFB.set(ws.p0);
  ws.pBF.set(ws.p0);
  ws.pBB.set(ws.p0);
  ws.vFF.set(ws.v0);
  ws.vFB.set(ws.v0);
  ws.vBF.set(ws.v0);
  ws.vBB.set(ws.v0);
  ws.rho.set(ws.p0);
  let logW = 0;
  ws.nLeapfrog = 0;
  ws.sumAccept = 0;
  ws.divergent = false;
  ws.extFwd = 0;
  ws.extBwd = 0;
  let depth = 0;

  while (depth < maxDepth) {
    let si: number;
    if (rng.uniform() > 0.5) {
      ws.rhoB.set(ws.rho);
      ws.pBF.set(ws.pFF);
      ws.vBF.set(ws.vFF);
      si = buildTree(model, rng, metric, eps, depth, fwd, H0, cross, ws);
      if (si < 0) break;
      ws.extFwd += 1 << depth;
      const s = ws.slots[si];
      ws.rhoF.set(s.rho);
      ws.pFB.set(s.pBeg);
      ws.vFB.set(s.vBeg);
      ws.pFF.set(s.pEnd);
      ws.vFF.set(s.vEnd);
    } else {
      ws.rhoF.set(ws.rho);
      ws.pFB.set(ws.pBB);
      ws.vFB.set(ws.vBB);
      si = buildTree(model, rng, metric, -eps, depth, bwd, H0, cross, ws);
      if (si < 0) break;
      ws.extBwd += 1 << depth;
      const s = ws.slots[si];
      ws.rhoB.set(s.rho);
      ws.pBF.set(s.pBeg);
      ws.vBF.set(s.vBeg);
      ws.pBB.set(s.pEnd);
      ws.vBB.set(s.vEnd);
    }
    depth++;
    const sub = ws.slots[si];
    // biased progressive sampling (docs/ALGORITHMS.md §2.4 step 5)
    let take: boolean;
    if (sub.logW > logW) take = true;
    else take = rng.uniform() < Math.exp(sub.logW - logW);
    if (take) {
      const tq = ws.sampleQ;
      ws.sampleQ = sub.q;
      sub.q = tq;
      const tg = ws.sampleGrad;
      ws.sampleGrad = sub.grad;
      sub.grad = tg;
      sampleLp = sub.lp;
      sampleEnergy = sub.energy;
      sampleIndex = sub.idx;
    }
    logW = logAddExp(logW, sub.logW);
    ws.free[ws.nFree++] = si;
    // trajectory = backward part (outer end pBB, inner end pBF) + forward part (inner pFB, outer pFF):
    // the same three checks as a merge; ρ ← ρB + ρF in the same pass
    const persist = uturnChecks(
      ws.rhoB,
      ws.vBB,
      ws.pBF,
      ws.vBF,
      ws.rhoF,
      ws.pFB,
      ws.vFB,
      ws.vFF,
      cross,
      ws.rho,
    );
    if (!persist) break;
  }

  state.position.set(ws.sampleQ);
  state.grad.set(ws.sampleGrad);
  state.logDensity = sampleLp;
  info.acceptStat = ws.nLeapfrog > 0 ? ws.sumAccept / ws.nLeapfrog : 0;
  info.treeDepth = depth;
  info.nLeapfrog = ws.nLeapfrog;
  info.divergent = ws.divergent;
  info.energy = sampleEnergy;
  info.stepSize = eps;
  info.sampleIndex = sampleIndex;
  return { state, info };
}

/**
 * A zeroed info record to pass to `nutsTransition` (reused every iteration).
 *
 * @example
 * const info = createNutsInfo();
 */
export function createNutsInfo(): NutsInfo {
  return {
    acceptStat: 0,
    treeDepth: 0,
    nLeapfrog: 0,
    divergent: false,
    energy: 0,
    stepSize: 0,
    sampleIndex: 0,
  };
}
