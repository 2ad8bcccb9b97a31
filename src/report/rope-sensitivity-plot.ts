/**
 * BEST-style ROPE sensitivity plot (Kruschke 2013, "Bayesian estimation supersedes the t test",
 * plotAreaInROPE; docs/UX.md §3 item 5): how P(A better), P(practically equal) and P(B better) change
 * as the ROPE half-width grows, so a reader sees whether a decision hinges on the ROPE chosen.
 */
import type { ComparisonPair } from '../analysis/types.js';
import { quantileSorted } from '../math/quantile.js';
import { normalRopeProbabilities } from './comparison-view-model.js';
import { formatNumber, formatProb } from './format.js';
import { attributeText, Plot, renderPlot } from './svg.js';

/** Options of the ROPE sensitivity plots. */
export interface RopeSensitivityOptions {
  /** Names of the two sides (default 'A', 'B'). */
  a?: string;
  b?: string;
  /** The ROPE in use, drawn as a vertical line. */
  rope?: number;
  /** Decision threshold, drawn as a dashed horizontal line (default 0.95). */
  threshold?: number;
  /** Largest half-width shown (default: covers the 90% interval of the difference, at least 2 x rope). */
  maxWidth?: number;
  /** Grid points (default 101). */
  points?: number;
  width?: number;
}

type Curve = { w: number; side: string; p: number }[];

/**
 * Exact curves from draws of a difference d = A - B (higher-is-better orientation):
 * P(d > w), P(|d| <= w), P(d < -w) for w on a grid, by binary search in the sorted draws.
 *
 * @example ropeSensitivityPlot(diffDraws, { a: 'performer', b: 'reformer', rope: 0.5 })
 */
export function ropeSensitivityPlot(
  diff: ArrayLike<number>,
  options: RopeSensitivityOptions = {},
): string {
  const d = Float64Array.from(diff).filter((x) => Number.isFinite(x));
  if (d.length === 0) return '';
  d.sort();
  const n = d.length;
  const reach = Math.max(Math.abs(quantileSorted(d, 0.05)), Math.abs(quantileSorted(d, 0.95)));
  const grid = widthGrid(reach, options);
  const a = options.a ?? 'A';
  const b = options.b ?? 'B';
  const curve: Curve = [];
  for (const w of grid) {
    const above = n - upperBound(d, w); // d > w
    const below = lowerBound(d, -w); // d < -w
    curve.push(
      { w, side: `P(${a} better)`, p: above / n },
      { w, side: 'P(practically equal)', p: (n - above - below) / n },
      { w, side: `P(${b} better)`, p: below / n },
    );
  }
  return plotCurves(curve, a, b, options, false);
}

/**
 * Approximate curves from a pair of the Comparison document (normal approximation from the pair's
 * diff_mean and 90% interval, as the view model uses for another ROPE); '' when the pair has no
 * difference interval. The plot says it is approximate.
 *
 * @example ropeSensitivityFromPair(comparison.pairs[0], { rope: 0.5 })
 */
export function ropeSensitivityFromPair(
  pair: ComparisonPair,
  options: RopeSensitivityOptions = {},
): string {
  const { diff_mean: m, diff_q5: lo, diff_q95: hi } = pair;
  if (!Number.isFinite(m) || !Number.isFinite(lo) || !Number.isFinite(hi)) return '';
  const grid = widthGrid(Math.max(Math.abs(lo!), Math.abs(hi!)), options);
  const a = options.a ?? pair.a;
  const b = options.b ?? pair.b;
  const curve: Curve = [];
  for (const w of grid) {
    const p = normalRopeProbabilities(m!, lo!, hi!, w);
    curve.push(
      { w, side: `P(${a} better)`, p: p.a },
      { w, side: 'P(practically equal)', p: p.rope },
      { w, side: `P(${b} better)`, p: p.b },
    );
  }
  return plotCurves(curve, a, b, { ...options, a, b }, true);
}

function widthGrid(reach: number, options: RopeSensitivityOptions): number[] {
  const rope = options.rope ?? Number.NaN;
  let max = options.maxWidth ?? Math.max(reach * 1.1, Number.isFinite(rope) ? 2 * rope : 0);
  if (!(max > 0)) max = 1;
  const m = Math.max(2, options.points ?? 101);
  return Array.from({ length: m }, (_, i) => (max * i) / (m - 1));
}

/** First index with d[i] >= x. */
function lowerBound(d: Float64Array, x: number): number {
  let lo = 0;
  let hi = d.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with d[i] > x. */
function upperBound(d: Float64Array, x: number): number {
  let lo = 0;
  let hi = d.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function plotCurves(
  curve: Curve,
  a: string,
  b: string,
  options: RopeSensitivityOptions,
  approximate: boolean,
): string {
  const sides = [`P(${a} better)`, 'P(practically equal)', `P(${b} better)`];
  const threshold = options.threshold ?? 0.95;
  const marks: Plot.Markish[] = [
    Plot.ruleY([threshold], { stroke: '#6b7280', strokeDasharray: '4,3' }),
    Plot.lineY(curve, { x: 'w', y: 'p', z: 'side', stroke: 'side', strokeWidth: 1.8 }),
  ];
  const rope = options.rope;
  if (rope !== undefined && Number.isFinite(rope)) {
    const nearest = Math.min(...curve.map((x) => Math.abs(x.w - rope)));
    const at = curve.filter((c) => Math.abs(c.w - rope) === nearest);
    marks.push(
      Plot.ruleX([rope], { stroke: '#111827' }),
      Plot.dot(at, {
        x: 'w',
        y: 'p',
        fill: 'side',
        r: 3,
        title: (d) => `${d.side} at ROPE ± ${formatNumber(d.w, 3)}: ${formatProb(d.p)}`,
      }),
    );
  }
  const ends = curve.slice(-3);
  marks.push(
    Plot.text(ends, { x: 'w', y: 'p', text: 'side', fill: 'side', textAnchor: 'start', dx: 4 }),
  );
  return renderPlot({
    ariaLabel: attributeText(`ROPE sensitivity of ${a} versus ${b}`),
    width: options.width ?? 640,
    height: 260,
    marginLeft: 45,
    marginRight: 150,
    x: {
      label: `ROPE half-width${approximate ? ' (normal approximation of the difference)' : ''}`,
      grid: true,
    },
    y: { label: 'probability', domain: [0, 1], grid: true },
    color: { type: 'ordinal', domain: sides, range: ['#1d4ed8', '#6b7280', '#dc2626'] },
    marks,
  });
}
