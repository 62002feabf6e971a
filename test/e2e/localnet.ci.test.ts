/**
 * A real 4-validator localnet over libp2p on 127.0.0.1: blocks finalise on all nodes with the
 * same hashes; a tx sent to node0 shows on node3; kill -9 of a validator does not stop the
 * others and the restarted one catches up; SIGSTOP/SIGCONT of one recovers; with two of four
 * down the other two halt on the same block (no fork) and all resume once both are back; at the
 * end every node serves every height with the same block hash and app hash. Processes are
 * always cleaned up (SIGKILL in `after`, which mocha runs even when a test or `before` fails).
 */
import assert from 'node:assert/strict';
import { cleanup, sleep, tempDir } from './harness.js';
import { assertSameChain, dexchainJson, freeBasePort, LocalnetNode, maxHeight, sameHashes, waitHeights, waitUntil, type TestnetJson } from './localnet-helpers.js';

describe('e2e: 4-validator localnet', function () {
  this.timeout(120_000);
  /** Timeouts of FAST_CONSENSUS: propose 1.5 s, prevote/precommit 0.5 s (+ deltas per round). */
  const HALT_OBSERVE_MS = 8000;
  let dir = '';
  let nodes: LocalnetNode[] = [];
  let net: TestnetJson;

  before(async () => {
    dir = tempDir('localnet');
    const base = await freeBasePort(4);
    net = dexchainJson<TestnetJson>(['testnet', '--validators', '4', '--output', dir, '--chain-id', `e2e-localnet-${process.pid}`, '--base-port', String(base)]);
    assert.equal(net.nodes.length, 4);
    nodes = net.nodes.map((n) => new LocalnetNode(n.home, n.rpc));
    for (const n of nodes) n.start();
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    if (dir) cleanup(dir);
  });

  it('finalises blocks on all four with identical hashes', async () => {
    await waitHeights(nodes, 3, 40_000);
    for (let h = 1; h <= 3; h++) {
      const r = await sameHashes(nodes, h);
      assert.equal(r.have, 4);
      assert.ok(r.agree, `height ${h}: ${r.hashes.join(' ')}`);
    }
  });

  it('a tx sent to node0 is visible on node3', async () => {
    const to = net.nodes[3]!.operator;
    const r = dexchainJson<{ hash: string; code: number; height: number }>(['tx', 'send', to, '1.5:BNB', '--from', 'validator', '--keyring-backend', 'test', '--home', net.nodes[0]!.home]);
    assert.equal(r.code, 0);
    await waitUntil(async () => (await fetch(`${nodes[3]!.url}/api/v1/tx/${r.hash}`)).status === 200, 'tx on node3', 15_000, nodes);
  });

  it('kill -9 of a validator: the other three keep committing, the restarted one catches up', async () => {
    const victim = nodes[1]!;
    const others = [nodes[0]!, nodes[2]!, nodes[3]!];
    await victim.stop('SIGKILL');
    const h0 = await maxHeight(others);
    await waitHeights(others, h0 + 3, 30_000, nodes);
    victim.start();
    const target = (await maxHeight(others)) + 2;
    await waitHeights(nodes, target, 40_000);
    for (let h = Math.max(1, target - 6); h <= target; h++) assert.ok((await sameHashes(nodes, h)).agree, `fork at ${h}`);
  });

  it('SIGSTOP / SIGCONT of a validator: the others go on, it recovers', async () => {
    const victim = nodes[2]!;
    const others = [nodes[0]!, nodes[1]!, nodes[3]!];
    victim.signal('SIGSTOP');
    try {
      const h0 = await maxHeight(others);
      await waitHeights(others, h0 + 3, 30_000, nodes);
    } finally {
      victim.signal('SIGCONT');
    }
    const target = (await maxHeight(others)) + 2;
    await waitHeights(nodes, target, 40_000);
    assert.ok((await sameHashes(nodes, target)).agree);
    await sleep(10);
  });

  it('two of four down: the other two halt on the same block; both back: all resume and agree', async () => {
    const down = [nodes[1]!, nodes[3]!];
    const up = [nodes[0]!, nodes[2]!];
    await Promise.all(down.map((n) => n.stop('SIGKILL')));
    // At the kill the two may be a block apart (one had the last precommits): let them settle.
    let hs: number[] = [];
    await waitUntil(async () => {
      hs = await Promise.all(up.map((n) => n.height()));
      return hs[0]! > 0 && hs[0] === hs[1];
    }, 'the two live nodes at one height', 15_000, nodes);
    const halted = hs[0]!;
    // Several rounds of timeouts: 20 of 40 power is no 2/3, so nothing may commit.
    await sleep(HALT_OBSERVE_MS);
    assert.deepEqual(await Promise.all(up.map((n) => n.height())), [halted, halted], 'a block was committed without 2/3 of the power');
    const [a, b] = await Promise.all(up.map((n) => n.blockHash(halted)));
    assert.ok(a && a === b, `the halted nodes disagree on block ${halted}: ${a} ${b}`);
    const st = (await (await fetch(`${up[0]!.url}/status`)).json()) as { result: { sync_info: { latest_block_hash: string } } };
    assert.equal(st.result.sync_info.latest_block_hash, a);

    for (const n of down) n.start();
    await waitHeights(nodes, halted + 3, 60_000);
    await assertSameChain(nodes, halted + 3);
  });

  it('every node serves every height with the same block hash and app hash', async () => {
    const top = (await maxHeight(nodes)) + 1;
    await waitHeights(nodes, top, 30_000);
    await assertSameChain(nodes, top);
    assert.ok(top >= 10, `only ${top} heights`);
  });
});
