/**
 * Applies a decided block: app.finalizeBlock → block store (block, commit, tx results, indexes,
 * one atomic batch) → app.commit (state, one atomic batch) → mempool update → listeners.
 *
 * Crash safety: the block is stored before the state commits. On restart `handshake()` finds a
 * block store one height ahead of the state and replays that block through the app, which is
 * deterministic, so state and results come out identical. Any engine (the one-validator producer
 * or Tendermint) hands its decided blocks to `apply`.
 */
import { DexHistory } from '../modules/dex/history.js';
import type { Application, FinalizeBlockResponse, TxResult, VoteInfo } from '../app/abci.js';
import type { Block, Commit } from '../consensus/types.js';
import { CommitFlag } from '../consensus/types.js';
import { blockDecodedTxs, blockTxHashes, encodeBlock, decodeBlock, encodeCommit, headerHash, merkleRoot } from '../consensus/block.js';
import type { BlockStore, StoredTxResult } from '../store/index.js';
import { decodeTx, encodeAddress } from '../codec/index.js';
import { msgAddresses } from '../codec/msg-addresses.js';
import { toHex, sha256, bytesEqual } from '../crypto/hash.js';
import type { Mempool } from '../mempool/mempool.js';
import type { DecodedTx } from '../codec/types.js';
import type { Logger } from './logger.js';

export interface AppliedBlock {
  block: Block;
  hash: Uint8Array;
  results: TxResult[];
  response: FinalizeBlockResponse;
  appHash: Uint8Array;
  /**
   * Settles once the block is in the block store (and its listeners have run); rejects if the
   * save failed. `apply` resolves before that: see `BlockExecutor.apply`.
   */
  stored: Promise<void>;
}

export type BlockListener = (b: AppliedBlock) => void;

/**
 * Every 20-byte address a tx's messages name (signers and recipients), raw, unique, in first-seen
 * order; `hash` (the tx's hex hash, when known) spares decodeTx a SHA-256. Raw because the block store indexes raw bytes: bech32-encoding thousands of addresses
 * per block only to decode them again was the bulk of the store's cost.
 */
export function txAddressesRaw(tx: Uint8Array, hash?: string): Uint8Array[] {
  try {
    return msgAddresses(decodeTx(tx, hash).tx.msgs);
  } catch {
    return []; // undecodable txs touch no address
  }
}

/** Every 20-byte address a tx's messages name (signers and recipients), bech32, sorted, unique. */
export function txAddresses(tx: Uint8Array, hrp: string): string[] {
  return [...new Set(txAddressesRaw(tx).map((a) => encodeAddress(a, hrp)))].sort();
}

/**
 * Merkle root of the tx results (code and data), committed by the next header: the Merkle root
 * over SHA256(code ‖ data) of each result. Most results of a block are alike (code 0, no
 * data), so a leaf equal to the previous one reuses its hash, and `merkleRoot` does the same
 * for equal neighbours: the tree costs a handful of hashes instead of ~3 per tx.
 */
export function resultsHash(results: TxResult[]): Uint8Array {
  const hashed: Uint8Array[] = new Array(results.length);
  let prevCode = -1;
  let prevData: Uint8Array | undefined;
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    if (i > 0 && r.code === prevCode && r.data.length === 0 && prevData!.length === 0) {
      hashed[i] = hashed[i - 1]!;
      continue;
    }
    const b = new Uint8Array(4 + r.data.length);
    new DataView(b.buffer).setUint32(0, r.code >>> 0);
    b.set(r.data, 4);
    hashed[i] = sha256(b);
    prevCode = r.code;
    prevData = r.data;
  }
  return merkleRoot(hashed);
}

export class BlockExecutor {
  private listeners: BlockListener[] = [];
  lastResultsHash: Uint8Array = sha256(new Uint8Array());
  /** The last block's save and listeners, while in flight (at most one block's at a time). */
  private storing: Promise<void> | undefined;

  constructor(
    private readonly app: Application,
    private readonly blocks: BlockStore,
    private readonly log: Logger,
    private mempool?: Mempool,
  ) {
    this.history = new DexHistory(blocks.index);
  }

  /** Writes each block's DEX history (closed orders, trades) into its save, and prunes it. */
  private readonly history: DexHistory;

  setMempool(m: Mempool): void {
    this.mempool = m;
  }

  onBlock(fn: BlockListener): void {
    this.listeners.push(fn);
  }

  lastCommitVotes(commit: Commit, powers: Map<string, bigint>): VoteInfo[] {
    return commit.signatures.map((s) => ({
      validatorAddress: s.validatorAddress,
      power: powers.get(toHex(s.validatorAddress)) ?? 0n,
      signedLastBlock: s.flag === CommitFlag.Commit,
    }));
  }

  /**
   * Executes and persists a decided block with the commit that decided it. `beforeSave` runs
   * after execution and before the block is saved (the BFT engine records the validator set
   * the block's updates produce there, so it is on disk for every stored block). Hashes and
   * decoded forms its producer recorded for the block's tx list (`knownReapedTxs`) are used.
   *
   * Resolves once the block is executed and its state committed in memory; the block store's
   * save (an fsync'd LevelDB batch, often the longest step) finishes in the background while the
   * next block executes. Order and visibility are kept:
   *  - the state's disk write waits for the save, so the disk never holds state the stored
   *    blocks do not explain (the crash handshake replays stored blocks into the state);
   *  - at most one save is in flight: the next `apply` waits for it before saving, and throws
   *    if it failed;
   *  - mempool waiters and block listeners (RPC height, events, websocket) run after the save,
   *    so whoever hears of a block can read it from the store. `stored` tells when.
   */
  async apply(
    block: Block,
    commit: Commit,
    powers: Map<string, bigint>,
    beforeSave?: (response: FinalizeBlockResponse) => Promise<void>,
  ): Promise<AppliedBlock> {
    const started = performance.now();
    const hash = headerHash(block.header);
    // Signatures of txs this node has not seen yet are verified on the worker pool in parallel.
    // The block's tx hashes are computed once per tx list (or taken from the mempool by the
    // proposer) and shared with the data hash check, pre-verification and execution.
    const txHashes = blockTxHashes(block.txs);
    await this.preverify(block.txs, txHashes);
    const tVerified = performance.now();
    // decoded forms: the proposer's own (recorded with its tx list), else this node's mempool copies
    const decoded = blockDecodedTxs(block.txs) ?? (this.mempool && block.txs.length > 0 ? this.mempool.decodedOf(txHashes) : undefined);
    const response = this.execute(block, hash, powers, txHashes, decoded);
    const tExecuted = performance.now();
    if (beforeSave) await beforeSave(response);
    const results = response.txResults;
    const storedResults: StoredTxResult[] = results.map((r) => ({ code: r.code, log: r.log, data: r.data, events: r.events }));
    // the previous block's save: one in flight at most (its failure stops this block here)
    if (this.storing) await this.storing;
    const tWaited = performance.now();
    const saving = this.blocks.save({
      height: block.header.height,
      hash,
      timeMs: block.header.timeMs,
      bytes: encodeBlock(block),
      commitBytes: encodeCommit(commit),
      results: storedResults,
      txHashes: results.map((r) => r.hash),
      // the app names each delivered tx's addresses; decode again only if it did not
      addresses: block.txs.map((tx, i) => results[i]?.addresses ?? txAddressesRaw(tx, results[i]?.hash)),
      txs: block.txs,
      index: (w) => this.history.write(w, block.header.height, response.history),
    });
    // its failure is reported through `stored` and the next apply; if the commit below throws
    // first, nothing else would be listening
    saving.catch(() => undefined);
    const tBuilt = performance.now();
    const { appHash } = await this.app.commit({ persistAfter: saving });
    const tCommitted = performance.now();
    this.lastResultsHash = resultsHash(results);
    this.mempool?.update(block.header.height, results, saving);
    const tRechecked = performance.now();
    const ms = (a: number, b: number) => Math.round(b - a);
    // (the callback runs on a later turn, after `applied` below exists)
    const stored = saving.then(() => {
      this.log.info(
        {
          height: block.header.height,
          txs: block.txs.length,
          hash: toHex(hash).toUpperCase().slice(0, 16),
          ms: ms(started, tRechecked),
          // where the time went: signature pre-verification, execution, waiting for the previous
          // block's save, building this block's save, state commit, mempool recheck; `saved`: from
          // the start to the block being in the store (the save runs behind the steps after it)
          phases: {
            verify: ms(started, tVerified),
            exec: ms(tVerified, tExecuted),
            prevSave: ms(tExecuted, tWaited),
            store: ms(tWaited, tBuilt),
            commit: ms(tBuilt, tCommitted),
            recheck: ms(tCommitted, tRechecked),
          },
          saved: ms(started, performance.now()),
        },
        'committed block',
      );
      for (const l of this.listeners) {
        try {
          l(applied);
        } catch (e) {
          this.log.warn({ err: (e as Error).message }, 'block listener failed');
        }
      }
    });
    const applied: AppliedBlock = { block, hash, results, response, appHash, stored };
    this.storing = stored;
    stored.then(
      () => {
        if (this.storing === stored) this.storing = undefined;
      },
      (e: Error) => this.log.error({ height: block.header.height, err: e.message }, 'saving the block failed; the next block stops here'),
    );
    return applied;
  }

  /** Resolves once the last applied block is stored and its listeners have run (throws if its save failed). */
  async idle(): Promise<void> {
    await this.storing;
  }

  private async preverify(txs: Uint8Array[], hashes?: readonly string[]): Promise<void> {
    const app = this.app as { preverify?(t: Uint8Array[], h?: readonly string[]): Promise<void> };
    if (!app.preverify || txs.length === 0) return;
    await app.preverify(txs, hashes).catch((e: Error) => this.log.debug({ err: e.message }, 'pre-verification failed; the app verifies inline'));
  }

  private execute(block: Block, hash: Uint8Array, powers: Map<string, bigint>, txHashes?: readonly string[], decodedTxs?: readonly (DecodedTx | undefined)[]): FinalizeBlockResponse {
    return this.app.finalizeBlock({
      height: block.header.height,
      timeMs: block.header.timeMs,
      proposerAddress: block.header.proposerAddress,
      txs: block.txs,
      lastCommitVotes: this.lastCommitVotes(block.lastCommit, powers),
      misbehavior: block.evidence.map((ev) => ({
        kind: 'duplicate_vote' as const,
        validatorAddress: ev.voteA.validatorAddress,
        height: ev.voteA.height,
        timeMs: ev.timeMs,
        totalVotingPower: ev.totalVotingPower,
      })),
      hash: toHex(hash).toUpperCase(),
      ...(txHashes ? { txHashes } : {}),
      ...(decodedTxs ? { decodedTxs } : {}),
    });
  }

  /**
   * Brings the app level with the block store after a crash: replays stored blocks the app has
   * not committed (at most two: the state's disk writes trail the block saves). Fails loudly if the store is behind the app.
   */
  async handshake(powers: Map<string, bigint> | ((lastCommitHeight: number) => Map<string, bigint>)): Promise<void> {
    const powersAt = typeof powers === 'function' ? powers : () => powers;
    const appHeight = this.app.info().lastBlockHeight;
    const storeHeight = await this.blocks.latestHeight();
    if (storeHeight < appHeight) {
      throw new Error(`block store (height ${storeHeight}) is behind the app state (height ${appHeight}); the data directory is damaged`);
    }
    for (let h = appHeight + 1; h <= storeHeight; h++) {
      const bytes = await this.blocks.loadBlockBytes(h);
      if (!bytes) throw new Error(`block ${h} missing from the block store during replay`);
      const block = decodeBlock(bytes);
      const hash = headerHash(block.header);
      this.log.info({ height: h }, 'replaying stored block into the app');
      const txHashes = blockTxHashes(block.txs);
      await this.preverify(block.txs, txHashes);
      const response = this.execute(block, hash, powersAt(h - 1), txHashes);
      const { appHash } = await this.app.commit();
      this.lastResultsHash = resultsHash(response.txResults);
      // The next stored block (if any) names the app hash this replay must reproduce.
      const next = await this.blocks.loadBlockBytes(h + 1);
      if (next && !bytesEqual(decodeBlock(next).header.appHash, appHash)) {
        throw new Error(`replay of block ${h} produced app hash ${toHex(appHash)}, the chain recorded another: state is corrupt`);
      }
    }
    if (storeHeight > 0 && storeHeight === appHeight) {
      // Recompute the last results hash from the stored results.
      const bytes = await this.blocks.loadBlockBytes(storeHeight);
      if (bytes) {
        const block = decodeBlock(bytes);
        const results: TxResult[] = [];
        for (const h of blockTxHashes(block.txs)) {
          const t = await this.blocks.loadTx(h);
          if (t) results.push({ code: t.result.code, log: t.result.log, data: t.result.data, events: t.result.events, hash: h });
        }
        this.lastResultsHash = resultsHash(results);
      }
    }
  }
}
