/**
 * `node scripts/readme-plots.mjs COMPARE.json NAME`: the README's plots from a `compare --json`
 * document (after `npm run build`): docs/img/NAME-budgets.svg (score by budget, all tasks) and
 * docs/img/NAME-backbones.svg (one panel per backbone). The same functions draw them in the HTML
 * report (src/report/budget-plot.ts, src/report/backbone-panels.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [file, name] = process.argv.slice(2);
if (!file || !name) {
  process.stderr.write('usage: node scripts/readme-plots.mjs COMPARE.json NAME\n');
  process.exit(2);
}
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { budgetCurvePlot } = await import(path.join(root, 'dist/src/report/budget-plot.js'));
const { backboneCurvesPlot } = await import(path.join(root, 'dist/src/report/backbone-panels.js'));
const doc = JSON.parse(readFileSync(file, 'utf8'));
for (const [suffix, svg] of [
  ['budgets', budgetCurvePlot(doc)],
  ['backbones', backboneCurvesPlot(doc)],
]) {
  if (!svg) continue;
  const out = path.join(root, 'docs/img', `${name}-${suffix}.svg`);
  // a standalone file (an <img> or a browser opening it) needs the namespace inline SVG does without
  const file = svg.startsWith('<svg xmlns')
    ? svg
    : svg.replace('<svg', '<svg xmlns="http://www.w3.org/2000/svg"');
  writeFileSync(out, `${file}\n`);
  process.stdout.write(`${out}\n`);
}
