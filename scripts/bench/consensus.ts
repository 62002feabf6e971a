/**
 * Consensus benchmark: a 4-validator network of real `dexchain start` processes on loopback
 * (homes from `dexchain testnet`), run with `--consensus.timeout_commit_ms 0` so heights follow
 * each other as fast as proposal + two vote rounds over libp2p allow. Measures
 *  - heights/s over a quiet window, and the mean block-time delta of the blocks in it;
 *  - tx broadcast → commit latency: transfers sent one at a time to node0 with `sync=true`
 *    (the answer comes when the tx's block is committed there).
 * Both are printed with their ratio to references measured in the same run: a one-validator
 * node (the `SoloProducer`, no network, same timeout 0) and raw ed25519 verifies/s.
 * Nothing is asserted; all processes are killed at the end, also on failure.
 *
 *   npx tsx scripts/bench/consensus.ts [--ms 15000] [--txs 30] [--validators 4]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NodeClient } from '../../src/client/http.js';
import { signTx } from '../../src/client/sign.js';
import { decodeAddress } from '../../src/codec/index.js';
import { fromHex } from '../../src/crypto/hash.js';
import { BIN, cliJson, freeBase, sleep } from './local-procs.js';
import { ed25519PublicKey, ed25519Sign, ed25519Verify, sha256 } from '../../src/consensus/crypto-adapter.js';

export interface ConsensusBenchOptions {
  /** Length of the heights/s window (ms, after start-up). Default 15000. */
  durationMs?: number;
  /** Transfers timed broadcast → commit. Default 30. */
  txs?: number;
  /** Validators of the network. Default 4. */
  validators?: number;
  log?: (line: string) => void;
}

export interface ConsensusBenchResult {
  validators: number;
  heightsPerSec: number;
  /** Mean of header time(h) − time(h−1) over the window's blocks. */
  meanBlockMs: number;
  txs: number;
  txLatencyMeanMs: number;
  txLatencyP50Ms: number;
  txLatencyMaxMs: number;
  /** Reference: one validator (SoloProducer), timeout_commit 0, same machine and run. */
  soloHeightsPerSec: number;
  ratioToSolo: number;
  /** Reference: single-thread ed25519 verifies/s (the per-vote cost of consensus). */
  ed25519VerifiesPerSec: number;
  /** meanBlockMs expressed as ed25519 verifies of the same run. */
  blockTimeInVerifies: number;
}



/** Every process started and not yet reaped, killed on SIGINT/SIGTERM of the bench itself. */
const live = new Set<ChildProcess>();
let handlersOn = false;
function killLiveOnSignal(): void {
  if (handlersOn) return;
  handlersOn = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of live) c.kill('SIGKILL');
      process.exit(130);
    });
  }
}

class Proc {
  child: ChildProcess | undefined;
  constructor(readonly home: string, readonly url: string, readonly args: string[]) {}
  start(): void {
    killLiveOnSignal();
    const c = spawn(process.execPath, [BIN, 'start', '--home', this.home, '--log_level', 'warn', ...this.args], { stdio: 'ignore' });
    live.add(c);
    c.once('exit', () => live.delete(c));
    this.child = c;
  }
  async height(): Promise<number> {
    try {
      const r = await fetch(`${this.url}/status`, { signal: AbortSignal.timeout(2000) });
      const j = (await r.json()) as { result: { sync_info: { latest_block_height: string } } };
      return Number(j.result.sync_info.latest_block_height);
    } catch {
      return -1;
    }
  }
  async blockTimeMs(h: number): Promise<number> {
    const r = await fetch(`${this.url}/block?height=${h}`, { signal: AbortSignal.timeout(3000) });
    const j = (await r.json()) as { result: { block: { header: { time: string } } } };
    return Date.parse(j.result.block.header.time);
  }
  kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    return new Promise((res) => {
      c.once('exit', () => res());
      c.kill('SIGKILL');
    });
  }
}

async function waitHeight(ps: Proc[], h: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if ((await Promise.all(ps.map((p) => p.height()))).every((x) => x >= h)) return;
    await sleep(100);
  }
  throw new Error(`nodes did not reach height ${h} within ${timeoutMs} ms`);
}

/** Heights/s of `p` over `ms`, and the mean header time delta of the blocks in the window. */
async function measureHeights(p: Proc, ms: number): Promise<{ perSec: number; meanBlockMs: number }> {
  const h0 = await p.height();
  const t0 = performance.now();
  await sleep(ms);
  const h1 = await p.height();
  const secs = (performance.now() - t0) / 1000;
  const times = await Promise.all([h0, h1].map((h) => p.blockTimeMs(h)));
  const n = h1 - h0;
  return { perSec: n / secs, meanBlockMs: n > 0 ? (times[1]! - times[0]!) / n : Number.NaN };
}

function ed25519Rate(ms = 1000): number {
  const seed = sha256(new TextEncoder().encode('bench-ed25519'));
  const pub = ed25519PublicKey(seed);
  const msgs = Array.from({ length: 64 }, (_, i) => new TextEncoder().encode(`vote-${i}`));
  const sigs = msgs.map((m) => ed25519Sign(seed, m));
  for (let i = 0; i < 200; i++) ed25519Verify(pub, msgs[i % 64]!, sigs[i % 64]!);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 64; i++) ed25519Verify(pub, msgs[i]!, sigs[i]!);
    n += 64;
  }
  return n / ((performance.now() - t0) / 1000);
}

async function soloHeightsPerSec(durationMs: number): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), 'dexchain-bench-solo-'));
  const port = (await freeBase(1)) + 1;
  const p = new Proc(home, `http://127.0.0.1:${port}`, ['--rpc.laddr', `tcp://127.0.0.1:${port}`, '--consensus.timeout_commit_ms', '0']);
  try {
    cliJson(['init', '--home', home, '--chain-id', 'bench-solo']);
    p.start();
    await waitHeight([p], 3, 60_000);
    return (await measureHeights(p, durationMs)).perSec;
  } finally {
    await p.kill();
    rmSync(home, { recursive: true, force: true });
  }
}

interface TestnetJson {
  chain_id: string;
  nodes: { home: string; operator: string; rpc: string }[];
}

export async function runConsensusBench(o: ConsensusBenchOptions = {}): Promise<ConsensusBenchResult> {
  const log = o.log ?? ((s: string) => process.stdout.write(s + '\n'));
  const durationMs = o.durationMs ?? 15_000;
  const nTx = o.txs ?? 30;
  const n = o.validators ?? 4;

  const ed = ed25519Rate();
  log(`consensus bench: ed25519 ${Math.round(ed)} verifies/s (1 thread)`);
  const solo = await soloHeightsPerSec(durationMs);
  log(`consensus bench: 1 validator (SoloProducer), timeout_commit 0: ${solo.toFixed(2)} heights/s`);

  const dir = mkdtempSync(join(tmpdir(), 'dexchain-bench-bft-'));
  const procs: Proc[] = [];
  try {
    const base = await freeBase(n);
    const chainId = 'bench-bft';
    const net = cliJson<TestnetJson>(['testnet', '--validators', String(n), '--output', dir, '--chain-id', chainId, '--base-port', String(base)]);
    for (const x of net.nodes) procs.push(new Proc(x.home, x.rpc, ['--consensus.timeout_commit_ms', '0']));
    for (const p of procs) p.start();
    await waitHeight(procs, 3, 90_000);
    const hs = await measureHeights(procs[0]!, durationMs);
    log(`consensus bench: ${n} validators, timeout_commit 0: ${hs.perSec.toFixed(2)} heights/s, mean block ${hs.meanBlockMs.toFixed(1)} ms`);

    // broadcast → commit, one transfer at a time from node0's operator to node1's
    const keyFile = cliJson<{ file: string }>(['keys', 'show', 'validator', '--keyring-backend', 'test', '--home', net.nodes[0]!.home]).file;
    const priv = fromHex((JSON.parse(readFileSync(keyFile, 'utf8')) as { privkey: string }).privkey);
    const hrp = net.nodes[0]!.operator.startsWith('tbnb') ? 'tbnb' : 'bnb';
    const from = decodeAddress(net.nodes[0]!.operator, hrp);
    const to = decodeAddress(net.nodes[1]!.operator, hrp);
    const client = new NodeClient(procs[0]!.url);
    const acc = (await client.account(net.nodes[0]!.operator))!;
    let seq = BigInt(acc.sequence);
    const lat: number[] = [];
    for (let i = 0; i < nTx; i++) {
      const coins = [{ denom: 'BNB', amount: 1000n }];
      const s = signTx(priv, { type: 'cosmos-sdk/Send', inputs: [{ address: from, coins }], outputs: [{ address: to, coins }] }, { chainId, hrp, accountNumber: BigInt(acc.account_number), sequence: seq });
      const t0 = performance.now();
      const rows = await client.broadcast([s.bytes], true);
      const ms = performance.now() - t0;
      if (rows[0]?.code !== 0 || !rows[0].height) throw new Error(`transfer ${i} not committed: ${JSON.stringify(rows[0])}`);
      lat.push(ms);
      seq++;
    }
    lat.sort((a, b) => a - b);
    const mean = lat.reduce((a, b) => a + b, 0) / lat.length;
    const r: ConsensusBenchResult = {
      validators: n,
      heightsPerSec: hs.perSec,
      meanBlockMs: hs.meanBlockMs,
      txs: lat.length,
      txLatencyMeanMs: mean,
      txLatencyP50Ms: lat[Math.floor(lat.length / 2)]!,
      txLatencyMaxMs: lat[lat.length - 1]!,
      soloHeightsPerSec: solo,
      ratioToSolo: hs.perSec / solo,
      ed25519VerifiesPerSec: ed,
      blockTimeInVerifies: (hs.meanBlockMs / 1000) * ed,
    };
    log(`consensus bench: tx broadcast→commit over ${r.txs} transfers: mean ${mean.toFixed(1)} ms, p50 ${r.txLatencyP50Ms.toFixed(1)} ms, max ${r.txLatencyMaxMs.toFixed(1)} ms`);
    log(`consensus bench: ${r.ratioToSolo.toFixed(3)} × 1-validator heights/s; one block ≈ ${Math.round(r.blockTimeInVerifies)} ed25519 verifies`);
    return r;
  } finally {
    await Promise.all(procs.map((p) => p.kill()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runConsensusBench({
    durationMs: arg('--ms') ? Number(arg('--ms')) : undefined,
    txs: arg('--txs') ? Number(arg('--txs')) : undefined,
    validators: arg('--validators') ? Number(arg('--validators')) : undefined,
  })
    .then((r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
