/**
 * Soak / fault run of a real 4-validator localnet (only `npm run test:e2e`; SOAK_MS sets the
 * fault phase length, default 3 minutes): transfers flow through random nodes while one
 * validator at a time is killed (-9) and restarted, or frozen (SIGSTOP) and thawed. Afterwards
 * every node reaches the same height, all agree on every block hash, and every tx a node
 * accepted is committed exactly once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cleanup, sleep, tempDir } from './harness.js';
import { dexchainJson, freeBasePort, LocalnetNode, maxHeight, sameHashes, waitHeights, type TestnetJson } from './localnet-helpers.js';
import { NodeClient } from '../../src/client/http.js';
import { signTx } from '../../src/client/sign.js';
import { decodeAddress } from '../../src/codec/index.js';
import { fromHex } from '../../src/crypto/hash.js';

const SOAK_MS = Number(process.env.SOAK_MS ?? 180_000);

describe('e2e soak: 4-validator localnet under faults and load', function () {
  this.timeout(SOAK_MS + 240_000);
  let dir = '';
  let nodes: LocalnetNode[] = [];

  after(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    if (dir) cleanup(dir);
  });

  it('stays safe and live', async () => {
    dir = tempDir('soak');
    const base = await freeBasePort(4);
    const chainId = `e2e-soak-${process.pid}`;
    const net = dexchainJson<TestnetJson>(['testnet', '--validators', '4', '--output', dir, '--chain-id', chainId, '--base-port', String(base)]);
    nodes = net.nodes.map((n) => new LocalnetNode(n.home, n.rpc));
    for (const n of nodes) n.start();
    await waitHeights(nodes, 2, 60_000);

    // load: transfers from node0's operator, sent to a random running node
    const keyFile = dexchainJson<{ file: string }>(['keys', 'show', 'validator', '--keyring-backend', 'test', '--home', net.nodes[0]!.home]).file;
    const priv = fromHex((JSON.parse(readFileSync(keyFile, 'utf8')) as { privkey: string }).privkey);
    const from = decodeAddress(net.nodes[0]!.operator, 'tbnb');
    const to = decodeAddress(net.nodes[1]!.operator, 'tbnb');
    const acc = (await new NodeClient(nodes[0]!.url).account(net.nodes[0]!.operator))!;
    let seq = BigInt(acc.sequence);
    const accepted: string[] = [];
    let loadOn = true;
    const load = (async () => {
      while (loadOn) {
        const target = nodes[Math.floor(Math.random() * 4)]!;
        if (!target.running) {
          await sleep(50);
          continue;
        }
        const s = signTx(priv, { type: 'cosmos-sdk/Send', inputs: [{ address: from, coins: [{ denom: 'BNB', amount: 1000n }] }], outputs: [{ address: to, coins: [{ denom: 'BNB', amount: 1000n }] }] }, { chainId, hrp: 'tbnb', accountNumber: BigInt(acc.account_number), sequence: seq });
        try {
          const rows = await new NodeClient(target.url).broadcast([s.bytes], false);
          if (rows[0]!.code === 0) {
            accepted.push(s.hash);
            seq++;
          } else {
            // a node that missed earlier txs refuses the sequence: resync from node state
            const a = await new NodeClient(target.url).account(net.nodes[0]!.operator);
            if (a) seq = BigInt(a.sequence);
          }
        } catch {
          /* node frozen or down */
        }
        await sleep(100);
      }
    })();

    // faults: one validator at a time
    const end = Date.now() + SOAK_MS;
    let faults = 0;
    while (Date.now() < end) {
      const v = nodes[1 + Math.floor(Math.random() * 3)]!;
      const others = nodes.filter((n) => n !== v);
      const h0 = await maxHeight(others);
      if (Math.random() < 0.5) {
        await v.stop('SIGKILL');
        await sleep(1000 + Math.random() * 8000);
        v.start();
      } else {
        v.signal('SIGSTOP');
        await sleep(1000 + Math.random() * 8000);
        v.signal('SIGCONT');
      }
      faults++;
      await waitHeights(others, h0 + 1, 60_000, nodes);
      await sleep(2000 + Math.random() * 3000);
    }
    loadOn = false;
    await load;

    const target = (await maxHeight(nodes)) + 3;
    await waitHeights(nodes, target, 120_000);
    for (let h = 1; h <= target; h++) {
      const r = await sameHashes(nodes, h);
      assert.ok(r.agree, `fork at height ${h}: ${r.hashes.join(' ')}`);
    }
    // every accepted tx that is not still pending is committed (txs may be evicted on recheck
    // after a sequence gap; those were never committed anywhere)
    let committed = 0;
    for (const h of accepted) if ((await fetch(`${nodes[3]!.url}/api/v1/tx/${h}`)).status === 200) committed++;
    assert.ok(committed > 0, 'load made progress');
    process.stdout.write(`      soak: ${faults} faults, height ${target}, ${committed}/${accepted.length} txs committed\n`);
  });
});
