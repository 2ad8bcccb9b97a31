import { describe, expect, it } from 'vitest';
import { createNormalRng } from '../../src/analysis/random.js';
import { tableFromRecords } from '../../src/data/records.js';
import { compileModel } from '../../src/model/compile.js';
import { isNestedModel } from '../../src/model/nested-model.js';

// The nested chain is found from the structure of the terms and the data (A ⊂ A:C ⊂ A:B with B
// nested in C), not from the column names: renamed columns get the same geometry.

// 3 heuristics x 4 tasks in 2 categories (t1 in A, the rest in B), 1-3 replicates per cell
function records(nested: boolean) {
  const rng = createNormalRng(23);
  const out: Record<string, string | number>[] = [];
  const tasks = ['t1', 't2', 't3', 't4'];
  // not nested: task t2's replicate runs alternate between the categories, so a heuristic x task
  // cell spans two heuristic x category levels
  const catOf = (k: number, s: number) => (k === 0 || (!nested && k === 1 && s % 2) ? 'A' : 'B');
  for (let h = 0; h < 3; h++) {
    tasks.forEach((t, k) => {
      const n = 1 + ((k + h) % 3);
      for (let s = 0; s < n; s++) {
        out.push({
          heuristic: `h${h}`,
          task: t,
          category: catOf(k, s),
          score: 50 + 2 * h + k + 3 * rng.normal(),
        });
      }
    });
  }
  return out;
}

const RENAME: Record<string, string> = {
  heuristic: 'method',
  task: 'dataset',
  category: 'domain',
  score: 'y',
};
const renamed = (recs: Record<string, string | number>[]) =>
  recs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [RENAME[k] ?? k, v])));
const renameName = (name: string) =>
  name.replace(/heuristic|task|category/g, (m) => RENAME[m] as string);

const CANON = 'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)';
const RENAMED = 'y ~ 1 + (1|method) + (1|dataset) + (1|method:domain) + (1|method:dataset)';

const NEST = { marginalize: 'nested' as const };

describe('nested chain detected from structure', () => {
  it('renamed columns compile to the same nested-chain model (log density and gradient)', () => {
    const spec = { family: 'gaussian' as const };
    const a = compileModel({ ...spec, formula: CANON }, tableFromRecords(records(true), 'c'), NEST);
    const b = compileModel(
      { ...spec, formula: RENAMED },
      tableFromRecords(renamed(records(true)), 'r'),
      NEST,
    );
    expect(isNestedModel(a)).toBe(true);
    expect(isNestedModel(b)).toBe(true);
    expect(b.dim).toBe(a.dim);
    expect(b.variableNames).toEqual(a.variableNames.map(renameName));
    expect(b.parameterNames).toEqual(a.parameterNames?.map(renameName));
    const rng = createNormalRng(9);
    for (let k = 0; k < 4; k++) {
      const theta = Float64Array.from({ length: a.dim }, () => 0.6 * rng.normal());
      theta[0] = 50 + rng.normal();
      const ga = new Float64Array(a.dim);
      const gb = new Float64Array(b.dim);
      const la = a.logDensityGradient(theta, ga);
      const lb = b.logDensityGradient(theta, gb);
      expect(Number.isFinite(la)).toBe(true);
      // same arithmetic on the same numbers in the same order: identical, not merely close
      expect(lb).toBe(la);
      expect(Array.from(gb)).toEqual(Array.from(ga));
      const va = new Float64Array(a.variableNames.length);
      const vb = new Float64Array(b.variableNames.length);
      a.writeVariables(theta, va);
      b.writeVariables(theta, vb);
      expect(Array.from(vb)).toEqual(Array.from(va));
    }
  });

  it('does not build the chain when B is not nested in C in the data', () => {
    const b = compileModel(
      { family: 'gaussian', formula: RENAMED },
      tableFromRecords(renamed(records(false)), 'r'),
      NEST,
    );
    expect(isNestedModel(b)).toBe(false);
  });
});
