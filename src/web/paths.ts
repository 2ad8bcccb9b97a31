import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The repo (or package) root: views/, public/ and models/ live there, also when run from dist/.
 * @example join(packageRoot(), 'models')
 */
export function packageRoot(): string {
  return ROOT.endsWith('/dist/') ? ROOT.slice(0, -'dist/'.length) : ROOT;
}
