import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/model/compile.js';
import { fit as fitModel } from '../../src/model/fit.js';

const records = Array.from({ length: 24 }, (_, i) => ({
  heuristic: `h${i % 3}`,
  task: `t${i % 4}`,
  score: 0.5 + 0.1 * (i % 3) + 0.05 * Math.sin(i),
}));

describe('fit()', () => {
  it('accepts records; rebuilds the same model in worker threads (same draws as in-process)', async () => {
    const options = {
      formula: 'score ~ 1 + (1|heuristic) + (1|task)',
      priors: ['sd ~ normal(0, 0.5)'],
      chains: 2,
      warmup: 150,
      draws: 100,
      seed: 11,
    };
    const a = await fitModel(records, { ...options, parallel: false });
    const b = await fitModel(records, { ...options, parallel: true });
    expect(a.model.variableNames).toContain('r_task[t3,Intercept]');
    expect(a.summary.variables.map((v) => v.variable)).toEqual([...a.model.variableNames]);
    expect(a.dropped).toBe(0);
    expect(Array.from(b.fit.draws.values)).toEqual(Array.from(a.fit.draws.values));
  });

  it('compileModel is deterministic and carries a worker-rebuildable source only with default options', () => {
    const table = {
      nRows: 4,
      names: ['g', 'y'],
      columns: {
        g: { type: 'factor' as const, levels: ['a', 'b'], codes: Int32Array.from([0, 0, 1, 1]) },
        y: { type: 'numeric' as const, values: Float64Array.from([1, 2, 3, 5]) },
      },
    };
    const spec = { formula: 'y ~ 1 + (1|g)' };
    const m1 = compileModel(spec, table);
    const m2 = compileModel(spec, table);
    const theta = Float64Array.from({ length: m1.dim }, (_, i) => 0.1 * (i + 1));
    const g = new Float64Array(m1.dim);
    expect(m1.logDensityGradient(theta, g)).toBe(m2.logDensityGradient(theta, g));
    // every model of the layer names one worker entry point, model/rebuild.ts rebuildModel
    expect(m1.source?.kind === 'module' && m1.source.exportName).toBe('rebuildModel');
    expect(compileModel(spec, table, { marginalize: false }).source).toBeUndefined();
  });
});
