/**
 * Tx gossip. Txs our mempool accepts from clients are published on the `txs` topic in batches
 * (one message per event-loop turn or per `MAX_BATCH_BYTES`, not one per tx: at thousands of
 * txs per second a message per tx costs more in framing and encryption than the txs
 * themselves). Batches from peers go through the same admission pipeline as RPC batches
 * (signatures verified on the worker pool, then checkTx), are not re-published by us (the
 * network layer relays), and count against that peer's admission budget. A peer handing over
 * a malformed batch, or txs that no honest node would have accepted (undecodable, a bad
 * signature: checks that do not depend on state), loses points. A tx that fails only on state
 * (a sequence, a balance, an account number) costs nothing: it may have been valid for the
 * peer, and under load it is common (our block came first, or we dropped an earlier tx of the
 * same sender as `rateLimited`, leaving its later ones with a sequence gap). Penalising those
 * once made an overloaded validator ban its honest peers.
 *
 * Wire format of a batch: repeated (u32 big-endian length ‖ tx bytes).
 */
import { rootError } from '../errors.js';
import { MAX_TX_BYTES } from '../codec/tx.js';
import type { Mempool } from '../mempool/mempool.js';
import { peerSource, type Admission } from '../mempool/admission.js';
import type { Network } from '../p2p/types.js';
import type { Logger } from './logger.js';
import { makeRoom } from '../cache/evict.js';

const INVALID_TX_PENALTY = 1;
const MALFORMED_BATCH_PENALTY = 5;
/**
 * Failures that do not depend on state: the peer checked the same before it accepted the tx,
 * so handing one over is the peer's fault (or a peer that does not check, the same thing).
 */
const PEER_FAULTS = new Set(
  (['txDecode', 'txTooLarge', 'unauthorized', 'invalidSignature', 'invalidPubKey', 'tooManySignatures', 'memoTooLarge'] as const).map((k) => rootError(k, '').code),
);

/** Whether a peer that sent a tx refused with `code` is to blame for it. */
export function isPeerFault(code: number): boolean {
  return PEER_FAULTS.has(code);
}
/** Largest batch we publish (peers' flood layer accepts messages up to 1 MiB). */
export const MAX_BATCH_BYTES = 512 * 1024;
/** Hashes of txs that came from peers, remembered so we do not publish them back. */
const FROM_PEERS_LIMIT = 200_000;

export function encodeTxBatch(txs: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const t of txs) size += 4 + t.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const t of txs) {
    view.setUint32(o, t.length);
    out.set(t, o + 4);
    o += 4 + t.length;
  }
  return out;
}

/** Splits a batch; throws on a truncated or oversized entry (the sender is misbehaving). */
export function decodeTxBatch(data: Uint8Array): Uint8Array[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < data.length) {
    if (o + 4 > data.length) throw new Error('truncated tx batch: length prefix cut short');
    const n = view.getUint32(o);
    if (n === 0 || n > MAX_TX_BYTES) throw new Error(`tx batch entry of ${n} bytes (1..${MAX_TX_BYTES} allowed)`);
    if (o + 4 + n > data.length) throw new Error('truncated tx batch: entry cut short');
    out.push(data.subarray(o + 4, o + 4 + n));
    o += 4 + n;
  }
  return out;
}

export function attachTxGossip(mempool: Mempool, admission: Admission, network: Network, log: Logger): () => void {
  const fromPeers = new Set<string>();
  let outbox: Uint8Array[] = [];
  let outboxBytes = 0;
  let scheduled = false;
  let stopped = false;

  const flush = (): void => {
    scheduled = false;
    if (outbox.length === 0 || stopped) return;
    const batch = encodeTxBatch(outbox);
    outbox = [];
    outboxBytes = 0;
    network.publish('txs', batch).catch((e: Error) => log.debug({ err: e.message }, 'tx publish failed'));
  };

  mempool.onAccepted((tx, hash) => {
    if (fromPeers.delete(hash)) return;
    if (outboxBytes + tx.length + 4 > MAX_BATCH_BYTES) flush();
    outbox.push(tx);
    outboxBytes += tx.length + 4;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });

  const unsubscribe = network.subscribe('txs', (data, from) => {
    let txs: Uint8Array[];
    try {
      txs = decodeTxBatch(data);
    } catch (e) {
      network.penalize(from, `malformed tx batch: ${(e as Error).message}`, MALFORMED_BATCH_PENALTY);
      return;
    }
    if (txs.length === 0) return;
    void admission
      .admit(txs, peerSource(from), (hash) => {
        // Called for each tx that will be offered to the mempool: it must not echo back.
        makeRoom(fromPeers, FROM_PEERS_LIMIT);
        fromPeers.add(hash);
      })
      .then((results) => {
        let bad = 0;
        let why = '';
        for (const r of results) {
          if (r.code === 0) continue;
          fromPeers.delete(r.hash);
          if (isPeerFault(r.code)) {
            bad++;
            why = r.log;
          }
        }
        if (bad > 0) network.penalize(from, `${bad} invalid tx(s), e.g.: ${why}`, INVALID_TX_PENALTY);
      });
  });

  return () => {
    stopped = true;
    unsubscribe();
  };
}
