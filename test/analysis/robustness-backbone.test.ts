import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { compare } from '../../src/pipeline/compare.js';

describe('leave-one-backbone-out', () => {
  it('names the backbone a recommendation rests on', async () => {
    // a leads by 10 points on m1 and trails by 1 on m2 and m3: best overall, not without m1
    const rows = ['heuristic,task,backbone,score'];
    const base = [40, 55, 62, 48, 51];
    base.forEach((y, t) => {
      const w = 0.3 * Math.sin(t + 1); // a small task-specific wobble, so cells are not exact
      rows.push(`a,t${t},m1,${y + 10 + w}`, `b,t${t},m1,${y - w}`);
      for (const m of ['m2', 'm3']) rows.push(`a,t${t},${m},${y - 1 + w}`, `b,t${t},${m},${y - w}`);
    });
    const c = await compare(parseCsv(`${rows.join('\n')}\n`, { source: 'bb.csv' }), {
      sampler: { seed: 2 },
    });
    expect(c.heuristics[0].name).toBe('a');
    const r = c.robustness?.backbones;
    expect(r?.column).toBe('backbone');
    expect(r?.left_out.map((x) => x.task)).toEqual(['m1', 'm2', 'm3']);
    const m1 = r?.left_out.find((x) => x.task === 'm1');
    expect(m1?.changes_best).toBe(true);
    expect(m1?.best_without).toBe('b');
    expect(r?.left_out.filter((x) => x.changes_best)).toHaveLength(1);
    // a guard, not a speed test: the backbone model draws 2000 per chain (~40 s of CPU), and on a
    // shared machine the default 120 s was reached
  }, 300_000);
});
