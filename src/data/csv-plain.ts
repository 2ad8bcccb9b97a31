import { createReadStream } from 'node:fs';

/**
 * The records of CSV text without quote characters and without carriage returns ("plain" CSV: what
 * evaluation harnesses and scripts write, e.g. a per-example file of 10,000,000 rows), split by a
 * scan of the text instead of csv-parse. For such text, csv-parse with the readers' settings
 * (src/data/csv.ts PARSE_OPTIONS: bom, relax_column_count, relax_quotes, trim) gives exactly
 * these records: every LF ends a record (the record delimiter it discovers is the first line
 * break, an LF; with no CR there is no other), every comma ends a field, a field is trimmed of the
 * characters csv-parse 7 trims (its `timchars`: the JavaScript whitespace and line terminators,
 * the set `String.prototype.trim` removes), a blank line is a record of one empty field, and text
 * after the last LF is a last record when something is left of it after trimming. test/data/csv-plain.test.ts checks the two
 * against each other on random text. csv-parse spent about 0.75 us per row here (7.5 CPU s of a
 * 10,000,000-row file): one string per row and a substring per field are all this scan makes.
 */

/**
 * Call `onRecord` with each record of `text` (plain CSV: no '"', no CR) in order. `final` says the
 * text runs to the end of the input: then text after the last LF is a record too; otherwise the
 * caller passes whole lines only (text ending in LF).
 *
 * @example
 * const out: string[][] = [];
 * forEachPlainRecord('a, b\n\n1,2', true, (r) => out.push(r)); // [['a','b'], [''], ['1','2']]
 */
export function forEachPlainRecord(
  text: string,
  final: boolean,
  onRecord: (record: string[]) => void,
): void {
  const n = text.length;
  let start = 0;
  let record: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 44) {
      record.push(text.slice(start, i).trim());
      start = i + 1;
    } else if (c === 10) {
      record.push(text.slice(start, i).trim());
      onRecord(record);
      record = [];
      start = i + 1;
    }
  }
  // the text after the last LF: a record at the end of the input, unless nothing is left of it
  // after trimming (csv-parse emits a last record only when it holds a field or a character)
  if (!final) return;
  const last = text.slice(start, n).trim();
  if (record.length > 0 || last !== '') {
    record.push(last);
    onRecord(record);
  }
}

/**
 * Call `onRecord` with each record of plain CSV bytes (UTF-8, no '"', no CR byte), decoded
 * `sliceBytes` at a time (cut after an LF), so no string of the whole input is made.
 *
 * @example forEachPlainRecordOfBytes(Buffer.from('a,b\n1,2\n'), 1 << 20, (r) => console.log(r));
 */
export function forEachPlainRecordOfBytes(
  input: Buffer,
  sliceBytes: number,
  onRecord: (record: string[]) => void,
): void {
  let start = 0;
  while (start < input.length) {
    let end = input.length;
    if (start + sliceBytes < input.length) {
      const at = input.indexOf(10, start + sliceBytes);
      if (at >= 0) end = at + 1;
    }
    forEachPlainRecord(input.toString('utf8', start, end), end === input.length, onRecord);
    start = end;
  }
}

/**
 * Whether a file is plain CSV (no '"' and no CR byte anywhere): one read of the file with
 * Buffer.indexOf (memchr), a few hundred milliseconds for 200 MB.
 *
 * @example await isPlainCsvFile('runs.csv') // true
 */
export async function isPlainCsvFile(path: string): Promise<boolean> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (chunk.indexOf(34) >= 0 || chunk.indexOf(13) >= 0) return false;
    }
    return true;
  } finally {
    stream.destroy();
  }
}

/**
 * Read a plain CSV file chunk by chunk: each chunk goes to `check` first (the byte checks: NUL,
 * UTF-8), then its whole lines are decoded and split into records for `onRecord`; a UTF-8 byte
 * order mark at the start is dropped (csv-parse's `bom`).
 *
 * @example await readPlainCsv('runs.csv', (c) => checker.push(c), (r) => sink.onRecord(r));
 */
export async function readPlainCsv(
  path: string,
  check: (chunk: Buffer) => void,
  onRecord: (record: string[]) => void,
): Promise<void> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  let carry: Buffer | null = null;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      check(chunk);
      let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      if (first) {
        first = false;
        if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
          buf = buf.subarray(3);
        }
      }
      // an LF never occurs inside a multi-byte UTF-8 sequence: the lines decode on their own
      const last = buf.lastIndexOf(10);
      if (last < 0) {
        carry = Buffer.from(buf);
        continue;
      }
      carry = last + 1 < buf.length ? Buffer.from(buf.subarray(last + 1)) : null;
      forEachPlainRecord(buf.toString('utf8', 0, last + 1), false, onRecord);
    }
  } finally {
    stream.destroy();
  }
  if (carry) forEachPlainRecord(carry.toString('utf8'), true, onRecord);
}
