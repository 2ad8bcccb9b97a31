import { describe, expect, it } from 'vitest';
import { runCli, tempCsv } from './fit-cli-helpers.js';

describe('bayesbench priors', () => {
  it('prints every prior a fit would use, defaults scaled like brms', async () => {
    // median(score) = 60, mad = 1.4826 * 10 = 14.8
    const csv = tempCsv('p.csv', 'score,task,x\n40,a,1\n50,a,2\n60,b,3\n70,b,4\n80,c,5\n');
    const r = await runCli([
      'priors',
      csv,
      '--formula',
      'score ~ 1 + x + (1|task)',
      '--prior',
      'b ~ normal(0, 1)',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^prior\s+class\s+coef\s+group\s+lb\s+source$/);
    expect(r.stdout).toMatch(/student_t\(3, 60, 14\.8\)\s+Intercept\s+default/);
    expect(r.stdout).toMatch(/normal\(0, 1\)\s+b\s+x\s+user/);
    expect(r.stdout).toMatch(/student_t\(3, 0, 14\.8\)\s+sd\s+Intercept\s+task\s+0\s+default/);
    expect(r.stdout).toMatch(/student_t\(3, 0, 14\.8\)\s+sigma\s+0\s+default/);
  });

  it('--json and --family student (nu)', async () => {
    const csv = tempCsv('p.csv', 'y,g\n0.1,a\n0.5,b\n0.7,b\n');
    const r = await runCli([
      'priors',
      csv,
      '--formula',
      'y ~ 1 + (1|g)',
      '--family',
      'student',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.find((x: { class: string }) => x.class === 'nu')).toMatchObject({
      prior: 'gamma(2, 0.1)',
      lb: 1,
      source: 'default',
    });
  });

  it('a bad prior is a short error with exit 2', async () => {
    const csv = tempCsv('p.csv', 'y,g\n0.1,a\n0.5,b\n');
    const r = await runCli([
      'priors',
      csv,
      '--formula',
      'y ~ 1 + (1|g)',
      '--prior',
      'sd ~ normal(0)',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/prior: normal\(\) takes 2 arguments/);
  });
});
