/**
 * The variable explorer (README.md "The web app"; docs/UX.md §1 "Explore") and the report's rank plots of the top-level parameters: which
 * variables are top-level, and the four diagnostic plots of one variable.
 */
import type { Draws } from '../draws/draws.js';
import { autocorrelationPlot, densityPlot, rankPlot, tracePlot } from './diagnostic-plots.js';
import { checkVariable } from './draws-data.js';

/** The four explorer plots of one variable. */
export interface VariableExplorerPlots {
  variable: string;
  rank: string;
  trace: string;
  density: string;
  autocorrelation: string;
}

/**
 * All four diagnostic plots of one variable (rank first, as the variable explorer shows them).
 * Throws NotFoundError for an index outside the draws.
 *
 * @example variableExplorer(draws, draws.variables.indexOf('b_Intercept')).rank
 */
export function variableExplorer(draws: Draws, v: number): VariableExplorerPlots {
  const variable = checkVariable(draws, v);
  return {
    variable,
    rank: rankPlot(draws, v),
    trace: tracePlot(draws, v),
    density: densityPlot(draws, v),
    autocorrelation: autocorrelationPlot(draws, v),
  };
}

/**
 * The top-level (population) parameters among variable names: everything without brackets
 * (b_Intercept, sd_task__Intercept, sigma, ...), never sampler fields (names ending in `__`).
 *
 * @example topLevelVariables(['b_Intercept', 'r_task[a,Intercept]', 'sigma', 'lp__']) // ['b_Intercept', 'sigma']
 */
export function topLevelVariables(names: readonly string[]): string[] {
  return names.filter((n) => !n.includes('[') && !n.endsWith('__'));
}

/**
 * Rank plots of the top-level parameters (at most `max`, default 12), for the report.
 *
 * @example topLevelRankPlots(draws).map((p) => p.variable)
 */
export function topLevelRankPlots(
  draws: Draws,
  options: { max?: number; bins?: number; width?: number } = {},
): { variable: string; svg: string }[] {
  const names = topLevelVariables(draws.variables).slice(0, options.max ?? 12);
  return names.map((variable) => ({
    variable,
    svg: rankPlot(draws, draws.variables.indexOf(variable), {
      bins: options.bins,
      width: options.width,
    }),
  }));
}
