/**
 * Oldest-first eviction for Map/Set caches kept in insertion order.
 *
 * Evicting one entry with `m.keys().next()` looks O(1) but is not in V8: deleted entries stay
 * as holes at the front of the table until the next rehash, and every `keys().next()` walks
 * over them, so a cache held at capacity pays O(capacity) per insert (measured: 22 µs per add
 * at 100k entries, against 0.6 µs below capacity). Evicting a sixteenth of the capacity in one
 * pass walks the holes once per many inserts instead.
 */
export interface InsertionOrdered<K> {
  readonly size: number;
  keys(): IterableIterator<K>;
  delete(key: K): boolean;
}

/** Makes room for one more entry: when `m` holds `capacity` or more, drops its oldest ~1/16. */
export function makeRoom<K>(m: InsertionOrdered<K>, capacity: number): void {
  if (m.size < capacity) return;
  let drop = Math.max(1, m.size - capacity + 1, Math.ceil(capacity / 16));
  for (const k of m.keys()) {
    if (drop-- <= 0) break;
    m.delete(k);
  }
}
