import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SUMMARY_COLUMNS, type Summary } from '../diagnostics/types.js';
import type { Draws, SamplerStats } from '../draws/draws.js';

/** Quote a CSV field when it needs it (RFC 4180). */
function field(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Bytes per chunk of a streamed download: big enough that per-chunk overhead is small, small enough
 * that producing one chunk takes well under a millisecond of the event loop.
 */
export const CHUNK_BYTES = 64 * 1024;

/**
 * The draws CSV (`chain,draw,<variables...>,<sampler fields...>`, 1-based, full precision) as
 * chunks of about CHUNK_BYTES (at least one row), produced lazily: a consumer that pulls one chunk
 * at a time holds one chunk in memory, whatever the size of the fit.
 * @example await streamChunks(drawsCsvChunks(draws, stats), res);
 */
export function* drawsCsvChunks(draws: Draws, stats: SamplerStats | null): Generator<string> {
  const sets =
    stats && stats.nDraws === draws.nDraws && stats.nChains === draws.nChains
      ? [draws, stats]
      : [draws];
  const header = ['chain', 'draw', ...sets.flatMap((s) => s.variables)].map(field).join(',');
  let buf = `${header}\n`;
  for (let c = 0; c < draws.nChains; c++) {
    for (let d = 0; d < draws.nDraws; d++) {
      let line = `${c + 1},${d + 1}`;
      for (const s of sets) {
        for (let v = 0; v < s.variables.length; v++) {
          line += `,${s.values[d + s.nDraws * (c + s.nChains * v)]}`;
        }
      }
      buf += `${line}\n`;
      if (buf.length >= CHUNK_BYTES) {
        yield buf;
        buf = '';
      }
    }
  }
  if (buf) yield buf;
}

/**
 * Write chunks to a stream with backpressure: the next chunk is produced only when the stream can
 * take it (Readable.from pulls the generator on demand), so a slow or stalled client holds the
 * server to one chunk and never blocks the event loop for the whole file. Rejects (and stops
 * producing) when the client goes away.
 * @example await streamChunks(drawsCsvChunks(draws, stats), res);
 */
export function streamChunks(chunks: Iterable<string>, out: Writable): Promise<void> {
  return pipeline(Readable.from(yielding(chunks), { objectMode: false, highWaterMark: 1 }), out);
}

/**
 * The chunks, one per turn of the event loop: while the socket takes writes at once (loopback,
 * megabytes of kernel buffer), a plain iterator would be drained in one turn, holding every other
 * request for the whole buffer's worth of formatting.
 */
async function* yielding(chunks: Iterable<string>): AsyncGenerator<string> {
  for (const chunk of chunks) {
    yield chunk;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * The summary table as CSV with posterior's column names (NaN as empty, full precision).
 * @example summaryCsv(summary).split('\n')[0] // 'variable,mean,median,sd,...'
 */
export function summaryCsv(summary: Summary): string {
  const cols = SUMMARY_COLUMNS;
  const lines = [cols.join(',')];
  for (const r of summary.variables) {
    lines.push(
      cols
        .map((c) => {
          const v = r[c];
          if (typeof v === 'string') return field(v);
          return v === null || v === undefined || Number.isNaN(v) ? '' : String(v);
        })
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
