/**
 * Build step after `tsc` and bundle-stdlib: bundle the command line (OUT_DIR/src/cli/main.js and the
 * modules it imports, the commands' lazy imports as chunks under OUT_DIR/src/cli/chunks) with
 * esbuild, in place of the compiled main.js, so that a `bayesbench` process loads a few files
 * instead of ~200 small modules. Resolving and loading those one by one costs CPU at the start of
 * every command (Node 20 has no module compile cache; BENCHMARKS.md §12.3).
 *
 * The same for the sampler's worker thread (OUT_DIR/src/sampler/worker.js, chunks under
 * OUT_DIR/src/sampler/chunks): the worker and, as lazy chunks, the two modules the worker threads
 * load by path, the model layer's rebuild module (every model's ModelSource names it) and the
 * summary's module task (pipeline/summarize-in-workers.js). The bundle's entry registers them with
 * the worker's `importModule` (sampler/load-model.ts `registerBundledModules`) under the URLs of
 * their compiled files, so a task naming one of them loads the chunk; any other module (a user's
 * model) is imported from its file as before. A new thread starts loading both chunks at once, while
 * it would otherwise wait for its first task (BENCHMARKS.md §12.5).
 *
 * The rest of the compiled tree stays as it is: the library's entry points load it as before. A
 * bundled module whose code reads `import.meta.url` (to find a worker file, name itself to a worker
 * thread, or find the web app's files) gets the URL of its own compiled file, so it names the same
 * files it named unbundled. Packages from node_modules are not bundled (better-sqlite3 is native).
 *
 * Usage: node scripts/bundle-cli.mjs [OUT_DIR]   (default dist; `npm run build` runs it)
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const outDir = path.resolve(process.argv[2] ?? 'dist');
const cliDir = path.join(outDir, 'src', 'cli');
const entry = path.join(cliDir, 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`bundle-cli: ${entry} not found (run tsc first)\n`);
  process.exit(1);
}
if (readFileSync(entry, 'utf8').includes('./chunks/')) {
  process.stderr.write(`bundle-cli: ${entry} is already a bundle (run tsc first)\n`);
  process.exit(1);
}
rmSync(path.join(cliDir, 'chunks'), { recursive: true, force: true });

/**
 * Each compiled module's `import.meta.url` as the URL of its own file: the path from the bundle's
 * directory, resolved against that directory's URL (the bundle is in it, the chunks one level down).
 */
function ownUrl(bundleDir) {
  return {
    name: 'own-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, (args) => {
        const code = readFileSync(args.path, 'utf8');
        if (!code.includes('import.meta.url')) return undefined;
        const rel = path.relative(bundleDir, args.path).split(path.sep).join('/');
        const own = `new URL(${JSON.stringify(rel)}, import.meta.url.replace(/(\\/chunks)?\\/[^/]*$/, '/')).href`;
        return { contents: code.replaceAll('import.meta.url', own), loader: 'js' };
      });
    },
  };
}

/** esbuild options shared by the two bundles. */
const common = {
  allowOverwrite: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
};

/**
 * Packages stay external, except csv-parse: pure ES modules (no `require`, no files of its own to
 * find), 11 files that every command reading a table loaded one by one (an import of csv-parse/sync
 * alone: 7.8 ms of CPU from node_modules, 1.5 ms bundled; BENCHMARKS.md §12.5).
 */
const BUNDLED_PACKAGES = /^csv-parse(\/|$)/;
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      BUNDLED_PACKAGES.test(args.path) || args.path.startsWith('node:')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

await build({
  ...common,
  packages: undefined,
  entryPoints: [entry],
  outdir: cliDir,
  plugins: [externalPackages, ownUrl(cliDir)],
});
const chunks = readdirSync(path.join(cliDir, 'chunks')).filter((f) => f.endsWith('.js')).length;
process.stdout.write(`bundle-cli: ${entry} and ${chunks} chunks\n`);

// The worker thread: its entry re-exports the worker's tasks and registers the modules loaded by path.
const samplerDir = path.join(outDir, 'src', 'sampler');
const workerFile = path.join(samplerDir, 'worker.js');
if (readFileSync(workerFile, 'utf8').includes('registerBundledModules')) {
  process.stderr.write(`bundle-cli: ${workerFile} is already a bundle (run tsc first)\n`);
  process.exit(1);
}
rmSync(path.join(samplerDir, 'chunks'), { recursive: true, force: true });
const byPath = ['../model/rebuild.js', '../pipeline/summarize-in-workers.js'];
const workerEntry = path.join(samplerDir, 'worker-bundle-entry.js');
writeFileSync(
  workerEntry,
  [
    "import { registerBundledModules } from './load-model.js';",
    "export { default, runModuleTask } from './worker.js';",
    'const modules = {',
    ...byPath.map(
      (m) =>
        `  [new URL(${JSON.stringify(m)}, import.meta.url).href]: () => import(${JSON.stringify(m)}),`,
    ),
    '};',
    'registerBundledModules(modules);',
    '// start loading them while the new thread waits for its first task (the task then awaits the',
    '// same import): the thread starts while the calling thread reads and compiles the model',
    'setImmediate(() => {',
    '  for (const load of Object.values(modules)) load().catch(() => {});',
    '});',
    '',
  ].join('\n'),
);
try {
  await build({
    ...common,
    entryPoints: { worker: workerEntry },
    outdir: samplerDir,
    plugins: [ownUrl(samplerDir)],
  });
} finally {
  rmSync(workerEntry, { force: true });
}
const workerChunks = readdirSync(path.join(samplerDir, 'chunks')).filter((f) => f.endsWith('.js'));
process.stdout.write(`bundle-cli: ${workerFile} and ${workerChunks.length} chunks\n`);
