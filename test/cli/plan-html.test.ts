import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../src/analysis/plan-from-fit.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');

describe('bayesbench plan --html', () => {
  it('writes the comparison report with the "What to run next" section of the same plan', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bb-plan-html-')), 'plan.html');
    // reduced draws keep the suite short
    const r = spawnSync(
      tsx,
      [
        'src/cli/main.ts',
        'plan',
        'fixtures/real/lra_tay2021.csv',
        ...['--chains', '2', '--warmup', '60', '--draws', '60', '--quiet'],
        ...['--runs', '2', '--outcomes', '16', '--html', out, '--json'],
      ],
      { cwd: root, encoding: 'utf8', timeout: 240_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout) as PlanDocument;
    const { document } = parseHTML(readFileSync(out, 'utf8'));
    expect(document.querySelector('#plan h2')?.textContent).toBe('What to run next');
    expect(document.querySelector('#recommendations')).not.toBeNull();
    const batch = [...document.querySelectorAll('#plan-batch tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].slice(1, 3).map((td) => td.textContent),
    );
    expect(batch).toEqual(plan.batch.runs.map((x) => [x.heuristic, x.task]));
    const verdicts = [...document.querySelectorAll('#plan-verdicts tbody tr')].map(
      (tr) => tr.querySelectorAll('td')[7]?.textContent,
    );
    expect(verdicts).toEqual(
      plan.verdicts.map(
        (v) =>
          `${v.decided ? 'decided' : 'not decided'}${v.reliable ? '' : ' (weights unreliable)'}`,
      ),
    );
    expect(document.querySelectorAll('script')).toHaveLength(0);
  }, 240_000);
});
