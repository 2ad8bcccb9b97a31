import { describe, expect, it } from 'vitest';
import { budgetCurvePlan, curveScopes } from '../../src/analysis/budget-curves.js';
import { scaleTable } from '../../src/analysis/from-fit.js';
import { prepareComparison } from '../../src/analysis/prepare.js';
import { readCsvFile } from '../../src/data/csv.js';
import { tableFromRecords } from '../../src/data/records.js';
import { createDraws } from '../../src/draws/draws.js';
import { createNormalRng } from '../../src/math/normal-rng.js';
import { buildBudgetCurveModel } from '../../src/model/budget-curve.js';
import { CURVE_SIM_DESIGN, simulateBudgetCurve } from '../../src/model/budget-curve-sim.js';
import { BUDGET_CURVE_DEFAULT, runComparison } from '../../src/pipeline/compare.js';

async function fitted(file: string) {
  const prepared = prepareComparison(await readCsvFile(`fixtures/real/${file}`), {});
  return scaleTable(prepared.table, prepared.scale).table;
}

describe('budgetCurvePlan: when the budget-curve model applies', () => {
  it('applies to the Ada-KV tables (5 budgets per method), with the full cache as method -1', async () => {
    const plan = budgetCurvePlan(await fitted('longbench_adakv2024_question_agnostic.csv'));
    expect(plan.reason).toBeUndefined();
    const d = plan.data;
    expect(d?.methods).toHaveLength(5);
    expect(d?.backbones).toHaveLength(2);
    expect(d?.tasks).toHaveLength(16);
    // 16 tasks x 2 backbones x (1 full + 5 methods x 5 budgets)
    expect(d?.y.length).toBe(832);
    expect(Array.from(d?.method ?? []).filter((h) => h < 0)).toHaveLength(32);
    expect(new Set(Array.from(d?.logBudget ?? []).filter(Number.isFinite))).toEqual(
      new Set([7, 8, 9, 10, 11]),
    );
  });

  it('does not apply with fewer than 3 budgets per method, and says which', async () => {
    const pyr = budgetCurvePlan(await fitted('longbench_pyramidkv2024.csv'));
    expect(pyr.data).toBeUndefined();
    expect(pyr.reason).toMatch(/>= 3 distinct budgets per method \(snapkv has 2/);
    const snap = budgetCurvePlan(await fitted('longbench_snapkv2024.csv'));
    expect(snap.reason).toMatch(/h2o has 1/);
    expect(budgetCurvePlan(await fitted('lra_tay2021.csv')).reason).toBe('no budget column');
  });
});

describe('curveScopes: curves read off the model', () => {
  it('gives observed and grid points, losses that shrink with the budget, and the truth when draws are the truth', () => {
    const sim = simulateBudgetCurve(CURVE_SIM_DESIGN, createNormalRng(4));
    const model = buildBudgetCurveModel(sim.data);
    // posterior draws that all sit at one parameter vector: every summary is that vector's curve
    const theta = model.inits(1, 1)[0];
    const vars = new Float64Array(model.dim);
    model.writeVariables(theta, vars);
    const draws = createDraws(4, 1, model.variableNames);
    for (let v = 0; v < model.dim; v++) draws.values.fill(vars[v], v * 4, (v + 1) * 4);
    const fit = {
      data: sim.data,
      draws,
      diagnostics: { max_rhat: 1, min_ess_bulk: 1, min_ess_tail: 1, divergent: 0 },
    };
    const { curves, crossings, decisions } = curveScopes(fit, [['overall', [0, 1, 2, 3], null]], {
      rope: 0.1,
      threshold: 0.95,
      higherIsBetter: true,
    });
    // 4 observed budgets 128..1024 and a grid of 4 per doubling: 13 points per method
    expect(curves).toHaveLength(3 * 13);
    expect(curves.filter((p) => p.observed)).toHaveLength(12);
    for (const h of sim.data.methods) {
      const pts = curves.filter((p) => p.heuristic === h);
      for (let j = 1; j < pts.length; j++) {
        expect(pts[j].budget_value).toBeGreaterThan(pts[j - 1].budget_value);
        // the loss against the full cache is positive and falls with the budget (monotone curve)
        expect(pts[j].loss_vs_full?.mean).toBeLessThan(pts[j - 1].loss_vs_full?.mean as number);
      }
      expect(pts[0].loss_vs_full?.mean).toBeGreaterThan(0);
      // draws all equal: the interval is the point
      expect(pts[0].q5).toBeCloseTo(pts[0].mean, 12);
    }
    // with identical draws P(A > B) is 0 or 1 at each point: crossings exist only for pairs ordered at the top
    for (const c of crossings) expect(c.p_a_greater.every((p) => p >= 0.95)).toBe(true);
    // the decisions at each observed budget are read off the same curves: the best method there
    // is the one with the highest curve value, with P(best) 1 (identical draws), 3 pairs each
    expect(decisions.map((x) => x.budget)).toEqual(['128', '256', '512', '1024']);
    for (const x of decisions) {
      const at = curves.filter((p) => p.observed && p.budget === x.budget);
      const top = at.reduce((a, b) => (b.mean > a.mean ? b : a));
      expect(x.best).toBe(top.heuristic);
      expect(x.p_best).toBe(1);
      expect(x.pairs).toHaveLength(3);
      for (const h of x.heuristics) {
        expect(h.mean).toBeCloseTo(at.find((p) => p.heuristic === h.heuristic)?.mean as number, 12);
      }
    }
  });
});

describe('curveScopes: per-backbone scopes', () => {
  it('reads each backbone against its own full cache; on the identity link the two average to the overall curve', () => {
    const sim = simulateBudgetCurve(CURVE_SIM_DESIGN, createNormalRng(5));
    expect(sim.data.backbones).toHaveLength(2);
    const model = buildBudgetCurveModel(sim.data);
    // draws that vary (four parameter vectors), so every scope's summaries are of real draws
    const inits = model.inits(4, 3);
    const draws = createDraws(4, 1, model.variableNames);
    const vars = new Float64Array(model.dim);
    inits.forEach((theta, d) => {
      model.writeVariables(theta, vars);
      for (let v = 0; v < model.dim; v++) draws.values[v * 4 + d] = vars[v];
    });
    const fit = {
      data: sim.data,
      draws,
      diagnostics: { max_rhat: 1, min_ess_bulk: 1, min_ess_tail: 1, divergent: 0 },
    };
    const all = [0, 1, 2, 3];
    const { curves } = curveScopes(
      fit,
      [
        ['overall', all, null],
        ['backbone:a', all, null, [0]],
        ['backbone:b', all, null, [1]],
      ],
      { rope: 0.1, threshold: 0.95, higherIsBetter: true },
    );
    const at = (scope: string) => curves.filter((p) => p.scope === scope);
    const [overall, a, b] = [at('overall'), at('backbone:a'), at('backbone:b')];
    expect(a).toHaveLength(overall.length);
    let differ = 0;
    overall.forEach((p, i) => {
      // means are linear in the draws and the link is the identity here: the overall curve and its
      // loss are the average of the two backbones' (to rounding, 1e-12)
      expect(p.mean).toBeCloseTo((a[i].mean + b[i].mean) / 2, 12);
      expect(p.loss_vs_full?.mean).toBeCloseTo(
        ((a[i].loss_vs_full?.mean as number) + (b[i].loss_vs_full?.mean as number)) / 2,
        12,
      );
      if (Math.abs(a[i].mean - b[i].mean) > 1e-6) differ++;
    });
    // the backbones' full caches and offsets differ: so do their curves
    expect(differ).toBe(overall.length);
  });
});

describe('compare with a budget column and 3+ budgets per method', () => {
  it('fits the budget-curve model (--budget-curve) and takes the budgets section from it, with a note', async () => {
    const sim = simulateBudgetCurve({ ...CURVE_SIM_DESIGN, backbones: 1 }, createNormalRng(8));
    const d = sim.data;
    const records = Array.from(d.y, (y, i) => ({
      heuristic: d.method[i] < 0 ? 'full_kv' : d.methods[d.method[i]],
      budget: d.method[i] < 0 ? 'full' : String(2 ** d.logBudget[i]),
      task: d.tasks[d.task[i]],
      score: 50 + 10 * y,
    }));
    const table = tableFromRecords(records, 'sim.csv');
    const sampler = { chains: 2, warmup: 200, draws: 150, seed: 2 };
    const run = await runComparison(table, { sampler, budgetCurve: true });
    const b = run.comparison.budgets;
    expect(b?.model).toBe('curve');
    expect(b?.reference).toBe('full_kv');
    expect(b?.curve_diagnostics?.max_rhat).toBeGreaterThan(0);
    expect(
      run.comparison.notes?.some((n) => n.startsWith('budget curves: the budget-curve model')),
    ).toBe(true);
    const overall = b?.curves.filter((p) => p.scope === 'overall') ?? [];
    // 4 observed budgets and 9 grid points per method (128-1024, 4 per doubling)
    expect(overall).toHaveLength(3 * 13);
    // per_arm: the per-arm section's point of the same method@budget
    for (const p of overall.filter((q) => q.observed)) expect(p.per_arm).toBeDefined();
    // decisions at each of the 4 observed budgets, overall and in no category (none in the table)
    expect(b?.decisions?.map((x) => `${x.scope} ${x.budget}`)).toEqual(
      ['128', '256', '512', '1024'].map((x) => `overall ${x}`),
    );
    for (const x of b?.decisions ?? []) {
      const sum = x.heuristics.reduce((a, h) => a + h.p_best, 0);
      // P(best) over the 3 methods sums to 1 (ties have probability 0 for continuous draws)
      expect(sum).toBeCloseTo(1, 12);
    }
    // the per-arm curves: turned off (--no-budget-curve), or with no option while the curve model
    // is opt-in (BUDGET_CURVE_DEFAULT false); the note says which
    const arms = await runComparison(table, {
      sampler,
      ...(BUDGET_CURVE_DEFAULT ? { budgetCurve: false } : {}),
    });
    expect(arms.comparison.budgets?.model).toBeUndefined();
    expect(arms.comparison.budgets?.decisions).toBeUndefined();
    expect(arms.comparison.budgets?.curves.filter((p) => p.scope === 'overall')).toHaveLength(12);
    const why = BUDGET_CURVE_DEFAULT ? 'turned off, --no-budget-curve' : 'opt-in, --budget-curve';
    expect(arms.comparison.notes?.some((n) => n.includes(why))).toBe(true);
    // the per-arm points are those the curve section carried as per_arm
    for (const p of overall.filter((q) => q.observed)) {
      const a = arms.comparison.budgets?.curves.find(
        (q) => q.scope === 'overall' && q.heuristic === p.heuristic && q.budget === p.budget,
      );
      expect(p.per_arm?.mean).toBe(a?.mean);
    }
  }, 600_000);
});
