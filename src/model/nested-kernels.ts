import type { ChainLevel } from './geometry/marginal-chain.js';

/**
 * The O(cells) loops of the nested-chain model (nested-model.ts), each a closure over the arrays it
 * reads. Why closures: V8 specializes an optimized closure on its context, so typed arrays held in
 * `const` context slots become constants of the loop (base pointer and length); the same loops
 * reading the arrays from a state object cost 482 instead of 373 CPU us per gradient at 10,000
 * cells (bench/scale.bench.ts --gradient, Node 20). Each closure captures only its own arrays.
 */
export interface CellKernels {
  /** Per sampled term: eta[a] += c0 (u[idx[a]] - m) over the cells. */
  addTerm: ((c0: number, m: number) => void)[];
  /** The rows' weights 1 / (sigma^2 + se^2) (one weight for all without se()). */
  weights(sigma2: number): void;
  /**
   * The cells' part of the forward pass: fills the first level's A and B; returns the data log
   * density before the chain (-1/2 sum w e^2 plus the log weights).
   */
  data(): number;
  /**
   * d lp / d eta per cell into gEta (from the first level's adjoints); writes sum gEta and the
   * sigma^2 adjoint (when hasSigma) into out[0] and out[1].
   */
  cellGradient(hasSigma: boolean, out: Float64Array): void;
  /** Per sampled term: gu[idx[a]] += c0 gEta[a] (gu zeroed first); returns sum gEta over its cells. */
  scatter: ((c0: number) => number)[];
}

/** What the kernels read: the cells' statistics, the buffers and the chain's first level. */
export interface KernelInputs {
  an: Float64Array;
  ay: Float64Array;
  ass: Float64Array;
  se2: Float64Array | null;
  cellNode: Int32Array;
  N: number;
  eta: Float64Array;
  gEta: Float64Array;
  w: Float64Array;
  first: ChainLevel;
  terms: { idx: Int32Array; u: Float64Array; gu: Float64Array }[];
}

function addTermKernel(eta: Float64Array, idx: Int32Array, u: Float64Array) {
  const M = eta.length;
  return (c0: number, m: number): void => {
    for (let a = 0; a < M; a++) {
      const l = idx[a];
      if (l >= 0) eta[a] += c0 * (u[l] - m);
    }
  };
}

function scatterKernel(gEta: Float64Array, idx: Int32Array, gu: Float64Array) {
  const M = gEta.length;
  return (c0: number): number => {
    let gTot = 0;
    gu.fill(0);
    for (let a = 0; a < M; a++) {
      const l = idx[a];
      if (l < 0) continue;
      gu[l] += c0 * gEta[a];
      gTot += gEta[a];
    }
    return gTot;
  };
}

/**
 * The kernels of one nested-chain model.
 * @example const k = cellKernels(inputs); k.weights(1); const lp = k.data();
 */
export function cellKernels(x: KernelInputs): CellKernels {
  const { an, ay, ass, se2, cellNode, N, eta, gEta, w, first } = x;
  const M = an.length;
  const cellA = first.A;
  const cellB = first.B;
  const cellAbar = first.Abar;
  const cellBbar = first.Bbar;
  return {
    addTerm: x.terms.map((t) => addTermKernel(eta, t.idx, t.u)),
    scatter: x.terms.map((t) => scatterKernel(gEta, t.idx, t.gu)),
    weights(sigma2: number): void {
      if (se2) for (let a = 0; a < M; a++) w[a] = 1 / (sigma2 + se2[a]);
      else w.fill(1 / sigma2);
    },
    data(): number {
      let lp = 0;
      cellA.fill(0);
      cellB.fill(0);
      // without se every row has the same weight: one log instead of one per row
      let logW = se2 ? 0 : 0.5 * N * Math.log(w[0]);
      for (let a = 0; a < M; a++) {
        const c = cellNode[a];
        const wa = w[a];
        const na = an[a];
        const d = ay[a] - eta[a];
        if (se2) logW += 0.5 * na * Math.log(wa);
        // sum over the cell's rows of w e_i^2 = w (ss + n d^2)
        lp -= 0.5 * wa * (ass[a] + na * d * d);
        if (c < 0) continue;
        cellA[c] += wa * na;
        cellB[c] += wa * na * d;
      }
      lp += logW;
      return lp;
    },
    cellGradient(hasSigma: boolean, out: Float64Array): void {
      // per cell: the rows' sums of d lp / d eta_i = w (e_i - Bbar) and of the sigma^2 terms
      // -w^2 (Abar + Bbar e_i + 1 / (2 w) - e_i^2 / 2), with sum e_i = n d, sum e_i^2 = ss + n d^2
      let gSigma2 = 0;
      let gMu = 0;
      for (let a = 0; a < M; a++) {
        const c = cellNode[a];
        const na = an[a];
        const wa = w[a];
        const d = ay[a] - eta[a];
        const Bb = c >= 0 ? cellBbar[c] : 0;
        const Ab = c >= 0 ? cellAbar[c] : 0;
        const ge = wa * na * (d - Bb);
        gEta[a] = ge;
        gMu += ge;
        if (hasSigma)
          gSigma2 -= wa * wa * (na * (Ab + 0.5 / wa) + Bb * na * d - 0.5 * (ass[a] + na * d * d));
      }
      out[0] = gMu;
      out[1] = gSigma2;
    },
  };
}
