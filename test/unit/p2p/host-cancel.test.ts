/**
 * Cancelling a block-sync request on the libp2p host frees its stream on both ends at once,
 * rather than when the host's own (here: very long) request timeout would.
 */
import assert from 'node:assert/strict';
import { P2PHost } from '../../../src/p2p/host.js';
import type { Libp2pNode } from '../../../src/p2p/libp2p-node.js';
import { protocolIds } from '../../../src/p2p/wire.js';
import { bytes, portOf, quiet, tempDir, TEST_LIMITS, waitFor } from './helpers.js';
import { CHAIN, isCancelled, nearBan } from './semantics.js';

const BLOCKS = protocolIds(CHAIN).blocks;

/** Open block-sync streams of a host (reads the private libp2p node: a test-only look inside). */
function blockStreams(h: P2PHost): number {
  const node = (h as unknown as { node: Libp2pNode | null }).node;
  if (node === null) return 0;
  return node.getConnections().flatMap((c) => c.streams).filter((s) => s.protocol === BLOCKS).length;
}

describe('P2PHost: cancelling a blocks request', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let a: P2PHost;
  let b: P2PHost;

  beforeEach(async () => {
    dir = tempDir('dexchain-p2p-cancel-');
    // a request timeout far beyond the test's waits: only the cancel can free the streams in time
    const limits = { ...TEST_LIMITS, blocksTimeoutMs: 120_000 };
    b = new P2PHost({ chainId: CHAIN, listen: 'tcp://127.0.0.1:0', nodeKeyPath: `${dir.path}/b.json`, persistentPeers: [], logger: quiet, limits });
    await b.start();
    a = new P2PHost({
      chainId: CHAIN, listen: 'tcp://127.0.0.1:0', nodeKeyPath: `${dir.path}/a.json`,
      persistentPeers: [`${b.peerId}@127.0.0.1:${portOf(b)}`], logger: quiet, limits,
    });
    await a.start();
    await waitFor('a and b connected', () => a.peers().length === 1 && b.peers().length === 1);
  });

  afterEach(async () => {
    await a.stop();
    await b.stop();
    dir.remove();
  });

  it('aborts the stream on both ends while the server is still working, with no penalty', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let serving = false;
    let done = false;
    b.setBlockProvider(async (from) => {
      serving = true;
      await gate;
      done = true;
      return [{ height: from, block: bytes('b'), commit: bytes('c') }];
    });
    nearBan(a, b);
    nearBan(b, a);
    const ctl = new AbortController();
    const req = a.requestBlocks(b.peerId, 1, 1, ctl.signal);
    await waitFor('the server is serving', () => serving && blockStreams(a) === 1 && blockStreams(b) === 1);
    ctl.abort();
    await assert.rejects(req, isCancelled);
    await waitFor('requester stream gone', () => blockStreams(a) === 0);
    await waitFor('server stream reset', () => blockStreams(b) === 0);
    assert.equal(done, false, 'the streams were freed only after the provider finished');
    release();
    await waitFor('provider finished', () => done);
    // the server's late answer to a reset stream costs the requester nothing, and both go on
    b.setBlockProvider(async (from) => [{ height: from, block: bytes('b'), commit: bytes('c') }]);
    assert.deepEqual((await a.requestBlocks(b.peerId, 2, 1)).map((e) => e.height), [2]);
    assert.equal(a.banned(b.peerId), false);
    assert.equal(b.banned(a.peerId), false);
  });
});
