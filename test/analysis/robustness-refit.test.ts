import { describe, expect, it } from 'vitest';
import { formatComparison } from '../../src/analysis/format.js';
import { robustnessSentence } from '../../src/analysis/robustness.js';
import { readCsvFile } from '../../src/data/csv.js';
import { runComparison } from '../../src/pipeline/compare.js';
import { refitRobustness } from '../../src/pipeline/robustness-refit.js';

// short chains: this checks which rows each refit drops and what is compared, not convergence
const sampler = { chains: 2, warmup: 150, draws: 150, seed: 4 };

describe('leave-one-task-out by refitting', async () => {
  const table = await readCsvFile('fixtures/real/lra_tay2021.csv');
  const run = await runComparison(table, { sampler });
  const seen: string[] = [];
  const r = await refitRobustness(table, { sampler }, run, {
    onRefit: (task, i, n) => seen.push(`${i + 1}/${n} ${task}`),
  });

  it('refits once per task, in the document\u2019s task order', () => {
    const names = run.comparison.tasks.map((t) => t.name);
    expect(r.kind).toBe('refit');
    expect(r.best).toBe(run.comparison.recommendation?.best);
    expect(r.tasks.map((t) => t.task)).toEqual(names);
    expect(seen).toEqual(names.map((t, i) => `${i + 1}/${names.length} ${t}`));
    // LRA's categories have 2 tasks each: none is checked
    expect(r.categories).toEqual([]);
  });

  it('each refit equals compare on the table filtered without the task (same settings)', async () => {
    const settings = run.comparison.settings ?? {};
    const task = 'ListOps';
    const direct = await runComparison(table, {
      sampler,
      filters: [`task!=${task}`],
      rope: settings.rope as number,
      scale: run.prepared.scale,
    });
    const entry = r.tasks.find((t) => t.task === task);
    // same rows, same seed: the same draws, so the same numbers exactly
    expect(entry?.best_without).toBe(direct.comparison.recommendation?.best);
    expect(entry?.p_best_without).toBe(direct.comparison.recommendation?.p_best);
    expect(entry?.changes_best).toBe(direct.comparison.recommendation?.best !== r.best);
    expect(entry?.refit_diagnostics?.max_rhat).toBe(direct.comparison.diagnostics.max_rhat);
    const confident = run.comparison.pairs.filter(
      (p) =>
        p.scope === 'overall' &&
        (p.a === r.best || p.b === r.best) &&
        ['a_better', 'b_better', 'equivalent'].includes(p.decision),
    );
    const kept = confident.filter((p) =>
      direct.comparison.pairs.some(
        (q) => q.scope === 'overall' && q.a === p.a && q.b === p.b && q.decision === p.decision,
      ),
    );
    expect(entry?.flipped_pairs.length).toBe(confident.length - kept.length);
  });

  it('is stated as refits in the terminal text', () => {
    const text = formatComparison({ ...run.comparison, robustness: r });
    expect(text).toContain(
      'Robustness: the model refitted without each task; scopes with >= 3 tasks',
    );
    expect(text).toContain(
      `(all tasks): ${robustnessSentence({ best: r.best ?? '', tasks: r.tasks })}`,
    );
  });
});

describe('a refit that cannot be made', async () => {
  // performer+convspe was run on Image and Retrieval only: without either it is left on a single
  // task, and those two refits are refused
  const table = await readCsvFile('fixtures/real/lra_spe2021_per_seed.csv');
  const run = await runComparison(table, { sampler });
  const r = await refitRobustness(table, { sampler }, run);

  it('is recorded with its error and said in the sentence', () => {
    const failed = r.tasks.filter((t) => t.refit_error !== undefined);
    expect(failed.map((t) => t.task)).toEqual(['Image', 'Retrieval']);
    for (const t of failed) {
      expect(t.refit_error).toMatch(/"performer\+convspe" is observed on a single task only/);
      expect(t.changes_best).toBe(false);
      expect(t.flipped_pairs).toEqual([]);
    }
    const ok = r.tasks.filter((t) => t.refit_error === undefined);
    expect(ok.map((t) => t.task)).toEqual(['ListOps', 'Text']);
    const sentence = robustnessSentence({ best: r.best ?? '', tasks: r.tasks });
    expect(sentence).toMatch(
      / Not refitted without Image \(.*single task only.*\); Retrieval \(.*\)\.$/,
    );
  });
});
