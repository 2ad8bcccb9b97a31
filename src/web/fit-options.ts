import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColumnOverrides } from '../data/benchmark.js';
import { ConfigError } from '../errors.js';
import type { ModelSpec } from '../model/spec.js';
import type { CompareOptions } from '../pipeline/compare.js';
import type { FitConfig, FitSpec } from '../store/store.js';

/** The default model's name: picking it means "the default model adapted to the data". */
export const DEFAULT_MODEL = 'heuristic-task';

const OPTIONAL_ROLES = ['category', 'seed', 'study', 'std', 'n', 'trials', 'item'] as const;

/**
 * The web mapping as the data layer's overrides: what the user picked, and `null` for every optional
 * role left empty (so a column the user did not choose is never detected behind their back).
 * @example mappingOverrides({ heuristic: 'h', task: 't', score: 'y' }).category // null
 */
export function mappingOverrides(mapping: FitSpec['mapping']): ColumnOverrides {
  const out: ColumnOverrides = {
    heuristic: mapping.heuristic,
    task: mapping.task,
    score: mapping.score,
  };
  for (const role of OPTIONAL_ROLES) out[role] = mapping[role] ? mapping[role] : null;
  return out;
}

/**
 * Read the model files in a models/ directory (name, description, formula).
 * @example readModels('/repo/models').map((m) => m.name) // ['heuristic-task']
 */
export function readModels(dir: string): (ModelSpec & { name: string })[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const out: (ModelSpec & { name: string })[] = [];
  for (const f of files.sort()) {
    try {
      const spec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ModelSpec;
      if (typeof spec.formula === 'string')
        out.push({ ...spec, name: spec.name ?? f.slice(0, -5) });
    } catch {
      // A broken model file is left out of the list; `bayesbench compare --model` reports it.
    }
  }
  return out;
}

/**
 * CompareOptions of a stored fit (without progress and signal).
 * @example compareOptions(spec, config, models).sampler?.chains
 */
export function compareOptions(
  spec: FitSpec,
  config: FitConfig,
  models: readonly (ModelSpec & { name: string })[],
  source?: string,
): CompareOptions {
  const options: CompareOptions = {
    columns: mappingOverrides(spec.mapping),
    sampler: {
      chains: config.chains,
      warmup: config.warmup,
      draws: config.draws,
      seed: config.seed,
      ...(config.adaptDelta !== undefined ? { adaptDelta: config.adaptDelta } : {}),
    },
  };
  if (source) options.source = source;
  if (spec.formula) options.formula = spec.formula;
  else if (spec.model && spec.model !== DEFAULT_MODEL) {
    const m = models.find((x) => x.name === spec.model);
    if (!m) throw new ConfigError(`model: unknown model "${spec.model}" (see models/)`);
    options.model = m;
  }
  if (spec.priors?.length) options.priors = spec.priors;
  if (spec.filters?.length) options.filters = spec.filters;
  if (spec.rope !== undefined) options.rope = spec.rope;
  if (spec.threshold !== undefined) options.threshold = spec.threshold;
  if (spec.higherIsBetter !== undefined) options.higherIsBetter = spec.higherIsBetter;
  if (spec.itemsPerTask !== undefined) options.itemsPerTask = spec.itemsPerTask;
  return options;
}
