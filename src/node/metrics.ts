/**
 * Prometheus metrics of a node (text format on `/metrics`). One registry per node so several
 * nodes can run in one process (tests). Most are set as blocks commit; the verify pool's and the
 * RPC server's are read from them when Prometheus scrapes (`bind`).
 */
import { Registry, Gauge, Counter, Histogram, collectDefaultMetrics } from 'prom-client';
import type { VerifyPoolStats } from '../crypto/pool.js';
import { codeName } from '../errors.js';

/** What the scrape-time metrics read; absent parts report nothing. */
export interface MetricSources {
  verifyPool?: () => VerifyPoolStats | undefined;
  rpc?: () => { requests: number; errors: number; limited: number } | undefined;
  /** Txs refused by admission since start, by origin and ABCI code. */
  refusals?: () => Iterable<{ origin: string; code: number; count: number }> | undefined;
}

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
  private sources: MetricSources = {};

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'dexchain_process_' });
    const src = () => this.sources;
    // gauges read at scrape time from the node's parts (nothing is set when a part is not bound)
    const scraped = (name: string, help: string, read: () => number | undefined): void => {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const v = read();
          if (v !== undefined) this.set(v);
        },
      });
    };
    scraped('dexchain_verify_queue', 'Signatures waiting for the verify workers or being verified', () => {
      const st = src().verifyPool?.();
      return st && st.queued + st.inFlight;
    });
    scraped('dexchain_verify_signatures', 'Signatures (txs) the verify workers have checked since start, valid or not', () => src().verifyPool?.()?.verified);
    scraped('dexchain_rpc_requests', 'RPC requests served since start', () => src().rpc?.()?.requests);
    scraped('dexchain_rpc_errors', 'RPC requests answered with an error since start', () => src().rpc?.()?.errors);
    new Gauge({
      name: 'dexchain_admission_refused',
      help: 'Txs refused on their way into the mempool since start, by origin (client or peer) and reason (ABCI code name)',
      labelNames: ['origin', 'reason'],
      registers: [this.registry],
      collect() {
        const rows = src().refusals?.();
        if (rows === undefined) return;
        this.reset();
        for (const r of rows) this.set({ origin: r.origin, reason: codeName(r.code) }, r.count);
      },
    });
    scraped('dexchain_rpc_rate_limited', 'RPC requests refused by the per-IP rate limit since start', () => src().rpc?.()?.limited);
  }

  /** Where the scrape-time metrics read from (the node binds its parts once they exist). */
  bind(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
