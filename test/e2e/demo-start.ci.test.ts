/**
 * `dexchain start --demo` (what `npm start` runs): the banner names the funded demo account and
 * the balance the committed state holds, at the first start and after a restart that follows a
 * transfer out of it; and `dexchain load` with orders works on that chain as it comes.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { NodeProcess, cleanup, cli, cliJson, freePort, tempDir, until } from './harness.js';
import type { LoadReport } from '../../src/client/load.js';

interface Banner {
  address: string;
  balance: string;
}

/** The banner's demo lines from the `n`-th banner in the node's log, once it is there. */
async function banner(node: NodeProcess, n: number): Promise<Banner> {
  return until(async () => {
    const text = readFileSync(node.logFile, 'utf8');
    const found = [...text.matchAll(/demo account {2}(\S+)\n {2}demo balance {2}([^\n]+)\n/g)];
    const m = found[n - 1];
    return m ? { address: m[1]!, balance: m[2]! } : undefined;
  }, `banner ${n} in ${node.logFile}`);
}

async function freeBnb(node: NodeProcess, address: string): Promise<string> {
  const acc = (await (await fetch(`${node.url}/api/v1/account/${address}`)).json()) as { balances: { symbol: string; free: string }[] };
  return acc.balances.find((b) => b.symbol === 'BNB')!.free;
}

describe('e2e: dexchain start --demo', function () {
  this.timeout(90_000);
  let home: string;
  let node: NodeProcess;

  before(async () => {
    home = tempDir('demo');
    node = new NodeProcess(home, await freePort(), ['--demo']);
  });

  after(async () => {
    await node?.stop();
    cleanup(home);
  });

  it('prints the funded demo account and what it holds, also after a restart', async () => {
    node.start();
    await node.waitReady(1);
    const first = await banner(node, 1);
    assert.match(first.address, /^tbnb1[0-9a-z]{38}$/);
    assert.match(first.balance, /^10000000\.00000000 BNB, 1000000000\.00000000 DEMO-[0-9A-F]{3}$/);
    assert.equal(await freeBnb(node, first.address), '10000000.00000000');

    const to = cliJson<{ address: string }>(['keys', 'add', 'other', '--keyring-backend', 'test', '--home', home]).address;
    const sent = cli(['tx', 'send', to, '1:BNB', '--from', 'demo', '--keyring-backend', 'test', '--home', home, '--node', node.url]);
    assert.equal(sent.status, 0, sent.stderr || sent.stdout);
    const left = await freeBnb(node, first.address);
    assert.notEqual(left, '10000000.00000000');

    await node.stop();
    node.start();
    await node.waitReady(1);
    const second = await banner(node, 2);
    assert.equal(second.address, first.address);
    assert.equal(second.balance.split(', ')[0], `${left} BNB`);
  });

  it('runs dexchain load with orders out of the box, on the demo token\'s pair', async () => {
    const r = cli(['load', '--rpc', node.url, '--from', 'demo', '--keyring-backend', 'test', '--home', home, '--accounts', '20', '--rate', '200', '--duration', '2', '--mix', 'transfer:50,order:50']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /orders on DEMO-[0-9A-F]{3}_BNB/);
    const rep = JSON.parse(r.stdout) as LoadReport;
    assert.equal(rep.submitted, 400);
    assert.equal(rep.committedOk, rep.submitted);
    assert.equal(rep.lost, 0);
    // a market the demo account cannot fund (the local peg's BTC) is refused up front, with what it lacks
    const markets = (await (await fetch(`${node.url}/api/v1/markets`)).json()) as { base_asset_symbol: string; quote_asset_symbol: string }[];
    const btc = markets.find((m) => m.base_asset_symbol.startsWith('BTC-'))!;
    const pair = `${btc.base_asset_symbol}_${btc.quote_asset_symbol}`;
    const refused = cli(['load', '--rpc', node.url, '--from', 'demo', '--keyring-backend', 'test', '--home', home, '--duration', '1', '--mix', 'order:100', '--pair', pair]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, new RegExp(`orders on ${pair} for 100 accounts: needs \\d+ ${btc.base_asset_symbol} \\(base units\\), the source holds 0`));
  });
});
