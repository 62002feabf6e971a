/**
 * Worker side of VerifyPool. Two kinds of batch, each one transferred buffer:
 *  - signature jobs (JOB_BYTES per job: sig64 ‖ hash32 ‖ pub33) → one byte per job (1 = valid);
 *  - raw signed txs (`packTxs`) → one i32 verdict per tx, computed by the tx module named in
 *    workerData (decode, sign bytes, hash, verify: the whole per-tx cost, off the main thread).
 * The tx module is loaded by URL rather than imported so this layer does not depend on the
 * codec / app layers that know what a tx is. Kept free of any state beyond the verifier so a
 * crashed worker can simply be replaced.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createVerifier, type VerifierBackend } from './verifier.js';
import { JOB_BYTES, type TxBatchVerifierModule, type WorkerReply, type WorkerRequest } from './pool-protocol.js';

const port = parentPort;
if (!port) throw new Error('verify-worker must run as a worker thread');

const data = (workerData ?? {}) as { backend?: VerifierBackend; txModule?: string };
const verifier = createVerifier(data.backend);
const verify = (sig: Uint8Array, hash: Uint8Array, pub: Uint8Array): boolean => verifier.verify(sig, hash, pub);

let txMod: TxBatchVerifierModule | undefined;
let txError: string | undefined;
if (data.txModule) {
  try {
    const m = (await import(data.txModule)) as Partial<TxBatchVerifierModule>;
    if (typeof m.verifyPackedTxs !== 'function') throw new Error(`${data.txModule} has no verifyPackedTxs export`);
    txMod = m as TxBatchVerifierModule;
  } catch (e) {
    txError = (e as Error)?.message ?? String(e);
  }
} else txError = 'no tx module configured';

port.postMessage({ type: 'ready', backend: verifier.backend, txError } satisfies WorkerReply);

port.on('message', (req: WorkerRequest) => {
  const bytes = new Uint8Array(req.buf);
  const n = req.count;
  if (req.kind === 'txs') {
    if (!txMod) {
      port.postMessage({ type: 'error', id: req.id, message: `verify worker cannot check txs: ${txError}` } satisfies WorkerReply);
      return;
    }
    const out = new Int32Array(n);
    txMod.verifyPackedTxs(bytes, n, { chainId: req.chainId, hrp: req.hrp }, verify, out);
    port.postMessage({ type: 'result', id: req.id, buf: out.buffer } satisfies WorkerReply, [out.buffer]);
    return;
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * JOB_BYTES;
    const sig = bytes.subarray(o, o + 64);
    const hash = bytes.subarray(o + 64, o + 96);
    const pub = bytes.subarray(o + 96, o + 129);
    out[i] = verifier.verify(sig, hash, pub) ? 1 : 0;
  }
  port.postMessage({ type: 'result', id: req.id, buf: out.buffer } satisfies WorkerReply, [out.buffer]);
});
