/**
 * Signed txs for the in-process benches: `blocks` × `blockTxs` txs, round-robin over the senders
 * (account number = sender index, sequences counted here), signed before any timing starts.
 */
import { encodeTx, stdSignBytes } from '../../src/codec/index.js';
import { addressFromPubKey, sha256 } from '../../src/crypto/hash.js';
import { bulkSigner, publicKeyFromPrivate } from '../../src/crypto/secp256k1.js';

type Msg = Parameters<typeof encodeTx>[0]['msgs'][number];

export interface BenchSender {
  addr: Uint8Array;
  priv: Uint8Array;
  pub: Uint8Array;
}

export const signer = bulkSigner();

/** `n` senders with keys derived from `${seed}-${i}` (the same accounts in every run). */
export function makeSenders(n: number, seed: string): BenchSender[] {
  const out: BenchSender[] = [];
  for (let i = 0; i < n; i++) {
    const priv = sha256(new TextEncoder().encode(`${seed}-${i}`));
    const pub = publicKeyFromPrivate(priv);
    out.push({ priv, pub, addr: addressFromPubKey(pub) });
  }
  return out;
}

/** `msgFor(si, n, sequence)`: the msg of the n-th tx overall, sent by sender si at `sequence`. */
export function signRoundRobin<S extends BenchSender>(
  senders: S[],
  blocks: number,
  blockTxs: number,
  chain: { chainId: string; hrp: string },
  msgFor: (si: number, n: number, sequence: bigint) => Msg,
): Uint8Array[][] {
  const seq = new Array<bigint>(senders.length).fill(0n);
  const out: Uint8Array[][] = [];
  let n = 0;
  for (let b = 0; b < blocks; b++) {
    const block: Uint8Array[] = [];
    for (let i = 0; i < blockTxs; i++, n++) {
      const si = n % senders.length;
      const s = senders[si]!;
      const accountNumber = BigInt(si);
      const sequence = seq[si]!;
      seq[si] = sequence + 1n;
      const msg = msgFor(si, n, sequence);
      const sb = stdSignBytes({ chainId: chain.chainId, accountNumber, sequence, memo: '', source: 0n, msgs: [msg], hrp: chain.hrp });
      const signature = signer.sign(sha256(sb), s.priv);
      block.push(encodeTx({ msgs: [msg], signatures: [{ pub_key: s.pub, signature, account_number: accountNumber, sequence }], memo: '', source: 0n, data: new Uint8Array(0) }));
    }
    out.push(block);
  }
  return out;
}
