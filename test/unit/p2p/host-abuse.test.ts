/**
 * A hand-driven libp2p node that speaks the protocols badly: the host must penalise it,
 * disconnect it and refuse it.
 */
import assert from 'node:assert/strict';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { P2PHost } from '../../../src/p2p/host.js';
import { createTransportNode, toDialTarget, type Libp2pNode, type Stream } from '../../../src/p2p/libp2p-node.js';
import { encodeFrame, FrameReader, type Chunk } from '../../../src/p2p/frame.js';
import { encodeBlockEntry, encodeStatus, protocolIds } from '../../../src/p2p/wire.js';
import { quiet, tempDir, waitFor, bytes, TEST_LIMITS } from './helpers.js';
import { CHAIN } from './semantics.js';

const P = protocolIds(CHAIN);

async function rawNode(): Promise<Libp2pNode> {
  const node = await createTransportNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], maxConnections: 10 });
  // answer the status handshake correctly, so the host takes us for a proper peer
  await node.handle(P.status, async (stream: Stream) => {
    const req = await new FrameReader(stream as AsyncIterable<Chunk>, 1024).next();
    if (req !== null) stream.send(encodeFrame(encodeStatus({ chainId: CHAIN, height: 1, baseHeight: 1 })));
    await stream.close();
  });
  return node;
}

describe('P2PHost: misbehaving peers', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let host: P2PHost;
  let raw: Libp2pNode;

  beforeEach(async () => {
    dir = tempDir('dexchain-p2p-abuse-');
    host = new P2PHost({ chainId: CHAIN, listen: 'tcp://127.0.0.1:0', nodeKeyPath: `${dir.path}/node_key.json`, persistentPeers: [], logger: quiet, limits: { ...TEST_LIMITS, statusTimeoutMs: 800 } });
    await host.start();
    raw = await rawNode();
    await raw.dial(toDialTarget(host.listenAddrs()[0]!));
    await waitFor('raw peer verified', () => host.peers().some((p) => p.id === raw.peerId.toString()));
  });

  afterEach(async () => {
    await raw.stop();
    await host.stop();
    dir.remove();
  });

  const rawId = (): string => raw.peerId.toString();
  const rawConnected = (): boolean => raw.getConnections().some((c) => c.remotePeer.toString() === host.peerId);

  it('garbage frames are penalised until the peer is disconnected and banned', async () => {
    const s = await raw.dialProtocol(toDialTarget(host.listenAddrs()[0]!), P.gossip);
    s.send(encodeFrame(Uint8Array.of(0xff, 1, 2, 3))); // unknown topic code
    s.send(encodeFrame(new Uint8Array(0))); // empty message
    await waitFor('penalised but not yet banned', () => !host.banned(rawId()) && host.peers().length === 1);
    s.send(encodeFrame(Uint8Array.of(0x00)));
    s.send(encodeFrame(Uint8Array.of(0x77, 9)));
    await waitFor('banned', () => host.banned(rawId()));
    await waitFor('disconnected', () => !rawConnected() && host.peers().length === 0);
    // and refused when it comes back
    await raw.dial(toDialTarget(host.listenAddrs()[0]!)).catch(() => undefined);
    await waitFor('refused again', () => !rawConnected());
    assert.equal(host.peers().length, 0);
    assert.equal(host.banned(rawId()), true);
  });

  it('an oversized frame header bans at once', async () => {
    const s = await raw.dialProtocol(toDialTarget(host.listenAddrs()[0]!), P.direct);
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, 64 * 1024 * 1024, false);
    s.send(header);
    await waitFor('banned', () => host.banned(rawId()));
    await waitFor('disconnected', () => !rawConnected());
  });

  it('valid gossip from a proper peer is delivered and not penalised', async () => {
    const got: string[] = [];
    host.subscribe('txs', (d, from) => got.push(`${new TextDecoder().decode(d)}<${from === rawId()}`));
    const s = await raw.dialProtocol(toDialTarget(host.listenAddrs()[0]!), P.gossip);
    s.send(encodeFrame(Uint8Array.of(1, ...bytes('tx1'))));
    await waitFor('tx delivered', () => got.length === 1);
    assert.deepEqual(got, ['tx1<true']);
    assert.equal(host.banned(rawId()), false);
  });

  it('a block-sync answer with wrong heights is rejected and penalised', async () => {
    await raw.handle(P.blocks, async (stream: Stream) => {
      await new FrameReader(stream as AsyncIterable<Chunk>, 64).next();
      stream.send(encodeFrame(encodeBlockEntry({ height: 9, block: bytes('b'), commit: bytes('c') })));
      await stream.close();
    });
    await assert.rejects(host.requestBlocks(rawId(), 3, 2), /expected height 3/);
    await assert.rejects(host.requestBlocks(rawId(), 3, 2));
    await waitFor('banned after repeated bad answers', () => host.banned(rawId()));
  });

  it('a status request that never answers times out', async () => {
    await raw.unhandle(P.status);
    await raw.handle(P.status, async () => { /* read nothing, answer nothing */ });
    await assert.rejects(host.getStatus(rawId()), /no answer/);
  });
});
