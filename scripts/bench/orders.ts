/**
 * End-to-end order benchmark: signed NewOrder txs through a real one-validator node process on
 * loopback (HTTP broadcast → checkTx → block → EndBlock auction → commit), driven by the load
 * generator with `mix order:100` on a pair created at genesis (`dexchain genesis add-token` +
 * `add-pair`). Reports committed orders/s and its ratio to raw signature verifies/s measured in
 * the same run (native libsecp256k1, one thread), so figures compare across machines.
 *
 *   npx tsx scripts/bench/orders.ts [rate] [durationSec]      (needs `npm run build` first)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { runLoad, type LoadReport } from '../../src/client/load.js';
import { fromHex } from '../../src/crypto/hash.js';
import { runVerifyBench } from './verify.js';
import { pidCpuSec } from './cpu.js';
// BIN honours DEXCHAIN_E2E_BIN: another build's CLI, for old/new runs in turns
import { BIN, cliJson } from './local-procs.js';


export interface OrdersBenchOptions {
  /** Offered orders per second (default 2,000). */
  rate?: number;
  durationSec?: number;
  /** Funded sender accounts (default 500). */
  accounts?: number;
  /**
   * Seconds of the same load sent first and not measured (default 0): a freshly started node
   * spends its first seconds under load compiling its hot paths (see docs/performance.md, "Warm-up").
   */
  warmupSec?: number;
  /** Raw verifies/s to compare with; measured here when absent. */
  verifiesPerSec?: number;
  log?: (line: string) => void;
}

export interface OrdersBenchResult {
  rate: number;
  durationSec: number;
  pair: string;
  submittedPerSec: number;
  /** Committed (in a block) orders per second. */
  committedPerSec: number;
  committedOk: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  lost: number;
  rejectsByCode: Record<string, number>;
  trades: number;
  rssMb: number;
  /** Native single-thread verifies/s of the same run. */
  verifiesPerSec: number;
  /** committedPerSec / verifiesPerSec. */
  ratio: number;
  report: LoadReport;
  /** The warm-up run's report, when there was one. */
  warmup?: LoadReport;
  /** CPU seconds the node used in the measured run (funding and drain included; 0 where unreadable). */
  nodeCpuSec: number;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const j = (await (await fetch(`${url}/status`)).json()) as { result: { sync_info: { latest_block_height: string } } };
      if (Number(j.result.sync_info.latest_block_height) >= 1) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`node at ${url} not ready after ${timeoutMs} ms`);
}

export async function runOrdersBench(opts: OrdersBenchOptions = {}): Promise<OrdersBenchResult> {
  const rate = opts.rate ?? 2000;
  const durationSec = opts.durationSec ?? 30;
  const log = opts.log ?? (() => {});
  const verifiesPerSec = opts.verifiesPerSec ?? (await runVerifyBench({ durationMs: 1000, log: () => {} })).baselinePerSec;
  const home = mkdtempSync(join(tmpdir(), 'dexchain-bench-orders-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let node: ReturnType<typeof spawn> | undefined;
  try {
    cliJson<unknown>(['init', '--home', home, '--chain-id', 'bench-orders']);
    const k = cliJson<{ address: string; file: string }>(['keys', 'add', 'load', '--keyring-backend', 'test', '--home', home]);
    cliJson<unknown>(['genesis', 'add-account', k.address, '5000000:BNB', '--home', home]);
    const tok = cliJson<{ symbol: string }>(['genesis', 'add-token', 'LOAD', '90000000000', '--owner', k.address, '--home', home]);
    cliJson<unknown>(['genesis', 'add-pair', tok.symbol, 'BNB', '--price', '1', '--home', home]);
    const pair = `${tok.symbol}_BNB`;
    // DEXCHAIN_NODE_FLAGS: node options (e.g. `--cpu-prof`); DEXCHAIN_NODE_OUT: a file for the node's
    // output, at DEXCHAIN_NODE_LOG_LEVEL (default warn; `info` logs each block's phases).
    const out = process.env.DEXCHAIN_NODE_OUT ? openSync(process.env.DEXCHAIN_NODE_OUT, 'w') : 'ignore';
    node = spawn(
      process.execPath,
      [...(process.env.DEXCHAIN_NODE_FLAGS ?? '').split(' ').filter(Boolean), BIN, 'start', '--home', home, '--rpc.laddr', `tcp://127.0.0.1:${port}`, '--log_level', process.env.DEXCHAIN_NODE_LOG_LEVEL ?? 'warn'],
      { stdio: ['ignore', out, out] },
    );
    await waitReady(url);
    const load = (seconds: number): Promise<LoadReport> =>
      runLoad({
        rpc: url,
        sourcePriv: fromHex(JSON.parse(readFileSync(k.file, 'utf8')).privkey as string),
        accounts: opts.accounts ?? 500,
        rate,
        durationSec: seconds,
        mix: { transfer: 0, order: 100 },
        pair,
        drainSec: 60,
        log,
      });
    const warmup = opts.warmupSec ? await load(opts.warmupSec) : undefined;
    const cpu0 = pidCpuSec(node.pid);
    const report = await load(durationSec);
    const nodeCpuSec = pidCpuSec(node.pid) - cpu0;
    let rssMb = 0;
    try {
      rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${node.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    } catch {
      /* not Linux */
    }
    const tr = (await (await fetch(`${url}/api/v1/trades?symbol=${pair}&limit=1`)).json()) as { total: number };
    return {
      rate,
      durationSec,
      pair,
      submittedPerSec: report.submittedPerSec,
      committedPerSec: report.committedPerSec,
      committedOk: report.committedOk,
      latencyP50Ms: report.latencyP50Ms,
      latencyP99Ms: report.latencyP99Ms,
      lost: report.lost,
      rejectsByCode: report.rejectsByCode,
      trades: tr.total,
      rssMb,
      verifiesPerSec,
      ratio: report.committedPerSec / verifiesPerSec,
      report,
      warmup,
      nodeCpuSec,
    };
  } finally {
    node?.kill('SIGTERM');
    // DEXCHAIN_KEEP_HOME=1 keeps the node's home (its stores) for a look afterwards.
    if (process.env.DEXCHAIN_KEEP_HOME) log(`node home kept: ${home}`);
    else setTimeout(() => rmSync(home, { recursive: true, force: true }), 2000).unref();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rate = process.argv[2] ? Number(process.argv[2]) : undefined;
  const durationSec = process.argv[3] ? Number(process.argv[3]) : undefined;
  const warmupSec = process.argv[4] ? Number(process.argv[4]) : undefined;
  const r = await runOrdersBench({ rate, durationSec, warmupSec, log: (l) => console.error(l) });
  if (r.warmup) console.log(`warm-up: ${r.warmup.steadyPerSec.toFixed(0)} orders/s sustained, ${r.warmup.committedPerSec.toFixed(0)} committed first send to last commit (${r.warmup.durationSec.toFixed(1)} s, not measured)`);
  console.log(
    `orders: ${r.report.steadyPerSec.toFixed(0)} orders/s sustained, ${r.committedPerSec.toFixed(0)} committed first send to last commit, ${r.report.pendingAtSendEnd} pending when sending stopped (offered ${r.rate}/s for ${r.durationSec} s on ${r.pair}, submitted ${r.submittedPerSec.toFixed(0)}/s over ${r.report.durationSec.toFixed(1)} s; ` +
      `p50 ${r.latencyP50Ms.toFixed(0)} ms, p99 ${r.latencyP99Ms.toFixed(0)} ms, lost ${r.lost}, ${r.trades} trades, rejects ${JSON.stringify(r.rejectsByCode)}, re-sent ${r.report.retried} (busy node), RSS ${r.rssMb.toFixed(0)} MB)`,
  );
  console.log(`reference: ${r.verifiesPerSec.toFixed(0)} native single-thread verifies/s; ratio ${r.ratio.toFixed(3)}; node CPU ${r.nodeCpuSec.toFixed(1)} s, ${((r.nodeCpuSec * 1e6) / Math.max(1, r.committedOk)).toFixed(0)} µs per committed order`);
}
