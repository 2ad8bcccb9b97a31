import { describe, expect, it } from 'vitest';
import { planBatchCsv } from '../../src/web/plan-csv.js';
import { makePlan } from '../report/plan-fixture.js';

describe('planBatchCsv', () => {
  it('adds an exploration column only when some run is forced exploration', () => {
    const base = makePlan();
    expect(planBatchCsv(base).split('\n')[0]).not.toContain('exploration');
    const plan = {
      ...base,
      batch: {
        ...base.batch,
        runs: base.batch.runs.map((r, i) => ({ ...r, ...(i === 0 ? { explore: true } : {}) })),
      },
    };
    const lines = planBatchCsv(plan).trimEnd().split('\n');
    expect(lines[0].endsWith(',cost,exploration')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',').at(-1))).toEqual(['true', 'false', 'false']);
  });
});
