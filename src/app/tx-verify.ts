/**
 * The signature verdict of one raw tx, as a pure function of (tx bytes, chain id, hrp): what
 * `DexApp.preverify` records in the SigCache. Both the verify worker (off the main thread) and
 * the inline path use it, so a tx gets the same verdict wherever it was checked.
 *
 * The rules are the ante step's (`runAnte`): signatures in order; a high-S signature is bad
 * without verifying; otherwise signature i verifies over SHA-256 of this chain's sign bytes
 * built with its own account number and sequence. The first bad one is the verdict.
 */
import * as nodeCrypto from 'node:crypto';
// the modules themselves, not the codec barrel: under tsx an `export *` re-export is a getter per access
import { decodeTx } from '../codec/tx.js';
import { txSignText } from '../codec/signbytes.js';
import type { StdTx } from '../codec/types.js';
import { isLowS } from '../crypto/secp256k1.js';
import { unpackTxs, type TxBatchVerifierModule } from '../crypto/pool-protocol.js';

/** Every signature verifies. */
export const TX_ALL_VALID = -1;
/** The bytes are no tx (or too large): no verdict (checkTx rejects the tx with the decode error). */
export const TX_UNDECODABLE = -2;
/** The tx has no signatures: nothing verified, no verdict (the ante step rejects it). */
export const TX_NO_SIGNATURES = -3;

/** TX_ALL_VALID, TX_UNDECODABLE, TX_NO_SIGNATURES, or i ≥ 0: signature i is the first bad one. */
export type TxVerdict = number;

export type VerifyFn = (sig64: Uint8Array, hash32: Uint8Array, pub33: Uint8Array) => boolean;

export interface SignChain {
  chainId: string;
  hrp: string;
}

type OneShotLatin1 = (algorithm: string, data: string, encoding: 'latin1') => string;
/** node:crypto's one-shot `hash` (Node ≥ 20.12), fed the text itself: UTF-8 encoded natively, no sign-bytes array, no Hash object. */
const oneShot = (nodeCrypto as unknown as { hash?: OneShotLatin1 }).hash;

/**
 * SHA-256 of the sign bytes, i.e. of the UTF-8 encoding of their JSON text (`txSignText` is
 * well-formed UTF-16, so node's UTF-8 encoder gives exactly `txSignBytes`). The digest comes
 * back as latin1 and is copied into a small on-heap array: measured cheaper than the `'buffer'`
 * output or `Buffer.from` (~0.6 against ~1.1 µs with the hash, per ~320-byte doc).
 */
function signDigest(text: string): Uint8Array {
  if (!oneShot) return nodeCrypto.createHash('sha256').update(text, 'utf8').digest();
  const d = oneShot('sha256', text, 'latin1');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = d.charCodeAt(i);
  return out;
}

/** Verdict of a decoded tx. */
export function signaturesVerdict(tx: StdTx, chain: SignChain, verify: VerifyFn): TxVerdict {
  const sigs = tx.signatures;
  if (sigs.length === 0) return TX_NO_SIGNATURES;
  for (let i = 0; i < sigs.length; i++) {
    const s = sigs[i]!;
    if (!isLowS(s.signature)) return i;
    if (!verify(s.signature, signDigest(txSignText(tx, s, chain.chainId, chain.hrp)), s.pub_key)) return i;
  }
  return TX_ALL_VALID;
}

/** Verdict of raw tx bytes (decoded here; the tx hash is not needed, so not computed). */
export function txVerdict(bytes: Uint8Array, chain: SignChain, verify: VerifyFn): TxVerdict {
  let tx: StdTx;
  try {
    tx = decodeTx(bytes, '').tx;
  } catch {
    return TX_UNDECODABLE;
  }
  try {
    return signaturesVerdict(tx, chain, verify);
  } catch {
    // sign bytes that cannot be built: no verdict; the ante step meets (and reports) the same throw
    return TX_UNDECODABLE;
  }
}

/** The worker's entry point for packed tx batches (see `TxsRequest`). */
export const verifyPackedTxs: TxBatchVerifierModule['verifyPackedTxs'] = (buf, count, chain, verify, out) => {
  const txs = unpackTxs(buf, count);
  for (let i = 0; i < count; i++) out[i] = txVerdict(txs[i]!, chain, verify);
};
