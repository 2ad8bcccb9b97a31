/**
 * The "What to run next" section of a plan (`bayesbench plan --html`, the web app's report panel):
 * the stopping verdicts (can we stop?), the batch chosen together, the best single candidates, as
 * escaped HTML. The same order as the terminal text (src/analysis/plan-format.ts).
 */
import type { PlanDocument } from '../analysis/plan-from-fit.js';
import { html, type SafeHtml } from './html.js';

/** How many single candidates the section lists (the JSON has all of them). */
export const PLAN_SHOWN_CANDIDATES = 15;

/** Links the section prints under the batch (the web app's downloads); none in a static file. */
export interface PlanSectionLinks {
  /** The batch as CSV. */
  csv?: string;
  /** The whole plan as JSON. */
  json?: string;
  /** The static HTML report with this section. */
  html?: string;
}

const fixed = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** A probability for people: '< 0.001' below that, else 3 decimals. */
const prob = (p: number) => (p < 0.001 ? '< 0.001' : fixed(p, 3));

/** Badge classes for both style sheets (static report: `badge ok`; web app: `badge badge-ok`). */
const badge = (decided: boolean) =>
  decided
    ? html`<span class="badge ok badge-ok">decided</span>`
    : html`<span class="badge probable badge-warn">not decided</span>`;

function verdictTable(plan: PlanDocument): SafeHtml {
  return html`<table class="data" id="plan-verdicts"><thead><tr><th>Scope</th><th>Best</th><th class="num">P(best)</th><th class="num">P(within ROPE of the best)</th><th class="num">Loss beyond ROPE/2</th><th class="num">Threshold</th><th class="num">Best batch would cut it by</th><th>Verdict</th><th>Most useful runs for it</th></tr></thead>
<tbody>${plan.verdicts.map((v, c) => {
    const s = plan.scopes[c];
    return html`<tr><td>${v.scope === 'overall' ? '(all tasks)' : v.scope}</td><td>${s?.best ?? ''}</td><td class="num">${s ? fixed(s.p_best, 3) : ''}</td><td class="num">${s ? fixed(s.p_within_rope, 3) : ''}</td><td class="num">${fixed(v.rope_loss, 4)}</td><td class="num">${fixed(v.loss_threshold, 4)}</td><td class="num">${fixed(v.batch_value, 4)}</td><td>${badge(v.decided)}${v.reliable ? '' : ' (weights unreliable)'}</td><td>${v.runs.map((r) => `${r.heuristic} on ${r.task}`).join(', ')}</td></tr>`;
  })}</tbody></table>`;
}

function batchTable(plan: PlanDocument, costs: boolean): SafeHtml {
  let previous = 0;
  const decide = plan.batch.p_decided !== undefined;
  return html`<table class="data" id="plan-batch"><thead><tr><th>#</th><th>Heuristic</th><th>Task</th><th>Category</th><th>Kind</th>${costs ? html`<th class="num">Cost</th>` : ''}<th class="num">Value added</th><th class="num">Batch value</th>${decide ? html`<th class="num">P(all decided after)</th>` : ''}</tr></thead>
<tbody>${plan.batch.runs.map((r, i) => {
    const added = r.cumulative_value - previous;
    previous = r.cumulative_value;
    return html`<tr><td>${i + 1}</td><td>${r.heuristic}</td><td>${r.task}</td><td>${r.category ?? ''}</td><td>${r.explore ? `${r.kind} (exploration)` : r.kind}</td>${costs ? html`<td class="num">${fixed(r.cost, 2)}</td>` : ''}<td class="num">${fixed(added, 4)}</td><td class="num">${fixed(r.cumulative_value, 4)}</td>${decide ? html`<td class="num">${prob(r.p_decided ?? Number.NaN)}</td>` : ''}</tr>`;
  })}</tbody></table>`;
}

/** The value the candidates are ranked by (settings.acquisition), per cost with costs. */
function rankValue(
  plan: PlanDocument,
  c: PlanDocument['candidates'][number],
  costs: boolean,
): number {
  if (plan.settings.acquisition === 'settle')
    return costs ? c.settle_value_per_cost : c.settle_value;
  return costs ? c.value_per_cost : c.value;
}

function candidateTable(plan: PlanDocument, costs: boolean): SafeHtml {
  const shown = plan.candidates.slice(0, PLAN_SHOWN_CANDIDATES);
  return html`<table class="data" id="plan-candidates"><thead><tr><th>Heuristic</th><th>Task</th><th>Category</th><th>Kind</th><th class="num">Runs so far</th>${costs ? html`<th class="num">Cost</th>` : ''}<th class="num">${costs ? 'Value per cost' : 'Value'}</th><th class="num">P(change)</th><th>Weights</th></tr></thead>
<tbody>${shown.map(
    (c) =>
      html`<tr><td>${c.heuristic}</td><td>${c.task}</td><td>${c.category ?? ''}</td><td>${c.kind}</td><td class="num">${c.runs}</td>${costs ? html`<td class="num">${fixed(c.cost, 2)}</td>` : ''}<td class="num">${fixed(rankValue(plan, c, costs), 4)}</td><td class="num">${prob(c.p_change_any)}</td><td>${c.weights.reliable ? 'ok' : 'k-hat > 0.7: refit to confirm'}</td></tr>`,
  )}</tbody></table>`;
}

/**
 * The body of the "What to run next" section (no heading: the static report and the web page each
 * print their own). Every user string (heuristic, task, category names, notes) is escaped.
 * @example planSection(plan, { csv: '/api/fits/3/plan.csv' }).__html
 */
export function planSection(plan: PlanDocument, links: PlanSectionLinks = {}): SafeHtml {
  const st = plan.settings;
  const units = st.units === 'sd' ? 'sd units' : 'score units';
  const costs = st.costs;
  const downloads = [
    links.csv ? html`<a href="${links.csv}" id="plan-csv">Download the batch (CSV)</a>` : '',
    links.json ? html`<a href="${links.json}" id="plan-json">JSON</a>` : '',
    links.html ? html`<a href="${links.html}" id="plan-html">HTML report with this plan</a>` : '',
  ].filter((x) => x !== '');
  return html`<p id="plan-overall">${badge(plan.overall.decided)} ${plan.overall.message}</p>
<h3>Can we stop?</h3>
<p class="caption muted">Per scope: D is how far the recommended heuristic is behind the true best; the loss is the expected part of D beyond half the ROPE (${fixed(st.rope, 4)} ${units}). Decided when that loss is at most ${st.stop_threshold} x ROPE/2 (then P(D > ROPE) <= ${st.stop_threshold}, by Markov's inequality) and the best batch of ${st.stop_runs} more run${st.stop_runs === 1 ? '' : 's'} found would not cut it by more than that.</p>
${verdictTable(plan)}
<h3>Next batch of ${plan.batch.runs.length} run${plan.batch.runs.length === 1 ? '' : 's'}</h3>
<p class="caption muted">Chosen together (greedy with updated expectations${costs ? ', on value per unit cost' : ''})${st.acquisition === 'decide' ? html` to raise the probability that every recommendation is decided after the batch (within the ROPE of the best with probability at least ${fixed(1 - st.stop_threshold, 2)}; a normal approximation of the posterior, the last column)` : ''}${st.explore > 0 ? html`; the first ${Math.floor(st.explore * st.runs)} are forced exploration: the cells with the fewest runs, so that no cell is judged on one run and the model's pooling alone` : ''}. ${st.acquisition === 'settle' ? 'Value: expected reduction of the uncertainty P(1 - P) whether each recommendation is within the ROPE of the best (P = P(within ROPE)), summed over scopes.' : html`Value: expected reduction of the loss beyond ROPE/2 of the recommendations, ${units}, summed over scopes.`} P(the batch changes some recommendation) = ${prob(plan.batch.p_change_any)}${plan.batch.weights.reliable ? '' : ' (importance weights unreliable: refit with the runs added to confirm)'}${costs ? html`; total cost ${fixed(plan.batch.cost, 2)}` : ''}.</p>
${batchTable(plan, costs)}
${downloads.length ? html`<p>${downloads.map((d, i) => html`${i ? ' · ' : ''}${d}`)}</p>` : ''}
<details><summary>Single runs by value${costs ? ' per unit cost' : ''} (${Math.min(PLAN_SHOWN_CANDIDATES, plan.candidates.length)} of ${plan.candidates.length})</summary>
${candidateTable(plan, costs)}
</details>
${plan.notes.length ? html`<ul>${plan.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
<p class="caption muted">${st.outcomes} simulated outcomes per candidate on ${st.draws_used} posterior draws, seed ${st.seed}; ${st.higher_is_better ? 'higher' : 'lower'} scores are better.</p>`;
}
