/**
 * ModelSpec JSON files (models/*.json): `{name?, description?, formula, family?, priors?}`.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError, NotFoundError } from '../errors.js';
import { FAMILIES, type ModelSpec } from './spec.js';

const specSchema = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  formula: z.string().min(1),
  family: z.enum(FAMILIES).optional(),
  priors: z.array(z.string()).optional(),
  centred: z.union([z.array(z.string()), z.literal('auto')]).optional(),
});

/**
 * Validate a parsed JSON value as a ModelSpec; `source` names the file in errors.
 * @example parseModelSpec({ formula: 'y ~ 1 + (1|g)' }, 'inline')
 */
export function parseModelSpec(value: unknown, source: string): ModelSpec {
  const r = specSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? `"${issue.path.join('.')}"` : 'the document';
    throw new ConfigError(`${source}: ${where}: ${issue.message}`);
  }
  const s = r.data;
  const out: ModelSpec = { formula: s.formula };
  if (s.name !== undefined) out.name = s.name;
  if (s.description !== undefined) out.description = s.description;
  if (s.family !== undefined) out.family = s.family;
  out.priors = s.priors ?? [];
  if (s.centred !== undefined) out.centred = s.centred;
  return out;
}

/**
 * Read a ModelSpec JSON file (e.g. models/heuristic-task.json).
 * @example const spec = await readModelSpecFile('models/heuristic-task.json');
 */
export async function readModelSpecFile(path: string): Promise<ModelSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new NotFoundError(`--model: cannot read ${path}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--model: ${path} is not valid JSON (${(err as Error).message})`);
  }
  return parseModelSpec(value, path);
}
