/**
 * Stable argsort of doubles by LSD radix sort on order-preserving 64-bit keys (six 11-bit passes):
 * O(n), no comparator calls. Used by rank normalization, which needs the permutation, not only the
 * sorted values. NaN sorts after +Infinity (NaN is not expected: callers check first).
 */

const BITS = 11;
const RADIX = 1 << BITS;
const MASK = RADIX - 1;

interface Scratch {
  hi: Uint32Array;
  lo: Uint32Array;
  tmp: Uint32Array;
  count: Uint32Array;
}

let scratch: Scratch = {
  hi: new Uint32Array(0),
  lo: new Uint32Array(0),
  tmp: new Uint32Array(0),
  count: new Uint32Array(RADIX),
};

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

/**
 * Indices 0..n-1 ordering x ascending (stable: equal values keep their input order), written into
 * `out` (allocated when omitted).
 * @example argsort(new Float64Array([3, 1, 2])) // Uint32Array [1, 2, 0]
 */
export function argsort(x: ArrayLike<number>, out?: Uint32Array): Uint32Array {
  const n = x.length;
  const order = out ?? new Uint32Array(n);
  if (scratch.hi.length < n) {
    scratch = {
      hi: new Uint32Array(n),
      lo: new Uint32Array(n),
      tmp: new Uint32Array(n),
      count: scratch.count,
    };
  }
  const { hi, lo, count } = scratch;
  for (let i = 0; i < n; i++) {
    let v = x[i];
    if (v === 0) v = 0; // -0 and +0 are equal values: same key
    f64[0] = v;
    const h = u32[HI];
    const l = u32[LO];
    if (h & 0x80000000) {
      // negative: flip all bits
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
    order[i] = i;
  }
  let src = order;
  let dst = scratch.tmp.length >= n ? scratch.tmp : new Uint32Array(n);
  // 64 bits in six passes: lo bits 0-10, 11-21, 22-31 (10 bits), hi bits 0-10, 11-21, 22-31.
  const passes: [Uint32Array, number][] = [
    [lo, 0],
    [lo, 11],
    [lo, 22],
    [hi, 0],
    [hi, 11],
    [hi, 22],
  ];
  for (const [keys, shift] of passes) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(keys[i] >>> shift) & MASK]++;
    // skip a pass where every key has the same digit
    if (count[(keys[0] >>> shift) & MASK] === n) continue;
    let sum = 0;
    for (let b = 0; b < RADIX; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const idx = src[i];
      dst[count[(keys[idx] >>> shift) & MASK]++] = idx;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== order) order.set(src.subarray(0, n));
  return order;
}
