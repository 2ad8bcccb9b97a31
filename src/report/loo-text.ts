/**
 * Terminal text of a PSIS-LOO result (`bayesbench loo`), laid out as the R package loo prints it:
 * the estimates with their SEs, the Monte Carlo SE, the Pareto k table with the sample-size
 * dependent threshold, and the rows whose k is above it.
 */

import type { ParetoKBin } from '../diagnostics/loo.js';

/** What the text needs (the `bayesbench loo --json` document has these fields). */
export interface LooTextInput {
  pointwise: 'integrated' | 'conditional';
  integrated: readonly string[];
  elpd_loo: number;
  se_elpd_loo: number;
  p_loo: number;
  se_p_loo: number;
  looic: number;
  se_looic: number;
  mcse_elpd_loo: number;
  draws: number;
  observations: number;
  pareto_k_threshold: number;
  pareto_k_table: readonly ParetoKBin[];
  high_k: readonly {
    location: string;
    heuristic: string | null;
    task: string | null;
    pareto_k: number;
  }[];
}

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/**
 * @example formatLoo(looJson(run, looOfRun(run)))
 */
export function formatLoo(l: LooTextInput): string {
  const out: string[] = [];
  out.push(`Computed from ${l.draws} by ${l.observations} log-likelihood matrix.`);
  out.push(
    l.pointwise === 'integrated'
      ? `Pointwise: log p(y_n | other rows, parameters) with ${l.integrated.join(', ')} integrated out.`
      : 'Pointwise: log p(y_n | parameters), every effect at its draw (conditional).',
  );
  out.push('');
  const rows: [string, number, number][] = [
    ['elpd_loo', l.elpd_loo, l.se_elpd_loo],
    ['p_loo', l.p_loo, l.se_p_loo],
    ['looic', l.looic, l.se_looic],
  ];
  const w = Math.max(8, ...rows.map(([, e]) => fmt(e).length));
  out.push(`${''.padEnd(9)}${'Estimate'.padStart(w)}  ${'SE'.padStart(6)}`);
  for (const [name, e, se] of rows) {
    out.push(`${name.padEnd(9)}${fmt(e).padStart(w)}  ${fmt(se).padStart(6)}`);
  }
  out.push('------');
  out.push(`Monte Carlo SE of elpd_loo is ${fmt(l.mcse_elpd_loo)}.`);
  out.push('');
  out.push(`Pareto k diagnostic values (threshold ${fmt(l.pareto_k_threshold, 2)}):`);
  out.push(`${''.padEnd(24)}${'Count'.padStart(6)}${'Pct.'.padStart(8)}  Min. n_eff`);
  for (const b of l.pareto_k_table) {
    const label = `${b.range} (${b.label})`.padEnd(24);
    const pct = `${(100 * b.proportion).toFixed(1)}%`;
    const ne = b.min_n_eff === null ? '-' : fmt(b.min_n_eff, 0);
    out.push(`${label}${String(b.count).padStart(6)}${pct.padStart(8)}  ${ne}`);
  }
  if (l.high_k.length > 0) {
    out.push('');
    out.push('Rows whose elpd_loo is unreliable (k above the threshold):');
    for (const r of l.high_k.slice(0, 20)) {
      const who = [r.heuristic, r.task].filter((x) => x !== null).join(' on ');
      out.push(`  ${r.location}${who ? ` (${who})` : ''}: k = ${fmt(r.pareto_k, 2)}`);
    }
    if (l.high_k.length > 20) out.push(`  ... and ${l.high_k.length - 20} more (see --json)`);
  } else {
    out.push('');
    out.push('All Pareto k estimates are below the threshold: the PSIS-LOO estimate is reliable.');
  }
  return `${out.join('\n')}\n`;
}
