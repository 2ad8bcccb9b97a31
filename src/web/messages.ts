/**
 * Messages and previews for the web: bounded (a 10 MB CSV field must not become a 10 MB error
 * line or page) and worded for the web app (the data layer's messages name CLI flags the web has
 * no field for).
 */

/**
 * Longest value echoed in a message or preview, in characters; longer ones end in '…'.
 * @example bounded('x'.repeat(100)).length // 81
 */
export const ECHO_CHARS = 80;

/** Longest message shown or returned, in characters. */
export const MESSAGE_CHARS = 600;

/**
 * A value cut to ECHO_CHARS characters plus '…' when longer.
 * @example bounded('short') // 'short'
 */
export function bounded(value: string, max = ECHO_CHARS): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** CLI hints of the data layer and their web wording. */
const CLI_HINTS: [RegExp, string][] = [
  [/\(use --drop-missing to drop such rows\)/g, '(remove such rows from the CSV before uploading)'],
  [/; --drop-missing drops them\)/g, '; remove them from the CSV before uploading)'],
  [/--drop-missing/g, 'removing incomplete rows'],
  // the readers' notes, kept with an uploaded dataset: the upload form's fields
  [/choose it with --harness-metric /g, "choose it in the upload form's metric field as "],
  [/give --n \(seeds per mean\)/g, "give the upload form's n (seeds per mean)"],
  [/--n (\d+) is not used/g, 'n = $1 is not used'],
  [/ \(--wide\)$/g, ''],
];

/**
 * A message for the web: CLI hints reworded, each quoted value ("..." or '...') cut to ECHO_CHARS,
 * and the whole cut to MESSAGE_CHARS.
 * @example webMessage('t.csv: line 3: missing score (use --drop-missing to drop such rows)')
 * // 't.csv: line 3: missing score (remove such rows from the CSV before uploading)'
 */
export function webMessage(message: string): string {
  // Bound first (cheap, linear regexes: no nested quantifiers), then reword.
  let m = message.length > 100 * MESSAGE_CHARS ? message.slice(0, 100 * MESSAGE_CHARS) : message;
  m = m.replace(/"([^"]*)"/g, (_s, v: string) => `"${bounded(v)}"`);
  m = m.replace(/'([^']*)'/g, (_s, v: string) => `'${bounded(v)}'`);
  for (const [re, to] of CLI_HINTS) m = m.replace(re, to);
  return bounded(m, MESSAGE_CHARS);
}
