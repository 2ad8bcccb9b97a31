/**
 * Number formatting shared by the view models and the static report. NaN (an undefined value,
 * posterior's NA) prints as an em dash.
 */

/**
 * What the report prints for NaN / undefined values.
 * @example formatNumber(Number.NaN) === MISSING // true
 */
export const MISSING = '—';

/**
 * Decimals that show a quantity whose uncertainty (or spread) is `scale` to about two significant
 * figures of that uncertainty: an interval 5 points wide prints with 2 decimals, 0.05 wide with 4.
 *
 * @example decimalsFor(5) // 2
 */
export function decimalsFor(scale: number): number {
  if (!Number.isFinite(scale) || scale <= 0) return 3;
  return Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(scale))));
}

/**
 * Fixed-decimal number, em dash for non-finite.
 * @example formatNumber(3.14159, 2) // '3.14'
 */
export function formatNumber(x: number, decimals = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return MISSING;
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const s = x.toFixed(decimals);
  // '-0.00' reads as a sign error
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s.replace('-', '−');
}

/**
 * A probability with two decimals; '< 0.01' / '> 0.99' at the ends, because a Monte Carlo estimate
 * from a few thousand draws cannot support "0.00" or "1.00" (its MCSE is ~0.005 there).
 *
 * @example formatProb(0.9996) // '> 0.99'
 */
export function formatProb(p: number): string {
  if (p === null || p === undefined || Number.isNaN(p)) return MISSING;
  if (p < 0.005) return '< 0.01';
  if (p > 0.995) return '> 0.99';
  return p.toFixed(2);
}

/**
 * A probability printed next to a decision threshold: like `formatProb`, but a value below the
 * threshold never prints as reaching it (0.9495 at threshold 0.95 prints '0.949', not '0.95',
 * which would contradict an 'inconclusive' decision next to it), and a value at or above it
 * never prints below it.
 *
 * @example formatProbAt(0.9495, 0.95) // '0.949'
 */
export function formatProbAt(p: number, threshold: number): string {
  const s = formatProb(p);
  if (p === null || p === undefined || !Number.isFinite(p) || !Number.isFinite(threshold)) return s;
  const shown = Number(s);
  if (!Number.isFinite(shown)) return s; // '< 0.01', '> 0.99'
  if (p < threshold && shown >= threshold) return (Math.floor(p * 1000) / 1000).toFixed(3);
  if (p >= threshold && shown < threshold) return (Math.ceil(p * 1000) / 1000).toFixed(3);
  return s;
}

/**
 * "[q5, q95]" with the given decimals.
 * @example formatInterval(1, 2.5, 1) // '[1.0, 2.5]'
 */
export function formatInterval(lo: number, hi: number, decimals: number): string {
  return `[${formatNumber(lo, decimals)}, ${formatNumber(hi, decimals)}]`;
}

/**
 * Effective sample size as an integer (rounded down as ArviZ does).
 * @example formatEss(412.7) // '412'
 */
export function formatEss(x: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return MISSING;
  return String(Math.floor(x));
}

/**
 * R-hat with three decimals.
 * @example formatRhat(1.00421) // '1.004'
 */
export function formatRhat(x: number): string {
  return formatNumber(x, 3);
}

/**
 * A value rounded to what its Monte Carlo standard error supports (ArviZ round_to="auto" idea:
 * the last printed digit is the first significant digit of the MCSE); 3 significant figures when
 * the MCSE is unknown.
 *
 * @example formatByMcse(12.3456, 0.012) // '12.35'
 */
export function formatByMcse(x: number, mcse: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return formatNumber(x);
  if (Number.isFinite(mcse) && mcse > 0) {
    return formatNumber(x, Math.min(8, Math.max(0, -Math.floor(Math.log10(mcse)))));
  }
  return formatSignificant(x, 3);
}

/**
 * A number with `digits` significant figures, no exponent for everyday magnitudes.
 * @example formatSignificant(0.0012345, 2) // '0.0012'
 */
export function formatSignificant(x: number, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return formatNumber(x);
  if (x === 0) return '0';
  const mag = Math.floor(Math.log10(Math.abs(x)));
  if (mag >= 6 || mag <= -5) return x.toExponential(digits - 1).replace('-', '−');
  return formatNumber(x, Math.max(0, digits - 1 - mag));
}
