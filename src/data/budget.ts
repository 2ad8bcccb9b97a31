/**
 * Cache budgets as published tables write them: a token count (`512`, `2k`, `2,048`), a ratio
 * (`0.2`) or a percent (`20%`); an empty cell, `full`, `none`, `all` or `100%` is the full cache,
 * the reference every compressed setting is measured against.
 */

const FULL_TEXT = new Set(['', 'full', 'full_kv', 'fullkv', 'none', 'all', 'inf', 'infinity']);

/**
 * Whether a budget cell names the full cache (no compression).
 * @example isFullBudget('full') // true
 * @example isFullBudget('100%') // true
 * @example isFullBudget('512') // false
 */
export function isFullBudget(text: string): boolean {
  const s = text.trim().toLowerCase();
  return FULL_TEXT.has(s) || s === '100%';
}

/**
 * The budget as a number for ordering and for the log-budget axis: tokens (`2k` = 2000, `1.5K` =
 * 1500), a ratio as written, a percent as a ratio (`20%` = 0.2); Infinity for the full cache; NaN
 * for text that is none of these.
 * @example parseBudget('2k') // 2000
 * @example parseBudget('20%') // 0.2
 * @example parseBudget('full') // Infinity
 */
export function parseBudget(text: string): number {
  if (isFullBudget(text)) return Number.POSITIVE_INFINITY;
  const s = text.trim().toLowerCase().replace(/,/g, '').replace(/\s+/g, '');
  const m = /^([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)(k|m|%|tokens?)?$/.exec(s);
  if (!m) return Number.NaN;
  const x = Number(m[1]);
  switch (m[2]) {
    case 'k':
      return x * 1e3;
    case 'm':
      return x * 1e6;
    case '%':
      return x / 100;
    default:
      return x;
  }
}

/**
 * Budget values in their numeric order (full cache last), for the budgets section of reports.
 * @example budgetOrder(['2048', 'full', '128']) // ['128', '2048', 'full']
 */
export function budgetOrder(levels: readonly string[]): string[] {
  return [...levels].sort((a, b) => {
    const x = parseBudget(a);
    const y = parseBudget(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return a < b ? -1 : a > b ? 1 : 0;
    return x - y;
  });
}
