import { describe, expect, it } from 'vitest';
import { logAddExp } from '../../src/math/logsumexp.js';
import { createRng, forcedRng, type Rng } from '../../src/math/rng.js';
import { leapfrog } from '../../src/sampler/leapfrog.js';
import {
  cholesky,
  createMetric,
  kineticEnergy,
  type Metric,
  refreshMomentum,
  unitMetric,
  velocity,
} from '../../src/sampler/metric.js';
import {
  createHmcState,
  createNutsInfo,
  createNutsWorkspace,
  mergeCriterion,
  nutsTransition,
  type SubtreeEnds,
} from '../../src/sampler/nuts.js';
import type { LogDensity } from '../../src/sampler/types.js';
import { correlated2d, diagNormal, funnel, stdNormal } from './helpers/models.js';

const f = (...x: number[]) => Float64Array.from(x);

describe('leapfrog', () => {
  it('§9.1: one step from q = 1, p = 0.5, eps = 0.5 on a 1-D standard normal (exact in binary)', () => {
    const model = stdNormal(1);
    const q = f(1);
    const p = f(0.5);
    const g = f(-1);
    const v = f(0);
    const lp = leapfrog(model, unitMetric('diag', 1), q, p, g, v, 0.5);
    expect(q[0]).toBe(1.125);
    expect(p[0]).toBe(-0.03125);
    expect(-lp + 0.5 * p[0] * p[0]).toBe(0.63330078125);
  });

  it('is reversible: n steps forward, flip momentum, n steps forward, flip: back to start', () => {
    const model = diagNormal([0.5, 1, 2, 3]);
    for (const kind of ['diag', 'dense'] as const) {
      const metric =
        kind === 'diag'
          ? createMetric('diag', f(0.3, 1, 2, 7))
          : createMetric('dense', f(2, 0.5, 0, 0, 0.5, 1, 0.2, 0, 0, 0.2, 3, 0.1, 0, 0, 0.1, 4));
      const rng = createRng(3, 0);
      for (let rep = 0; rep < 20; rep++) {
        const q0 = Float64Array.from({ length: 4 }, () => rng.normal());
        const p0 = Float64Array.from({ length: 4 }, () => rng.normal());
        const q = Float64Array.from(q0);
        const p = Float64Array.from(p0);
        const g = new Float64Array(4);
        const v = new Float64Array(4);
        model.logDensityGradient(q, g);
        for (let i = 0; i < 25; i++) leapfrog(model, metric, q, p, g, v, 0.2);
        for (let i = 0; i < 4; i++) p[i] = -p[i];
        for (let i = 0; i < 25; i++) leapfrog(model, metric, q, p, g, v, 0.2);
        for (let i = 0; i < 4; i++) {
          // 1e-12: 50 steps of O(1) arithmetic accumulate only a few ulps of rounding (ALGORITHMS §10)
          expect(Math.abs(q[i] - q0[i])).toBeLessThan(1e-12 * (1 + Math.abs(q0[i])));
          expect(Math.abs(-p[i] - p0[i])).toBeLessThan(1e-12 * (1 + Math.abs(p0[i])));
        }
      }
    }
  });

  it('matches the exact solution of the harmonic oscillator (discrete map and continuous flow)', () => {
    const model = stdNormal(1);
    const metric = unitMetric('diag', 1);
    for (const eps of [0.01, 0.1, 0.5, 1.3]) {
      const q0 = 0.7;
      const p0 = -1.2;
      const q = f(q0);
      const p = f(p0);
      const g = f(-q0);
      const v = f(0);
      const n = 100;
      for (let i = 0; i < n; i++) leapfrog(model, metric, q, p, g, v, eps);
      // Leapfrog on V = q²/2 is the linear map [[c, e], [-e(1-e²/4), c]], c = 1 - e²/2 = cos θ, det 1:
      // its n-th power is cos(nθ) I + sin(nθ)/sin θ (M - cos θ I).
      const th = Math.acos(1 - (eps * eps) / 2);
      const s = Math.sin(n * th) / Math.sin(th);
      const qn = q0 * Math.cos(n * th) + p0 * eps * s;
      const pn = -q0 * eps * (1 - (eps * eps) / 4) * s + p0 * Math.cos(n * th);
      // 1e-11: 100 steps, a few ulps each, plus the acos/sin evaluation
      expect(Math.abs(q[0] - qn)).toBeLessThan(1e-11);
      expect(Math.abs(p[0] - pn)).toBeLessThan(1e-11);
      if (eps === 0.01) {
        // continuous flow q(t) = q0 cos t + p0 sin t at t = n eps; leapfrog's global error is O(eps²·t),
        // 1e-4 is ~10x the bound eps²·t·|z| for t = 1
        const t = n * eps;
        expect(Math.abs(q[0] - (q0 * Math.cos(t) + p0 * Math.sin(t)))).toBeLessThan(1e-4);
        expect(Math.abs(p[0] - (-q0 * Math.sin(t) + p0 * Math.cos(t)))).toBeLessThan(1e-4);
      }
    }
  });

  it('energy error on a Gaussian trajectory scales like eps² (halving eps cuts it ~4x)', () => {
    const model = diagNormal([1, 2]);
    const metric = unitMetric('diag', 2);
    const maxErr = (eps: number): number => {
      const q = f(1, -1);
      const p = f(0.5, 1);
      const g = new Float64Array(2);
      const v = new Float64Array(2);
      let lp = model.logDensityGradient(q, g);
      const h0 = -lp + kineticEnergy(metric, p);
      let m = 0;
      for (let i = 0; i < Math.round(4 / eps); i++) {
        lp = leapfrog(model, metric, q, p, g, v, eps);
        m = Math.max(m, Math.abs(-lp + kineticEnergy(metric, p) - h0));
      }
      return m;
    };
    const r = maxErr(0.2) / maxErr(0.1);
    // ratio 4 for an exactly quadratic error; [3, 5] leaves room for the O(eps⁴) terms
    expect(r).toBeGreaterThan(3);
    expect(r).toBeLessThan(5);
  });
});

describe('metric', () => {
  it('§9.5 dense: Minv = [[4,2],[2,3]] has L = [[2,0],[1,√2]] and T(L⁻ᵀu) = ½‖u‖²', () => {
    const l = cholesky(f(4, 2, 2, 3), 2);
    expect(Array.from(l)).toEqual([2, 0, 1, Math.SQRT2]);
    const m = createMetric('dense', f(4, 2, 2, 3));
    const rng = createRng(9, 0);
    for (let k = 0; k < 50; k++) {
      const u = [rng.normal(), rng.normal()];
      const p = new Float64Array(2);
      refreshMomentum(m, forcedRng({ uniforms: [0.5], normals: [u[0], u[1]] }), p);
      const t = kineticEnergy(m, p);
      // rounding only: a handful of flops on O(1) values
      expect(Math.abs(t - 0.5 * (u[0] ** 2 + u[1] ** 2))).toBeLessThan(1e-13 * (1 + t));
    }
  });

  it('diag velocity and kinetic energy', () => {
    const m = createMetric('diag', f(2, 3));
    const v = new Float64Array(2);
    velocity(m, f(1, -1), v);
    expect(Array.from(v)).toEqual([2, -3]);
    expect(kineticEnergy(m, f(1, -1))).toBe(2.5);
  });
});

function forced(u: number): Rng {
  return forcedRng({ uniforms: [u], normals: [1] });
}

describe('NUTS transition with injected randomness (§9.2)', () => {
  const model = stdNormal(1);
  const run = (u: number) => {
    const state = createHmcState(model, f(0));
    const ws = createNutsWorkspace(1, 10);
    const info = createNutsInfo();
    nutsTransition(
      model,
      forced(u),
      state,
      { stepSize: 0.5, metric: unitMetric('diag', 1), maxTreeDepth: 10 },
      ws,
      info,
    );
    return { state, info };
  };

  it('uniforms 0.99: forward, depth 3, 7 leapfrogs, selects state 4', () => {
    for (const u of [0.99, 0.51]) {
      const { state, info } = run(u);
      expect(info.treeDepth).toBe(3);
      expect(info.nLeapfrog).toBe(7);
      expect(info.divergent).toBe(false);
      // 1e-14: the table value is printed to 15 significant digits
      expect(Math.abs(info.acceptStat - 0.984695543130812)).toBeLessThan(1e-14);
      expect(state.position[0]).toBe(0.9296875);
      expect(state.logDensity).toBe(-0.432159423828125);
      expect(info.energy).toBe(0.5270099639892578);
    }
  });

  it('mirror: uniforms 0.01 go backward and select the mirror of state 7', () => {
    const { state, info } = run(0.01);
    expect(info.treeDepth).toBe(3);
    expect(info.nLeapfrog).toBe(7);
    // 1e-12: table values printed to 12 digits
    expect(Math.abs(state.position[0] - 0.398315429688)).toBeLessThan(1e-12);
    expect(Math.abs(info.energy - 0.504957974423)).toBeLessThan(1e-12);
  });

  it('forced forward with random acceptance: selection frequencies match the exact kernel', () => {
    const probs = [0.24598343, 0.24993095, 0.25261752, 0.2514681];
    const qs = [0.9296875, 0.595703125, 0.11279296875, -0.398315429688];
    const counts = [0, 0, 0, 0];
    const base = createRng(11, 0);
    const n = 20000;
    const ws = createNutsWorkspace(1, 10);
    const info = createNutsInfo();
    for (let t = 0; t < n; t++) {
      const state = createHmcState(model, f(0));
      // direction uniform first: return > 0.5 for the three direction draws; acceptance draws random.
      // Draw order (§2.4): dir, [top accept], dir, merge, [top accept], dir, merge, merge, merge, [top].
      let call = 0;
      const r: Rng = {
        normal: () => 1,
        uniform: () => {
          call++;
          // calls 1, 3, 6 are the direction draws of depths 0, 1, 2 (top-level acceptance of depth 0
          // and 1 happens, the last doubling is taken without a draw since its weight dominates)
          if (call === 1 || call === 3 || call === 6) return 0.75;
          return base.uniform();
        },
      };
      nutsTransition(
        model,
        r,
        state,
        { stepSize: 0.5, metric: unitMetric('diag', 1), maxTreeDepth: 10 },
        ws,
        info,
      );
      const idx = qs.findIndex((q) => Math.abs(q - state.position[0]) < 1e-9);
      expect(idx).toBeGreaterThanOrEqual(0);
      counts[idx]++;
    }
    for (let i = 0; i < 4; i++) {
      const se = Math.sqrt((probs[i] * (1 - probs[i])) / n);
      // 4.5 binomial standard errors: a false alarm in < 1e-4 of seeds; the seed is fixed anyway
      expect(Math.abs(counts[i] / n - probs[i])).toBeLessThan(4.5 * se);
    }
  });
});

function ends(states: number[][]): SubtreeEnds {
  const rho = new Float64Array(2);
  for (const s of states) for (let i = 0; i < 2; i++) rho[i] += s[i];
  const beg = Float64Array.from(states[0]);
  const end = Float64Array.from(states[states.length - 1]);
  return { rho, pBeg: beg, vBeg: beg, pEnd: end, vEnd: end };
}

describe('generalized U-turn criterion (§9.5)', () => {
  it('the first cross check catches the U-turn; without the extra checks the merge passes', () => {
    const L = ends([
      [1, 0],
      [0, 1],
    ]);
    const R = ends([
      [-1.1, 0.2],
      [1, 0.5],
    ]);
    expect(mergeCriterion(L, R, true)).toBe(false);
    expect(mergeCriterion(L, R, false)).toBe(true);
  });
  it('boundary: a dot product of exactly 0 counts as a U-turn', () => {
    const L = ends([
      [1, 0],
      [0, 1],
    ]);
    const R = ends([
      [-1, 0.2],
      [1, 0.5],
    ]);
    expect(mergeCriterion(L, R, true)).toBe(false);
    expect(mergeCriterion(L, R, false)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// A recursive textbook NUTS (Betancourt 2017 appendix A / Stan base_nuts::build_tree), written from
// docs/ALGORITHMS.md §2.3-2.4 with plain arrays. It shares only `leapfrog` and `refreshMomentum` with the
// library, so the iterative builder's bookkeeping (post-order merges, slot swapping, edge momenta) is
// checked independently.

interface Z {
  q: Float64Array;
  p: Float64Array;
  g: Float64Array;
  v: Float64Array;
  lp: number;
}
interface Sub {
  valid: boolean;
  prop: { q: Float64Array; lp: number; energy: number } | null;
  logW: number;
  rho: Float64Array;
  pBeg: Float64Array;
  vBeg: Float64Array;
  pEnd: Float64Array;
  vEnd: Float64Array;
}

const copyZ = (z: Z): Z => ({
  q: Float64Array.from(z.q),
  p: Float64Array.from(z.p),
  g: Float64Array.from(z.g),
  v: Float64Array.from(z.v),
  lp: z.lp,
});
const addv = (a: Float64Array, b: Float64Array) => a.map((x, i) => x + b[i]);
const dotv = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const crit = (va: Float64Array, vb: Float64Array, rho: Float64Array) =>
  dotv(va, rho) > 0 && dotv(vb, rho) > 0;

function recursiveNuts(
  model: LogDensity,
  rng: Rng,
  q0: Float64Array,
  metric: Metric,
  eps: number,
  maxDepth: number,
  cross: boolean,
) {
  const d = q0.length;
  const g0 = new Float64Array(d);
  const lp0 = model.logDensityGradient(Float64Array.from(q0), g0);
  const p0 = new Float64Array(d);
  refreshMomentum(metric, rng, p0);
  const v0 = new Float64Array(d);
  velocity(metric, p0, v0);
  const H0 = -lp0 + 0.5 * dotv(p0, v0);
  let nLeap = 0;
  let sumAcc = 0;
  let divergent = false;

  const build = (z: Z, depth: number, h: number): Sub => {
    if (depth === 0) {
      const lp = leapfrog(model, metric, z.q, z.p, z.g, z.v, h);
      z.lp = lp;
      nLeap++;
      let e = -lp + 0.5 * dotv(z.p, z.v);
      if (Number.isNaN(e)) e = Number.POSITIVE_INFINITY;
      if (e - H0 > 1000) divergent = true;
      sumAcc += H0 - e > 0 ? 1 : Math.exp(H0 - e);
      const p = Float64Array.from(z.p);
      const v = Float64Array.from(z.v);
      return {
        valid: !divergent,
        prop: { q: Float64Array.from(z.q), lp, energy: e },
        logW: H0 - e,
        rho: Float64Array.from(p),
        pBeg: p,
        vBeg: v,
        pEnd: p,
        vEnd: v,
      };
    }
    const L = build(z, depth - 1, h);
    if (!L.valid) return L;
    const R = build(z, depth - 1, h);
    if (!R.valid) return R;
    const logW = logAddExp(L.logW, R.logW);
    let prop = L.prop;
    if (R.logW > logW) prop = R.prop;
    else if (rng.uniform() < Math.exp(R.logW - logW)) prop = R.prop;
    const rho = addv(L.rho, R.rho);
    let valid = crit(L.vBeg, R.vEnd, rho);
    if (valid && cross) {
      valid =
        crit(L.vBeg, R.vBeg, addv(L.rho, R.pBeg)) && crit(L.vEnd, R.vEnd, addv(R.rho, L.pEnd));
    }
    return { valid, prop, logW, rho, pBeg: L.pBeg, vBeg: L.vBeg, pEnd: R.pEnd, vEnd: R.vEnd };
  };

  const z0: Z = { q: Float64Array.from(q0), p: p0, g: g0, v: v0, lp: lp0 };
  const zF = copyZ(z0);
  const zB = copyZ(z0);
  let sample = { q: Float64Array.from(q0), lp: lp0, energy: H0 };
  let pFF: Float64Array = p0;
  let vFF: Float64Array = v0;
  let pFB: Float64Array = p0;
  let vFB: Float64Array = v0;
  let pBF: Float64Array = p0;
  let vBF: Float64Array = v0;
  let pBB: Float64Array = p0;
  let vBB: Float64Array = v0;
  let rho = Float64Array.from(p0);
  let logW = 0;
  let depth = 0;
  while (depth < maxDepth) {
    let rhoF: Float64Array;
    let rhoB: Float64Array;
    let sub: Sub;
    if (rng.uniform() > 0.5) {
      rhoB = rho;
      pBF = pFF;
      vBF = vFF;
      sub = build(zF, depth, eps);
      if (!sub.valid) break;
      rhoF = sub.rho;
      pFB = sub.pBeg;
      vFB = sub.vBeg;
      pFF = sub.pEnd;
      vFF = sub.vEnd;
    } else {
      rhoF = rho;
      pFB = pBB;
      vFB = vBB;
      sub = build(zB, depth, -eps);
      if (!sub.valid) break;
      rhoB = sub.rho;
      pBF = sub.pBeg;
      vBF = sub.vBeg;
      pBB = sub.pEnd;
      vBB = sub.vEnd;
    }
    depth++;
    if (sub.logW > logW) sample = sub.prop as typeof sample;
    else if (rng.uniform() < Math.exp(sub.logW - logW)) sample = sub.prop as typeof sample;
    logW = logAddExp(logW, sub.logW);
    rho = addv(rhoB, rhoF);
    let persist = crit(vBB, vFF, rho);
    if (persist && cross) {
      persist = crit(vBB, vFB, addv(rhoB, pFB)) && crit(vBF, vFF, addv(rhoF, pBF));
    }
    if (!persist) break;
  }
  return {
    q: sample.q,
    lp: sample.lp,
    energy: sample.energy,
    depth,
    nLeap,
    accept: sumAcc / nLeap,
    divergent,
  };
}

describe('iterative NUTS == recursive textbook NUTS for the same random numbers', () => {
  const cases: { name: string; model: LogDensity; metric: Metric; eps: number[]; depth: number }[] =
    [
      {
        name: 'iid normal d=2 (near-resonant step sizes exercise the cross checks)',
        model: stdNormal(2),
        metric: unitMetric('diag', 2),
        eps: [0.3, 0.9, 1.4, 1.9, 1.99],
        depth: 10,
      },
      {
        name: 'correlated 2-d, dense metric',
        model: correlated2d(0.9),
        metric: createMetric('dense', f(1, 0.8, 0.8, 1)),
        eps: [0.2, 0.7, 1.5],
        depth: 10,
      },
      {
        name: 'ill-scaled diag normal d=5, small max depth',
        model: diagNormal([0.1, 0.5, 1, 3, 10]),
        metric: createMetric('diag', f(0.02, 0.2, 1, 4, 50)),
        eps: [0.1, 0.5, 2.5],
        depth: 4,
      },
      {
        name: 'funnel d=4 (divergences)',
        model: funnel(4),
        metric: unitMetric('diag', 4),
        eps: [0.2, 0.8, 2],
        depth: 8,
      },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const ws = createNutsWorkspace(c.model.dim, c.depth);
      const info = createNutsInfo();
      const starts = createRng(77, 1);
      let crossChanged = 0;
      let divergences = 0;
      let transitions = 0;
      for (const eps of c.eps) {
        for (let rep = 0; rep < 150; rep++) {
          const q0 = Float64Array.from({ length: c.model.dim }, () => 1.5 * starts.normal());
          for (const cross of [true, false]) {
            const seed = 1000 * rep + Math.round(eps * 100);
            const ref = recursiveNuts(
              c.model,
              createRng(seed, 0),
              q0,
              c.metric,
              eps,
              c.depth,
              cross,
            );
            const state = createHmcState(c.model, q0);
            nutsTransition(
              c.model,
              createRng(seed, 0),
              state,
              { stepSize: eps, metric: c.metric, maxTreeDepth: c.depth, crossChecks: cross },
              ws,
              info,
            );
            expect(Array.from(state.position)).toEqual(Array.from(ref.q));
            expect(state.logDensity).toBe(ref.lp);
            expect(info.energy).toBe(ref.energy);
            expect(info.treeDepth).toBe(ref.depth);
            expect(info.nLeapfrog).toBe(ref.nLeap);
            expect(info.acceptStat).toBe(ref.accept);
            expect(info.divergent).toBe(ref.divergent);
            // invariants of §2.4
            expect(info.nLeapfrog).toBeGreaterThanOrEqual(2 ** info.treeDepth - 1);
            expect(info.nLeapfrog).toBeLessThanOrEqual(2 ** (info.treeDepth + 1) - 1);
            expect(info.acceptStat).toBeGreaterThanOrEqual(0);
            expect(info.acceptStat).toBeLessThanOrEqual(1);
            if (cross) {
              transitions++;
              if (info.divergent) divergences++;
            }
          }
          const a = recursiveNuts(c.model, createRng(5, rep), q0, c.metric, eps, c.depth, true);
          const b = recursiveNuts(c.model, createRng(5, rep), q0, c.metric, eps, c.depth, false);
          if (a.nLeap !== b.nLeap) crossChanged++;
        }
      }
      expect(transitions).toBeGreaterThan(0);
      if (c.name.startsWith('funnel')) expect(divergences).toBeGreaterThan(0);
      if (c.name.startsWith('iid')) expect(crossChanged).toBeGreaterThan(0);
    });
  }
});

describe('affine equivariance (docs/ALGORITHMS.md §10)', () => {
  it('N(mu, diag sd²) with Minv = sd² from mu + sd·u0 is the image of N(0, I) with Minv = I from u0', () => {
    // sd and mu are powers of two so that the affine map is exact in binary floating point
    const sd = [0.25, 1, 4, 8];
    const mu = [1, -2, 0.5, 16];
    const target = diagNormal(sd, mu);
    const base = stdNormal(4);
    const mTarget = createMetric(
      'diag',
      Float64Array.from(sd, (s) => s * s),
    );
    const mBase = unitMetric('diag', 4);
    const u0 = f(0.3, -1.2, 0.8, 0.1);
    const sT = createHmcState(
      target,
      Float64Array.from(u0, (u, i) => mu[i] + sd[i] * u),
    );
    const sB = createHmcState(base, u0);
    const wsT = createNutsWorkspace(4, 10);
    const wsB = createNutsWorkspace(4, 10);
    const iT = createNutsInfo();
    const iB = createNutsInfo();
    const rT = createRng(31, 0);
    const rB = createRng(31, 0);
    let maxDiff = 0;
    for (let t = 0; t < 300; t++) {
      nutsTransition(target, rT, sT, { stepSize: 0.7, metric: mTarget, maxTreeDepth: 10 }, wsT, iT);
      nutsTransition(base, rB, sB, { stepSize: 0.7, metric: mBase, maxTreeDepth: 10 }, wsB, iB);
      expect(iT.nLeapfrog).toBe(iB.nLeapfrog);
      expect(iT.treeDepth).toBe(iB.treeDepth);
      for (let i = 0; i < 4; i++) {
        const mapped = (sT.position[i] - mu[i]) / sd[i];
        maxDiff = Math.max(maxDiff, Math.abs(mapped - sB.position[i]));
      }
    }
    // rounding differs only through the momentum scaling (sqrt of Minv); 1e-9 over 300 transitions
    // (the reference implementation of docs/ALGORITHMS.md saw 5e-15 over 2000)
    expect(maxDiff).toBeLessThan(1e-9);
  });

  it('dense momentum refresh: empirical Cov(p) approaches M = Minv⁻¹', () => {
    const m = createMetric('dense', f(4, 2, 2, 3));
    // M = inverse of [[4,2],[2,3]] = [[3,-2],[-2,4]] / 8
    const M = [3 / 8, -2 / 8, -2 / 8, 4 / 8];
    const rng = createRng(12, 0);
    const p = new Float64Array(2);
    const acc = [0, 0, 0, 0];
    const n = 40000;
    for (let k = 0; k < n; k++) {
      refreshMomentum(m, rng, p);
      acc[0] += p[0] * p[0];
      acc[1] += p[0] * p[1];
      acc[2] += p[1] * p[0];
      acc[3] += p[1] * p[1];
    }
    for (let i = 0; i < 4; i++) {
      // sd of a sample covariance entry is about sqrt((M_ii M_jj + M_ij²)/n) <= 0.003; 0.015 is 5 sd
      expect(Math.abs(acc[i] / n - M[i])).toBeLessThan(0.015);
    }
  });
});
