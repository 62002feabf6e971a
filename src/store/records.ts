/**
 * Binary values of the block store (format version 2). Each tx record is self-contained, so
 * `loadTx` is one LevelDB get and one linear parse of a few hundred bytes, never a block decode.
 *
 *   tx record:   u64 height ‖ u32 index ‖ f64 timeMs ‖ u32 len ‖ tx bytes ‖ u32 code ‖ str log ‖
 *                u32 len ‖ data ‖ u32 nEvents ‖ { str type ‖ u32 nAttrs ‖ { str key ‖ str value }* }*
 *   block info:  f64 timeMs ‖ u32 numTxs ‖ block hash (rest)
 *   str = u32 byte length ‖ UTF-8
 */
import { BytesReader, BytesWriter } from './bytes-writer.js';
import type { StoredEvent, StoredTx, StoredTxResult } from './types.js';

const EMPTY = new Uint8Array(0);

export function writeTxRecord(w: BytesWriter, height: number, index: number, timeMs: number, tx: Uint8Array | undefined, r: StoredTxResult): void {
  w.u64(height);
  w.u32(index);
  w.f64(timeMs);
  w.lenBytes(tx ?? EMPTY);
  w.u32(r.code >>> 0);
  w.str(r.log ?? '');
  w.lenBytes(r.data ?? EMPTY);
  const events = r.events ?? [];
  w.u32(events.length);
  for (const e of events) {
    w.str(e.type);
    const attrs = e.attributes;
    w.u32(attrs.length);
    for (const a of attrs) {
      w.str(a.key);
      w.str(a.value);
    }
  }
}

export function readTxRecord(hash: string, v: Uint8Array): StoredTx {
  const r = new BytesReader(v);
  const height = r.u64();
  const index = r.u32();
  const timeMs = r.f64();
  const tx = r.lenBytes();
  const code = r.u32();
  const log = r.str();
  const data = r.lenBytes();
  const nEvents = r.u32();
  const events: StoredEvent[] = [];
  for (let i = 0; i < nEvents; i++) {
    const type = r.str();
    const nAttrs = r.u32();
    const attributes: StoredEvent['attributes'] = [];
    for (let j = 0; j < nAttrs; j++) {
      const key = r.str();
      attributes.push({ key, value: r.str() });
    }
    events.push({ type, attributes });
  }
  return { hash, height, index, tx, timeMs, result: { code, log, data, events } };
}

export function writeBlockInfo(w: BytesWriter, timeMs: number, numTxs: number, hash: Uint8Array): void {
  w.f64(timeMs);
  w.u32(numTxs);
  w.bytes(hash);
}

export function readBlockInfo(v: Uint8Array): { timeMs: number; numTxs: number; hash: Uint8Array } {
  const r = new BytesReader(v);
  const timeMs = r.f64();
  const numTxs = r.u32();
  return { timeMs, numTxs, hash: r.bytes(v.length - 12) };
}
