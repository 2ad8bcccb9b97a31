/**
 * HTML escaping for every user string the report prints (heuristic, task, category and variable
 * names, notes, warning texts). Escapes the five characters that matter in text and in quoted
 * attribute values (OWASP XSS prevention cheat sheet, rule #1 and #2).
 *
 * @example
 * escapeHtml('<script>alert(1)</script>') // '&lt;script&gt;alert(1)&lt;/script&gt;'
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
