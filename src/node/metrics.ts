/**
 * Prometheus metrics of a node (text format on `/metrics`). One registry per node so several
 * nodes can run in one process (tests).
 */
import { Registry, Gauge, Counter, Histogram, collectDefaultMetrics } from 'prom-client';

export class NodeMetrics {
  readonly registry = new Registry();
  readonly height = new Gauge({ name: 'dexchain_consensus_height', help: 'Height of the last committed block', registers: [this.registry] });
  readonly round = new Gauge({ name: 'dexchain_consensus_round', help: 'Consensus round of the height in progress', registers: [this.registry] });
  readonly validators = new Gauge({ name: 'dexchain_consensus_validators', help: 'Validators in the current set', registers: [this.registry] });
  readonly votes = new Counter({ name: 'dexchain_consensus_votes_total', help: 'Votes received', labelNames: ['type'], registers: [this.registry] });
  readonly peers = new Gauge({ name: 'dexchain_p2p_peers', help: 'Connected peers', registers: [this.registry] });
  readonly mempoolSize = new Gauge({ name: 'dexchain_mempool_size', help: 'Txs in the mempool', registers: [this.registry] });
  readonly mempoolBytes = new Gauge({ name: 'dexchain_mempool_bytes', help: 'Bytes of txs in the mempool', registers: [this.registry] });
  readonly txsCommitted = new Counter({ name: 'dexchain_txs_committed_total', help: 'Txs committed', labelNames: ['result'], registers: [this.registry] });
  readonly blockInterval = new Histogram({
    name: 'dexchain_block_interval_seconds',
    help: 'Block time minus the previous block time',
    buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
    registers: [this.registry],
  });
  readonly blockApply = new Histogram({
    name: 'dexchain_block_apply_seconds',
    help: 'Time to execute and persist a block',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  readonly blockTxs = new Histogram({ name: 'dexchain_block_txs', help: 'Txs per block', buckets: [0, 1, 10, 100, 1000, 5000, 10000, 20000], registers: [this.registry] });
  readonly matchTime = new Histogram({ name: 'dexchain_dex_match_seconds', help: 'Time spent matching in EndBlock', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], registers: [this.registry] });
  readonly verifyQueue = new Gauge({ name: 'dexchain_verify_queue', help: 'Signatures waiting for the verifier pool', registers: [this.registry] });
  readonly rpcRequests = new Gauge({ name: 'dexchain_rpc_requests', help: 'RPC requests served since start', registers: [this.registry] });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'dexchain_process_' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
