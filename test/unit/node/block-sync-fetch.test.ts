import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { blockId, commitHash, decodeBlock, emptyCommit, encodeBlock, encodeCommit } from '../../../src/consensus/block.js';
import type { Block, Commit } from '../../../src/consensus/types.js';
import { BlockSync, type BlockSyncOptions, type BlockSyncSink } from '../../../src/node/block-sync.js';
import type { Logger } from '../../../src/node/logger.js';
import { p2pError } from '../../../src/p2p/errors.js';
import { PENALTY } from '../../../src/p2p/limits.js';
import type { BlockEntry, BlockProvider, Network, PeerInfo, StatusInfo } from '../../../src/p2p/types.js';
import type { BlockStore } from '../../../src/store/index.js';

const CHAIN = 'sync-test';
const E = new Uint8Array(0);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function commitFor(block: Block): Commit {
  return {
    height: block.header.height,
    round: 0,
    blockId: blockId(block),
    signatures: [{ flag: 2, validatorAddress: new Uint8Array(20).fill(1), timeMs: 1, signature: new Uint8Array(64).fill(7) }],
  };
}

function makeBlock(height: number, prev: Block | undefined, appByte = 0): Block {
  const lastCommit = prev ? commitFor(prev) : emptyCommit();
  return {
    header: {
      chainId: CHAIN,
      height,
      timeMs: 1000 + height,
      lastBlockId: prev ? blockId(prev) : { hash: E },
      lastCommitHash: prev ? commitHash(lastCommit) : E,
      dataHash: new Uint8Array(32),
      validatorsHash: new Uint8Array(32),
      nextValidatorsHash: new Uint8Array(32),
      appHash: new Uint8Array(32).fill(appByte),
      lastResultsHash: new Uint8Array(32),
      evidenceHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20).fill(1),
    },
    txs: [],
    evidence: [],
    lastCommit,
  };
}

/** The honest chain, encoded as peers store it. */
function makeChain(n: number): { blocks: Block[]; entries: BlockEntry[] } {
  const blocks: Block[] = [];
  for (let h = 1; h <= n; h++) blocks.push(makeBlock(h, blocks[h - 2]));
  const entries = blocks.map((b) => ({ height: b.header.height, block: encodeBlock(b), commit: encodeCommit(commitFor(b)) }));
  return { blocks, entries };
}

/** Stands in for the consensus engine: accepts a block only with a commit for exactly the canonical block. */
class Sink implements BlockSyncSink {
  readonly applied: number[] = [];
  constructor(private readonly canonical: Block[], private height = 0) {}
  lastHeight(): number {
    return this.height;
  }
  /** Consensus committed the next height by itself. */
  committedByConsensus(): void {
    this.height++;
  }
  async applySynced(block: Block, commit: Commit): Promise<boolean> {
    await new Promise((r) => setImmediate(r));
    const h = this.height + 1;
    assert.equal(block.header.height, h, 'block sync handed a block out of order');
    const want = hex(blockId(this.canonical[h - 1]!).hash);
    if (hex(blockId(block).hash) !== want || commit.height !== h || hex(commit.blockId.hash) !== want) return false;
    this.applied.push(h);
    this.height = h;
    return true;
  }
}

type Behaviour =
  | { kind: 'honest' }
  | { kind: 'liar'; at: number } // serves a forged block at this height
  | { kind: 'stall' } // never answers (until the request is aborted, as the network layer would)
  | { kind: 'disconnect'; after: number } // answers this many requests, then leaves
  | { kind: 'behind'; has: number } // claims more than it has
  | { kind: 'garbage' } // undecodable bytes
  | { kind: 'garbageThenStall'; at: number }; // undecodable bytes for the request from `at`, silence for the others

interface FakePeer {
  id: string;
  height: number;
  behaviour: Behaviour;
  served: number;
}

/** The parts of `Network` block sync uses, over scripted peers. */
class FakeNet {
  readonly peerId = 'me';
  readonly penalties: { peer: string; reason: string; points: number }[] = [];
  readonly requests: { peer: string; from: number; count: number; signal: AbortSignal | undefined }[] = [];
  provider: BlockProvider | undefined;
  inFlight = 0;
  maxInFlight = 0;
  statusCalls = 0;
  private readonly list = new Map<string, FakePeer>();

  constructor(private readonly entries: BlockEntry[], private readonly forged: Map<number, BlockEntry>) {}

  add(id: string, height: number, behaviour: Behaviour = { kind: 'honest' }): void {
    this.list.set(id, { id, height, behaviour, served: 0 });
  }

  peers(): PeerInfo[] {
    return [...this.list.keys()].sort().map((id) => ({ id, address: `/fake/${id}` }));
  }

  async getStatus(id: string): Promise<StatusInfo> {
    this.statusCalls++;
    const p = this.list.get(id);
    if (!p) throw p2pError('peerNotConnected', id);
    return { chainId: CHAIN, height: p.height, baseHeight: 1 };
  }

  setBlockProvider(fn: BlockProvider): void {
    this.provider = fn;
  }

  penalize(peer: string, reason: string, points: number): void {
    this.penalties.push({ peer, reason, points });
  }

  banned(): boolean {
    return false;
  }

  async requestBlocks(id: string, from: number, count: number, signal?: AbortSignal): Promise<BlockEntry[]> {
    const p = this.list.get(id);
    if (!p) throw p2pError('peerNotConnected', `${id} is not connected`);
    this.requests.push({ peer: id, from, count, signal });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setImmediate(r));
      const b = p.behaviour;
      if (b.kind === 'stall' || (b.kind === 'garbageThenStall' && from !== b.at)) {
        await new Promise((_, reject) => {
          const cancel = (): void => reject(p2pError('cancelled', `request to ${id} cancelled`));
          if (signal?.aborted) cancel();
          else signal?.addEventListener('abort', cancel, { once: true });
        });
      }
      if (b.kind === 'disconnect' && p.served >= b.after) {
        this.list.delete(id);
        throw p2pError('peerNotConnected', `${id} disconnected`);
      }
      p.served++;
      const top = b.kind === 'behind' ? b.has : p.height;
      const out: BlockEntry[] = [];
      for (let h = from; h < from + count && h <= top; h++) {
        if (b.kind === 'garbage' || b.kind === 'garbageThenStall') out.push({ height: h, block: new Uint8Array([1, 2, 3]), commit: new Uint8Array([4]) });
        else if (b.kind === 'liar' && h === b.at) out.push(this.forged.get(h)!);
        else out.push(this.entries[h - 1]!);
      }
      return out;
    } finally {
      this.inFlight--;
    }
  }
}

function captureLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream) as unknown as Logger, lines };
}

interface Setup {
  net: FakeNet;
  sink: Sink;
  sync: BlockSync;
  lines: Record<string, unknown>[];
  blocks: Block[];
}

function setup(n: number, opts: BlockSyncOptions = {}, ours = 0): Setup {
  const { blocks, entries } = makeChain(n);
  const forged = new Map<number, BlockEntry>();
  for (let h = 1; h <= n; h++) {
    const bad = makeBlock(h, blocks[h - 2], 0xee);
    forged.set(h, { height: h, block: encodeBlock(bad), commit: encodeCommit(commitFor(bad)) });
  }
  const net = new FakeNet(entries, forged);
  const sink = new Sink(blocks, ours);
  const { log, lines } = captureLogger();
  const store = {} as BlockStore;
  const sync = new BlockSync(net as unknown as Network, store, sink, log, { progressBar: false, pollMs: 3_600_000, requestTimeoutMs: 50, ...opts });
  return { net, sink, sync, lines, blocks };
}

/** One sync round, awaited (the poll timer is never used). */
async function round(s: BlockSync): Promise<void> {
  (s as unknown as { running: boolean }).running = true;
  await (s as unknown as { tick(): Promise<void> }).tick();
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

describe('block sync from several peers', () => {
  it('fetches batches from several peers in parallel and applies them in order', async () => {
    const s = setup(200, { batch: 10, perPeer: 2 });
    for (const id of ['a', 'b', 'c']) s.net.add(id, 200);
    await round(s.sync);
    assert.deepEqual(s.sink.applied, range(1, 200));
    const servers = new Set(s.net.requests.map((r) => r.peer));
    assert.deepEqual([...servers].sort(), ['a', 'b', 'c']);
    assert.ok(s.net.maxInFlight > 1, 'requests were not in flight together');
    assert.ok(s.net.maxInFlight <= 6, 'more requests in flight than 2 per peer');
    assert.equal(s.net.penalties.length, 0);
    const asked = s.net.requests.flatMap((r) => range(r.from, r.from + r.count - 1));
    assert.equal(asked.length, new Set(asked).size, 'a height was fetched twice with no failure');
    const progress = s.lines.filter((l) => l.msg === 'block sync: progress');
    assert.ok(progress.length >= 1);
    const last = progress[progress.length - 1]!;
    assert.equal(last.height, 200);
    assert.equal(last.peers, 3);
    assert.equal(typeof last.blocks_per_s, 'number');
    assert.ok(s.lines.some((l) => l.msg === 'block sync: fetching blocks' && l.peers === 3 && l.from === 1 && l.to === 200));
  });

  it('completes from the others when a peer lies, and penalises the liar', async () => {
    const s = setup(120, { batch: 10 });
    // 'a' is asked first (ties go by id), so it is the one asked for height 3.
    s.net.add('a', 120, { kind: 'liar', at: 3 });
    s.net.add('b', 120);
    s.net.add('c', 120);
    await round(s.sync);
    assert.deepEqual(s.sink.applied, range(1, 120));
    assert.ok(s.net.penalties.some((p) => p.peer === 'a' && /did not verify/.test(p.reason)), 'liar not penalised');
    assert.ok(s.net.penalties.every((p) => p.peer === 'a'), 'an honest peer was penalised');
    const liarReqs = s.net.requests.filter((r) => r.peer === 'a');
    assert.ok(liarReqs.some((r) => r.from <= 3 && r.from + r.count > 3), 'the liar was never asked for the forged height');
    const again = s.net.requests.filter((r) => r.from <= 3 && r.from + r.count > 3 && r.peer !== 'a');
    assert.equal(again.length, 1, 'the forged batch was not asked of another peer exactly once');
  });

  it('completes from the others when a peer stalls past the timeout, aborting its requests and penalising it once', async () => {
    const s = setup(100, { batch: 10, requestTimeoutMs: 20 });
    s.net.add('a', 100, { kind: 'stall' });
    s.net.add('b', 100);
    s.net.add('c', 100);
    await round(s.sync);
    assert.deepEqual(s.sink.applied, range(1, 100));
    assert.deepEqual(s.net.penalties.map((p) => [p.peer, p.points]), [['a', PENALTY.timeout]], 'silence is penalised exactly once, by block sync');
    // After failing once it is avoided for the rest of the round.
    const stalledReqs = s.net.requests.filter((r) => r.peer === 'a');
    assert.ok(stalledReqs.length >= 1 && stalledReqs.length <= 2, `asked the staller ${stalledReqs.length} times`);
    assert.ok(stalledReqs.every((r) => r.signal?.aborted === true), 'a request to the staller was left running');
    assert.ok(s.net.requests.filter((r) => r.peer !== 'a').every((r) => r.signal?.aborted !== true), 'an answered request was aborted');
    assert.ok(s.lines.some((l) => l.msg === 'block sync: request timed out; asking others' && l.peer === 'a' && l.level === 20));
  });

  it('aborts a request that never answers at its own timeout, and the abandoned sibling without another penalty', async () => {
    const s = setup(30, { batch: 10, perPeer: 2, requestTimeoutMs: 30 });
    s.net.add('a', 30, { kind: 'stall' });
    s.net.add('b', 30);
    // how many blocks were applied when each request to 'a' was aborted
    const appliedAtAbort = new Map<number, number>();
    const send = s.net.requestBlocks.bind(s.net);
    s.net.requestBlocks = (id, from, count, signal) => {
      if (id === 'a') signal?.addEventListener('abort', () => appliedAtAbort.set(from, s.sink.applied.length));
      return send(id, from, count, signal);
    };
    await round(s.sync);
    assert.deepEqual(s.sink.applied, range(1, 30));
    const toA = s.net.requests.filter((r) => r.peer === 'a');
    assert.equal(toA.length, 2, 'both first-wave requests should have gone to the staller as well');
    assert.ok(toA.every((r) => r.signal?.aborted === true), 'a request to the staller was left running');
    // both were given up when 'a' failed (its batches had to be asked elsewhere before they
    // could be applied), not only when the round ended
    assert.equal(appliedAtAbort.size, 2);
    for (const [from, applied] of appliedAtAbort) assert.ok(applied < from, `request from ${from} aborted only after ${applied} blocks were applied`);
    assert.equal(s.net.penalties.length, 1, `penalties: ${JSON.stringify(s.net.penalties)}`);
    assert.deepEqual(s.net.penalties[0]!.peer, 'a');
    assert.equal(s.net.penalties[0]!.points, PENALTY.timeout);
    assert.equal(s.lines.filter((l) => l.msg === 'block sync: request failed').length, 0, 'our own cancel was reported as a failure');
  });

  it('aborts the other requests of a peer that fails at once, without penalising it for them', async () => {
    const s = setup(30, { batch: 10, perPeer: 2, requestTimeoutMs: 60_000 });
    s.net.add('a', 30, { kind: 'garbageThenStall', at: 1 });
    s.net.add('b', 30);
    let appliedAtAbort: number | undefined;
    const send = s.net.requestBlocks.bind(s.net);
    s.net.requestBlocks = (id, from, count, signal) => {
      if (id === 'a' && from !== 1) signal?.addEventListener('abort', () => (appliedAtAbort = s.sink.applied.length));
      return send(id, from, count, signal);
    };
    await round(s.sync);
    assert.deepEqual(s.sink.applied, range(1, 30));
    const toA = s.net.requests.filter((r) => r.peer === 'a');
    assert.deepEqual(toA.map((r) => r.from), [1, 21], 'first-wave requests to a');
    assert.equal(toA[1]!.signal?.aborted, true, 'the abandoned request was left running');
    // given up when 'a' failed (its batch had to be asked elsewhere first), not at the round's end
    assert.ok(appliedAtAbort !== undefined && appliedAtAbort < 21, `aborted only after ${appliedAtAbort} blocks were applied`);
    assert.deepEqual(s.net.penalties.map((p) => [p.peer, p.points]), [['a', PENALTY.badBlockResponse]]);
    assert.equal(s.lines.filter((l) => l.msg === 'block sync: request failed').length, 0);
  });

  it('aborts the requests still outstanding when a round ends, without penalty', async () => {
    // 'z' never answers and its timeout is far away; the round ends while it holds batches
    // because consensus decides the remaining heights by itself.
    const s = setup(40, { batch: 10, perPeer: 2, requestTimeoutMs: 60_000 });
    s.net.add('a', 40);
    s.net.add('z', 40, { kind: 'stall' });
    const sink = s.sink;
    const orig = sink.applySynced.bind(sink);
    sink.applySynced = async (block, commit) => {
      const ok = await orig(block, commit);
      if (ok && block.header.height === 10) (sink as unknown as { height: number }).height = 40;
      return ok;
    };
    await round(s.sync);
    assert.equal(sink.lastHeight(), 40);
    const toZ = s.net.requests.filter((r) => r.peer === 'z');
    assert.ok(toZ.length >= 1, 'the staller was never asked');
    assert.ok(toZ.every((r) => r.signal?.aborted === true), 'a request outstanding at the end of the round was left running');
    assert.deepEqual(s.net.penalties, []);
    assert.equal(s.lines.filter((l) => l.msg === 'block sync: request failed').length, 0);
  });

  it('completes from the others when a peer disconnects mid-sync', async () => {
    const s = setup(150, { batch: 10 });
    s.net.add('a', 150, { kind: 'disconnect', after: 2 });
    s.net.add('b', 150);
    await round(s.sync);
    assert.deepEqual(s.sink.applied, range(1, 150));
    assert.equal(s.net.peers().length, 1);
    assert.ok(s.net.requests.some((r) => r.peer === 'a'));
  });

  it('penalises a peer sending undecodable blocks and takes the batch elsewhere', async () => {
    const s = setup(60, { batch: 10 });
    s.net.add('a', 60, { kind: 'garbage' });
    s.net.add('b', 60);
    await round(s.sync);
    assert.deepEqual(s.sink.applied, range(1, 60));
    assert.ok(s.net.penalties.some((p) => p.peer === 'a' && /undecodable/.test(p.reason)));
  });

  it('takes a short batch from a peer that is behind and asks the rest elsewhere, without penalty', async () => {
    const s = setup(80, { batch: 20, perPeer: 1 });
    s.net.add('a', 80, { kind: 'behind', has: 25 });
    s.net.add('b', 80);
    await round(s.sync);
    assert.deepEqual(s.sink.applied, range(1, 80));
    assert.equal(s.net.penalties.length, 0, 'a peer that is behind was penalised');
    const fromA = s.net.requests.filter((q) => q.peer === 'a');
    const short = fromA.findIndex((r) => r.from + r.count - 1 > 25);
    assert.ok(short >= 0, 'the peer that is behind was never asked past what it has');
    for (const r of fromA.slice(short + 1)) {
      assert.ok(r.from <= 25, `asked the short peer for ${r.from}.. after it showed it has only 25`);
    }
  });

  it('uses a peer whose status is below the target for the heights it has', async () => {
    const s = setup(90, { batch: 10, perPeer: 1 });
    s.net.add('low', 30);
    s.net.add('high', 90);
    await round(s.sync);
    assert.deepEqual(s.sink.applied, range(1, 90));
    const low = s.net.requests.filter((r) => r.peer === 'low');
    assert.ok(low.length > 0);
    for (const r of low) assert.ok(r.from + r.count - 1 <= 30);
  });

  it('stops cleanly at the last height an honest peer has when the rest only comes from liars', async () => {
    const s = setup(60, { batch: 10 });
    s.net.add('a', 60, { kind: 'behind', has: 20 });
    s.net.add('b', 60, { kind: 'liar', at: 21 });
    await round(s.sync);
    assert.deepEqual(s.sink.applied, range(1, 20));
    assert.ok(s.net.penalties.some((p) => p.peer === 'b'));
    assert.ok(s.lines.some((l) => l.msg === 'block sync: no peer left that can serve the next blocks'));
    // A later round tries again (the liar may be reached through others).
    s.net.add('c', 60);
    await round(s.sync);
    assert.deepEqual(s.sink.applied, range(1, 60));
  });

  it('skips heights consensus committed meanwhile and resumes after them', async () => {
    const s = setup(50, { batch: 10 }, 0);
    s.net.add('a', 50);
    s.net.add('b', 50);
    const sink = s.sink;
    const orig = sink.applySynced.bind(sink);
    let jumped = false;
    sink.applySynced = async (block, commit) => {
      if (!jumped && block.header.height === 15) {
        // Consensus decided 15..17 by itself while block sync was fetching.
        jumped = true;
        for (let h = 15; h <= 17; h++) await orig(decodeBlock(encodeBlock(s.blocks[h - 1]!)), commitFor(s.blocks[h - 1]!));
        return false;
      }
      return orig(block, commit);
    };
    await round(s.sync);
    assert.deepEqual(sink.applied, range(1, 50));
    assert.equal(s.net.penalties.length, 0, 'a peer was blamed for a height consensus decided');
  });

  it('still serves our own blocks to others', async () => {
    const { entries } = makeChain(5);
    const store = {
      latestHeight: async () => 5,
      loadBlockBytes: async (h: number) => entries[h - 1]?.block,
      loadCommitBytes: async (h: number) => entries[h - 1]?.commit,
    } as unknown as BlockStore;
    const net = new FakeNet(entries, new Map());
    const sync = new BlockSync(net as unknown as Network, store, new Sink([], 5), captureLogger().log, { progressBar: false, pollMs: 3_600_000 });
    sync.start();
    try {
      assert.ok(net.provider);
      const got = await net.provider(2, 10);
      assert.deepEqual(got.map((e) => e.height), [2, 3, 4, 5]);
      assert.deepEqual(got[0]!.block, entries[1]!.block);
    } finally {
      await sync.stop();
    }
  });

  it('while consensus commits, polls peers only every statusRefreshTicks-th tick, or at once on a consensus message from beyond the lag', async () => {
    const { net, sink, sync } = setup(30, { statusRefreshTicks: 4, stuckMs: 60_000 }, 5);
    net.add('a', 5);
    net.add('b', 5);
    await round(sync);
    assert.equal(net.statusCalls, 2, 'the first tick polls every peer');
    for (let i = 0; i < 3; i++) {
      sink.committedByConsensus();
      await round(sync);
    }
    assert.equal(net.statusCalls, 2, 'the next 3 ticks skip the poll while our height moves');
    sink.committedByConsensus();
    await round(sync);
    assert.equal(net.statusCalls, 4, 'one poll in 4 ticks');
    sink.committedByConsensus();
    sync.notePeerHeight(sink.lastHeight() + 2);
    await round(sync);
    assert.equal(net.statusCalls, 4, 'a peer within the catch-up lag is no reason to poll');
    sink.committedByConsensus();
    sync.notePeerHeight(sink.lastHeight() + 3);
    await round(sync);
    assert.equal(net.statusCalls, 6, 'a peer beyond the lag makes the next tick poll');
    sink.committedByConsensus();
    await round(sync);
    assert.equal(net.statusCalls, 6, 'and only that one');
    assert.equal(sync.peerHeight, sink.lastHeight(), 'the best known height follows our own while we commit');
  });

  it('polls at every tick while our height stands still', async () => {
    const { net, sync } = setup(30, { statusRefreshTicks: 100, stuckMs: 20 }, 5);
    net.add('a', 5);
    for (let i = 0; i < 3; i++) {
      await round(sync);
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.equal(net.statusCalls, 3);
  });
});
