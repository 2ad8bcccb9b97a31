import { num, textTable } from './format.js';
import type { PlanDocument } from './plan-from-fit.js';

/** A run's task, with the backbone to run on when the plan chooses one. */
function onBackbone(r: { task: string; backbone?: string }): string {
  return r.backbone !== undefined ? `${r.task} (${r.backbone})` : r.task;
}

/** A probability to 3 decimals, '< 0.001' below that (as the HTML section prints it). */
function probability(p: number): string {
  return p < 0.001 ? '< 0.001' : num(p, 3);
}

/** How many candidates the terminal table lists (the JSON has all of them). */
const SHOWN_CANDIDATES = 15;

/**
 * The plan for people: the verdicts first (can we stop?), then the batch, then the best candidates.
 * @example process.stdout.write(formatPlan(plan));
 */
export function formatPlan(plan: PlanDocument): string {
  const units = plan.settings.units === 'sd' ? 'sd units' : 'score units';
  const out: string[] = [];
  out.push(`Overall: ${plan.overall.message}`, '');
  const rope = plan.settings.rope;
  out.push(
    `Stopping verdicts (ROPE ${num(rope, 3)} ${units}; loss = opportunity cost beyond ROPE/2; decided when its expectation is <= ${plan.settings.stop_threshold} x ROPE/2, so P(more than a ROPE behind the best) <= ${plan.settings.stop_threshold}, and ${plan.settings.stop_runs} more runs would reduce it by no more)`,
  );
  out.push(
    textTable(
      [
        'scope',
        'best',
        'P(best)',
        'P(within ROPE)',
        'expected loss',
        'loss beyond ROPE/2',
        `reduction by ${plan.settings.stop_runs} runs`,
        'P(change)',
        'verdict',
      ],
      plan.verdicts.map((v, c) => [
        v.scope === 'overall' ? '(all tasks)' : v.scope,
        plan.scopes[c].best,
        num(plan.scopes[c].p_best, 3),
        num(plan.scopes[c].p_within_rope, 3),
        num(plan.scopes[c].expected_loss, 3),
        num(v.rope_loss, 3),
        num(v.batch_value, 3),
        num(v.p_change, 3),
        v.decided ? 'decided' : 'not decided',
      ]),
    ),
  );
  out.push('');
  const costs = plan.settings.costs;
  const decide = plan.batch.p_decided !== undefined;
  out.push(
    decide
      ? `Next batch of ${plan.batch.runs.length} run(s), chosen together to raise the probability that every recommendation is decided after them (within the ROPE of the best with probability >= ${1 - plan.settings.stop_threshold}; normal approximation of the posterior${costs ? '; greedy per unit cost' : ''}); batch value = expected reduction of the expected loss beyond ROPE/2, ${units}, summed over scopes`
      : `Next batch of ${plan.batch.runs.length} run(s), chosen together (value = expected reduction of the expected loss beyond ROPE/2 of the recommendations, ${units}, summed over scopes${costs ? '; greedy on value per unit cost' : ''})`,
  );
  out.push(
    textTable(
      [
        '#',
        'heuristic',
        'task',
        'kind',
        ...(costs ? ['cost'] : []),
        'batch value',
        ...(decide ? ['P(all decided after)'] : []),
      ],
      plan.batch.runs.map((r, i) => [
        String(i + 1),
        r.heuristic,
        onBackbone(r),
        r.explore ? `${r.kind} (exploration)` : r.kind,
        ...(costs ? [num(r.cost, 2)] : []),
        num(r.cumulative_value, 4),
        ...(decide ? [probability(r.p_decided ?? Number.NaN)] : []),
      ]),
    ),
  );
  out.push(
    `P(the batch changes some recommendation) = ${num(plan.batch.p_change_any, 3)}${plan.batch.weights.reliable ? '' : ' (importance weights unreliable: refit to confirm)'}`,
    '',
  );
  const shown = plan.candidates.slice(0, SHOWN_CANDIDATES);
  out.push(
    `Single runs by value${costs ? ' per unit cost' : ''} (${shown.length} of ${plan.candidates.length})`,
  );
  out.push(
    textTable(
      [
        'heuristic',
        'task',
        'kind',
        'runs',
        ...(costs ? ['cost'] : []),
        'value',
        'P(change)',
        'weights',
      ],
      shown.map((c) => [
        c.heuristic,
        onBackbone(c),
        c.kind,
        String(c.runs),
        ...(costs ? [num(c.cost, 2)] : []),
        num(costs ? c.value_per_cost : c.value, 4),
        num(c.p_change_any, 3),
        c.weights.reliable ? 'ok' : 'k-hat > 0.7',
      ]),
    ),
  );
  for (const n of plan.notes) out.push(`note: ${n}`);
  out.push(
    `(${plan.settings.outcomes} simulated outcomes per candidate on ${plan.settings.draws_used} posterior draws, seed ${plan.settings.seed})`,
  );
  return `${out.join('\n')}\n`;
}
