import { isUtf8 } from 'node:buffer';
import { DataError } from '../errors.js';

/**
 * Byte-level checks that run before CSV parsing: a NUL byte means binary content, and every byte
 * sequence must be well-formed UTF-8 (RFC 3629 section 4: no overlong forms, no surrogates, nothing
 * above U+10FFFF). Errors name the byte offset from the start of the file.
 *
 * @example
 * checkBytes(new TextEncoder().encode('a,b\n1,2\n'), 'x.csv'); // passes
 */
export function checkBytes(bytes: Uint8Array, source: string, baseOffset = 0): void {
  if (baseOffset === 0) checkUtf16Bom(bytes, source);
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new DataError(
      `${source}: binary content (NUL byte at byte offset ${baseOffset + nul}); expected a UTF-8 CSV text file`,
    );
  }
  if (isUtf8(bytes)) return;
  const bad = firstInvalidUtf8(bytes, bytes.length);
  // isUtf8 said no, so bad >= 0; the fallback only guards a disagreement between the two checks.
  const at = Math.max(bad, 0);
  throw new DataError(
    `${source}: not UTF-8 text (byte 0x${bytes[at].toString(16).toUpperCase().padStart(2, '0')} at byte offset ${baseOffset + at}); save the file as UTF-8`,
  );
}

function checkUtf16Bom(bytes: Uint8Array, source: string): void {
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  ) {
    throw new DataError(
      `${source}: UTF-16 text (byte order mark at byte offset 0); save the file as UTF-8`,
    );
  }
}

/**
 * Streaming UTF-8/NUL checker for chunks of one file: keeps an incomplete trailing sequence between
 * chunks so a character split across two chunks is not reported.
 *
 * @example
 * const check = utf8ChunkChecker('big.csv');
 * for (const chunk of chunks) check.push(chunk);
 * check.end();
 */
export function utf8ChunkChecker(source: string): { push(chunk: Uint8Array): void; end(): void } {
  let offset = 0; // file offset of carry[0]
  let carry: Uint8Array = new Uint8Array(0);
  return {
    push(chunk: Uint8Array): void {
      let bytes = chunk;
      if (carry.length > 0) {
        bytes = new Uint8Array(carry.length + chunk.length);
        bytes.set(carry, 0);
        bytes.set(chunk, carry.length);
      }
      const cut = completePrefixLength(bytes);
      checkBytes(bytes.subarray(0, cut), source, offset);
      offset += cut;
      carry = bytes.slice(cut);
    },
    end(): void {
      if (carry.length > 0) checkBytes(carry, source, offset);
      carry = new Uint8Array(0);
    },
  };
}

/** Length of the longest prefix that does not end inside a multi-byte sequence. */
function completePrefixLength(bytes: Uint8Array): number {
  const n = bytes.length;
  // A UTF-8 sequence is at most 4 bytes (RFC 3629 section 3): look back at most 3 bytes for its lead.
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/**
 * Offset of the first byte that starts an ill-formed UTF-8 sequence, or -1 (RFC 3629 section 4
 * syntax; table 3-7 of the Unicode standard, chapter 3).
 *
 * @example firstInvalidUtf8(Uint8Array.from([0x61, 0xe9, 0x62]), 3); // 1
 */
export function firstInvalidUtf8(bytes: Uint8Array, end: number): number {
  let i = 0;
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + need >= end) return i; // truncated sequence
    const b1 = bytes[i + 1];
    if (b1 < lo || b1 > hi) return i;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}
