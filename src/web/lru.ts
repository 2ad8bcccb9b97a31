/**
 * A least-recently-used map bounded by entries and, optionally, by bytes (the caller states each
 * value's size). Used for the web app's per-app caches (rendered pages, report views), so that a
 * client requesting endless distinct URLs costs a bounded amount of memory.
 */

/** A bounded LRU map with string keys. */
export interface Lru<V> {
  /** The value, marked as most recently used; undefined when absent. */
  get(key: string): V | undefined;
  /** Store a value (bytes: its size, for the byte bound), evicting the least recently used. */
  set(key: string, value: V, bytes?: number): void;
  delete(key: string): void;
  /** Delete every entry whose key satisfies `match`. */
  deleteWhere(match: (key: string) => boolean): void;
  readonly size: number;
  /** Sum of the stated sizes of the entries held. */
  readonly bytes: number;
}

/**
 * A bounded LRU (Map keeps insertion order: re-inserting on use makes the first key the oldest).
 * @example const pages = createLru<Buffer>({ entries: 64, bytes: 32 * 2 ** 20 }); pages.set('k', buf, buf.length);
 */
export function createLru<V>(limits: { entries: number; bytes?: number }): Lru<V> {
  const map = new Map<string, { value: V; bytes: number }>();
  let total = 0;
  const remove = (key: string) => {
    const e = map.get(key);
    if (!e) return;
    total -= e.bytes;
    map.delete(key);
  };
  return {
    get(key) {
      const e = map.get(key);
      if (!e) return undefined;
      map.delete(key);
      map.set(key, e);
      return e.value;
    },
    set(key, value, bytes = 0) {
      remove(key);
      // A value larger than the whole byte bound is not kept at all.
      if (limits.bytes !== undefined && bytes > limits.bytes) return;
      map.set(key, { value, bytes });
      total += bytes;
      while (map.size > limits.entries || (limits.bytes !== undefined && total > limits.bytes)) {
        remove(map.keys().next().value as string);
      }
    },
    delete: remove,
    deleteWhere(match) {
      for (const k of [...map.keys()]) if (match(k)) remove(k);
    },
    get size() {
      return map.size;
    },
    get bytes() {
      return total;
    },
  };
}
