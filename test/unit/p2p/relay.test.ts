import assert from 'node:assert/strict';
import { P2PHost } from '../../../src/p2p/host.js';
import { RelayStore } from '../../../src/p2p/relay-store.js';
import {
  GOSSIP_IHAVE, GOSSIP_IWANT, WireError, decodeGossipFrame, encodeGossipControl, encodeMessage,
} from '../../../src/p2p/wire.js';
import { bytes, portOf, quiet, tempDir, text, waitFor, TEST_LIMITS } from './helpers.js';

describe('gossip control frames', () => {
  it('round-trip IHAVE/IWANT and messages; refuse a wrong id length', () => {
    const id = new Uint8Array(32).map((_, i) => i);
    const h = decodeGossipFrame(encodeGossipControl(GOSSIP_IHAVE, id));
    assert.equal(h.kind, 'ihave');
    assert.deepEqual(h.kind !== 'message' && [...h.id], [...id]);
    assert.equal(decodeGossipFrame(encodeGossipControl(GOSSIP_IWANT, id)).kind, 'iwant');
    const m = decodeGossipFrame(encodeMessage('proposals', Uint8Array.of(7)));
    assert.deepEqual(m.kind === 'message' && [m.topic, [...m.data]], ['proposals', [7]]);
    assert.throws(() => decodeGossipFrame(Uint8Array.of(GOSSIP_IHAVE, 1, 2)), WireError);
    assert.throws(() => decodeGossipFrame(Uint8Array.of(0xf7, 1)), WireError);
    assert.throws(() => encodeGossipControl(GOSSIP_IWANT, new Uint8Array(31)), WireError);
  });
});

describe('RelayStore', () => {
  it('serves each peer once, forgets after the ttl and beyond the byte budget', () => {
    let now = 0;
    const s = new RelayStore(1000, 10, () => now);
    s.add('a', new Uint8Array(4));
    assert.equal(s.take('a', 'p1')?.length, 4);
    assert.equal(s.take('a', 'p1'), undefined, 'a second IWANT from the same peer is not served');
    assert.equal(s.take('a', 'p2')?.length, 4);
    assert.equal(s.take('zz', 'p1'), undefined);
    s.add('b', new Uint8Array(4));
    s.add('c', new Uint8Array(4)); // 12 bytes > 10: the oldest goes
    assert.equal(s.take('a', 'p3'), undefined);
    assert.equal(s.take('b', 'p3')?.length, 4);
    assert.ok(s.keptBytes <= 10);
    now = 1001;
    assert.equal(s.take('c', 'p3'), undefined, 'expired');
    assert.equal(s.size, 0);
    s.add('big', new Uint8Array(11));
    assert.equal(s.size, 0, 'a frame over the whole budget is not kept');
  });
});

describe('P2PHost relaying', function () {
  this.timeout(20_000);
  const dir = tempDir('dexchain-relay-');
  const hosts: P2PHost[] = [];

  async function host(i: number, peers: P2PHost[]): Promise<P2PHost> {
    const h = new P2PHost({
      chainId: 'relay-test',
      listen: 'tcp://127.0.0.1:0',
      nodeKeyPath: `${dir.path}/n${i}/node_key.json`,
      persistentPeers: peers.map((p) => `${p.peerId}@127.0.0.1:${portOf(p)}`),
      logger: quiet,
      limits: { ...TEST_LIMITS, relayInlineBytes: 64 },
    });
    await h.start();
    hosts.push(h);
    return h;
  }

  after(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    dir.remove();
  });

  it('a large message reaches a node two hops away through IHAVE/IWANT, small ones inline, each once', async () => {
    // a line: a — b — c (a and c are not connected)
    const a = await host(0, []);
    const b = await host(1, [a]);
    const c = await host(2, [b]);
    await waitFor('the line is up', () => a.peers().length === 1 && b.peers().length === 2 && c.peers().length === 1);
    assert.ok(!c.peers().some((p) => p.id === a.peerId));
    const got: { msg: string; from: string }[] = [];
    c.subscribe('proposals', (d, from) => got.push({ msg: text(d).slice(0, 5), from }));
    c.subscribe('votes', (d, from) => got.push({ msg: text(d), from }));
    const big = 'big-1' + 'x'.repeat(5000);
    await a.publish('proposals', bytes(big));
    await a.publish('votes', bytes('vote'));
    await waitFor('both at c', () => got.length === 2);
    assert.deepEqual(got.map((g) => g.msg).sort(), ['big-1', 'vote']);
    assert.ok(got.every((g) => g.from === b.peerId), 'handed over by the relay');
    // the same content again is a duplicate everywhere
    await a.publish('proposals', bytes(big));
    await a.publish('proposals', bytes('big-2' + 'y'.repeat(5000)));
    await waitFor('big-2 at c', () => got.some((g) => g.msg === 'big-2'));
    assert.equal(got.filter((g) => g.msg === 'big-1').length, 1);
  });

  it('in a full mesh a large message is delivered once to every node', async () => {
    const [a, b, c] = [hosts[0]!, hosts[1]!, hosts[2]!];
    const d = await host(3, [a, b, c]);
    await waitFor('d meshed', () => d.peers().length === 3);
    const got: string[] = [];
    for (const h of [b, c, d]) h.subscribe('txs', (m) => got.push(`${h.peerId}:${text(m).slice(0, 4)}`));
    await a.publish('txs', bytes('mesh' + 'z'.repeat(3000)));
    await waitFor('at b, c, d', () => got.length >= 3);
    await new Promise((r) => setTimeout(r, 300)); // room for a wrongly repeated delivery to show
    assert.equal(got.length, 3);
    assert.equal(new Set(got).size, 3);
  });
});
