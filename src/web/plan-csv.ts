/**
 * The batch of a plan as CSV (the web app's "Download the batch", GET /api/fits/:id/plan.csv): one
 * line per run to queue, in the order the batch chose them, with the columns a run queue needs.
 */
import type { PlanDocument } from '../analysis/plan-from-fit.js';
import { csvText } from '../data/csv-write.js';

/** Fields a planned run may carry when the planner chooses them (backbone x budget designs). */
interface RunSetting {
  backbone?: string | null;
  budget?: string | number | null;
}

/**
 * The batch as CSV: `order,heuristic,task,category,[backbone,][budget,]kind,replicate,value,cumulative_value,cost`.
 * `replicate` is the run's number within its heuristic x task cell (runs already in the table plus
 * its place among the batch's runs of that cell: 3 = the cell's third run); `value` is what the run
 * adds to the batch's value (the differences of `cumulative_value`, which sum to the batch value);
 * `cost` is 1 per run without costs. Backbone and budget columns appear only when the plan's runs
 * carry them; `exploration` (true/false) only when some run is forced exploration (PlanRun.explore).
 * Fields are quoted as RFC 4180 asks (csvText).
 * @example planBatchCsv(plan).split('\n')[0] // 'order,heuristic,task,category,kind,replicate,value,cumulative_value,cost'
 */
export function planBatchCsv(plan: PlanDocument): string {
  const existing = new Map(plan.candidates.map((c) => [`${c.heuristic}\u0000${c.task}`, c.runs]));
  const runs = plan.batch.runs as (PlanDocument['batch']['runs'][number] & RunSetting)[];
  const hasBackbone = runs.some((r) => r.backbone !== undefined && r.backbone !== null);
  const hasBudget = runs.some((r) => r.budget !== undefined && r.budget !== null);
  const hasExplore = runs.some((r) => r.explore === true);
  const header = [
    'order',
    'heuristic',
    'task',
    'category',
    ...(hasBackbone ? ['backbone'] : []),
    ...(hasBudget ? ['budget'] : []),
    'kind',
    'replicate',
    'value',
    'cumulative_value',
    'cost',
    ...(hasExplore ? ['exploration'] : []),
  ];
  const seen = new Map<string, number>();
  let previous = 0;
  const lines = runs.map((r, i) => {
    const key = `${r.heuristic}\u0000${r.task}${hasBackbone ? `\u0000${r.backbone ?? ''}` : ''}${hasBudget ? `\u0000${r.budget ?? ''}` : ''}`;
    const nth = (seen.get(key) ?? 0) + 1;
    seen.set(key, nth);
    const before = r.kind === 'seed' ? (existing.get(`${r.heuristic}\u0000${r.task}`) ?? 0) : 0;
    const added = r.cumulative_value - previous;
    previous = r.cumulative_value;
    return [
      String(i + 1),
      r.heuristic,
      r.task,
      r.category ?? '',
      ...(hasBackbone ? [String(r.backbone ?? '')] : []),
      ...(hasBudget ? [String(r.budget ?? '')] : []),
      r.kind,
      String(before + nth),
      String(added),
      String(r.cumulative_value),
      String(r.cost),
      ...(hasExplore ? [r.explore ? 'true' : 'false'] : []),
    ]
      .map(csvText)
      .join(',');
  });
  return `${[header.join(','), ...lines].join('\n')}\n`;
}
