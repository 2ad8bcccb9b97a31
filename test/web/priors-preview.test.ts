import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { runComparison } from '../../src/pipeline/compare.js';
import { defaultEngine } from '../../src/web/default-engine.js';
import { compareOptions, readModels } from '../../src/web/fit-options.js';

const models = fileURLToPath(new URL('../../models', import.meta.url));
const csv = readFileSync(new URL('../../fixtures/real/lra_tay2021.csv', import.meta.url));

describe('the new-fit page previews the priors the fit will use', () => {
  it('equals the settings.priors a comparison of the same spec records (standardized defaults)', {
    timeout: 120_000,
  }, async () => {
    const table = parseCsv(csv, { source: 'lra_tay2021.csv' });
    const spec = { mapping: { heuristic: 'heuristic', task: 'task', score: 'value' } };
    const preview = defaultEngine(models).priors(table, spec);
    // a tiny run: settings.priors do not depend on the draws
    const config = { chains: 1, warmup: 20, draws: 20, seed: 1 };
    const run = await runComparison(
      table,
      compareOptions(spec, config, readModels(models), 'lra_tay2021.csv'),
    );
    expect(preview).toEqual(run.comparison.settings?.priors);
    // and they are compare's standardized defaults, not brms's on the raw scores
    expect(run.comparison.settings?.response_scale).toBeDefined();
  });

  it('equals them for a bounded score fitted on the logit (logit-normal), not the raw-scale defaults', {
    timeout: 120_000,
  }, async () => {
    const bounded = readFileSync(
      new URL('../../fixtures/real/headkv2025_longbench_loogle.csv', import.meta.url),
    );
    const table = parseCsv(bounded, { source: 'headkv2025_longbench_loogle.csv' });
    const spec = {
      mapping: { heuristic: 'heuristic', task: 'task', score: 'value', category: 'task_category' },
    };
    const preview = defaultEngine(models).priors(table, spec);
    const config = { chains: 1, warmup: 20, draws: 20, seed: 1 };
    const run = await runComparison(
      table,
      compareOptions(spec, config, readModels(models), 'headkv2025_longbench_loogle.csv'),
    );
    expect(run.comparison.settings?.bounded).toMatchObject({ likelihood: 'logit-normal' });
    expect(preview).toEqual(run.comparison.settings?.priors);
  });
});
