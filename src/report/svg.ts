/**
 * Server-side SVG with @observablehq/plot on a linkedom document (docs/UX.md §5: no browser needed).
 * One shared, never-attached document: Plot only creates detached elements on it, so reusing it is
 * safe and saves ~1 ms of HTML parsing per plot.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

/** The document type linkedom creates (the project compiles without the DOM lib). */
export type PlotDocument = ReturnType<typeof parseHTML>['document'];

let sharedDocument: PlotDocument | undefined;

/**
 * The linkedom document the plots are drawn on (created on first use).
 * @example plotDocument().createElement('svg')
 */
export function plotDocument(): PlotDocument {
  if (!sharedDocument) {
    sharedDocument = parseHTML('<!doctype html><html><head></head><body></body></html>').document;
  }
  return sharedDocument;
}

/**
 * Render Plot options to an SVG string (no xmlns; fine inline in HTML). Figures (a legend next to
 * the plot) are reduced to their <svg> elements, so callers always get a single <svg> root when
 * `legend` is not requested.
 *
 * @example
 * renderPlot({ marks: [Plot.dot([{ x: 1, y: 2 }], { x: 'x', y: 'y' })] }).startsWith('<svg') // true
 */
export function renderPlot(options: Plot.PlotOptions): string {
  // Plot's typings name the DOM's Document; linkedom's is structurally what Plot uses at runtime
  const el = Plot.plot({ ...options, document: plotDocument() as never }) as unknown as {
    outerHTML: string;
  };
  return el.outerHTML;
}

/**
 * Text for an attribute value built from user strings (aria labels): linkedom escapes only '"' in
 * attributes, and '<' or '&' there would make a standalone SVG ill-formed XML, so they become
 * spaces.
 *
 * @example attributeText('a<b>&c') // 'a b  c'
 */
export function attributeText(s: string): string {
  return s.replace(/[<>&"]/g, ' ');
}

/**
 * Add the SVG namespace so the string works as a standalone .svg file (browsers need xmlns there,
 * not inline in HTML).
 *
 * @example standaloneSvg('<svg width="1"></svg>') // '<svg xmlns="http://www.w3.org/2000/svg" width="1"></svg>'
 */
export function standaloneSvg(svg: string): string {
  if (/^<svg\b[^>]*\sxmlns=/.test(svg)) return svg;
  return svg.replace(/^<svg\b/, '<svg xmlns="http://www.w3.org/2000/svg"');
}

export { Plot };
