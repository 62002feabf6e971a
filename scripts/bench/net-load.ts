/**
 * Load on a multi-validator network: `dexchain testnet` homes, N `dexchain start` processes on
 * loopback (they share this machine's cores), and `dexchain load` (a further process) sending
 * signed transfers to node0, which gossips them; every node verifies, checks and executes
 * every tx. Reports what the load generator reports (committed tx/s, p50/p99 broadcast→commit
 * latency, lost) and each node's RSS at the end. Nothing is asserted; every process is killed
 * at the end, also on failure.
 *
 *   npx tsx scripts/bench/net-load.ts [--validators 4] [--rate 3000] [--duration 60]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, cliJson, freeBase, rpcHeight as height, sleep } from './local-procs.js';

export interface NetLoadOptions {
  validators?: number;
  rate?: number;
  durationSec?: number;
  accounts?: number;
  mix?: string;
  log?: (line: string) => void;
}

export interface NetLoadResult {
  validators: number;
  rate: number;
  durationSec: number;
  committedPerSec: number;
  submittedPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  lost: number;
  blocks: number;
  rssMb: number[];
  /** CPU seconds each node used from the start of the load to its end (drain included). */
  cpuSec: number[];
  /** Those CPU seconds per committed tx, in µs. */
  cpuUsPerTx: number[];
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 where unavailable). */
function cpuSec(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

function rssMb(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

export async function runNetLoadBench(o: NetLoadOptions = {}): Promise<NetLoadResult> {
  const log = o.log ?? ((s: string) => process.stdout.write(s + '\n'));
  const n = o.validators ?? 4;
  const rate = o.rate ?? 3000;
  const durationSec = o.durationSec ?? 60;
  const dir = mkdtempSync(join(tmpdir(), 'dexchain-bench-net-'));
  const children: ChildProcess[] = [];
  const nodeFlags = (process.env.DEXCHAIN_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const kill = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('SIGINT', kill);
  try {
    const base = await freeBase(n, 42_000);
    const net = cliJson<{ chain_id: string; nodes: { home: string; rpc: string }[] }>(['testnet', '--validators', String(n), '--output', dir, '--chain-id', 'bench-net', '--base-port', String(base)]);
    for (const x of net.nodes) {
      // DEXCHAIN_NODE_FLAGS: node options for the validator processes (e.g. `--cpu-prof --cpu-prof-dir=/tmp/netprof`).
      children.push(spawn(process.execPath, [...nodeFlags, BIN, 'start', '--home', x.home, '--log_level', 'warn'], { stdio: 'ignore' }));
    }
    const rpc = net.nodes[0]!.rpc;
    const end = Date.now() + 90_000;
    while ((await Promise.all(net.nodes.map((x) => height(x.rpc)))).some((h) => h < 2)) {
      if (Date.now() > end) throw new Error('the network did not reach height 2 within 90 s');
      await sleep(200);
    }
    if (nodeFlags.length > 0) log(`net-load bench: node pids ${children.map((c) => c.pid).join(' ')} (node0 first)`);
    log(`net-load bench: ${n} validators up; load ${rate}/s for ${durationSec} s into node0`);
    const cpu0 = children.slice(0, n).map((c) => cpuSec(c.pid));
    const load = spawn(
      process.execPath,
      [BIN, 'load', '--rpc', rpc, '--from', 'validator', '--keyring-backend', 'test', '--home', net.nodes[0]!.home, '--accounts', String(o.accounts ?? 1000), '--rate', String(rate), '--duration', String(durationSec), '--mix', o.mix ?? 'transfer:100', '--drain', '60'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(load);
    let out = '';
    let err = '';
    load.stdout!.on('data', (d) => (out += d));
    load.stderr!.on('data', (d) => (err += d));
    const code = await new Promise<number>((r) => load.once('exit', (c) => r(c ?? 1)));
    const rss = children.slice(0, n).map((c) => rssMb(c.pid));
    const cpu = children.slice(0, n).map((c, i) => cpuSec(c.pid) - cpu0[i]!);
    if (code !== 0) throw new Error(`load failed: ${err.slice(-800)}`);
    const j = JSON.parse(out) as { committed: number; committedPerSec: number; submittedPerSec: number; latencyP50Ms: number; latencyP99Ms: number; lost: number; blocks: number };
    const r: NetLoadResult = { validators: n, rate, durationSec, committedPerSec: j.committedPerSec, submittedPerSec: j.submittedPerSec, latencyP50Ms: j.latencyP50Ms, latencyP99Ms: j.latencyP99Ms, lost: j.lost, blocks: j.blocks, rssMb: rss, cpuSec: cpu, cpuUsPerTx: cpu.map((c) => Math.round((c * 1e6) / Math.max(1, j.committed))) };
    log(`net-load bench: ${r.committedPerSec.toFixed(0)} committed tx/s, p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms, lost ${r.lost}, RSS ${rss.map((x) => x.toFixed(0)).join('/')} MB, CPU µs/tx ${r.cpuUsPerTx.join('/')}`);
    return r;
  } finally {
    process.removeListener('SIGINT', kill);
    if (nodeFlags.length > 0) {
      // A graceful stop first, so profilers (--cpu-prof) write their output on exit.
      const live = children.filter((c) => c.exitCode === null && c.signalCode === null);
      const exited = Promise.all(live.map((c) => new Promise((r) => c.once('exit', r))));
      live.forEach((c) => c.kill('SIGTERM'));
      await Promise.race([exited, sleep(20_000)]);
    }
    kill();
    await sleep(500);
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runNetLoadBench({
    validators: arg('--validators') ? Number(arg('--validators')) : undefined,
    rate: arg('--rate') ? Number(arg('--rate')) : undefined,
    durationSec: arg('--duration') ? Number(arg('--duration')) : undefined,
    mix: arg('--mix'),
  })
    .then((r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
