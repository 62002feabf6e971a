/** Messages between VerifyPool and its workers (kept in one place so both sides agree). */
import type { VerifierBackend } from './verifier.js';

/** Bytes per packed job: signature 64 ‖ digest 32 ‖ compressed key 33. */
export const JOB_BYTES = 64 + 32 + 33;

export interface WorkerRequest {
  id: number;
  count: number;
  /** `count * JOB_BYTES` bytes, transferred (not copied). */
  buf: ArrayBuffer;
}

export type WorkerReply =
  | { type: 'ready'; backend: VerifierBackend }
  | { type: 'result'; id: number; /** one byte per job, 1 = valid */ buf: ArrayBuffer };
