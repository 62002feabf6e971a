/**
 * The real @binance-chain/javascript-sdk against a 4-validator localnet: every tx goes to node0,
 * every balance is read from node2 (after node2 has the tx's block), so what the SDK sees is
 * what the whole network agreed on. Alice is a fresh account funded by node0's operator (the
 * operators receive fees, which would blur exact balance checks). Processes are always killed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cleanup, tempDir } from './harness.js';
import { assertSameChain, dexchainJson, maxHeight, startLocalnet, waitHeights, waitUntil, type Localnet, type LocalnetNode } from './localnet-helpers.js';

// The SDK is CommonJS; load it as Node's require would (its published entry, unmodified).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sdk: any = createRequire(import.meta.url)('@binance-chain/javascript-sdk');

type Bal = { free: string; frozen: string; locked: string; symbol: string };

const FEE = { send: 62_500n, multi2: 100_000n, issue: 100_000_000_000n };
const UNIT = 100_000_000n;

function units(s: string): bigint {
  const [i, f = ''] = s.split('.');
  return BigInt(i!) * UNIT + BigInt((f + '00000000').slice(0, 8));
}

describe('e2e: the real Binance Chain SDK against a 4-validator localnet', function () {
  this.timeout(120_000);
  let dir = '';
  let ln: Localnet | undefined;
  let writer: LocalnetNode;
  let reader: LocalnetNode;
  let alice: { address: string; priv: string };
  let bob: { address: string };
  let carol: { address: string };
  const chainId = `e2e-lsdk-${process.pid}`;

  /** Waits until the reader node has the tx (its block is applied there). */
  async function onReader(hash: string): Promise<void> {
    await waitUntil(async () => (await fetch(`${reader.url}/api/v1/tx/${hash}`)).status === 200, `tx ${hash} on node2`, 20_000, ln!.nodes);
  }
  async function balances(addr: string): Promise<Map<string, Bal>> {
    const r = await fetch(`${reader.url}/api/v1/account/${addr}`);
    if (r.status === 204) return new Map();
    const j = (await r.json()) as { balances: Bal[] };
    return new Map(j.balances.map((b) => [b.symbol, b]));
  }
  async function free(addr: string, sym: string): Promise<bigint> {
    const b = (await balances(addr)).get(sym);
    return b ? units(b.free) : 0n;
  }
  /** Checks an SDK broadcast result, waits for node2, returns the tx hash. */
  async function committed(r: { status: number; result: { code: number; log: string; hash: string }[] }): Promise<string> {
    assert.equal(r.status, 200);
    assert.equal(r.result[0]!.code, 0, r.result[0]!.log);
    assert.match(r.result[0]!.hash, /^[0-9A-F]{64}$/);
    await onReader(r.result[0]!.hash);
    return r.result[0]!.hash;
  }

  before(async () => {
    dir = tempDir('lsdk');
    ln = await startLocalnet(dir, 4, chainId);
    writer = ln.nodes[0]!;
    reader = ln.nodes[2]!;
    const home0 = ln.net.nodes[0]!.home;
    const a = dexchainJson<{ address: string; file: string }>(['keys', 'add', 'alice', '--keyring-backend', 'test', '--home', home0]);
    alice = { address: a.address, priv: JSON.parse(readFileSync(a.file, 'utf8')).privkey };
    bob = dexchainJson<{ address: string }>(['keys', 'add', 'bob', '--keyring-backend', 'test', '--home', home0]);
    carol = dexchainJson<{ address: string }>(['keys', 'add', 'carol', '--keyring-backend', 'test', '--home', home0]);
    await waitHeights(ln.nodes, 2, 60_000);
    const fund = dexchainJson<{ code: number; hash: string }>(['tx', 'send', alice.address, '100000:BNB', '--from', 'validator', '--keyring-backend', 'test', '--home', home0, '--node', writer.url]);
    assert.equal(fund.code, 0);
    await onReader(fund.hash);
  });

  after(async () => {
    await Promise.all((ln?.nodes ?? []).map((n) => n.stop('SIGKILL')));
    if (dir) cleanup(dir);
  });

  it('node-info and the account, as the SDK reads them, agree across nodes', async () => {
    const info = (await (await fetch(`${reader.url}/api/v1/node-info`)).json()) as { node_info: { network: string } };
    assert.equal(info.node_info.network, chainId);
    const client = new sdk.BncClient(writer.url);
    client.chooseNetwork('testnet');
    await client.initChain();
    assert.equal(client.chainId, chainId);
    const acc = await client.getAccount(alice.address);
    assert.equal(acc.status, 200);
    assert.equal(typeof acc.result.sequence, 'number');
    assert.equal(units(acc.result.balances.find((b: Bal) => b.symbol === 'BNB').free), 100_000n * UNIT);
    assert.equal(await free(alice.address, 'BNB'), 100_000n * UNIT);
    assert.equal((await fetch(`${reader.url}/api/v1/account/${bob.address}`)).status, 204);
  });

  it('transfer, multi-send, issue, mint, burn, freeze, unfreeze: sent to node0, balances from node2', async () => {
    const client = new sdk.BncClient(writer.url);
    client.chooseNetwork('testnet');
    await client.initChain();
    await client.setPrivateKey(alice.priv);
    const a0 = await free(alice.address, 'BNB');

    await committed(await client.transfer(alice.address, bob.address, 10, 'BNB', 'e2e transfer'));
    assert.equal(await free(bob.address, 'BNB'), 10n * UNIT);
    assert.equal(await free(alice.address, 'BNB'), a0 - 10n * UNIT - FEE.send);

    const a1 = await free(alice.address, 'BNB');
    await committed(
      await client.multiSend(
        alice.address,
        [
          { to: bob.address, coins: [{ denom: 'BNB', amount: 1 }] },
          { to: carol.address, coins: [{ denom: 'BNB', amount: 2 }] },
        ],
        'multi',
      ),
    );
    assert.equal(await free(bob.address, 'BNB'), 11n * UNIT);
    assert.equal(await free(carol.address, 'BNB'), 2n * UNIT);
    assert.equal(await free(alice.address, 'BNB'), a1 - 3n * UNIT - FEE.multi2);

    const a2 = await free(alice.address, 'BNB');
    const iss = await client.tokens.issue(alice.address, 'Test Token', 'XYZ', 1_000_000, true);
    const issHash = await committed(iss);
    const symbol = `XYZ-${issHash.slice(0, 3)}`;
    assert.equal(JSON.parse(iss.result[0].data).symbol, symbol);
    assert.equal(await free(alice.address, symbol), 1_000_000n * UNIT);
    assert.equal(await free(alice.address, 'BNB'), a2 - FEE.issue);
    const tok = (await (await fetch(`${reader.url}/api/v1/tokens/${symbol}`)).json()) as { total_supply: string; owner: string };
    assert.equal(tok.total_supply, '1000000.00000000');
    assert.equal(tok.owner, alice.address);

    await committed(await client.tokens.mint(alice.address, symbol, 1000));
    assert.equal(await free(alice.address, symbol), 1_001_000n * UNIT);

    await committed(await client.tokens.burn(alice.address, symbol, 10));
    assert.equal(await free(alice.address, symbol), 1_000_990n * UNIT);

    await committed(await client.tokens.freeze(alice.address, symbol, 100));
    let b = (await balances(alice.address)).get(symbol)!;
    assert.equal(units(b.free), 1_000_890n * UNIT);
    assert.equal(units(b.frozen), 100n * UNIT);

    await committed(await client.tokens.unfreeze(alice.address, symbol, 100));
    b = (await balances(alice.address)).get(symbol)!;
    assert.equal(units(b.free), 1_000_990n * UNIT);
    assert.equal(units(b.frozen), 0n);
    const tok2 = (await (await fetch(`${reader.url}/api/v1/tokens/${symbol}`)).json()) as { total_supply: string };
    assert.equal(tok2.total_supply, '1000990.00000000');

    // a failing tx: the SDK throws with the chain's message; nothing changes anywhere
    const before = await free(alice.address, 'BNB');
    await assert.rejects(client.transfer(alice.address, bob.address, 10_000_000, 'BNB'), (e: Error) => /insufficient/i.test(e.message));
    assert.equal(await free(alice.address, 'BNB'), before);
  });

  it('all four nodes hold the same chain afterwards', async () => {
    const nodes = ln!.nodes;
    const top = (await maxHeight(nodes)) + 1;
    await waitHeights(nodes, top, 30_000);
    await assertSameChain(nodes, top);
  });
});
