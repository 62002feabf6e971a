/**
 * Block sync: fetches committed blocks by height from peers that are ahead and hands each, with
 * a commit for it, to the consensus engine (`commit_sync`), which verifies the commit (+2/3 of
 * that height's validator set), validates the block like a proposal and applies it through the
 * executor. The same path serves a node far behind (catching up after downtime) and a node one
 * height behind that missed the precommits (stuck while its peers moved on).
 *
 * - Peers' statuses are polled every `pollMs`; a peer ahead by more than `catchUpLag` heights
 *   starts a sync at once (and `catchingUp` is true until we are level), a smaller lag only after
 *   our height has not moved for `stuckMs` (normal consensus usually closes it first).
 * - The commit used for block h is the next block's `lastCommit` when the batch holds it (the
 *   canonical one), else the peer's stored seen-commit for h.
 * - A peer whose block or commit does not verify is penalised and the batch dropped.
 * - We serve our own stored blocks to others (`setBlockProvider`).
 */
import { decodeBlock, decodeCommit } from '../consensus/block.js';
import type { Block, Commit } from '../consensus/types.js';
import type { BlockEntry, Network } from '../p2p/types.js';
import type { BlockStore } from '../store/index.js';
import type { Logger } from './logger.js';

export interface BlockSyncSink {
  /** Last committed height. */
  lastHeight(): number;
  /** Verifies and applies `block` (height lastHeight+1); resolves true when it was committed. */
  applySynced(block: Block, commit: Commit): Promise<boolean>;
}

export interface BlockSyncOptions {
  /** Status poll period (ms, default 1000). */
  pollMs?: number;
  /** Lag (heights) above which the node is "catching up" and syncs without waiting (default 2). */
  catchUpLag?: number;
  /** How long our height must stand still before a small lag is synced (ms, default 3000). */
  stuckMs?: number;
  /** Blocks asked per request (default 50). */
  batch?: number;
  /** Show a cli-progress bar (default: stdout is a TTY). */
  progressBar?: boolean;
}

interface Bar {
  start(total: number, value: number): void;
  update(value: number): void;
  stop(): void;
}

export class BlockSync {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private syncing: Promise<void> | undefined;
  private lastProgressAt = Date.now();
  private lastSeenHeight = -1;
  private catching = false;
  private bestPeerHeight = 0;
  private readonly pollMs: number;
  private readonly catchUpLag: number;
  private readonly stuckMs: number;
  private readonly batch: number;
  private readonly progressBar: boolean;

  constructor(
    private readonly network: Network,
    private readonly blocks: BlockStore,
    private readonly sink: BlockSyncSink,
    private readonly log: Logger,
    opts: BlockSyncOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.catchUpLag = opts.catchUpLag ?? 2;
    this.stuckMs = opts.stuckMs ?? 3000;
    this.batch = Math.max(1, opts.batch ?? 50);
    this.progressBar = opts.progressBar ?? !!process.stdout.isTTY;
  }

  /** True while a peer is more than `catchUpLag` heights ahead of us. */
  get catchingUp(): boolean {
    return this.catching;
  }

  get peerHeight(): number {
    return this.bestPeerHeight;
  }

  start(): void {
    this.network.setBlockProvider((from, max) => this.serve(from, max));
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.syncing;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.syncing = this.tick()
        .catch((e) => this.log.warn({ err: (e as Error).message }, 'block sync round failed'))
        .finally(() => {
          this.syncing = undefined;
          this.schedule(this.pollMs);
        });
    }, ms);
  }

  private async serve(fromHeight: number, maxCount: number): Promise<BlockEntry[]> {
    const latest = await this.blocks.latestHeight();
    const out: BlockEntry[] = [];
    for (let h = Math.max(1, fromHeight); h <= latest && out.length < maxCount; h++) {
      const block = await this.blocks.loadBlockBytes(h);
      const commit = await this.blocks.loadCommitBytes(h);
      if (!block || !commit) break;
      out.push({ height: h, block, commit });
    }
    return out;
  }

  /** One poll: find the best peer and, if warranted, sync from it. */
  private async tick(): Promise<void> {
    const ours = this.sink.lastHeight();
    if (ours !== this.lastSeenHeight) {
      this.lastSeenHeight = ours;
      this.lastProgressAt = Date.now();
    }
    const peers = this.network.peers();
    const statuses = await Promise.allSettled(peers.map((p) => this.network.getStatus(p.id)));
    let best: { id: string; height: number } | undefined;
    statuses.forEach((s, i) => {
      if (s.status === 'fulfilled' && (!best || s.value.height > best.height)) best = { id: peers[i]!.id, height: s.value.height };
    });
    this.bestPeerHeight = best?.height ?? 0;
    if (!best || best.height <= ours) {
      this.catching = false;
      return;
    }
    const lag = best.height - ours;
    const stuck = Date.now() - this.lastProgressAt >= this.stuckMs;
    if (lag <= this.catchUpLag && !stuck) return;
    this.catching = lag > this.catchUpLag;
    await this.syncFrom(best.id, best.height);
    this.catching = false;
  }

  private async syncFrom(peer: string, target: number): Promise<void> {
    const start = this.sink.lastHeight();
    const t0 = Date.now();
    let bar: Bar | undefined;
    if (this.progressBar && target - start > this.batch) {
      const { default: cliProgress } = await import('cli-progress');
      bar = new cliProgress.SingleBar({ format: 'block sync [{bar}] {value}/{total} blocks', hideCursor: true }, cliProgress.Presets.shades_classic);
      bar.start(target, start);
    }
    this.log.info({ peer, from: start + 1, to: target }, 'block sync: fetching blocks');
    try {
      while (this.running && this.sink.lastHeight() < target) {
        const from = this.sink.lastHeight() + 1;
        const entries = await this.network.requestBlocks(peer, from, Math.min(this.batch, target - from + 1));
        if (entries.length === 0) return;
        const decoded: { block: Block; seen: Commit }[] = [];
        try {
          for (const e of entries) decoded.push({ block: decodeBlock(e.block), seen: decodeCommit(e.commit) });
        } catch (e) {
          this.network.penalize(peer, `undecodable block: ${(e as Error).message}`, 50);
          return;
        }
        for (let i = 0; i < decoded.length && this.running; i++) {
          const { block, seen } = decoded[i]!;
          const h = this.sink.lastHeight() + 1;
          if (block.header.height !== h) {
            if (block.header.height < h) continue; // consensus committed it meanwhile
            this.network.penalize(peer, `block sync: got height ${block.header.height}, wanted ${h}`, 50);
            return;
          }
          const next = decoded[i + 1]?.block;
          const commit = next && next.header.height === h + 1 ? next.lastCommit : seen;
          if (!(await this.sink.applySynced(block, commit))) {
            if (this.sink.lastHeight() >= h) continue; // decided by consensus in the meantime
            this.network.penalize(peer, `block sync: block ${h} or its commit did not verify`, 50);
            this.log.warn({ peer, height: h }, 'block sync: peer sent a block that does not verify');
            return;
          }
          bar?.update(this.sink.lastHeight());
        }
        const done = this.sink.lastHeight() - start;
        const secs = (Date.now() - t0) / 1000;
        this.log.info({ height: this.sink.lastHeight(), target, blocks_per_s: secs > 0 ? Math.round(done / secs) : done }, 'block sync: progress');
      }
    } finally {
      bar?.stop();
    }
  }
}
