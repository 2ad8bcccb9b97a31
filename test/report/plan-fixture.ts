/** A hand-built plan document for the report and web tests (the planner is not needed). */
import type { PlanDocument } from '../../src/analysis/plan-from-fit.js';
import { XSS } from './fixtures.js';

const weights = { rel_ess: 0.8, pareto_k_max: 0.3, unreliable_share: 0, reliable: true };

/**
 * A plan document of the `plan --json` shape (src/analysis/plan-from-fit.ts): two categories, one
 * decided; 20 candidates (more than the section lists); a batch with the same cell twice; one
 * heuristic named with an XSS string and a task with a comma.
 */
export function makePlan(opts: { costs?: boolean } = {}): PlanDocument {
  const heuristics = ['performer', XSS];
  const tasks = Array.from({ length: 10 }, (_, i) => (i === 0 ? 'List, Ops' : `task${i}`));
  const candidates = tasks.flatMap((task, t) =>
    heuristics.map((heuristic, h) => {
      const value = 1 / (1 + t + 10 * h);
      return {
        heuristic,
        task,
        category: t < 5 ? 'symbolic' : 'vision',
        kind: t === 9 ? ('cell' as const) : ('seed' as const),
        runs: t === 9 ? 0 : 2,
        cost: opts.costs ? 2 : 1,
        value,
        value_per_cost: opts.costs ? value / 2 : value,
        value_by_scope: { overall: value },
        settle_value: value / 10,
        settle_value_per_cost: opts.costs ? value / 20 : value / 10,
        settle_value_by_scope: { overall: value / 10 },
        p_change: { overall: value / 2 },
        p_change_any: value / 2,
        weights: t === 3 ? { ...weights, reliable: false, pareto_k_max: 0.9 } : weights,
      };
    }),
  );
  const run = (h: string, task: string, kind: 'seed' | 'cell', cumulative: number) => ({
    heuristic: h,
    task,
    category: task === 'task9' ? 'vision' : 'symbolic',
    kind,
    cost: opts.costs ? 2 : 1,
    cumulative_value: cumulative,
  });
  return {
    scopes: [
      {
        name: 'overall',
        best: 'performer',
        p_best: 0.7,
        expected_loss: 0.12,
        rope_loss: 0.08,
        p_within_rope: 0.8,
        p_within_rope_se: 0.01,
      },
      {
        name: 'symbolic',
        best: XSS,
        p_best: 0.55,
        expected_loss: 0.3,
        rope_loss: 0.2,
        p_within_rope: 0.6,
        p_within_rope_se: 0.01,
      },
      {
        name: 'vision',
        best: 'performer',
        p_best: 0.99,
        expected_loss: 0.001,
        rope_loss: 0,
        p_within_rope: 1,
        p_within_rope_se: 0.01,
      },
    ],
    candidates,
    batch: {
      runs: [
        run('performer', 'List, Ops', 'seed', 1),
        run(XSS, 'task9', 'cell', 1.5),
        run('performer', 'List, Ops', 'seed', 1.75),
      ],
      cost: opts.costs ? 6 : 3,
      value: 1.75,
      settle_value: 0.175,
      p_change: { overall: 0.4, symbolic: 0.5, vision: 0.01 },
      p_change_any: 0.5,
      weights,
    },
    verdicts: [
      {
        scope: 'overall',
        decided: false,
        p_change: 0.4,
        p_change_upper: 0.5,
        rule: 'expected-loss',
        rope_loss: 0.08,
        rope_loss_se: 0.001,
        loss_threshold: 0.0125,
        batch_value: 0.01,
        p_outside_rope: 0.2,
        p_outside_rope_se: 0.01,
        reliable: true,
        runs: [{ heuristic: 'performer', task: 'List, Ops' }],
        message: 'not decided: ...',
      },
      {
        scope: 'symbolic',
        decided: false,
        p_change: 0.5,
        p_change_upper: 0.6,
        rule: 'expected-loss',
        rope_loss: 0.2,
        rope_loss_se: 0.001,
        loss_threshold: 0.0125,
        batch_value: 0.01,
        p_outside_rope: 0.2,
        p_outside_rope_se: 0.01,
        reliable: true,
        runs: [{ heuristic: XSS, task: 'task1' }],
        message: 'not decided: ...',
      },
      {
        scope: 'vision',
        decided: true,
        p_change: 0,
        p_change_upper: 0.046,
        rule: 'expected-loss',
        rope_loss: 0,
        rope_loss_se: 0.001,
        loss_threshold: 0.0125,
        batch_value: 0.01,
        p_outside_rope: 0,
        p_outside_rope_se: 0.01,
        reliable: true,
        runs: [{ heuristic: XSS, task: 'task9' }],
        message: 'decided: ...',
      },
    ],
    overall: { decided: false, message: `not decided: the most useful next runs are ${XSS}` },
    settings: {
      runs: 3,
      stop_runs: 3,
      stop_threshold: 0.05,
      outcomes: 64,
      draws_used: 1000,
      seed: 1,
      higher_is_better: true,
      costs: opts.costs ?? false,
      units: 'score',
      rope: 0.5,
      loss_margin: 0.25,
      stop_rule: 'expected-loss',
      acquisition: 'loss',
      batch_update: 'reweight',
      explore: 0,
    },
    notes: [`a note naming ${XSS}`],
  };
}
