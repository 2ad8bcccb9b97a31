import { describe, expect, it } from 'vitest';
import { planBatchCsv } from '../../src/web/plan-csv.js';
import { XSS } from '../report/fixtures.js';
import { makePlan } from '../report/plan-fixture.js';

describe('planBatchCsv', () => {
  it('lists the batch in order with the replicate of each run in its cell', () => {
    const lines = planBatchCsv(makePlan({ costs: true }))
      .trimEnd()
      .split('\n');
    expect(lines).toEqual([
      'order,heuristic,task,category,kind,replicate,value,cumulative_value,cost',
      // 2 runs of the cell in the table: the batch's runs are its 3rd and 4th
      '1,performer,"List, Ops",symbolic,seed,3,1,1,2',
      // a missing cell: its first run
      `2,${XSS},task9,vision,cell,1,0.5,1.5,2`,
      '3,performer,"List, Ops",symbolic,seed,4,0.25,1.75,2',
    ]);
  });

  it('adds an exploration column only when some run is forced exploration', () => {
    const base = makePlan({ costs: true });
    const plan = {
      ...base,
      batch: {
        ...base.batch,
        runs: base.batch.runs.map((r, i) => ({ ...r, ...(i === 0 ? { explore: true } : {}) })),
      },
    };
    expect(planBatchCsv(plan).trimEnd().split('\n')).toEqual([
      'order,heuristic,task,category,kind,replicate,value,cumulative_value,cost,exploration',
      '1,performer,"List, Ops",symbolic,seed,3,1,1,2,true',
      `2,${XSS},task9,vision,cell,1,0.5,1.5,2,false`,
      '3,performer,"List, Ops",symbolic,seed,4,0.25,1.75,2,false',
    ]);
  });
});
