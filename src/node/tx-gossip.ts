/**
 * Tx gossip: txs our mempool accepts from clients are published on the `txs` topic; txs from
 * peers go through `mempool.add` (which runs checkTx) and are not re-published by us (the
 * network layer relays). A peer that hands over a tx failing checkTx loses a point — lightly,
 * because a tx valid when it sent it may have become invalid after our last block.
 */
import { rootError } from '../errors.js';
import type { Mempool } from '../mempool/mempool.js';
import type { Network } from '../p2p/types.js';
import type { Logger } from './logger.js';

const INVALID_TX_PENALTY = 1;
const HARMLESS = new Set([rootError('duplicateTx', '').code, rootError('mempoolFull', '').code, rootError('rateLimited', '').code, rootError('insufficientFee', '').code]);

export function attachTxGossip(mempool: Mempool, network: Network, log: Logger): () => void {
  let fromPeer = false;
  mempool.onAccepted((tx) => {
    if (fromPeer) return;
    network.publish('txs', tx).catch((e: Error) => log.debug({ err: e.message }, 'tx publish failed'));
  });
  return network.subscribe('txs', (tx, from) => {
    fromPeer = true;
    let res;
    try {
      res = mempool.add(tx);
    } finally {
      fromPeer = false;
    }
    if (res.code !== 0 && !HARMLESS.has(res.code)) network.penalize(from, `invalid tx: ${res.log}`, INVALID_TX_PENALTY);
  });
}
