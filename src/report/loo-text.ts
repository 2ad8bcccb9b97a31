/**
 * Terminal text of a PSIS-LOO result (`bayesbench loo`), laid out as the R package loo prints it:
 * the estimates with their SEs, the Monte Carlo SE, the Pareto k table with the sample-size
 * dependent threshold, and the rows whose k is above it.
 */

import type { ComparisonCheck, ComparisonPriorSensitivity } from '../analysis/types.js';
import type { LooEstimates } from '../diagnostics/loo.js';

/** What the text needs (the `bayesbench loo --json` document has these fields). */
export interface LooTextInput extends Readonly<LooEstimates> {
  pointwise: 'integrated' | 'conditional';
  integrated: readonly string[];
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

/**
 * Terminal text of `compare --check`: loo_compare of the default and its variants, and whether the
 * recommendation changes.
 * @example formatCheck(comparison.check)
 */
export function formatCheck(check: ComparisonCheck): string {
  const out: string[] = ['', 'Model check (PSIS-LOO, loo_compare):'];
  const w = Math.max(...check.loo_compare.map((r) => r.model.length), 5);
  out.push(
    `  ${'model'.padEnd(w)}  ${'elpd_diff'.padStart(9)}  ${'se_diff'.padStart(7)}  ${'elpd_loo'.padStart(9)}  high k  best`,
  );
  for (const r of check.loo_compare) {
    const m = check.models.find((x) => x.name === r.model);
    const changes = m && m.changes.length > 0 ? ` (changes: ${m.changes.join(', ')})` : '';
    out.push(
      `  ${r.model.padEnd(w)}  ${fmt(r.elpd_diff).padStart(9)}  ${fmt(r.se_diff).padStart(7)}  ${fmt(r.elpd_loo).padStart(9)}  ${String(m?.high_k ?? '').padStart(6)}  ${m?.best ?? '-'}${changes}`,
    );
  }
  out.push(
    check.clearly_better_than_default
      ? `  LOO prefers "${check.preferred}" clearly (|elpd_diff| > 4 and > 2 se_diff).`
      : check.preferred === 'default'
        ? '  LOO prefers the default model.'
        : `  LOO prefers "${check.preferred}", but not clearly (|elpd_diff| <= 4 or <= 2 se_diff).`,
  );
  out.push(
    check.recommendation_changes
      ? '  The recommendation changes under some variant (see "changes").'
      : '  The recommendation is the same under every variant.',
  );
  for (const n of check.notes) out.push(`  Note: ${n}`);
  return `${out.join('\n')}\n`;
}

/**
 * Terminal text of the power-scaling prior sensitivity: the flagged quantities, or that none is.
 * @example formatPriorSensitivity(comparison.prior_sensitivity)
 */
export function formatPriorSensitivity(ps: ComparisonPriorSensitivity): string {
  const out: string[] = [
    '',
    `Prior sensitivity (power-scaling, CJS distance; flagged at >= ${ps.threshold}):`,
  ];
  const flagged = ps.quantities.filter((q) => q.prior >= ps.threshold);
  if (flagged.length === 0) {
    const max = Math.max(...ps.quantities.map((q) => q.prior));
    out.push(`  No stated quantity is sensitive to the prior (largest ${fmt(max, 3)}).`);
  } else {
    const w = Math.max(...flagged.map((q) => q.quantity.length), 8);
    out.push(`  ${'quantity'.padEnd(w)}  ${'prior'.padStart(6)}  ${'lik.'.padStart(6)}  diagnosis`);
    for (const q of flagged) {
      out.push(
        `  ${q.quantity.padEnd(w)}  ${fmt(q.prior, 3).padStart(6)}  ${fmt(q.likelihood, 3).padStart(6)}  ${q.diagnosis}`,
      );
    }
  }
  if (ps.pareto_k.prior > 0.7) {
    out.push(
      `  Note: Pareto k of the prior weights is ${fmt(ps.pareto_k.prior, 2)} (> 0.7): unreliable.`,
    );
  }
  return `${out.join('\n')}\n`;
}
