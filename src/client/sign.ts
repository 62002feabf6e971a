/**
 * Building and signing txs the way the Binance Chain SDK does: one msg, sign bytes per §D.2,
 * secp256k1 over SHA256(sign bytes), amino StdTx. Used by the CLI, the load generator and tests.
 */
import type { Msg, StdTx } from '../codec/types.js';
import { encodeTx, stdSignBytes, txHashHex } from '../codec/index.js';
import { publicKeyFromPrivate, signHash } from '../crypto/secp256k1.js';
import { sha256 } from '../crypto/hash.js';

export interface SignOptions {
  chainId: string;
  hrp: string;
  accountNumber: bigint;
  sequence: bigint;
  memo?: string;
  source?: bigint;
}

export interface SignedTx {
  bytes: Uint8Array;
  hash: string;
  tx: StdTx;
}

export function signTx(priv: Uint8Array, msg: Msg, o: SignOptions, pub = publicKeyFromPrivate(priv)): SignedTx {
  const memo = o.memo ?? '';
  const source = o.source ?? 0n;
  const signBytes = stdSignBytes({ chainId: o.chainId, accountNumber: o.accountNumber, sequence: o.sequence, memo, source, msgs: [msg], hrp: o.hrp });
  const signature = signHash(sha256(signBytes), priv);
  const tx: StdTx = {
    msgs: [msg],
    signatures: [{ pub_key: pub, signature, account_number: o.accountNumber, sequence: o.sequence }],
    memo,
    source,
    data: new Uint8Array(),
  };
  const bytes = encodeTx(tx);
  return { bytes, hash: txHashHex(bytes), tx };
}
