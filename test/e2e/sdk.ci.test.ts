/**
 * A real node process driven by the unmodified @binance-chain/javascript-sdk, then the same
 * flow through the dexchain CLI. Balances are checked to the unit after every step.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { NodeProcess, cleanup, cli, cliJson, freePort, tempDir } from './harness.js';

// The SDK is CommonJS; load it as Node's require would (its published entry, unmodified).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sdk: any = createRequire(import.meta.url)('@binance-chain/javascript-sdk');

type Bal = { free: string; frozen: string; locked: string; symbol: string };

const FEE = { send: 62_500n, multi2: 100_000n, issue: 100_000_000_000n, mint: 20_000_000_000n, burn: 100_000_000n, freeze: 1_000_000n };

function units(s: string): bigint {
  const [i, f = ''] = s.split('.');
  return BigInt(i!) * 100_000_000n + BigInt((f + '00000000').slice(0, 8));
}

describe('e2e: one validator node with the real Binance Chain SDK', function () {
  this.timeout(180_000);
  let home: string;
  let node: NodeProcess;
  let alice: { address: string; priv: string };
  let bob: { address: string };
  let carol: { address: string };
  const chainId = `e2e-sdk-${process.pid}`;

  async function balances(addr: string): Promise<Map<string, Bal>> {
    const r = await fetch(`${node.url}/api/v1/account/${addr}`);
    if (r.status === 204) return new Map();
    const j = (await r.json()) as { balances: Bal[] };
    return new Map(j.balances.map((b) => [b.symbol, b]));
  }
  async function free(addr: string, sym: string): Promise<bigint> {
    const b = (await balances(addr)).get(sym);
    return b ? units(b.free) : 0n;
  }

  before(async () => {
    home = tempDir('sdk');
    cliJson(['init', '--home', home, '--chain-id', chainId, '--moniker', 'e2e']);
    const a = cliJson<{ address: string; file: string }>(['keys', 'add', 'alice', '--keyring-backend', 'test', '--home', home]);
    alice = { address: a.address, priv: JSON.parse(readFileSync(a.file, 'utf8')).privkey };
    bob = cliJson<{ address: string }>(['keys', 'add', 'bob', '--keyring-backend', 'test', '--home', home]);
    carol = cliJson<{ address: string }>(['keys', 'add', 'carol', '--keyring-backend', 'test', '--home', home]);
    cliJson(['genesis', 'add-account', alice.address, '100000:BNB', '--home', home]);
    node = new NodeProcess(home, await freePort());
    node.start();
    await node.waitReady(1);
  });

  after(async () => {
    await node?.stop();
    if (home) cleanup(home);
  });

  it('serves node-info, status and the account the SDK reads', async () => {
    const info = (await (await fetch(`${node.url}/api/v1/node-info`)).json()) as { node_info: { network: string } };
    assert.equal(info.node_info.network, chainId);
    const st = (await (await fetch(`${node.url}/status`)).json()) as { result: { node_info: { network: string } } };
    assert.equal(st.result.node_info.network, chainId);
    const client = new sdk.BncClient(node.url);
    client.chooseNetwork('testnet');
    await client.initChain();
    assert.equal(client.chainId, chainId);
    const acc = await client.getAccount(alice.address);
    assert.equal(acc.status, 200);
    assert.equal(typeof acc.result.sequence, 'number');
    assert.equal(units(acc.result.balances.find((b: Bal) => b.symbol === 'BNB').free), 100_000n * 100_000_000n);
    // an unknown account: 204 with no body, as the original api-server answered
    const r = await fetch(`${node.url}/api/v1/account/${bob.address}`);
    assert.equal(r.status, 204);
    // a malformed address: a clear 400 {code, message}
    const bad = await fetch(`${node.url}/api/v1/account/tbnb1notanaddress`);
    assert.equal(bad.status, 400);
    const bj = (await bad.json()) as { code: number; message: string };
    assert.ok(bj.code > 0 && bj.message.length > 0);
  });

  it('transfer, multi-send, issue, mint, burn, freeze, unfreeze through the SDK', async () => {
    const client = new sdk.BncClient(node.url);
    client.chooseNetwork('testnet');
    await client.initChain();
    await client.setPrivateKey(alice.priv);
    const a0 = await free(alice.address, 'BNB');

    const t = await client.transfer(alice.address, bob.address, 10, 'BNB', 'e2e transfer');
    assert.equal(t.status, 200);
    assert.equal(t.result[0].code, 0, t.result[0].log);
    assert.match(t.result[0].hash, /^[0-9A-F]{64}$/);
    assert.equal(await free(bob.address, 'BNB'), 10n * 100_000_000n);
    assert.equal(await free(alice.address, 'BNB'), a0 - 10n * 100_000_000n - FEE.send);
    const txr = (await (await fetch(`${node.url}/api/v1/tx/${t.result[0].hash}?format=json`)).json()) as { code: number; height: string };
    assert.equal(txr.code, 0);
    assert.ok(Number(txr.height) > 0);

    const a1 = await free(alice.address, 'BNB');
    const ms = await client.multiSend(alice.address, [
      { to: bob.address, coins: [{ denom: 'BNB', amount: 1 }] },
      { to: carol.address, coins: [{ denom: 'BNB', amount: 2 }] },
    ], 'multi');
    assert.equal(ms.result[0].code, 0, ms.result[0].log);
    assert.equal(await free(bob.address, 'BNB'), 11n * 100_000_000n);
    assert.equal(await free(carol.address, 'BNB'), 2n * 100_000_000n);
    assert.equal(await free(alice.address, 'BNB'), a1 - 3n * 100_000_000n - FEE.multi2);

    const a2 = await free(alice.address, 'BNB');
    const iss = await client.tokens.issue(alice.address, 'Test Token', 'XYZ', 1_000_000, true);
    assert.equal(iss.result[0].code, 0, iss.result[0].log);
    const symbol = `XYZ-${iss.result[0].hash.slice(0, 3)}`;
    assert.equal(JSON.parse(iss.result[0].data).symbol, symbol);
    assert.equal(await free(alice.address, symbol), 1_000_000n * 100_000_000n);
    assert.equal(await free(alice.address, 'BNB'), a2 - FEE.issue);
    const tok = (await (await fetch(`${node.url}/api/v1/tokens/${symbol}`)).json()) as { total_supply: string; owner: string; mintable: boolean };
    assert.equal(tok.total_supply, '1000000.00000000');
    assert.equal(tok.owner, alice.address);

    const mint = await client.tokens.mint(alice.address, symbol, 1000);
    assert.equal(mint.result[0].code, 0, mint.result[0].log);
    assert.equal(await free(alice.address, symbol), 1_001_000n * 100_000_000n);

    const burn = await client.tokens.burn(alice.address, symbol, 10);
    assert.equal(burn.result[0].code, 0, burn.result[0].log);
    assert.equal(await free(alice.address, symbol), 1_000_990n * 100_000_000n);

    const fr = await client.tokens.freeze(alice.address, symbol, 100);
    assert.equal(fr.result[0].code, 0, fr.result[0].log);
    let b = (await balances(alice.address)).get(symbol)!;
    assert.equal(units(b.free), 1_000_890n * 100_000_000n);
    assert.equal(units(b.frozen), 100n * 100_000_000n);

    const uf = await client.tokens.unfreeze(alice.address, symbol, 100);
    assert.equal(uf.result[0].code, 0, uf.result[0].log);
    b = (await balances(alice.address)).get(symbol)!;
    assert.equal(units(b.free), 1_000_990n * 100_000_000n);
    assert.equal(units(b.frozen), 0n);

    // the token total supply follows mint and burn
    const tok2 = (await (await fetch(`${node.url}/api/v1/tokens/${symbol}`)).json()) as { total_supply: string };
    assert.equal(tok2.total_supply, '1000990.00000000');

    // a failing tx: the SDK throws with the chain's message; nothing changes
    const before = await free(alice.address, 'BNB');
    await assert.rejects(client.transfer(alice.address, bob.address, 10_000_000, 'BNB'), (e: Error) => /insufficient/i.test(e.message));
    assert.equal(await free(alice.address, 'BNB'), before);
  });

  it('the RPC client reads accounts and tokens through abci_query', async () => {
    const rpc = new sdk.rpc(node.url, 'testnet');
    // carol holds one coin: the SDK's amino decoder reads only the first element of a list
    // (bnb-chain/javascript-sdk#317), so a one-coin account is what it can decode
    const acc = await rpc.getAccount(carol.address);
    assert.ok(acc);
    assert.equal(acc.base.address, carol.address);
    const st = await rpc.status();
    assert.ok(Number(st.sync_info.latest_block_height) > 0);
  });

  it('the same flow through the CLI', async () => {
    const common = ['--keyring-backend', 'test', '--home', home, '--node', node.url];
    const b0 = await free(bob.address, 'BNB');
    const s = cliJson<{ code: number; hash: string }>(['tx', 'send', carol.address, '1.5:BNB', '--from', 'bob', ...common]);
    assert.equal(s.code, 0);
    assert.equal(await free(bob.address, 'BNB'), b0 - 150_000_000n - FEE.send);

    const ms = cliJson<{ code: number }>(['tx', 'multi-send', '--to', `${alice.address}=1:BNB`, '--to', `${carol.address}=1:BNB`, '--from', 'bob', ...common]);
    assert.equal(ms.code, 0);

    const iss = cliJson<{ code: number; hash: string; data: string }>(['tx', 'issue', '--name', 'Cli Token', '--symbol', 'CLI', '--total-supply', '5000', '--mintable', '--from', 'alice', ...common]);
    assert.equal(iss.code, 0);
    const sym = `CLI-${iss.hash.slice(0, 3)}`;
    assert.equal(await free(alice.address, sym), 5000n * 100_000_000n);
    assert.equal(cliJson<{ code: number }>(['tx', 'mint', '--symbol', sym, '--amount', '10', '--from', 'alice', ...common]).code, 0);
    assert.equal(cliJson<{ code: number }>(['tx', 'burn', '--symbol', sym, '--amount', '5', '--from', 'alice', ...common]).code, 0);
    assert.equal(cliJson<{ code: number }>(['tx', 'freeze', '--symbol', sym, '--amount', '1', '--from', 'alice', ...common]).code, 0);
    assert.equal(cliJson<{ code: number }>(['tx', 'unfreeze', '--symbol', sym, '--amount', '1', '--from', 'alice', ...common]).code, 0);
    assert.equal(await free(alice.address, sym), 5005n * 100_000_000n);

    const q = cliJson<{ balances: Bal[] }>(['query', 'account', alice.address, '--node', node.url]);
    assert.ok(q.balances.some((x) => x.symbol === sym));
    const tx = cliJson<{ code: number }>(['query', 'tx', iss.hash, '--node', node.url]);
    assert.equal(tx.code, 0);

    // bad input: a clear error and a non-zero exit
    const bad = cli(['tx', 'send', 'tbnb1xyz', '1:BNB', '--from', 'bob', ...common]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr + bad.stdout, /address/i);
    const fail = cli(['tx', 'burn', '--symbol', 'NOPE-000', '--amount', '1', '--from', 'alice', ...common]);
    assert.notEqual(fail.status, 0);
  });

  it('bad input gets a specific error and changes nothing', async () => {
    const post = async (body: string) => {
      const r = await fetch(`${node.url}/api/v1/broadcast?sync=true`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
      return { status: r.status, body: (await r.json()) as { code: number; message: string } };
    };
    const acc0 = await (await fetch(`${node.url}/api/v1/account/${alice.address}`)).json();
    const h0 = await node.height();
    const cases: [string, string][] = [
      ['garbage', 'deadbeef'],
      ['not hex', 'zz'],
      ['truncated', 'c901f0625dee0a4c2a2c87fa0a22'],
      ['oversized', 'ff'.repeat(70_000)],
    ];
    const codes = new Set<number>();
    for (const [what, body] of cases) {
      const r = await post(body);
      assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
      assert.ok(r.body.code > 0 && r.body.message.length > 0, what);
      codes.add(r.body.code);
    }
    assert.ok(codes.size >= 2, 'different faults give different codes');
    // the SDK vector tx: signed for another chain id by an unfunded key
    const vec = JSON.parse(readFileSync(new URL('../../../shared/vectors/sdk-tx.json', import.meta.url), 'utf8')) as { vectors: { tx_bytes_hex: string }[] };
    const r = await post(vec.vectors[0]!.tx_bytes_hex);
    assert.equal(r.status, 400);
    assert.match(r.body.message, /account|signature|chain/i);
    // node alive, state unchanged
    await node.waitReady(h0 + 1);
    assert.deepEqual(await (await fetch(`${node.url}/api/v1/account/${alice.address}`)).json(), acc0);
  });

  it('tx decode verifies a node-accepted tx for its chain id only', async () => {
    const common = ['--keyring-backend', 'test', '--home', home, '--node', node.url];
    const s = cliJson<{ hash: string }>(['tx', 'send', carol.address, '0.1:BNB', '--from', 'alice', ...common]);
    const raw = (await (await fetch(`${node.url}/api/v1/tx/${s.hash}`)).json()) as { tx: string };
    const ok = cliJson<{ hash: string; valid: boolean }>(['tx', 'decode', raw.tx, '--chain-id', chainId]);
    assert.equal(ok.hash, s.hash);
    assert.equal(ok.valid, true);
    const other = cliJson<{ valid: boolean }>(['tx', 'decode', raw.tx, '--chain-id', 'another-chain']);
    assert.equal(other.valid, false);
    void join;
  });
});
