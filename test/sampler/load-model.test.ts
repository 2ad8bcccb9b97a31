import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importModule, registerBundledModules } from '../../src/sampler/load-model.js';

/**
 * A worker thread's bundle (scripts/bundle-cli.mjs) registers the modules it carries under the URLs
 * of their compiled files; `importModule` must return those for the URL or the equivalent absolute
 * path, and import every other module from its file.
 */
describe('importModule and the modules a bundle carries', () => {
  const fakeUrl = pathToFileURL('/nonexistent/dist/src/model/rebuild.js').href;
  const carried = { rebuildModel: () => 'from the bundle' };
  registerBundledModules({ [fakeUrl]: async () => carried });

  it('returns the registered module for its URL and for its absolute path (no file is read)', async () => {
    expect(await importModule(fakeUrl)).toBe(carried);
    expect(await importModule(fileURLToPath(fakeUrl))).toBe(carried);
  });

  it('imports any other module as before', async () => {
    const mod = await importModule('node:os');
    expect(typeof mod.availableParallelism).toBe('function');
    expect(mod).not.toBe(carried);
  });
});
