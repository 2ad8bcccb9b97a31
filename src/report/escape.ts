/**
 * Escaping of user strings for where they are shown: HTML (escapeHtml) and the terminal
 * (escapeTerminal).
 */

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

/**
 * Make text safe to print on a terminal: C0 controls (ESC starts ANSI CSI and OSC sequences, which
 * can clear the screen, move the cursor or hide a hyperlink; ECMA-48 section 5), DEL, C1 controls
 * (U+0080-U+009F; U+009B is a one-character CSI) and the Unicode bidi controls that reorder what
 * follows (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069; Unicode UAX #9 section 2, the
 * "Trojan Source" attack) are shown as visible escapes: `\x1b`, `\x9b`, `\u202e`; `\n`, `\r` and
 * `\t` as themselves escaped. With `keepLineBreaks` (a whole report), line feeds and tabs stay.
 * Everything else, non-ASCII letters included, passes unchanged; JSON output needs none of this
 * (JSON.stringify escapes C0 itself and the reader parses it).
 *
 * @example
 * escapeTerminal('a\u001b[2Jb\u202e') // 'a\\x1b[2Jb\\u202e'
 * escapeTerminal('line 1\nline 2', { keepLineBreaks: true }) // unchanged
 */
export function escapeTerminal(value: unknown, options: { keepLineBreaks?: boolean } = {}): string {
  const s = String(value);
  const keep = options.keepLineBreaks === true;
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isTerminalControl(c) || (keep && (c === 10 || c === 9))) continue;
    out += s.slice(from, i) + visibleEscape(c);
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

function isTerminalControl(c: number): boolean {
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  if (c < 0x61c) return false;
  return (
    c === 0x61c ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}

const NAMED: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r' };

function visibleEscape(c: number): string {
  const named = NAMED[c];
  if (named) return named;
  return c < 0x100
    ? `\\x${c.toString(16).padStart(2, '0')}`
    : `\\u${c.toString(16).padStart(4, '0')}`;
}
