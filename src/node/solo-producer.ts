/**
 * Block production for a network of exactly one validator: every `timeout_commit` the node
 * reaps the mempool, builds a block, signs its precommit (so every stored block carries a
 * verifiable commit, exactly as a BFT-decided one) and hands it to the executor. With one
 * validator a Tendermint round decides immediately, so this engine is what the BFT engine
 * reduces to, without the network; both implement `ConsensusEngine`.
 */
import type { Block, Commit, Header, Vote } from '../consensus/types.js';
import { CommitFlag, VoteType } from '../consensus/types.js';
import { headerHash, knownReapedTxs, txsHash, commitHash, voteSignBytes, decodeBlock, decodeCommit } from '../consensus/block.js';
import { ed25519Sign } from '../crypto/ed25519.js';
import { sha256 } from '../crypto/hash.js';
import type { Application } from '../app/abci.js';
import type { Mempool } from '../mempool/mempool.js';
import type { DecodedTx } from '../codec/types.js';
import type { BlockExecutor } from './executor.js';
import type { BlockStore } from '../store/index.js';
import type { ValidatorKey } from './privval.js';
import type { Logger } from './logger.js';

export interface ConsensusStatus {
  height: number;
  round: number;
  step: string;
  catchingUp: boolean;
  lastBlockTimeMs: number;
}

export interface ConsensusEngine {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ConsensusStatus;
}

export interface SoloProducerDeps {
  chainId: string;
  key: ValidatorKey;
  app: Application;
  mempool: Mempool;
  executor: BlockExecutor;
  blocks: BlockStore;
  validatorsHash: Uint8Array;
  powers: Map<string, bigint>;
  genesisTimeMs: number;
  blockIntervalMs: number;
  maxBlockBytes: number;
  maxBlockTxs: number;
  createEmptyBlocks: boolean;
  log: Logger;
  /** Block time source (the node's clock; injected so tests can drive it). */
  now?: () => number;
  /**
   * Resolves once the txs accepted for checking by now are in the mempool (the admission
   * pipeline's `settled`). Waited for before each reap, at most `blockIntervalMs / 2`.
   */
  admitted?: () => Promise<void>;
}

const EMPTY = new Uint8Array();

/** Waits for `p` (its failure is not this caller's concern) or `ms`, whichever comes first. */
async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

export class SoloProducer implements ConsensusEngine {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private producing: Promise<void> | undefined;
  private height = 0;
  private lastTimeMs: number;
  private lastBlockHash: Uint8Array = EMPTY;
  private lastCommit: Commit = { height: 0, round: 0, blockId: { hash: EMPTY }, signatures: [] };

  constructor(private readonly d: SoloProducerDeps) {
    this.lastTimeMs = d.genesisTimeMs;
  }

  async start(): Promise<void> {
    const latest = await this.d.blocks.latestHeight();
    if (latest > 0) {
      const b = decodeBlock((await this.d.blocks.loadBlockBytes(latest))!);
      const c = await this.d.blocks.loadCommitBytes(latest);
      if (!c) throw new Error(`commit for block ${latest} missing from the block store`);
      this.height = latest;
      this.lastTimeMs = b.header.timeMs;
      this.lastBlockHash = headerHash(b.header);
      this.lastCommit = decodeCommit(c);
    }
    this.running = true;
    this.schedule(this.height === 0 ? 0 : this.d.blockIntervalMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.producing;
  }

  status(): ConsensusStatus {
    return { height: this.height + 1, round: 0, step: 'propose', catchingUp: false, lastBlockTimeMs: this.lastTimeMs };
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.producing = this.produce()
        .catch((e) => {
          this.d.log.fatal({ err: (e as Error).stack }, 'block production failed; stopping');
          this.running = false;
          process.exitCode = 1;
        })
        .finally(() => {
          this.producing = undefined;
        });
    }, ms);
  }

  private async produce(): Promise<void> {
    if (!this.running) return;
    const started = Date.now();
    // Txs that arrived while the last block executed are still having their signatures checked;
    // reaping now would make a near-empty block and leave them all to the one after (under
    // load the blocks alternated ~500 and ~16,000 orders, a block slot lost in two).
    if (this.d.admitted) await settleWithin(this.d.admitted(), this.d.blockIntervalMs / 2);
    const reapedHashes: string[] = [];
    const reapedDecoded: (DecodedTx | undefined)[] = [];
    const candidates = this.d.mempool.reap(this.d.maxBlockBytes, this.d.maxBlockTxs, reapedHashes, reapedDecoded);
    if (candidates.length === 0 && !this.d.createEmptyBlocks && this.height > 0) {
      this.schedule(Math.min(this.d.blockIntervalMs, 100));
      return;
    }
    const txs = this.d.app.prepareProposal(candidates, this.d.maxBlockBytes);
    // the mempool hashed (and kept decoded) these txs already: the header and the executor reuse that
    knownReapedTxs(txs, candidates, reapedHashes, reapedDecoded);
    const now = this.d.now?.() ?? Date.now();
    const height = this.height + 1;
    const header: Header = {
      chainId: this.d.chainId,
      height,
      timeMs: Math.max(now, this.lastTimeMs + 1),
      lastBlockId: { hash: this.lastBlockHash },
      lastCommitHash: height === 1 ? EMPTY : commitHash(this.lastCommit),
      dataHash: txsHash(txs),
      validatorsHash: this.d.validatorsHash,
      nextValidatorsHash: this.d.validatorsHash,
      appHash: this.d.app.info().lastBlockAppHash,
      lastResultsHash: this.d.executor.lastResultsHash,
      evidenceHash: sha256(EMPTY),
      proposerAddress: this.d.key.address,
    };
    const block: Block = { header, txs, evidence: [], lastCommit: this.lastCommit };
    const hash = headerHash(header);
    const vote: Vote = {
      type: VoteType.Precommit,
      height,
      round: 0,
      blockId: { hash },
      timeMs: header.timeMs,
      validatorAddress: this.d.key.address,
      validatorIndex: 0,
      signature: EMPTY,
    };
    const signature = ed25519Sign(voteSignBytes(this.d.chainId, vote), this.d.key.privKey);
    const commit: Commit = {
      height,
      round: 0,
      blockId: { hash },
      signatures: [{ flag: CommitFlag.Commit, validatorAddress: this.d.key.address, timeMs: header.timeMs, signature }],
    };
    await this.d.executor.apply(block, commit, this.d.powers);
    this.height = height;
    this.lastTimeMs = header.timeMs;
    this.lastBlockHash = hash;
    this.lastCommit = commit;
    const spent = Date.now() - started;
    this.schedule(Math.max(0, this.d.blockIntervalMs - spent));
  }
}
