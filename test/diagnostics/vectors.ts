/**
 * The diagnostics test vectors of docs/ALGORITHMS.md §9.6 (posterior v1.7.1 values), as draws x chains
 * blocks (column-major by chain).
 */

/** A block with its shape. */
export interface VectorBlock {
  values: Float64Array;
  nDraws: number;
  nChains: number;
}

function block(chains: number[][]): VectorBlock {
  const nDraws = chains[0].length;
  return { values: Float64Array.from(chains.flat()), nDraws, nChains: chains.length };
}

/** §9.6's exact-in-double LCG AR(1) generator: s <- (69069 s + 1) mod 2^32, u = s / 2^32. */
export function lcgAr1(nChains: number, nDraws: number, phi: number, seed: number): VectorBlock {
  let s = seed;
  const values = new Float64Array(nChains * nDraws);
  for (let c = 0; c < nChains; c++) {
    let x = 0;
    for (let d = 0; d < nDraws; d++) {
      s = (Math.imul(69069, s) + 1) >>> 0; // exact: (69069 s + 1) mod 2^32
      const u = s / 2 ** 32;
      x = phi * x + (u - 0.5);
      values[c * nDraws + d] = x;
    }
  }
  return { values, nDraws, nChains };
}

const a1 = [0.1, -0.3, 0.5, 1.2, -0.8, 0.4, 0.9, -1.1];
const a2 = [0.3, 0.7, -0.2, -0.6, 1.5, 0.2, -0.4, 0.8];
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The named data sets of §9.6. */
export const VECTORS: Record<string, VectorBlock> = {
  A: block([a1, a2]),
  B_trend: block([range(1, 8), range(11, 18)]),
  C_ties: block([
    [0, 1, 1, 2, 0, 1, 3, 1, 2, 0],
    [1, 1, 0, 2, 2, 1, 0, 1, 1, 3],
  ]),
  D: lcgAr1(4, 200, 0.9, 12345),
  E_odd: block([a1.slice(0, 7), a2.slice(0, 7)]),
  F: lcgAr1(4, 100, -0.95, 777),
  G: lcgAr1(1, 50, 0.5, 42),
  H: block([
    [2, 4, 3, 5, 4, 6, 5, 3, 4, 2, 3, 5],
    [3, 5, 4, 2, 3, 4, 6, 5, 3, 4, 2, 4],
  ]),
};

type Row = [number, number, number, number, number, number, number];
/** §9.6 first table: rhat, rhat_basic, ess_bulk, ess_tail, ess_basic, mcse_mean, mcse_sd (NaN = NA). */
export const MAIN: Record<string, Row> = {
  A: [0.967311414142379, 0.955348001919842, 8, 8, 8, 0.258843582110896, 0.135754696738519],
  B_trend: [3.08938000843826, 4.89387372129686, 8, 8, 8, 2.00831604418561, 0.751032347357196],
  C_ties: [
    0.929259555701866,
    0.930030787101838,
    10,
    Number.NaN,
    10,
    0.295136007897875,
    0.176271813588733,
  ],
  D: [
    1.05761457445733, 1.04437111914035, 56.9376127327722, 132.542961112255, 56.4546866233141,
    0.0815775747123735, 0.0412852963002223,
  ],
  E_odd: [0.922081533274223, 0.84100069048036, 6, 6, 6, 0.276308077779412, 0.14478251527805],
  F: [
    1.09557589342791, 0.990485523102123, 1040.82399653119, 106.47143652291, 1040.82399653119,
    0.0247375720420465, 0.114446030128488,
  ],
  G: [
    1.14291889713032, 1.14402142383532, 8.24569727466897, 19.9182025813991, 8.74302025207279,
    0.0973207053335932, 0.0234789497079176,
  ],
  H: [
    0.933498324375352, 0.933490438795803, 33.1250698010785, 29.1428571428571, 33.1250698010785,
    0.211120722984989, 0.109310678132975,
  ],
};

type Row2 = [number, number, number, number, number, number, number, number, number];
/** §9.6 second table: bulk R-hat, tail R-hat, ess_q05, ess_q95, ess_median, ess_sd (v1.7), mcse_q05, mcse_q95, mcse_median. */
export const COMPONENTS: Record<string, Row2> = {
  A: [0.953106861133211, 0.967311414142379, 8, 8, 8, 8, 0.35, 0.4, 0.4],
  B_trend: [3.08938000843826, 1.74194040594162, 8, 8, 8, 8, 1.5, 2, 4],
  D: [
    1.04369817084806, 1.05761457445733, 132.542961112255, 143.758193238455, 75.9490334071884,
    102.181108015027, 0.125442033849459, 0.0933279214139467, 0.0982525795144716,
  ],
  F: [
    0.990425452523707, 1.09557589342791, 106.47143652291, 106.624886428121, 1040.82399653119,
    21.4662067630286, 0.116009142867135, 0.184146086745083, 0.0491945828834308,
  ],
  G: [
    1.14291889713032, 1.02919743905561, 30.6924210181699, 19.9182025813991, 33.8979641104048,
    43.1075883474045, 0.105691133555377, 0.107776087050983, 0.0921385472735808,
  ],
  H: [
    0.933498324375352, 0.918759184099096, 33.1250698010785, 29.1428571428571, 33.1250698010785,
    33.1250698010785, 0, 0.5, 0.5,
  ],
};
