/**
 * The behaviour every `Network` must show, written once and run against the libp2p host and
 * the in-memory fake (so consensus tests on the fake mean something for the real network).
 */
import assert from 'node:assert/strict';
import { abciCode } from '../../../src/errors.js';
import { P2PCode } from '../../../src/p2p/errors.js';
import { PENALTY } from '../../../src/p2p/limits.js';
import type { BlockEntry, Network, PeerInfo } from '../../../src/p2p/types.js';
import { bytes, text, waitFor } from './helpers.js';

export interface Harness {
  /** Creates and starts node number `nodes.length`, with persistent peers given by index. */
  create(opts: { chainId?: string; peers: number[] }): Promise<Network>;
  /** Stops node i and starts a new instance with the same identity and address. */
  restart(i: number): Promise<Network>;
  cleanup(): Promise<void>;
}

export const CHAIN = 'dex-test-1';

const ids = (n: Network): string[] => n.peers().map((p) => p.id);

/** The error a cancelled request rejects with. */
export const isCancelled = (e: unknown): boolean =>
  (e as { code?: unknown }).code === abciCode('node', P2PCode.cancelled);

/**
 * Brings `a`'s score of `b` one timeout short of the ban threshold (-100 by default): any
 * penalty of a timeout's size or more then bans, which `banned` shows.
 */
export function nearBan(a: Network, b: Network): void {
  a.penalize(b.peerId, 'test: one penalty short of a ban', 100 - PENALTY.timeout + 1);
  assert.equal(a.banned(b.peerId), false);
}

export function networkSemantics(name: string, makeHarness: () => Harness): void {
  describe(`${name}: Network semantics`, function () {
    this.timeout(20_000);
    let h: Harness;
    let nodes: Network[];

    beforeEach(async () => {
      h = makeHarness();
      nodes = [];
      nodes.push(await h.create({ peers: [] }));
      nodes.push(await h.create({ peers: [0] }));
      nodes.push(await h.create({ peers: [0, 1] }));
      await waitFor('three nodes connected to each other', () => nodes.every((n) => n.peers().length === 2));
    });

    afterEach(async () => {
      await h.cleanup();
    });

    it('three nodes with persistent peers find each other', () => {
      for (const n of nodes) {
        const others = nodes.filter((o) => o !== n).map((o) => o.peerId).sort();
        assert.deepEqual(ids(n), others);
        for (const p of n.peers()) assert.ok(p.address.length > 0);
      }
    });

    it('a published message reaches every other node once, tagged with the sender', async () => {
      const got: { node: number; msg: string; from: string }[] = [];
      nodes.forEach((n, i) => n.subscribe('txs', (d, from) => got.push({ node: i, msg: text(d), from })));
      const votes: string[] = [];
      nodes[1]!.subscribe('votes', (d) => votes.push(text(d)));

      await nodes[0]!.publish('txs', bytes('m1'));
      await nodes[0]!.publish('txs', bytes('m1')); // duplicate by content: dropped by receivers
      await nodes[0]!.publish('txs', bytes('m2'));
      await waitFor('m2 at nodes 1 and 2', () => got.filter((g) => g.msg === 'm2').length === 2);
      await nodes[2]!.publish('votes', bytes('v1'));
      await waitFor('v1 at node 1', () => votes.includes('v1'));

      const m1 = got.filter((g) => g.msg === 'm1');
      assert.deepEqual(m1.map((g) => g.node).sort(), [1, 2]);
      assert.ok(m1.every((g) => g.from === nodes[0]!.peerId || g.from === nodes[1]!.peerId || g.from === nodes[2]!.peerId));
      assert.ok(!got.some((g) => g.node === 0), 'publisher does not receive its own message');
      assert.deepEqual(votes, ['v1'], 'topics are separate');
    });

    it('publishing with no peers does not throw; oversized messages are refused', async () => {
      const lonely = await h.create({ chainId: 'lonely-chain', peers: [] });
      await lonely.publish('evidence', bytes('nobody listens'));
      await assert.rejects(nodes[0]!.publish('proposals', new Uint8Array(4 * 1024 * 1024 + 1)));
    });

    it('a large proposal (3 MiB) arrives intact', async () => {
      const block = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
      let got: Uint8Array | null = null;
      nodes[2]!.subscribe('proposals', (d) => { got = d; });
      await nodes[0]!.publish('proposals', block);
      await waitFor('proposal at node 2', () => got !== null);
      assert.deepEqual(got, block);
    });

    it('direct send reaches only the target, even for bytes seen before', async () => {
      const got: { node: number; msg: string; from: string }[] = [];
      nodes.forEach((n, i) => n.subscribe('votes', (d, from) => got.push({ node: i, msg: text(d), from })));
      await nodes[0]!.publish('votes', bytes('vote-a'));
      await waitFor('gossiped vote at 1 and 2', () => got.filter((g) => g.msg === 'vote-a').length === 2);
      await nodes[0]!.sendDirect(nodes[1]!.peerId, 'votes', bytes('vote-a'));
      await nodes[0]!.sendDirect(nodes[1]!.peerId, 'votes', bytes('vote-b'));
      await waitFor('direct votes at node 1', () => got.filter((g) => g.node === 1).length === 3);
      // a marker through the same path to node 2 shows nothing direct leaked there
      await nodes[0]!.sendDirect(nodes[2]!.peerId, 'votes', bytes('marker'));
      await waitFor('marker at node 2', () => got.some((g) => g.node === 2 && g.msg === 'marker'));
      assert.deepEqual(got.filter((g) => g.node === 1).map((g) => g.msg), ['vote-a', 'vote-a', 'vote-b']);
      assert.deepEqual(got.filter((g) => g.node === 2).map((g) => g.msg), ['vote-a', 'marker']);
      assert.equal(got.filter((g) => g.node === 1)[2]!.from, nodes[0]!.peerId);
      await assert.rejects(nodes[0]!.sendDirect('12D3KooWNotConnectedNotConnectedNotConnected111', 'votes', bytes('x')));
    });

    it('status and block sync round-trip through the providers', async () => {
      const [a, b] = [nodes[0]!, nodes[1]!];
      b.setStatusProvider(() => ({ chainId: CHAIN, height: 42, baseHeight: 3 }));
      assert.deepEqual(await a.getStatus(b.peerId), { chainId: CHAIN, height: 42, baseHeight: 3 });

      const store = new Map<number, BlockEntry>();
      for (let hgt = 1; hgt <= 20; hgt++) store.set(hgt, { height: hgt, block: bytes(`block-${hgt}`), commit: bytes(`commit-${hgt}`) });
      b.setBlockProvider(async (from, max) => {
        const out: BlockEntry[] = [];
        for (let hgt = from; hgt < from + max + 5 && store.has(hgt); hgt++) out.push(store.get(hgt)!); // over-delivers on purpose
        return out;
      });
      const got = await a.requestBlocks(b.peerId, 5, 4);
      assert.deepEqual(got.map((e) => e.height), [5, 6, 7, 8]);
      assert.equal(text(got[0]!.block), 'block-5');
      assert.equal(text(got[3]!.commit), 'commit-8');
      const tail = await a.requestBlocks(b.peerId, 18, 10);
      assert.deepEqual(tail.map((e) => e.height), [18, 19, 20]);
      assert.deepEqual(await a.requestBlocks(b.peerId, 50, 10), []);
      // no provider: an empty answer, not an error
      assert.deepEqual(await b.requestBlocks(nodes[2]!.peerId, 1, 10), []);
    });

    it('a blocks request cancelled before it starts rejects as cancelled and never reaches the peer', async () => {
      const [a, b] = [nodes[0]!, nodes[1]!];
      const asked: number[] = [];
      b.setBlockProvider(async (from) => {
        asked.push(from);
        return [{ height: from, block: bytes(`block-${from}`), commit: bytes('c') }];
      });
      nearBan(a, b);
      await assert.rejects(a.requestBlocks(b.peerId, 3, 1, AbortSignal.abort()), isCancelled);
      // a request after it is the first the peer sees
      assert.deepEqual((await a.requestBlocks(b.peerId, 4, 1)).map((e) => e.height), [4]);
      assert.deepEqual(asked, [4]);
      assert.equal(a.banned(b.peerId), false, 'the peer was penalised for our cancel');
    });

    it('a blocks request cancelled while the peer serves rejects at once, costs nobody points, and the server goes on', async () => {
      const [a, b] = [nodes[0]!, nodes[1]!];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let serving = false;
      let served = 0;
      b.setBlockProvider(async (from) => {
        if (from === 7) {
          serving = true;
          await gate;
        }
        served++;
        return [{ height: from, block: bytes(`block-${from}`), commit: bytes('c') }];
      });
      nearBan(a, b);
      nearBan(b, a);
      const ctl = new AbortController();
      const slow = a.requestBlocks(b.peerId, 7, 1, ctl.signal);
      await waitFor('the peer is serving the request', () => serving);
      ctl.abort();
      // settles while the provider is still blocked: the caller does not wait for the answer
      await assert.rejects(slow, isCancelled);
      assert.equal(served, 0);
      release();
      await waitFor('the slow provider finished', () => served === 1);
      assert.deepEqual((await a.requestBlocks(b.peerId, 9, 1)).map((e) => e.height), [9]);
      assert.equal(a.banned(b.peerId), false, 'the peer was penalised for our cancel');
      assert.equal(b.banned(a.peerId), false, 'the server penalised the peer that cancelled');
      assert.ok(ids(a).includes(b.peerId) && ids(b).includes(a.peerId));
    });

    it('a node on another chain id is refused and banned', async () => {
      const connected: PeerInfo[] = [];
      nodes[0]!.onPeerConnected((p) => connected.push(p));
      const other = await h.create({ chainId: 'other-chain', peers: [0] });
      await waitFor('both sides ban each other', () => nodes[0]!.banned(other.peerId) && other.banned(nodes[0]!.peerId));
      await waitFor('no link left', () => !ids(nodes[0]!).includes(other.peerId) && other.peers().length === 0);
      assert.ok(!connected.some((p) => p.id === other.peerId));
      assert.equal(nodes[0]!.peers().length, 2);
    });

    it('a peer penalised below the threshold is disconnected and refused', async () => {
      const gone: string[] = [];
      nodes[0]!.onPeerDisconnected((id) => gone.push(id));
      nodes[0]!.penalize(nodes[1]!.peerId, 'small', 10);
      assert.equal(nodes[0]!.banned(nodes[1]!.peerId), false);
      nodes[0]!.penalize(nodes[1]!.peerId, 'big', 1000);
      assert.equal(nodes[0]!.banned(nodes[1]!.peerId), true);
      await waitFor('node 1 dropped by node 0', () => !ids(nodes[0]!).includes(nodes[1]!.peerId));
      await waitFor('disconnect event', () => gone.includes(nodes[1]!.peerId));
      await waitFor('node 0 dropped by node 1', () => !ids(nodes[1]!).includes(nodes[0]!.peerId));
      // node 1 keeps redialling node 0 (persistent) but is refused; node 2 is unaffected
      await nodes[1]!.publish('txs', bytes('still-meshed'));
      let seen = false;
      nodes[0]!.subscribe('txs', () => { seen = true; });
      await nodes[2]!.publish('txs', bytes('from-2'));
      await waitFor('node 0 still hears node 2', () => seen);
      assert.ok(!ids(nodes[0]!).includes(nodes[1]!.peerId));
    });

    it('a node restarted on the same address is reconnected and hears gossip again', async () => {
      const down: string[] = [];
      const up: string[] = [];
      nodes[1]!.onPeerDisconnected((id) => down.push(id));
      nodes[1]!.onPeerConnected((p) => up.push(p.id));
      const id0 = nodes[0]!.peerId;
      const restarted = await h.restart(0);
      assert.equal(restarted.peerId, id0);
      nodes[0] = restarted;
      await waitFor('node 1 saw node 0 go', () => down.includes(id0));
      await waitFor('all reconnected', () => nodes.every((n) => n.peers().length === 2), 12_000);
      await waitFor('connected event for node 0', () => up.includes(id0));
      const got: string[] = [];
      restarted.subscribe('votes', (d) => got.push(text(d)));
      await nodes[2]!.publish('votes', bytes('after-restart'));
      await waitFor('gossip reaches the restarted node', () => got.includes('after-restart'));
    });
  });
}
