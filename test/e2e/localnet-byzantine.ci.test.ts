/**
 * A double-signing validator on a real 4-validator localnet: a fifth process runs with a copy of
 * node3's `priv_validator_key.json` but its own (fresh) signer state, data dir and node key, so
 * two signers vote with one key. The conflicting votes become evidence, the evidence is
 * committed in a block H, node3 is jailed (it leaves the set at H+2 and the staking query says
 * `jailed`), and the chain goes on with the other three. Every process is killed in `after`.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from './harness.js';
import {
  abciQueryJson,
  activeValidators,
  assertSameChain,
  FAST_CONSENSUS,
  LocalnetNode,
  maxHeight,
  startLocalnet,
  waitHeights,
  waitUntil,
  type Localnet,
} from './localnet-helpers.js';

interface BlockJson {
  block_id: { hash: string };
  block: { header: { height: string; validators_hash: string; next_validators_hash: string }; evidence: { evidence: { validator: string; height: string }[] } };
}

interface StakeRow {
  consensus_address: string;
  jailed: boolean;
  jailed_at_height: string;
}

async function block(node: LocalnetNode, h: number): Promise<BlockJson | undefined> {
  try {
    const r = await fetch(`${node.url}/block?height=${h}`, { signal: AbortSignal.timeout(3000) });
    return ((await r.json()) as { result?: BlockJson }).result;
  } catch {
    return undefined;
  }
}

describe('e2e: a double-signing validator on a 4-validator localnet', function () {
  this.timeout(120_000);
  let dir = '';
  let ln: Localnet | undefined;
  let twin: LocalnetNode | undefined;

  before(async () => {
    dir = tempDir('byz');
    ln = await startLocalnet(dir, 4, `e2e-byz-${process.pid}`);
  });

  after(async () => {
    await Promise.all([...(ln?.nodes ?? []), ...(twin ? [twin] : [])].map((n) => n.stop('SIGKILL')));
    if (dir) cleanup(dir);
  });

  it('conflicting votes → evidence in a block → the validator is jailed, the rest go on', async () => {
    const { nodes, net, basePort } = ln!;
    const honest = nodes.slice(0, 3);
    const byzAddr = net.nodes[3]!.validator_address.toUpperCase();
    await waitHeights(nodes, 2, 40_000);

    // The twin: node3's config and validator key, nothing else (fresh state, data, node key).
    const home = join(dir, 'node3-twin');
    mkdirSync(join(home, 'config'), { recursive: true });
    for (const f of ['config.toml', 'genesis.json', 'priv_validator_key.json']) copyFileSync(join(net.nodes[3]!.home, 'config', f), join(home, 'config', f));
    const p2p = basePort + 10 * nodes.length;
    twin = new LocalnetNode(home, `http://127.0.0.1:${p2p + 1}`, [...FAST_CONSENSUS, '--p2p.laddr', `tcp://0.0.0.0:${p2p}`, '--rpc.laddr', `tcp://127.0.0.1:${p2p + 1}`]);
    twin.start();
    const all = [...nodes, twin];

    // Find the block carrying evidence against node3's key.
    let scanned = 0;
    let evHeight = 0;
    let infractionHeight = 0;
    await waitUntil(
      async () => {
        const top = await nodes[0]!.height();
        for (let h = scanned + 1; h <= top; h++) {
          const b = await block(nodes[0]!, h);
          if (!b) return false;
          scanned = h;
          const ev = b.block.evidence.evidence.find((e) => e.validator.toUpperCase() === byzAddr);
          if (ev) {
            evHeight = h;
            infractionHeight = Number(ev.height);
            return true;
          }
        }
        return false;
      },
      'evidence against the double signer in a block',
      60_000,
      all,
    );
    assert.ok(infractionHeight > 0 && infractionHeight < evHeight);

    // Power 0 from H+2: block H+1 is still signed by the old set, block H+2 by the new one.
    await waitHeights(honest, evHeight + 3, 30_000, all);
    const b1 = (await block(nodes[0]!, evHeight + 1))!;
    const b2 = (await block(nodes[0]!, evHeight + 2))!;
    assert.notEqual(b1.block.header.validators_hash, b1.block.header.next_validators_hash, 'the set changes at H+2');
    assert.equal(b2.block.header.validators_hash, b1.block.header.next_validators_hash);
    for (const n of honest) {
      const vs = await activeValidators(n);
      assert.ok(vs.height >= evHeight + 1);
      assert.equal(vs.powers.has(byzAddr), false, `${n.url} still lists the jailed validator`);
      assert.equal(vs.powers.size, 3);
    }
    const rows = await abciQueryJson<StakeRow[]>(nodes[2]!, 'stake/validators');
    assert.ok(rows, 'stake/validators query answered');
    const row = rows.find((r) => r.consensus_address === byzAddr);
    assert.ok(row?.jailed, `validator ${byzAddr} not jailed: ${JSON.stringify(row)}`);
    assert.equal(Number(row.jailed_at_height), infractionHeight);
    assert.equal(rows.filter((r) => r.jailed).length, 1);

    // The other three keep committing; the (now non-validator) node3 and its twin follow.
    const h0 = await maxHeight(honest);
    await waitHeights(all, h0 + 3, 40_000);
    await assertSameChain(all, h0 + 3);
    process.stdout.write(`      double sign at height ${infractionHeight}, evidence in block ${evHeight}, chain at ${h0 + 3}\n`);
  });
});
