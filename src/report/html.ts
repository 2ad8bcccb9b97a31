/**
 * Escape-by-default HTML templating for the static report: every interpolated value is
 * HTML-escaped unless it is markup built by `html` itself or explicitly trusted with `trusted`
 * (used only for SVG strings from Plot, which linkedom already escaped).
 */
import { escapeHtml } from './escape.js';

/** A piece of markup that is safe to insert as is. */
export interface SafeHtml {
  readonly __html: string;
}

/** Anything `html` accepts as an interpolated value. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | HtmlValue[];

function isSafe(v: unknown): v is SafeHtml {
  return typeof v === 'object' && v !== null && '__html' in v;
}

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  if (isSafe(v)) return v.__html;
  return escapeHtml(String(v));
}

/**
 * Tagged template: literal parts are kept, values are escaped (arrays joined, null/false dropped).
 * @example html`<td>${'<b>'}</td>`.__html // '<td>&lt;b&gt;</td>'
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return { __html: out };
}

/**
 * Mark a string as safe markup (only for SVG produced by src/report plots).
 * @example trusted('<svg></svg>')
 */
export function trusted(markup: string): SafeHtml {
  return { __html: markup };
}
