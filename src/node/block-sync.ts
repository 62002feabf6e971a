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
 * - While consensus commits heights by itself, the poll is skipped but every
 *   `statusRefreshTicks`-th: each poll opens a stream to every peer (an idle 4-validator net's
 *   nodes spent 52 ms of CPU per block polling every second, 39–45 without), and a node that
 *   keeps committing is level with its peers. Consensus messages tell of a peer ahead
 *   (`notePeerHeight`): the next tick polls.
 * - A round fetches from every peer that is ahead at once: the range is cut into batches handed
 *   to different peers (a few in flight per peer, a bounded window ahead of the next height; see
 *   `block-sync-scheduler.ts`), and blocks are applied strictly in height order as they arrive.
 * - The commit used for block h is the next block's `lastCommit` when the same peer sent it (the
 *   canonical one), else the peer's stored seen-commit for h.
 * - A peer whose answer fails (no answer within `requestTimeoutMs`, an error, undecodable, wrong
 *   heights, a block or commit that does not verify) is avoided for the rest of the round and its
 *   batches are asked of other peers. Bad answers and silence are penalised here: at our own
 *   timeout the request is aborted (the network layer closes its stream and does not score a
 *   cancelled request) and the peer loses `PENALTY.timeout` once. Errors the network layer
 *   detects itself (bad frames, its own timeout if that is the shorter) it scores itself. A
 *   request that stops counting for any other reason (its peer failed meanwhile, the round
 *   ended) is aborted without a penalty, so no abandoned request holds a stream. A short answer
 *   is no fault (the peer may be behind): the rest is asked elsewhere. The round ends early only
 *   when no peer left can serve.
 * - We serve our own stored blocks to others (`setBlockProvider`).
 */
import { decodeBlock, decodeCommit } from '../consensus/block.js';
import type { Block, Commit } from '../consensus/types.js';
import { PENALTY } from '../p2p/limits.js';
import type { BlockEntry, Network } from '../p2p/types.js';
import type { BlockStore } from '../store/index.js';
import { BatchScheduler, type BatchRequest, type SchedPeer } from './block-sync-scheduler.js';
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
  /**
   * While our height moves (consensus commits), poll only every this many ticks (default 10), or
   * at once when a consensus message came from a height more than `catchUpLag` ahead.
   */
  statusRefreshTicks?: number;
  /** Blocks asked per request (default 50). */
  batch?: number;
  /** Requests in flight to one peer at a time (default 2). */
  perPeer?: number;
  /** Requests in flight in total (default 16); also bounds the blocks buffered ahead of the next one. */
  maxInFlight?: number;
  /** A request not answered within this fails and its batch goes to another peer (ms, default 15000). */
  requestTimeoutMs?: number;
  /** Show a cli-progress bar (default: stdout is a TTY). */
  progressBar?: boolean;
}

interface Fetched {
  block: Block;
  /** The serving peer's stored commit for this height (used when the next block is not at hand). */
  seen: Commit;
}

/** What one sync round's requests report to. */
interface Round {
  sched: BatchScheduler<Fetched>;
  timers: Set<NodeJS.Timeout>;
  /** The abort controller of each outstanding request, by request id. */
  aborts: Map<number, AbortController>;
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
  /** Ticks since the last status poll (the first tick polls). */
  private ticksSincePoll = Infinity;
  /** A consensus message came from a height beyond `catchUpLag` ahead of ours. */
  private aheadHint = false;
  private readonly statusRefreshTicks: number;
  private readonly pollMs: number;
  private readonly catchUpLag: number;
  private readonly stuckMs: number;
  private readonly batch: number;
  private readonly perPeer: number;
  private readonly maxInFlight: number;
  private readonly requestTimeoutMs: number;
  private readonly progressBar: boolean;
  /** Wakes the sync loop when a request settles (or on stop). */
  private wake: (() => void) | undefined;

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
    this.statusRefreshTicks = Math.max(1, opts.statusRefreshTicks ?? 10);
    this.batch = Math.max(1, opts.batch ?? 50);
    this.perPeer = Math.max(1, opts.perPeer ?? 2);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 16);
    this.requestTimeoutMs = Math.max(1, opts.requestTimeoutMs ?? 15_000);
    this.progressBar = opts.progressBar ?? !!process.stdout.isTTY;
  }

  /** True while a peer is more than `catchUpLag` heights ahead of us. */
  get catchingUp(): boolean {
    return this.catching;
  }

  get peerHeight(): number {
    return this.bestPeerHeight;
  }

  /** A peer's consensus message was for `height` (unverified: it only makes the next tick poll). */
  notePeerHeight(height: number): void {
    if (height > this.sink.lastHeight() + this.catchUpLag) this.aheadHint = true;
  }

  start(): void {
    this.network.setBlockProvider((from, max) => this.serve(from, max));
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
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

  /** One poll: find the peers ahead and, if warranted, sync from them. */
  private async tick(): Promise<void> {
    const ours = this.sink.lastHeight();
    if (ours !== this.lastSeenHeight) {
      this.lastSeenHeight = ours;
      this.lastProgressAt = Date.now();
    }
    const moving = Date.now() - this.lastProgressAt < this.stuckMs;
    if (moving && !this.aheadHint && this.bestPeerHeight <= ours + this.catchUpLag && this.ticksSincePoll + 1 < this.statusRefreshTicks) {
      this.ticksSincePoll++;
      this.bestPeerHeight = Math.max(this.bestPeerHeight, ours);
      return;
    }
    this.ticksSincePoll = 0;
    this.aheadHint = false;
    const peers = this.network.peers();
    const statuses = await Promise.allSettled(peers.map((p) => this.network.getStatus(p.id)));
    let best = 0;
    const ahead: SchedPeer[] = [];
    statuses.forEach((s, i) => {
      if (s.status !== 'fulfilled') return;
      best = Math.max(best, s.value.height);
      if (s.value.height > ours) ahead.push({ id: peers[i]!.id, height: s.value.height, base: s.value.baseHeight });
    });
    this.bestPeerHeight = best;
    if (best <= ours) {
      this.catching = false;
      return;
    }
    const lag = best - ours;
    const stuck = Date.now() - this.lastProgressAt >= this.stuckMs;
    if (lag <= this.catchUpLag && !stuck) return;
    this.catching = lag > this.catchUpLag;
    await this.syncFrom(ahead, best);
    this.catching = false;
  }

  /**
   * One round: fetches heights (ours, target] from the peers that are ahead, several batches at a
   * time from different peers, and applies them strictly in height order. Ends at the target, when
   * stopped, or when no peer left in the round can serve the next height.
   */
  private async syncFrom(peers: SchedPeer[], target: number): Promise<void> {
    const start = this.sink.lastHeight();
    const t0 = Date.now();
    let bar: Bar | undefined;
    if (this.progressBar && target - start > this.batch) {
      const { default: cliProgress } = await import('cli-progress');
      bar = new cliProgress.SingleBar({ format: 'block sync [{bar}] {value}/{total} blocks', hideCursor: true }, cliProgress.Presets.shades_classic);
      bar.start(target, start);
    }
    this.log.info({ peers: peers.length, from: start + 1, to: target }, 'block sync: fetching blocks');
    const sched = new BatchScheduler<Fetched>({
      from: start + 1,
      target,
      batch: this.batch,
      perPeer: this.perPeer,
      maxInFlight: Math.min(this.maxInFlight, Math.max(1, peers.length) * this.perPeer),
      peers,
    });
    const round: Round = { sched, timers: new Set(), aborts: new Map() };
    let loggedAt = start;
    const progress = (): void => {
      const height = this.sink.lastHeight();
      const secs = (Date.now() - t0) / 1000;
      const done = height - start;
      this.log.info({ height, target, blocks_per_s: secs > 0 ? Math.round(done / secs) : done, peers: sched.peersUsed }, 'block sync: progress');
      loggedAt = height;
    };
    try {
      while (this.running) {
        sched.skipTo(this.sink.lastHeight() + 1);
        if (sched.done) break;
        for (const req of sched.assign()) this.fetch(round, req);
        const ready = sched.peekNext();
        if (ready === undefined) {
          if (sched.stalled) {
            this.log.warn({ height: this.sink.lastHeight(), target, failed_peers: sched.failedPeers().length }, 'block sync: no peer left that can serve the next blocks');
            break;
          }
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        const h = ready.height;
        const { block, seen } = ready.item;
        // The canonical commit for h is the next block's lastCommit; use it only when the same
        // peer sent both, so a failure is blamed on the peer that caused it.
        const next = sched.peek(h + 1);
        const commit = next !== undefined && next.peer === ready.peer ? next.item.block.lastCommit : seen;
        if (await this.sink.applySynced(block, commit)) {
          if (sched.next === h) sched.applied();
          bar?.update(this.sink.lastHeight());
          if (this.sink.lastHeight() - loggedAt >= this.batch) progress();
          continue;
        }
        if (this.sink.lastHeight() >= h) continue; // decided by consensus in the meantime
        this.network.penalize(ready.peer, `block sync: block ${h} or its commit did not verify`, PENALTY.badBlockResponse);
        this.log.warn({ peer: ready.peer, height: h }, 'block sync: peer sent a block that does not verify');
        sched.failed(ready.peer);
        this.abortAbandoned(round);
      }
      if (this.sink.lastHeight() > loggedAt) progress();
    } finally {
      for (const t of round.timers) clearTimeout(t);
      round.timers.clear();
      // what is still outstanding no longer counts: give it up (no penalty) so no stream lingers
      for (const c of round.aborts.values()) c.abort();
      round.aborts.clear();
      bar?.stop();
    }
  }

  /**
   * Sends one request and reports its outcome to the round's scheduler. The request is aborted
   * at our timeout (the peer is penalised for its silence here, once) and whenever it stops
   * counting (its peer failed meanwhile, the round ended), without a penalty then. A late answer
   * to an abandoned request is dropped unread.
   */
  private fetch(round: Round, req: BatchRequest): void {
    const { sched } = round;
    const ctl = new AbortController();
    round.aborts.set(req.id, ctl);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.requestTimeoutMs);
      round.timers.add(timer);
    });
    const request = this.network.requestBlocks(req.peer, req.from, req.count, ctl.signal);
    request.catch(() => undefined); // a late rejection after a timeout must not go unhandled
    Promise.race([request, timeout])
      .then(
        (res) => {
          if (res === 'timeout') {
            // The network layer does not score a cancelled request, so the silence is scored here.
            ctl.abort();
            if (!sched.isLive(req.id)) return;
            this.network.penalize(req.peer, `block sync: no answer within ${this.requestTimeoutMs} ms`, PENALTY.timeout);
            this.log.debug({ peer: req.peer, from: req.from }, 'block sync: request timed out; asking others');
            sched.requestFailed(req.id);
            return;
          }
          if (!sched.isLive(req.id)) {
            ctl.abort();
            return;
          }
          const items = this.check(req, res);
          if (items === undefined) sched.requestFailed(req.id);
          else sched.received(req.id, items);
        },
        (e: unknown) => {
          // We gave it up ourselves (round over, peer failed): nothing to report.
          if (ctl.signal.aborted || !sched.isLive(req.id)) return;
          // The network layer scores its own failures (bad frames, its own timeout); a
          // disconnect is no fault. Either way the peer is not asked again this round.
          this.log.debug({ peer: req.peer, from: req.from, err: (e as Error).message }, 'block sync: request failed');
          sched.requestFailed(req.id);
        },
      )
      .finally(() => {
        if (timer !== undefined) {
          clearTimeout(timer);
          round.timers.delete(timer);
        }
        round.aborts.delete(req.id);
        this.abortAbandoned(round);
        this.wake?.();
      });
  }

  /** Aborts (without a penalty) the outstanding requests the scheduler no longer counts. */
  private abortAbandoned(round: Round): void {
    for (const [id, ctl] of round.aborts) {
      if (round.sched.isLive(id)) continue;
      round.aborts.delete(id);
      ctl.abort();
    }
  }

  /** Checks and decodes an answer; penalises the peer and returns undefined when it is bad. */
  private check(req: BatchRequest, entries: BlockEntry[]): Fetched[] | undefined {
    if (entries.length > req.count) {
      this.network.penalize(req.peer, `block sync: sent ${entries.length} blocks, asked for ${req.count}`, PENALTY.badBlockResponse);
      return undefined;
    }
    const out: Fetched[] = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const want = req.from + i;
      let f: Fetched;
      try {
        f = { block: decodeBlock(e.block), seen: decodeCommit(e.commit) };
      } catch (err) {
        this.network.penalize(req.peer, `undecodable block: ${(err as Error).message}`, PENALTY.badBlockResponse);
        return undefined;
      }
      if (e.height !== want || f.block.header.height !== want) {
        this.network.penalize(req.peer, `block sync: got height ${f.block.header.height}, wanted ${want}`, PENALTY.badBlockResponse);
        return undefined;
      }
      out.push(f);
    }
    return out;
  }
}
