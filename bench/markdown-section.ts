/**
 * One marked section of a Markdown file (VALIDATION.md, written by several bench scripts): the text
 * between `<!-- KEY:begin -->` and `<!-- KEY:end -->` is replaced, everything else is kept; a
 * section not yet in the file is appended. Lets `npm run validate -- --only ...` and
 * `npm run backtest` each rewrite their own figures without erasing the others'.
 *
 * @example
 * writeMarkdownSection('VALIDATION.md', 'validate:sbc', ['## Simulation-based calibration', '...']);
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** `text` with the section `key` replaced by (or appended as) `body`, markers included. */
export function replaceMarkdownSection(text: string, key: string, body: readonly string[]): string {
  const begin = `<!-- ${key}:begin -->`;
  const end = `<!-- ${key}:end -->`;
  const section = [begin, ...body, end].join('\n');
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) return text.slice(0, i) + section + text.slice(j + end.length);
  return `${text.trimEnd()}\n\n${section}\n`;
}

/** Rewrites the section `key` of the Markdown file `file` (created if missing). */
export function writeMarkdownSection(file: string, key: string, body: readonly string[]): void {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '';
  }
  writeFileSync(file, replaceMarkdownSection(text, key, body));
}
