import assert from 'node:assert/strict';
import { Cluster } from './cluster.js';

describe('BftEngine: consensus.create_empty_blocks = false', function () {
  this.timeout(120_000);
  let c: Cluster;

  before(async () => {
    c = await Cluster.create(4, 'noempty', (cfg) => {
      cfg.consensus.create_empty_blocks = false;
    });
    await c.startAll();
  });

  after(async () => {
    await c?.close();
  });

  const top = () => Math.max(...c.net.nodes.map((_, i) => c.height(i)));
  const idle = async (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('makes no blocks while the mempools are empty, and one for a tx, on every node', async () => {
    await c.waitHeight(1);
    await idle(1500);
    const before = top();
    await idle(1500);
    assert.equal(top(), before, 'no empty blocks while idle (timeout_commit is 50 ms)');

    const tx = c.signSend(0, c.net.nodes[2]!.operator, 777n);
    assert.equal(c.nodes[0]!.mempool.add(tx.bytes).code, 0);
    await c.waitFor(() => c.seen.every((s) => s.txs.has(tx.hash)), 'tx committed everywhere');
    const withTx = c.seen[0]!.blocks.find((b) => b.results.some((r) => r.hash === tx.hash))!.block.header.height;
    assert.ok(withTx > before, 'the tx went into a new block');

    await idle(1500);
    const after = top();
    await idle(1500);
    assert.equal(top(), after, 'idle again after the tx');
    // every node holds the same chain
    for (let h = 1; h <= after; h++) {
      const hashes = new Set(c.seen.map((s) => s.hashes.get(h)).filter((x) => x !== undefined));
      assert.ok(hashes.size <= 1, `height ${h} agrees`);
    }
  });
});
