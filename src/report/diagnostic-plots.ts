/**
 * Diagnostic plots of one variable for the variable explorer (docs/UX.md §0 item 4, §2: rank plots
 * first, then trace, density, autocorrelation). Input: Draws + 0-based variable index.
 */
import { chainOf, type Draws } from '../draws/draws.js';
import { autocorrelation, checkVariable, kernelDensity, rankHistogram } from './draws-data.js';
import { formatNumber, formatSignificant } from './format.js';
import { attributeText, Plot, renderPlot } from './svg.js';

/** Chain colours (Observable's category10, enough for 10 chains; cycles after). */
const CHAIN_SCHEME = 'observable10';

function chainLabel(c: number): string {
  return `chain ${c + 1}`;
}

function chainDomain(draws: Draws): string[] {
  return Array.from({ length: draws.nChains }, (_, c) => chainLabel(c));
}

/** Options shared by the diagnostic plots. */
export interface DiagnosticPlotOptions {
  width?: number;
  height?: number;
}

/**
 * Rank plot: one rank histogram per chain (Vehtari et al. 2021, §4.1), stacked, with the dashed
 * line at the count a well-mixed chain has in every bin. A chain whose bars slope or bunch at one
 * end is stuck in part of the posterior.
 *
 * @example rankPlot(draws, draws.variables.indexOf('sigma'))
 */
export function rankPlot(
  draws: Draws,
  v: number,
  options: DiagnosticPlotOptions & { bins?: number } = {},
): string {
  const name = checkVariable(draws, v);
  const bins = options.bins ?? 20;
  const { counts, expected } = rankHistogram(draws, v, bins);
  const nb = counts[0].length;
  const n = draws.nDraws * draws.nChains;
  const data: { chain: string; x1: number; x2: number; count: number }[] = [];
  counts.forEach((row, c) => {
    for (let b = 0; b < nb; b++) {
      data.push({ chain: chainLabel(c), x1: (b * n) / nb, x2: ((b + 1) * n) / nb, count: row[b] });
    }
  });
  const panel = Math.max(40, Math.min(80, Math.floor(360 / draws.nChains)));
  return renderPlot({
    ariaLabel: attributeText(`Rank plot of ${name}`),
    width: options.width ?? 640,
    height: options.height ?? 50 + draws.nChains * panel,
    marginLeft: 50,
    marginRight: 60,
    x: { label: `rank of ${name} among all draws` },
    y: { label: 'count', ticks: 2 },
    fy: { domain: chainDomain(draws), label: null },
    color: { type: 'ordinal', domain: chainDomain(draws), scheme: CHAIN_SCHEME },
    marks: [
      Plot.rectY(data, {
        fy: 'chain',
        x1: 'x1',
        x2: 'x2',
        y: 'count',
        fill: 'chain',
        inset: 0.5,
        title: (d) =>
          `${d.chain}: ${d.count} draws with ranks ${Math.round(d.x1)}-${Math.round(d.x2)}`,
      }),
      Plot.ruleY([expected], { stroke: '#111827', strokeDasharray: '4,3' }),
    ],
  });
}

/**
 * Trace plot: each chain's draws in iteration order, thinned to at most `maxPoints` points per
 * chain (every k-th draw) to keep the SVG small; chains overlaid in different colours, labelled at
 * their right end.
 *
 * @example tracePlot(draws, 0, { maxPoints: 300 })
 */
export function tracePlot(
  draws: Draws,
  v: number,
  options: DiagnosticPlotOptions & { maxPoints?: number } = {},
): string {
  const name = checkVariable(draws, v);
  const step = Math.max(1, Math.ceil(draws.nDraws / (options.maxPoints ?? 500)));
  const data: { chain: string; draw: number; value: number }[] = [];
  const ends: { chain: string; draw: number; value: number }[] = [];
  for (let c = 0; c < draws.nChains; c++) {
    const x = chainOf(draws, v, c);
    let last = -1;
    for (let d = 0; d < draws.nDraws; d += step) {
      data.push({ chain: chainLabel(c), draw: d + 1, value: x[d] });
      last = d;
    }
    if (last !== draws.nDraws - 1) {
      data.push({ chain: chainLabel(c), draw: draws.nDraws, value: x[draws.nDraws - 1] });
    }
    ends.push({ chain: chainLabel(c), draw: draws.nDraws, value: x[draws.nDraws - 1] });
  }
  return renderPlot({
    ariaLabel: attributeText(`Trace plot of ${name}`),
    width: options.width ?? 640,
    height: options.height ?? 260,
    marginLeft: 50,
    marginRight: 60,
    x: { label: step > 1 ? `draw (1 in ${step} shown)` : 'draw' },
    y: { label: name, grid: true },
    color: { type: 'ordinal', domain: chainDomain(draws), scheme: CHAIN_SCHEME },
    marks: [
      Plot.lineY(data, {
        x: 'draw',
        y: 'value',
        z: 'chain',
        stroke: 'chain',
        strokeWidth: 0.8,
        strokeOpacity: 0.8,
      }),
      Plot.text(ends, {
        x: 'draw',
        y: 'value',
        text: 'chain',
        fill: 'chain',
        textAnchor: 'start',
        dx: 4,
      }),
    ],
  });
}

/**
 * Density plot: a kernel density estimate per chain (same bandwidth for all chains, see
 * `kernelDensity`). Chains that disagree show as curves that do not overlap.
 *
 * @example densityPlot(draws, 0)
 */
export function densityPlot(
  draws: Draws,
  v: number,
  options: DiagnosticPlotOptions & { points?: number } = {},
): string {
  const name = checkVariable(draws, v);
  const { grid, density, bandwidth } = kernelDensity(draws, v, options.points ?? 128);
  const data: { chain: string; x: number; density: number }[] = [];
  density.forEach((row, c) => {
    for (let i = 0; i < grid.length; i++) {
      data.push({ chain: chainLabel(c), x: grid[i], density: row[i] });
    }
  });
  return renderPlot({
    ariaLabel: attributeText(`Density plot of ${name}`),
    width: options.width ?? 640,
    height: options.height ?? 240,
    marginLeft: 50,
    marginRight: 60,
    x: {
      label: `${name} (Gaussian KDE per chain, bandwidth ${Number.isFinite(bandwidth) ? formatSignificant(bandwidth, 2) : 'n/a'})`,
    },
    y: { label: 'density', grid: true },
    color: { type: 'ordinal', domain: chainDomain(draws), scheme: CHAIN_SCHEME },
    marks: [
      Plot.lineY(data, { x: 'x', y: 'density', z: 'chain', stroke: 'chain', strokeWidth: 1.2 }),
      Plot.ruleY([0]),
    ],
  });
}

/**
 * Autocorrelation plot: each chain's autocorrelation at lags 0..maxLag (default 40). Slow decay
 * means few effective draws per draw (low ESS).
 *
 * @example autocorrelationPlot(draws, 0, { maxLag: 30 })
 */
export function autocorrelationPlot(
  draws: Draws,
  v: number,
  options: DiagnosticPlotOptions & { maxLag?: number } = {},
): string {
  const name = checkVariable(draws, v);
  const acf = autocorrelation(draws, v, options.maxLag ?? 40);
  const data: { chain: string; lag: number; acf: number }[] = [];
  acf.forEach((row, c) => {
    for (let lag = 0; lag < row.length; lag++) {
      if (Number.isFinite(row[lag])) data.push({ chain: chainLabel(c), lag, acf: row[lag] });
    }
  });
  return renderPlot({
    ariaLabel: attributeText(`Autocorrelation plot of ${name}`),
    width: options.width ?? 640,
    height: options.height ?? 240,
    marginLeft: 50,
    marginRight: 60,
    x: { label: `lag (${name})` },
    y: {
      label: 'autocorrelation',
      domain: [Math.min(-0.2, ...data.map((d) => d.acf)), 1],
      grid: true,
    },
    color: { type: 'ordinal', domain: chainDomain(draws), scheme: CHAIN_SCHEME },
    marks: [
      Plot.ruleY([0]),
      Plot.lineY(data, { x: 'lag', y: 'acf', z: 'chain', stroke: 'chain', strokeWidth: 1.2 }),
      Plot.dot(data, {
        x: 'lag',
        y: 'acf',
        fill: 'chain',
        r: 1.5,
        title: (d) => `${d.chain}, lag ${d.lag}: ${formatNumber(d.acf, 3)}`,
      }),
    ],
  });
}
