/**
 * Worker side of VerifyPool. Receives one packed buffer per batch (JOB_BYTES per job:
 * sig64 ‖ hash32 ‖ pub33), verifies each job with the chosen backend and transfers back one
 * byte per job (1 = valid). Kept free of any state beyond the verifier so a crashed worker can
 * simply be replaced.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createVerifier, type VerifierBackend } from './verifier.js';
import { JOB_BYTES, type WorkerReply, type WorkerRequest } from './pool-protocol.js';

const port = parentPort;
if (!port) throw new Error('verify-worker must run as a worker thread');

const verifier = createVerifier((workerData as { backend?: VerifierBackend } | undefined)?.backend);
port.postMessage({ type: 'ready', backend: verifier.backend } satisfies WorkerReply);

port.on('message', (req: WorkerRequest) => {
  const bytes = new Uint8Array(req.buf);
  const n = req.count;
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
