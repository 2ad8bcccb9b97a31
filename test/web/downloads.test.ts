import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, drawsCsvChunks, streamChunks } from '../../src/web/downloads.js';

describe('draws.csv download', () => {
  const nDraws = 500;
  const nChains = 2;
  const variables = Array.from({ length: 40 }, (_, i) => `v[${i}]`);
  const values = new Float64Array(nDraws * nChains * variables.length);
  for (let i = 0; i < values.length; i++) values[i] = Math.sin(i) * 1e3;
  const draws = { nDraws, nChains, variables, values };

  it('is the whole CSV in bounded chunks', () => {
    const chunks = [...drawsCsvChunks(draws, null)];
    const text = chunks.join('');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + nDraws * nChains);
    expect(lines[0]).toBe(
      `chain,draw,${variables.map((v) => `"${v}"`.replace(/"/g, '')).join(',')}`,
    );
    // Row 2 of chain 2: d=1, c=1, variable 0 at index d + nDraws * c.
    expect(lines[1 + nDraws + 1].split(',').slice(0, 3)).toEqual([
      '2',
      '2',
      String(values[1 + nDraws]),
    ]);
    expect(chunks.length).toBeGreaterThan(3);
    // A chunk ends at the first row boundary past CHUNK_BYTES: one row (< 1 kB here) over at most.
    for (const c of chunks) expect(c.length).toBeLessThan(CHUNK_BYTES + 1024);
  });

  it('produces chunks only as fast as a slow client takes them (backpressure)', async () => {
    let produced = 0;
    function* counted() {
      for (const c of drawsCsvChunks(draws, null)) {
        produced++;
        yield c;
      }
    }
    const total = [...drawsCsvChunks(draws, null)].length;
    let release: () => void = () => {};
    // A client that stalls after its first chunk.
    let received = 0;
    const stalled = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, cb) {
        received++;
        if (received === 1) release = cb;
        else cb();
      },
    });
    const done = streamChunks(counted(), stalled);
    await new Promise((r) => setTimeout(r, 100));
    // One chunk at the client, one in the writable's buffer, one in the readable's: never the file.
    expect(produced).toBeLessThanOrEqual(3);
    expect(total).toBeGreaterThan(6);
    release();
    await done;
    expect(produced).toBe(total);
    expect(received).toBe(total);
  });

  it('stops producing when the client goes away', async () => {
    let produced = 0;
    function* counted() {
      for (const c of drawsCsvChunks(draws, null)) {
        produced++;
        yield c;
      }
    }
    const gone = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      },
    });
    await expect(streamChunks(counted(), gone)).rejects.toThrow(/hang up/);
    expect(produced).toBeLessThanOrEqual(3);
  });

  it('gives other work a turn of the event loop between chunks, even to a fast client', async () => {
    let ticks = 0;
    let streaming = true;
    const tick = () => {
      ticks++;
      if (streaming) setImmediate(tick);
    };
    const fast = new Writable({
      write(_chunk, _enc, cb) {
        cb();
      },
    });
    const total = [...drawsCsvChunks(draws, null)].length;
    setImmediate(tick);
    await streamChunks(drawsCsvChunks(draws, null), fast);
    streaming = false;
    // One turn per chunk: other requests interleave with the download instead of waiting for it.
    expect(ticks).toBeGreaterThanOrEqual(total - 1);
  });
});
