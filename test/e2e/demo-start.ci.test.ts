/**
 * `dexchain start --demo` (what `npm start` runs): the banner names the funded demo account and
 * the balance the committed state holds, at the first start and after a restart that follows a
 * transfer out of it.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { NodeProcess, cleanup, cli, cliJson, freePort, tempDir, until } from './harness.js';

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
    assert.equal(first.balance, '10000000.00000000 BNB');
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
    assert.equal(second.balance, `${left} BNB`);
  });
});
