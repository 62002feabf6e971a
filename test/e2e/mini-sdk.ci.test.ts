/**
 * BEP8 mini/tiny tokens end to end with the real @binance-chain/javascript-sdk against one real
 * node process: issueMiniToken, issueTinyToken, setTokenUri, a transfer of the new token, the
 * fees to the unit, and the token as /api/v1/mini/tokens and /api/v1/tokens/{symbol} serve it.
 */
import assert from 'node:assert/strict';
import { NodeProcess, cleanup, cliJson, freePort, tempDir } from './harness.js';
import { ONE, balanceOf, getJson, sdkClient, testKey } from './sdk-helpers.js';

type MiniTokenJson = { name: string; symbol: string; original_symbol: string; total_supply: string; owner: string; mintable: boolean; token_type: number; token_uri: string };
/** Fixed fees of the default table (fees.json): miniIssueMsg, tinyIssueMsg, miniTokensSetURI, send. */
const MINI_FEE = 300_000_000n;
const TINY_FEE = 200_000_000n;
const SET_URI_FEE = 37_500n;
const SEND_FEE = 62_500n;

describe('e2e: BEP8 mini and tiny tokens through the real SDK', function () {
  this.timeout(60_000);
  let home: string;
  let node: NodeProcess;
  const chainId = `e2e-mini-${process.pid}`;
  let alice: { address: string; priv: string };
  let bob: { address: string; priv: string };

  const client = (priv: string) => sdkClient(node.url, priv);
  const get = <T = unknown>(path: string, status = 200) => getJson<T>(node.url, path, status);
  const bal = async (addr: string, sym: string) => (await balanceOf(node.url, addr, sym)).free;

  before(async () => {
    home = tempDir('mini-sdk');
    cliJson(['init', '--home', home, '--chain-id', chainId, '--moniker', 'mini']);
    alice = testKey(home, 'alice');
    bob = testKey(home, 'bob');
    cliJson(['genesis', 'add-account', alice.address, '100:BNB', '--home', home]);
    cliJson(['genesis', 'add-account', bob.address, '1:BNB', '--home', home]);
    node = new NodeProcess(home, await freePort());
    node.start();
    await node.waitReady(1);
  });

  after(async () => {
    await node?.stop();
    if (home) cleanup(home);
  });

  it('issueMiniToken, setTokenUri, issueTinyToken and a transfer of the new token', async () => {
    const a = await client(alice.priv);
    const bnb0 = await bal(alice.address, 'BNB');

    const iss = await a.tokens.issueMiniToken(alice.address, 'Mini Coin', 'MNC', 1000, true, 'https://example.org/mnc.json');
    assert.equal(iss.result[0].code, 0, iss.result[0].log);
    const mini = `MNC-${String(iss.result[0].hash).slice(0, 3)}M`;
    assert.equal(await bal(alice.address, mini), 1000n * ONE);

    const info = await get<MiniTokenJson>(`/api/v1/mini/tokens/${mini}`);
    assert.deepEqual(info, {
      name: 'Mini Coin',
      symbol: mini,
      original_symbol: 'MNC',
      total_supply: '1000.00000000',
      owner: alice.address,
      mintable: true,
      token_type: 2,
      token_uri: 'https://example.org/mnc.json',
    });
    const bep2View = await get<{ symbol: string; total_supply: string }>(`/api/v1/tokens/${mini}`);
    assert.equal(bep2View.symbol, mini);
    assert.equal(bep2View.total_supply, '1000.00000000');

    const su = await a.tokens.setTokenUri({ fromAddress: alice.address, tokenUri: 'ipfs://mnc-v2', symbol: mini });
    assert.equal(su.result[0].code, 0, su.result[0].log);
    assert.equal((await get<MiniTokenJson>(`/api/v1/mini/tokens/${mini}`)).token_uri, 'ipfs://mnc-v2');

    const tiny = await a.tokens.issueTinyToken(alice.address, 'Tiny Coin', 'TNC', 50, false, '');
    assert.equal(tiny.result[0].code, 0, tiny.result[0].log);
    const tinySym = `TNC-${String(tiny.result[0].hash).slice(0, 3)}M`;
    const list = await get<MiniTokenJson[]>('/api/v1/mini/tokens');
    assert.deepEqual(list.map((t) => [t.symbol, t.token_type]).sort(), [[mini, 2], [tinySym, 1]].sort());
    // BEP2 list leaves mini tokens out
    const bep2 = await get<{ symbol: string }[]>('/api/v1/tokens?limit=1000');
    assert.ok(!bep2.some((t) => t.symbol === mini || t.symbol === tinySym));

    const t = await a.transfer(alice.address, bob.address, 12.5, mini);
    assert.equal(t.result[0].code, 0, t.result[0].log);
    assert.equal(await bal(bob.address, mini), 1250n * ONE / 100n);
    assert.equal(await bal(alice.address, mini), 1000n * ONE - 1250n * ONE / 100n);

    // fees to the unit: mini issue, set URI, tiny issue, one send
    assert.equal(await bal(alice.address, 'BNB'), bnb0 - MINI_FEE - SET_URI_FEE - TINY_FEE - SEND_FEE);

    // bob is not the owner: SetURI is refused by the chain, nothing changes
    const b = await client(bob.priv);
    await assert.rejects(b.tokens.setTokenUri({ fromAddress: bob.address, tokenUri: 'ipfs://bob', symbol: mini }), /owner/i);
    assert.equal((await get<MiniTokenJson>(`/api/v1/mini/tokens/${mini}`)).token_uri, 'ipfs://mnc-v2');
    await get(`/api/v1/mini/tokens/NOPE-000M`, 404);
  });
});
