/**
 * A node under a flood: one client sends ~5,000 txs/s with invalid signatures (from 127.0.0.2,
 * so it is a different source than the honest client) while a second client sends valid
 * transfers. Asserted: every valid tx is committed, no invalid tx ever is (the flooder's
 * account never moves), the mempool holds none of them, the node's memory stays bounded.
 * Printed, never asserted: the honest txs' commit latency (p50/p99) against the block time.
 * Runs only in `npm run test:e2e` (not a .ci test: it takes ~30 s of a machine's full CPU).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { NodeProcess, cleanup, cliJson, freePort, sleep, tempDir } from './harness.js';
import { signTx } from '../../src/client/sign.js';
import { NodeClient } from '../../src/client/http.js';
import { decodeAddress } from '../../src/codec/index.js';
import { fromHex } from '../../src/crypto/hash.js';
import { txHashHex } from '../../src/codec/tx.js';

const FLOOD_PER_SEC = 5000;
const FLOOD_BATCH = 250;
const FLOOD_SECONDS = 12;
const HONEST_EVERY_MS = 40;

function vmRssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** POST with a chosen local address (so the node sees another client IP). */
function post(url: string, path: string, body: string, localAddress: string | undefined, agent: http.Agent): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path, method: 'POST', agent, localAddress, headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

describe('e2e: a flood of invalid txs does not stop valid ones', function () {
  this.timeout(300_000);
  let home: string;
  let node: NodeProcess;
  const chainId = `e2e-flood-${process.pid}`;

  after(async () => {
    await node?.stop();
    if (home) cleanup(home);
  });

  it('commits every valid tx during the flood and none of the invalid ones', async () => {
    home = tempDir('flood');
    cliJson(['init', '--home', home, '--chain-id', chainId]);
    const a = cliJson<{ address: string; file: string }>(['keys', 'add', 'alice', '--keyring-backend', 'test', '--home', home]);
    const m = cliJson<{ address: string; file: string }>(['keys', 'add', 'mallory', '--keyring-backend', 'test', '--home', home]);
    const bob = cliJson<{ address: string }>(['keys', 'add', 'bob', '--keyring-backend', 'test', '--home', home]);
    cliJson(['genesis', 'add-account', a.address, '1000:BNB', '--home', home]);
    cliJson(['genesis', 'add-account', m.address, '1000:BNB', '--home', home]);
    const alicePriv = fromHex(JSON.parse(readFileSync(a.file, 'utf8')).privkey);
    const malloryPriv = fromHex(JSON.parse(readFileSync(m.file, 'utf8')).privkey);
    node = new NodeProcess(home, await freePort());
    node.start();
    await node.waitReady(1);
    const client = new NodeClient(node.url);
    const to = decodeAddress(bob.address, 'tbnb');
    const send = (from: Uint8Array) => ({ type: 'cosmos-sdk/Send' as const, inputs: [{ address: from, coins: [{ denom: 'BNB', amount: 1000n }] }], outputs: [{ address: to, coins: [{ denom: 'BNB', amount: 1000n }] }] });

    // the flood: mallory's well-formed transfer, its signature overwritten with a counter, so
    // every tx decodes, is unique, and fails only at the signature check
    const mAddr = decodeAddress(m.address, 'tbnb');
    const mAcc = (await client.account(m.address))!;
    const base = signTx(malloryPriv, send(mAddr), { chainId, hrp: 'tbnb', accountNumber: BigInt(mAcc.account_number), sequence: BigInt(mAcc.sequence) });
    const sig = base.tx.signatures[0]!.signature;
    const sigAt = Buffer.from(base.bytes).indexOf(Buffer.from(sig));
    assert.ok(sigAt > 0);
    const invalid = (i: number): Uint8Array => {
      const b = base.bytes.slice();
      new DataView(b.buffer).setUint32(sigAt + 40, i + 1);
      return b;
    };

    const pid = node.child!.pid!;
    const rssStart = vmRssMb(pid);
    const hStart = await node.height();
    const tStart = Date.now();
    let flooding = true;
    let floodSent = 0;
    const floodStatus = new Map<number, number>();
    const floodAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    // 127.0.0.2 is loopback on Linux; elsewhere fall back to the same address
    const probe = await post(node.url, '/api/v1/broadcast', Buffer.from(invalid(1_000_000_000)).toString('hex'), '127.0.0.2', floodAgent);
    const floodFrom = probe === 0 ? undefined : '127.0.0.2';
    const flood = (async () => {
      const started = Date.now();
      while (flooding) {
        const due = Math.floor(((Date.now() - started) / 1000) * FLOOD_PER_SEC);
        if (floodSent + FLOOD_BATCH > due) {
          await sleep(5);
          continue;
        }
        const lines: string[] = [];
        for (let k = 0; k < FLOOD_BATCH; k++) lines.push(Buffer.from(invalid(floodSent + k)).toString('hex'));
        floodSent += FLOOD_BATCH;
        void post(node.url, '/api/v1/broadcast?sync=false', lines.join('\n'), floodFrom, floodAgent).then((st) => floodStatus.set(st, (floodStatus.get(st) ?? 0) + 1));
      }
    })();

    // the honest client
    const aAddr = decodeAddress(a.address, 'tbnb');
    const aAcc = (await client.account(a.address))!;
    let seq = BigInt(aAcc.sequence);
    const sentAt = new Map<string, number>();
    const latency: number[] = [];
    const honestEnd = Date.now() + FLOOD_SECONDS * 1000;
    let rssPeak = rssStart;
    // latency = first time a tx is seen committed, polled every 25 ms while the flood runs
    const pending = new Set<string>();
    let sending = true;
    const poller = (async () => {
      const deadline = () => Date.now() > honestEnd + 120_000;
      while ((sending || pending.size > 0) && !deadline()) {
        for (const h of [...pending]) {
          const r = await fetch(`${node.url}/api/v1/tx/${h}`);
          const j = (await r.json()) as { code?: number; rejected?: boolean; log?: string };
          if (r.status === 200) {
            assert.equal(j.code, 0, `valid tx ${h} failed in its block: ${j.log}`);
            latency.push(Date.now() - sentAt.get(h)!);
            pending.delete(h);
          } else assert.ok(!j.rejected, `valid tx ${h} was rejected: ${j.log}`);
        }
        await sleep(25);
      }
    })();
    try {
      while (Date.now() < honestEnd) {
        const s = signTx(alicePriv, send(aAddr), { chainId, hrp: 'tbnb', accountNumber: BigInt(aAcc.account_number), sequence: seq });
        const t0 = Date.now();
        const [row] = await client.broadcast([s.bytes], false);
        assert.equal(row!.code, 0, `valid tx refused during the flood: ${row!.log}`);
        sentAt.set(s.hash, t0);
        pending.add(s.hash);
        seq++;
        rssPeak = Math.max(rssPeak, vmRssMb(pid));
        await sleep(HONEST_EVERY_MS);
      }
    } finally {
      sending = false;
      flooding = false;
    }
    await flood;
    const floodSeconds = (Date.now() - tStart) / 1000;
    await poller;
    assert.equal(pending.size, 0, `${pending.size} valid txs never committed`);
    const hEnd = await node.height();
    const blockMs = ((Date.now() - tStart) / Math.max(1, hEnd - hStart));

    // none of the invalid txs made it: mallory's sequence and balance never moved
    const mAfter = (await client.account(m.address))!;
    assert.equal(String(mAfter.sequence), String(mAcc.sequence));
    for (const i of [0, 1, Math.floor(floodSent / 2), floodSent - 1]) {
      const r = await fetch(`${node.url}/api/v1/tx/${txHashHex(invalid(i))}`);
      assert.notEqual(r.status, 200, `invalid tx ${i} is on chain`);
    }
    const unconfirmed = (await (await fetch(`${node.url}/num_unconfirmed_txs`)).json()) as { result: { n_txs: string } };
    assert.ok(Number(unconfirmed.result.n_txs) <= sentAt.size, 'invalid txs sit in the mempool');
    const rssEnd = vmRssMb(pid);
    // generous: a node holding every flooded tx would be far above this
    assert.ok(rssPeak < 2048, `node RSS reached ${rssPeak.toFixed(0)} MB`);

    console.log(
      [
        `    flood: ${floodSent} invalid txs in ${floodSeconds.toFixed(1)} s (${(floodSent / floodSeconds).toFixed(0)}/s) from ${floodFrom ?? '127.0.0.1'}; HTTP statuses ${JSON.stringify(Object.fromEntries(floodStatus))}`,
        `    honest: ${latency.length} valid txs committed; latency p50 ${percentile(latency, 50)} ms, p99 ${percentile(latency, 99)} ms, max ${Math.max(...latency)} ms`,
        `    block time ${blockMs.toFixed(0)} ms (p99 = ${(percentile(latency, 99) / blockMs).toFixed(1)} block times); node RSS ${rssStart.toFixed(0)} → peak ${rssPeak.toFixed(0)} → ${rssEnd.toFixed(0)} MB`,
      ].join('\n'),
    );
    floodAgent.destroy();
  });
});
