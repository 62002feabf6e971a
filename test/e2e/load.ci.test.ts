/**
 * `dexchain load` against a real node: every signed tx it sends is committed (none lost, none
 * refused), its report adds up, it shows progress, and bad options fail with a clear message.
 */
import assert from 'node:assert/strict';
import { NodeProcess, cleanup, cli, cliJson, freePort, tempDir } from './harness.js';
import type { LoadReport } from '../../src/client/load.js';

describe('e2e: the load generator (dexchain load)', function () {
  this.timeout(180_000);
  let home: string;
  let node: NodeProcess;

  after(async () => {
    await node?.stop();
    if (home) cleanup(home);
  });

  it('sends, follows and reports: every submitted transfer committed, nothing lost', async () => {
    home = tempDir('load');
    cliJson(['init', '--home', home, '--chain-id', `e2e-load-${process.pid}`]);
    const k = cliJson<{ address: string }>(['keys', 'add', 'load', '--keyring-backend', 'test', '--home', home]);
    cliJson(['genesis', 'add-account', k.address, '100000:BNB', '--home', home]);
    node = new NodeProcess(home, await freePort());
    node.start();
    await node.waitReady(1);

    const rate = 300;
    const seconds = 3;
    const r = cli(['load', '--rpc', node.url, '--from', 'load', '--keyring-backend', 'test', '--home', home, '--accounts', '20', '--rate', String(rate), '--duration', String(seconds), '--drain', '30']);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as LoadReport;
    assert.equal(rep.submitted, rate * seconds);
    assert.equal(rep.accepted, rep.submitted);
    assert.equal(rep.committed, rep.submitted);
    assert.equal(rep.committedOk, rep.committed);
    assert.equal(rep.lost, 0);
    assert.deepEqual(rep.rejectsByCode, {});
    assert.deepEqual(rep.failedInBlockByCode, {});
    assert.ok(rep.latencyP50Ms > 0 && rep.latencyP99Ms >= rep.latencyP50Ms, JSON.stringify(rep));
    assert.ok(rep.blocks > 0 && rep.committedPerSec > 0);
    assert.match(r.stderr, /committed=\d+/, 'progress lines on stderr');
    assert.match(r.stderr, /signing \d+ txs ahead/);
    // the node agrees: the funding key signed one multi-send, and nothing is left pending
    const acc = (await (await fetch(`${node.url}/api/v1/account/${k.address}`)).json()) as { sequence: number };
    assert.equal(acc.sequence, 1);
    const pending = (await (await fetch(`${node.url}/num_unconfirmed_txs`)).json()) as { result: { n_txs: string } };
    assert.equal(pending.result.n_txs, '0');
  });

  it('refuses bad options with a clear message and a non-zero exit', () => {
    const base = ['load', '--rpc', node.url, '--from', 'load', '--keyring-backend', 'test', '--home', home];
    const mix = cli([...base, '--mix', 'transfer:0']);
    assert.notEqual(mix.status, 0);
    assert.match(mix.stderr, /--mix/);
    const rate = cli([...base, '--rate', '0']);
    assert.notEqual(rate.status, 0);
    assert.match(rate.stderr, /--rate must be a positive integer/);
    const down = cli(['load', '--rpc', 'http://127.0.0.1:1', '--from', 'load', '--keyring-backend', 'test', '--home', home, '--duration', '1']);
    assert.notEqual(down.status, 0);
    assert.match(down.stderr, /cannot reach the node/);
  });
});
