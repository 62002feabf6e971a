/**
 * Records kept decoded inside the views (see `ValueCodec` in types.ts). A `Lazy` is a value
 * written as an object: its bytes (as a binary string, see keys.ts) are produced on first need
 * and remembered, so a record rewritten by many txs of a block is encoded once, at the app
 * hash, instead of once per write.
 */
import { bytesToStr } from './keys.js';
import type { KVReader, KVWriter, ValueCodec } from './types.js';

export class Lazy<T = unknown> {
  private s: string | undefined;
  constructor(
    readonly obj: T,
    readonly codec: ValueCodec<T>,
  ) {}

  /** The encoded value as a binary string (encoded once). */
  str(): string {
    if (this.s === undefined) this.s = bytesToStr(this.codec.encode(this.obj));
    return this.s;
  }
}

/** `kv.getDecoded` when the view has it, else decode(get()). */
export function readDecoded<T>(kv: KVReader, key: Uint8Array, codec: ValueCodec<T>): T | undefined {
  if (kv.getDecoded) return kv.getDecoded(key, codec);
  const b = kv.get(key);
  return b === undefined ? undefined : codec.decode(b);
}

/** `kv.setDecoded` when the view has it, else set(encode(value)). */
export function writeDecoded<T>(kv: KVWriter, key: Uint8Array, value: T, codec: ValueCodec<T>): void {
  if (kv.setDecoded) kv.setDecoded(key, value, codec);
  else kv.set(key, codec.encode(value));
}

/** `kv.iterateDecoded` when the view has it, else decode per entry of iterate(). */
export function iterateDecoded<T>(kv: KVReader, prefix: Uint8Array, codec: ValueCodec<T>): Iterable<[Uint8Array, T]> {
  if (kv.iterateDecoded) return kv.iterateDecoded(prefix, codec);
  return decodeAll(kv.iterate(prefix), codec);
}

function* decodeAll<T>(it: Iterable<[Uint8Array, Uint8Array]>, codec: ValueCodec<T>): Generator<[Uint8Array, T]> {
  for (const [k, v] of it) yield [k, codec.decode(v)];
}
