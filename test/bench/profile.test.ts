import { describe, expect, it } from 'vitest';
import { type CpuProfile, topSelfTime } from '../../bench/profile.js';

describe('bench/profile.ts topSelfTime', () => {
  // A hand-made profile: root -> a (file:///x/a.ts line 10) and root -> b; b appears twice in the
  // tree (two call sites) and must be summed.
  const p: CpuProfile = {
    nodes: [
      {
        id: 1,
        callFrame: { functionName: '(root)', url: '', lineNumber: -1 },
        children: [2, 3, 4],
      },
      { id: 2, callFrame: { functionName: 'a', url: 'file:///x/a.ts', lineNumber: 9 } },
      { id: 3, callFrame: { functionName: 'b', url: 'file:///x/b.ts', lineNumber: 0 } },
      { id: 4, callFrame: { functionName: 'b', url: 'file:///x/b.ts', lineNumber: 0 } },
    ],
    startTime: 0,
    endTime: 100,
    // Sample i lasts timeDeltas[i + 1] microseconds: a 1000, b 3000 + 2000, a 4000, last one 0.
    samples: [2, 3, 4, 2, 1],
    timeDeltas: [0, 1000, 3000, 2000, 4000],
  };

  it('sums self time per function across call sites, largest first, with shares', () => {
    const top = topSelfTime(p, 10);
    expect(top.map((e) => [e.name, e.where, e.ms])).toEqual([
      ['a', 'a.ts:10', 5],
      ['b', 'b.ts:1', 5],
      ['(root)', '', 0],
    ]);
    // 1e-12: shares are exact fractions 5/10 up to rounding.
    expect(Math.abs(top[0].share - 0.5)).toBeLessThan(1e-12);
  });

  it('falls back to hitCount when the profile has no samples', () => {
    const q: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: 'f', url: '', lineNumber: 0 }, hitCount: 3 },
        { id: 2, callFrame: { functionName: '', url: '', lineNumber: 0 }, hitCount: 1 },
      ],
      startTime: 0,
      endTime: 4000,
    };
    expect(topSelfTime(q, 1)).toEqual([{ name: 'f', where: '', ms: 3, share: 0.75 }]);
  });
});

describe('bench/profile.ts callgrindTotal', () => {
  it('reads the summary (or totals) line of a callgrind output file', async () => {
    const { callgrindTotal } = await import('../../bench/profile.js');
    expect(callgrindTotal('version: 1\nevents: Ir\nsummary: 123456789\nfl=x\n')).toBe(123456789);
    expect(callgrindTotal('events: Ir\ntotals: 42\n')).toBe(42);
    expect(Number.isNaN(callgrindTotal('events: Ir\n'))).toBe(true);
  });
});
