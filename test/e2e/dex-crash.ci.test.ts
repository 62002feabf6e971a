/**
 * kill -9 a node while it produces blocks full of crossing and resting orders (several times,
 * so some kills land between the auction and the commit), with a genesis time on the previous UTC
 * day so that block 1 is a breathe block (and the first kill comes right around it). After the
 * last restart the node's book, balances and locks must equal those of a reference in-process
 * app that replays the committed blocks from the node's own block store, and the reference's
 * app hash after every height must equal the one the next block header committed to (and the
 * node's state store at the end).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { NodeProcess, cleanup, cliJson, freePort, sleep, tempDir } from './harness.js';
import { signTx } from '../../src/client/sign.js';
import { decodeAddress, formatFixed8 } from '../../src/codec/index.js';
import type { Msg } from '../../src/codec/types.js';
import { consensusAddress, fromHex, toHex } from '../../src/crypto/hash.js';
import { createVerifier } from '../../src/crypto/verifier.js';
import { memoryStateStore, openStateStore } from '../../src/state/index.js';
import { openBlockStore } from '../../src/store/index.js';
import { decodeBlock, headerHash } from '../../src/consensus/block.js';
import { CommitFlag } from '../../src/consensus/types.js';
import { DexApp } from '../../src/app/app.js';
import { homePaths } from '../../src/node/config.js';
import { notional } from '../../src/modules/dex/match/index.js';

const ONE = 100_000_000n;
type Bal = { symbol: string; free: string; locked: string; frozen: string };

function units(s: string): bigint {
  const [i, f = ''] = s.split('.');
  return BigInt(i!) * ONE + BigInt((f + '00000000').slice(0, 8));
}

describe('e2e: DEX crash safety (kill -9 between match and commit, breathe block)', function () {
  this.timeout(240_000);
  let home: string;
  let node: NodeProcess;
  const chainId = `e2e-dexcrash-${process.pid}`;

  after(async () => {
    await node?.stop();
    if (home) cleanup(home);
  });

  it('after kills and restarts, book, balances and locks equal a reference replay of the committed blocks', async () => {
    home = tempDir('dexcrash');
    const paths = homePaths(home);
    cliJson(['init', '--home', home, '--chain-id', chainId]);
    const keys = ['alice', 'bob'].map((n) => {
      const k = cliJson<{ address: string; file: string }>(['keys', 'add', n, '--keyring-backend', 'test', '--home', home]);
      return { address: k.address, priv: fromHex(JSON.parse(readFileSync(k.file, 'utf8')).privkey as string) };
    });
    const [alice, bob] = keys as [(typeof keys)[0], (typeof keys)[0]];
    cliJson(['genesis', 'add-account', alice.address, '1000:BNB', '--home', home]);
    cliJson(['genesis', 'add-account', bob.address, '100000:BNB', '--home', home]);
    const tok = cliJson<{ symbol: string }>(['genesis', 'add-token', 'XYZ', '1000000', '--owner', alice.address, '--home', home]);
    const pair = `${tok.symbol}_BNB`;
    cliJson(['genesis', 'add-pair', tok.symbol, 'BNB', '--price', '1', '--home', home]);
    // genesis on the previous UTC day: block 1 starts a new day, i.e. it is a breathe block
    const g = JSON.parse(readFileSync(paths.genesisFile, 'utf8'));
    const dayStart = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    g.genesis_time = new Date(dayStart - 3_600_000).toISOString();
    writeFileSync(paths.genesisFile, JSON.stringify(g, null, 2));
    const hrp = g.address_prefix as string;

    node = new NodeProcess(home, await freePort(), ['--consensus.timeout_commit_ms', '100']);

    // load: each round signs a batch of orders for both accounts from their current sequences
    let loading = true;
    let sent = 0;
    const orderMsg = (k: typeof alice, seq: bigint, side: 1 | 2, price: bigint, tif: 1 | 3): Msg => {
      const sender = decodeAddress(k.address, hrp);
      return { type: 'dex/NewOrder', sender, id: `${toHex(sender).toUpperCase()}-${seq + 1n}`, symbol: pair, ordertype: 2, side, price, quantity: ONE, timeinforce: tif };
    };
    const loadLoop = async () => {
      let round = 0;
      while (loading) {
        try {
          const batch: Uint8Array[] = [];
          for (const [k, side] of [
            [alice, 2],
            [bob, 1],
          ] as const) {
            const r = await fetch(`${node.url}/api/v1/account/${k.address}`);
            const a = r.status === 200 ? ((await r.json()) as { account_number: number; sequence: number }) : { account_number: 0, sequence: 0 };
            for (let i = 0; i < 15; i++) {
              const seq = BigInt(a.sequence) + BigInt(i);
              // level offset 0 crosses, the others rest on their side of 1.0
              const off = BigInt((i + round) % 5) * 1_000_000n;
              const price = side === 2 ? ONE + off : ONE - off;
              const tif = i % 7 === 3 ? 3 : 1;
              batch.push(signTx(k.priv, orderMsg(k, seq, side, price, tif), { chainId, hrp, accountNumber: BigInt(a.account_number), sequence: seq }).bytes);
            }
          }
          await Promise.all(
            batch.map((tx) =>
              fetch(`${node.url}/api/v1/broadcast?sync=false`, { method: 'POST', body: Buffer.from(tx).toString('hex'), headers: { 'content-type': 'text/plain' } })
                .then((r) => r.text())
                .then(() => sent++)
                .catch(() => undefined),
            ),
          );
        } catch {
          /* node down: retry */
        }
        round++;
        await sleep(250);
      }
    };

    // run 1: kill right around block 1 (the breathe block)
    node.start();
    await node.waitReady(1);
    await node.kill9();
    // runs 2..4: kill under load at different moments
    let load: Promise<void> | undefined;
    for (const ms of [900, 1700, 2600]) {
      node.start();
      await node.waitReady(1);
      load ??= loadLoop();
      await sleep(ms);
      await node.kill9();
    }
    // last run: it must recover and go on
    node.start();
    const hRestart = await node.waitReady(1);
    await node.waitReady(hRestart + 3);
    loading = false;
    await load;
    // let the mempool drain: a few blocks with no new txs
    const hQuiet = await node.height();
    await node.waitReady(hQuiet + 4);
    assert.ok(sent > 100, `the load sent ${sent} orders`);

    const nodeDepth = (await (await fetch(`${node.url}/api/v1/depth?symbol=${pair}&limit=1000`)).json()) as { asks: [string, string][]; bids: [string, string][] };
    const nodeBal = async (addr: string) => {
      const r = await fetch(`${node.url}/api/v1/account/${addr}`);
      const j = (await r.json()) as { balances: Bal[] };
      return Object.fromEntries(j.balances.map((b) => [b.symbol, { free: units(b.free), locked: units(b.locked) }]));
    };
    const nodeBalances = { alice: await nodeBal(alice.address), bob: await nodeBal(bob.address) };
    const trades = (await (await fetch(`${node.url}/api/v1/trades?symbol=${pair}&limit=1000`)).json()) as { total: number };
    assert.ok(trades.total > 0, 'orders crossed and traded');
    assert.ok(nodeDepth.asks.length > 0 && nodeDepth.bids.length > 0, 'resting orders on both sides');
    await node.stop();

    // the reference: a fresh app replaying the node's committed blocks
    const blocks = await openBlockStore(paths.blockDb);
    const last = await blocks.latestHeight();
    const powers = new Map<string, bigint>();
    for (const v of g.app_state.validators as { consensus_pub_key: string; power: string }[]) {
      powers.set(toHex(consensusAddress(new Uint8Array(Buffer.from(v.consensus_pub_key, 'base64')))), BigInt(v.power));
    }
    const store = memoryStateStore();
    const ref = new DexApp({ store, verifier: createVerifier() });
    await ref.initChain(g);
    const hashAfter: string[] = [];
    let breathe = false;
    for (let h = 1; h <= last; h++) {
      const raw = await blocks.loadBlockBytes(h);
      assert.ok(raw, `block ${h} is stored`);
      const b = decodeBlock(raw);
      if (h > 1) assert.equal(toHex(b.header.appHash), hashAfter[h - 1], `app hash after height ${h - 1} (block ${h}'s header)`);
      if (h === 1) breathe = Math.floor(b.header.timeMs / 86_400_000) !== Math.floor(Date.parse(g.genesis_time) / 86_400_000);
      ref.finalizeBlock({
        height: h,
        timeMs: b.header.timeMs,
        proposerAddress: b.header.proposerAddress,
        txs: b.txs,
        lastCommitVotes: b.lastCommit.signatures.map((s) => ({ validatorAddress: s.validatorAddress, power: powers.get(toHex(s.validatorAddress)) ?? 0n, signedLastBlock: s.flag === CommitFlag.Commit })),
        misbehavior: [],
        hash: toHex(headerHash(b.header)).toUpperCase(),
      });
      const { appHash } = await ref.commit();
      hashAfter[h] = toHex(appHash);
    }
    await blocks.close();
    assert.ok(breathe, 'block 1 was a breathe block');
    const state = await openStateStore(paths.stateDb);
    assert.equal(state.height, last);
    assert.equal(toHex(state.appHash), hashAfter[last], 'the node state store ends at the reference app hash');
    await state.close();
    assert.deepEqual(ref.checkInvariants(), []);

    // book, balances and locks of the reference = the node's
    const q = (path: string) => {
      const r = ref.query(path, new Uint8Array(0));
      assert.equal(r.code, 0, r.log);
      return JSON.parse(new TextDecoder().decode(r.value));
    };
    const refDepth = q(`dex/api/depth/${pair}/1000`) as { asks: [string, string][]; bids: [string, string][] };
    assert.deepEqual(nodeDepth.asks, refDepth.asks);
    assert.deepEqual(nodeDepth.bids, refDepth.bids);
    for (const [name, k] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      const acc = ref.bank.getAccount(store.committed(), decodeAddress(k.address, hrp))!;
      for (const d of [tok.symbol, 'BNB']) {
        const free = acc.coins.find((c) => c.denom === d)?.amount ?? 0n;
        const locked = acc.locked.find((c) => c.denom === d)?.amount ?? 0n;
        assert.equal(nodeBalances[name][d]?.free ?? 0n, free, `${name} ${d} free (${formatFixed8(free)})`);
        assert.equal(nodeBalances[name][d]?.locked ?? 0n, locked, `${name} ${d} locked`);
      }
      // and the locks are exactly what the account's open orders hold
      const open = q(`dex/api/open/${k.address}`) as { side: number; price: string; quantity: string; cumulateQuantity: string }[];
      let lockBase = 0n;
      let lockQuote = 0n;
      for (const o of open) {
        const qty = units(o.quantity);
        const cum = units(o.cumulateQuantity);
        if (o.side === 2) lockBase += qty - cum;
        else lockQuote += notional(units(o.price), qty) - notional(units(o.price), cum);
      }
      assert.equal(acc.locked.find((c) => c.denom === tok.symbol)?.amount ?? 0n, lockBase, `${name} base lock = open sells`);
      assert.equal(acc.locked.find((c) => c.denom === 'BNB')?.amount ?? 0n, lockQuote, `${name} quote lock = open buys`);
    }
  });
});
