/** Messages between VerifyPool and its workers (kept in one place so both sides agree). */
import type { VerifierBackend } from './verifier.js';

/** Bytes per packed job: signature 64 ‖ digest 32 ‖ compressed key 33. */
export const JOB_BYTES = 64 + 32 + 33;

/** Signature jobs: `count * JOB_BYTES` bytes, transferred (not copied). Reply: one byte per job, 1 = valid. */
export interface JobsRequest {
  kind?: 'jobs';
  id: number;
  count: number;
  buf: ArrayBuffer;
}

/**
 * Raw signed txs, packed by `packTxs`: `u32 offsets[count + 1]` (host byte order: both ends are one
 * process; relative to the start of the byte area) ‖ the txs back to back. Reply: one i32 verdict per tx (see
 * `TxVerdict` in `src/app/tx-verify.ts`).
 */
export interface TxsRequest {
  kind: 'txs';
  id: number;
  count: number;
  buf: ArrayBuffer;
  chainId: string;
  hrp: string;
}

export type WorkerRequest = JobsRequest | TxsRequest;

/**
 * What a tx module (`VerifyPoolOptions.txModule`) exports for the worker: verdicts of packed txs
 * (one per tx, written into `out`), with the worker's verifier.
 */
export interface TxBatchVerifierModule {
  verifyPackedTxs(
    buf: Uint8Array,
    count: number,
    chain: { chainId: string; hrp: string },
    verify: (sig64: Uint8Array, hash32: Uint8Array, pub33: Uint8Array) => boolean,
    out: Int32Array,
  ): void;
}

export type WorkerReply =
  | { type: 'ready'; backend: VerifierBackend; /** why the tx module did not load (tx batches are refused) */ txError?: string }
  | { type: 'result'; id: number; buf: ArrayBuffer }
  /** the batch could not be checked at all (a tx batch on a worker without its tx module) */
  | { type: 'error'; id: number; message: string };

/** Packs txs for a TxsRequest into one transferable buffer. */
export function packTxs(txs: readonly Uint8Array[]): ArrayBuffer {
  const n = txs.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += txs[i]!.length;
  const head = 4 * (n + 1);
  const buf = new ArrayBuffer(head + total);
  const offs = new Uint32Array(buf, 0, n + 1);
  const bytes = new Uint8Array(buf, head);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const t = txs[i]!;
    offs[i] = o;
    bytes.set(t, o);
    o += t.length;
  }
  offs[n] = o;
  return buf;
}

/** The txs of a buffer made by `packTxs` (views into it, not copies). */
export function unpackTxs(buf: Uint8Array, count: number): Uint8Array[] {
  const offs = new Uint32Array(buf.buffer, buf.byteOffset, count + 1);
  const head = buf.byteOffset + 4 * (count + 1);
  const out = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) out[i] = new Uint8Array(buf.buffer, head + offs[i]!, offs[i + 1]! - offs[i]!);
  return out;
}
