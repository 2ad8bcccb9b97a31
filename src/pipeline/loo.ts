/**
 * Model checking by PSIS-LOO for a comparison run (`bayesbench loo`, `compare --check`): the
 * pointwise log-likelihood of the fitted model (src/model/log-lik.ts) on the table it was fitted to,
 * PSIS-LOO and loo_compare (src/diagnostics/loo.ts), and the JSON document.
 */

import { rowLocation } from '../data/access.js';
import type { Table } from '../data/table.js';
import {
  type LooCompareRow,
  type LooEstimates,
  type LooResult,
  loo,
  looCompare,
} from '../diagnostics/loo.js';
import { type PointwiseLogLik, type PointwiseOptions, pointwiseLogLik } from '../model/log-lik.js';
import { type ComparisonRun, fittedTable } from './compare.js';

/** PSIS-LOO of one fitted model with the matrix it came from. */
export interface RunLoo {
  loo: LooResult;
  logLik: PointwiseLogLik;
  /** The table the likelihood was evaluated on (the fitted table, rows in log-lik order). */
  table: Table;
}

/** The parts of a comparison run PSIS-LOO reads (a stored fit in the web app has just these). */
export type LooInput = Pick<ComparisonRun, 'spec' | 'prepared'> & {
  fit: Pick<ComparisonRun['fit'], 'draws'>;
};

/**
 * PSIS-LOO of a comparison run: the pointwise log-likelihood of its model (integrated over the
 * heuristic:task effect when the model allows it, see src/model/log-lik.ts) at its draws, r_eff
 * from the chains.
 * @example looOfRun(await runComparison(table)).loo.elpd_loo
 */
export function looOfRun(run: LooInput, options: PointwiseOptions = {}): RunLoo {
  const table = fittedTable(run.prepared);
  const logLik = pointwiseLogLik(run.spec, table, run.fit.draws, options);
  return { loo: loo(logLik), logLik, table };
}

/** One row of the pointwise table in the JSON (data rows in the order of the log-lik columns). */
export interface LooRowJson {
  /** Column of the log-lik CSV (`log_lik[column]`), 1-based. */
  column: number;
  /** Where the row is in the input ('line 12' or 'row 3'). */
  location: string;
  heuristic: string | null;
  task: string | null;
  elpd_loo: number;
  p_loo: number;
  pareto_k: number;
}

/** The `bayesbench loo --json` document. */
export interface LooJson extends LooEstimates {
  model: { formula: string; family: string };
  /** 'integrated' (the terms in `integrated` integrated out) or 'conditional'. */
  pointwise: 'integrated' | 'conditional';
  integrated: string[];
  /** Pareto k of every row, in log-lik column order. */
  pareto_k: number[];
  /** Rows whose k is above the threshold (their elpd_loo is unreliable), worst first. */
  high_k: LooRowJson[];
  rows: LooRowJson[];
}

function labelOf(table: Table, name: string, i: number): string | null {
  const c = table.columns[name];
  if (c?.type !== 'factor') return null;
  const code = c.codes[i];
  return code >= 0 ? c.levels[code] : null;
}

/**
 * The JSON document of a run's PSIS-LOO (`bayesbench loo --json`, documented in README.md).
 * @example looJson(run, looOfRun(run)).elpd_loo
 */
export function looJson(run: LooInput, r: RunLoo): LooJson {
  const { loo: l, logLik, table } = r;
  const pw = l.pointwise;
  const rows: LooRowJson[] = Array.from({ length: l.observations }, (_, i) => ({
    column: i + 1,
    location: rowLocation(table, i),
    heuristic: labelOf(table, 'heuristic', i),
    task: labelOf(table, 'task', i),
    elpd_loo: pw.elpd_loo[i],
    p_loo: pw.p_loo[i],
    pareto_k: pw.pareto_k[i],
  }));
  return {
    model: { formula: run.spec.formula, family: run.spec.family ?? 'gaussian' },
    pointwise: logLik.pointwise,
    integrated: [...logLik.integrated],
    elpd_loo: l.elpd_loo,
    se_elpd_loo: l.se_elpd_loo,
    p_loo: l.p_loo,
    se_p_loo: l.se_p_loo,
    looic: l.looic,
    se_looic: l.se_looic,
    mcse_elpd_loo: l.mcse_elpd_loo,
    draws: l.draws,
    observations: l.observations,
    pareto_k: Array.from(pw.pareto_k),
    pareto_k_threshold: l.pareto_k_threshold,
    pareto_k_table: l.pareto_k_table,
    high_k: rows
      .filter((x) => !(x.pareto_k <= l.pareto_k_threshold))
      .sort((a, b) => b.pareto_k - a.pareto_k),
    rows,
  };
}

/**
 * The log-lik matrix as CSV `chain,draw,log_lik[1],...` (1-based chains and draws; shortest
 * round-trip decimals, as the draws CSV).
 * @example logLikCsv(r.logLik).split('\n')[0] // 'chain,draw,log_lik[1],...'
 */
export function logLikCsv(ll: PointwiseLogLik): string {
  const { nDraws, nChains, nObs, values } = ll;
  const S = nDraws * nChains;
  const lines: string[] = [
    ['chain', 'draw', ...Array.from({ length: nObs }, (_, i) => `log_lik[${i + 1}]`)].join(','),
  ];
  const cells: string[] = new Array(nObs + 2);
  for (let c = 0; c < nChains; c++) {
    for (let d = 0; d < nDraws; d++) {
      cells[0] = String(c + 1);
      cells[1] = String(d + 1);
      const s = d + nDraws * c;
      for (let n = 0; n < nObs; n++) cells[n + 2] = String(values[s + S * n]);
      lines.push(cells.join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** loo_compare over named runs' PSIS-LOO (they must share the data rows). */
export function compareLoos(models: readonly { model: string; loo: RunLoo }[]): LooCompareRow[] {
  return looCompare(models.map((m) => ({ model: m.model, loo: m.loo.loo })));
}
