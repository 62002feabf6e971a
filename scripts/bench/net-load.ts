/**
 * Load on a multi-validator network: `dexchain testnet` homes, N `dexchain start` processes on
 * loopback (they share this machine's cores), and `dexchain load` (a further process) sending
 * signed transfers to node0, which gossips them; every node verifies, checks and executes
 * every tx. Reports what the load generator reports (committed tx/s, p50/p99 broadcast→commit
 * latency, lost) and each node's RSS at the end, its CPU per tx by thread, and the nodes' CPU
 * per tx as a multiple of their verify workers' (`cpuPerVerifyCpu`: the figure to compare runs
 * by, as the VM's speed moves every absolute one). Nothing is asserted; every process is killed
 * at the end, also on failure.
 *
 *   npx tsx scripts/bench/net-load.ts [--validators 4] [--rate 3000] [--duration 60] [--warmup 0]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, cliJson, freeBase, rpcHeight as height, sleep } from './local-procs.js';
import { pidCpuSec as cpuSec } from './cpu.js';

export interface NetLoadOptions {
  validators?: number;
  rate?: number;
  durationSec?: number;
  accounts?: number;
  mix?: string;
  /**
   * Seconds of the same load sent first and not measured (default 0). Freshly started nodes
   * spend their first seconds under load compiling their hot paths, four processes at once
   * here (see docs/performance.md, "Warm-up").
   */
  warmupSec?: number;
  log?: (line: string) => void;
}

export interface NetLoadResult {
  validators: number;
  rate: number;
  durationSec: number;
  committedPerSec: number;
  /** The load generator's steady commit rate (see LoadReport.steadyPerSec). */
  steadyPerSec: number;
  pendingAtSendEnd: number;
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
  /**
   * The nodes' CPU per committed tx over their verify workers' CPU per committed tx (all nodes
   * summed). A worker's work per tx is fixed (decode, sign bytes, one libsecp256k1 verify), so
   * this is the run's own reference: it stays put when the VM's speed moves the µs figures and
   * the tx/s (which swing by ±20 % between consecutive runs here), and it moves when the nodes'
   * work per tx does. Undefined where the threads could not be read.
   */
  cpuPerVerifyCpu?: number;
  /** The warm-up run (`warmupSec`), not part of the figures above. */
  warmup?: { durationSec: number; steadyPerSec: number; committedPerSec: number; latencyP99Ms: number; lost: number };
}


/** CPU ticks of each thread of a process, by tid (for the per-thread breakdown). */
function threadTicks(pid: number | undefined): Map<string, { comm: string; ticks: number }> {
  const out = new Map<string, { comm: string; ticks: number }>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const raw = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const comm = raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')'));
        const f = raw.slice(raw.lastIndexOf(') ') + 2).split(' ');
        out.set(tid, { comm, ticks: Number(f[11]) + Number(f[12]) });
      } catch {
        // the thread ended
      }
    }
  } catch {
    // the process ended
  }
  return out;
}

/** Per-thread CPU ticks between two snapshots, by row name (`main`, or comm+tid offset). */
function threadDeltas(pid: number | undefined, a: Map<string, { comm: string; ticks: number }>, b: Map<string, { comm: string; ticks: number }>): { name: string; ticks: number }[] {
  const rows: { name: string; ticks: number }[] = [];
  for (const [tid, t] of b) {
    const d = t.ticks - (a.get(tid)?.ticks ?? 0);
    if (d <= 0) continue;
    // tid - pid tells threads apart: V8's platform threads are made first, libuv's pool on first use, workers later
    rows.push({ name: String(tid) === String(pid) ? 'main' : `${t.comm}+${Number(tid) - Number(pid)}`, ticks: d });
  }
  return rows;
}

/**
 * CPU ticks of a node's verify workers: its `workers` busiest threads after the main one. Under
 * load a verify worker spends ~4× what any V8 or libuv helper thread does (see the breakdown
 * lines), so the ranking picks them out; Node names no thread, so there is nothing better to go by.
 */
export function verifyWorkerTicks(rows: readonly { name: string; ticks: number }[], workers: number): number {
  return rows
    .filter((r) => r.name !== 'main')
    .map((r) => r.ticks)
    .sort((x, y) => y - x)
    .slice(0, workers)
    .reduce((x, y) => x + y, 0);
}

/** Per-thread CPU µs per tx between two snapshots: main thread first, then the busiest others. */
function threadBreakdown(pid: number | undefined, a: Map<string, { comm: string; ticks: number }>, b: Map<string, { comm: string; ticks: number }>, txs: number): string {
  const rows = threadDeltas(pid, a, b).map((r) => ({ name: r.name, us: Math.round((r.ticks * 1e4) / Math.max(1, txs)) }));
  // threads of one name (node names few of its threads) are listed busiest first; tiny ones summed
  rows.sort((x, y) => (x.name === 'main' ? -1 : y.name === 'main' ? 1 : y.us - x.us));
  const big = rows.filter((r) => r.name === 'main' || r.us >= 3);
  const rest = rows.length - big.length;
  const restUs = rows.reduce((a, r) => a + r.us, 0) - big.reduce((a, r) => a + r.us, 0);
  return big.map((r) => `${r.name}:${r.us}`).join(' ') + (rest > 0 ? ` +${rest} more:${restUs}` : '');
}

/** A node's `dexchain_verify_signatures` (from its Prometheus endpoint), undefined if unreadable. */
async function verifiedSignatures(rpc: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${rpc}/metrics`)).text();
    const m = /^dexchain_verify_signatures(?:\{[^}]*\})? (\S+)$/m.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
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
      // DEXCHAIN_NODE_OUT: a directory for each node's stdout/stderr (e.g. with `--trace-gc` in the flags);
      // DEXCHAIN_NODE_LOG_LEVEL: the nodes' log level there (default warn; `info` logs each block's phases).
      const outDir = process.env.DEXCHAIN_NODE_OUT;
      const fd = outDir ? openSync(join(outDir, `node${children.length}.out`), 'w') : 'ignore';
      // DEXCHAIN_NODE_ARGS: config overrides for every node (e.g. `--mempool.max_recheck=8000`)
      const nodeArgs = (process.env.DEXCHAIN_NODE_ARGS ?? '').split(' ').filter(Boolean);
      children.push(spawn(process.execPath, [...nodeFlags, BIN, 'start', '--home', x.home, '--log_level', process.env.DEXCHAIN_NODE_LOG_LEVEL ?? 'warn', ...nodeArgs], { stdio: ['ignore', fd, fd] }));
    }
    const rpc = net.nodes[0]!.rpc;
    const end = Date.now() + 90_000;
    while ((await Promise.all(net.nodes.map((x) => height(x.rpc)))).some((h) => h < 2)) {
      if (Date.now() > end) throw new Error('the network did not reach height 2 within 90 s');
      await sleep(200);
    }
    if (nodeFlags.length > 0) log(`net-load bench: node pids ${children.map((c) => c.pid).join(' ')} (node0 first)`);
    log(`net-load bench: ${n} validators up; load ${rate}/s for ${durationSec} s into node0`);
    type LoadJson = { committed: number; committedPerSec: number; steadyPerSec: number; pendingAtSendEnd: number; submittedPerSec: number; latencyP50Ms: number; latencyP99Ms: number; lost: number; blocks: number; retried: number; rejectsByCode: Record<string, number> };
    /** One `dexchain load` process into node0 for `seconds`; its report and the CPU it used. */
    const sendLoad = async (seconds: number): Promise<{ j: LoadJson; loadCpu: number }> => {
      const load = spawn(
        process.execPath,
        [BIN, 'load', '--rpc', rpc, '--from', 'validator', '--keyring-backend', 'test', '--home', net.nodes[0]!.home, '--accounts', String(o.accounts ?? 1000), '--rate', String(rate), '--duration', String(seconds), '--mix', o.mix ?? 'transfer:100', '--drain', '60'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(load);
      // the load generator shares the cores: its CPU, sampled while it runs (gone once it exits)
      let loadCpu = 0;
      const loadPoll = setInterval(() => (loadCpu = Math.max(loadCpu, cpuSec(load.pid))), 500);
      let out = '';
      let err = '';
      load.stdout!.on('data', (d) => (out += d));
      load.stderr!.on('data', (d) => (err += d));
      const code = await new Promise<number>((r) => load.once('exit', (c) => r(c ?? 1)));
      clearInterval(loadPoll);
      if (code !== 0) throw new Error(`load failed: ${err.slice(-800)}`);
      return { j: JSON.parse(out) as LoadJson, loadCpu };
    };
    let warmup: NetLoadResult['warmup'];
    if (o.warmupSec) {
      log(`net-load bench: warm-up, the same load for ${o.warmupSec} s (not measured)`);
      const w = (await sendLoad(o.warmupSec)).j;
      warmup = { durationSec: o.warmupSec, steadyPerSec: w.steadyPerSec, committedPerSec: w.committedPerSec, latencyP99Ms: w.latencyP99Ms, lost: w.lost };
      log(`net-load bench: warm-up ${w.steadyPerSec.toFixed(0)} tx/s sustained, ${w.committedPerSec.toFixed(0)} first send to last commit, p99 ${w.latencyP99Ms} ms, lost ${w.lost}`);
    }
    const verified0 = await Promise.all(net.nodes.map((x) => verifiedSignatures(x.rpc)));
    const cpu0 = children.slice(0, n).map((c) => cpuSec(c.pid));
    const thr0 = children.slice(0, n).map((c) => threadTicks(c.pid));
    const { j, loadCpu } = await sendLoad(durationSec);
    const verified = (await Promise.all(net.nodes.map((x) => verifiedSignatures(x.rpc)))).map((v, i) => (v === undefined || verified0[i] === undefined ? undefined : v - verified0[i]!));
    const rss = children.slice(0, n).map((c) => rssMb(c.pid));
    const cpu = children.slice(0, n).map((c, i) => cpuSec(c.pid) - cpu0[i]!);
    const thr1 = children.slice(0, n).map((c) => threadTicks(c.pid));
    // every node runs one verify worker per core (the default), all on this machine
    const deltas = children.slice(0, n).map((c, i) => threadDeltas(c.pid, thr0[i]!, thr1[i]!));
    const allTicks = deltas.reduce((x, rows) => x + rows.reduce((y, r) => y + r.ticks, 0), 0);
    const verifyTicks = deltas.reduce((x, rows) => x + verifyWorkerTicks(rows, availableParallelism()), 0);
    const r: NetLoadResult = { validators: n, rate, durationSec, committedPerSec: j.committedPerSec, steadyPerSec: j.steadyPerSec, pendingAtSendEnd: j.pendingAtSendEnd, submittedPerSec: j.submittedPerSec, latencyP50Ms: j.latencyP50Ms, latencyP99Ms: j.latencyP99Ms, lost: j.lost, blocks: j.blocks, rssMb: rss, cpuSec: cpu, cpuUsPerTx: cpu.map((c) => Math.round((c * 1e6) / Math.max(1, j.committed))), cpuPerVerifyCpu: verifyTicks > 0 ? allTicks / verifyTicks : undefined, warmup };
    log(`net-load bench: ${r.steadyPerSec.toFixed(0)} tx/s sustained, ${r.committedPerSec.toFixed(0)} committed tx/s first send to last commit, p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms, lost ${r.lost}, RSS ${rss.map((x) => x.toFixed(0)).join('/')} MB, CPU µs/tx ${r.cpuUsPerTx.join('/')}`);
    children.slice(0, n).forEach((c, i) => log(`  node${i} threads CPU µs/tx: ${threadBreakdown(c.pid, thr0[i]!, thr1[i]!, j.committed)}`));
    if (r.cpuPerVerifyCpu !== undefined) log(`  node CPU per tx = ${r.cpuPerVerifyCpu.toFixed(2)} × its verify workers' CPU per tx (all nodes; steady across VM speeds, the figure to compare runs by)`);
    // signatures each node's verify workers checked per committed tx (funding and setup included): ~1 when nothing is checked twice
    log(`  signatures verified per committed tx: ${verified.map((v) => (v === undefined ? '?' : (v / Math.max(1, j.committed)).toFixed(2))).join('/')}; load generator re-sent ${j.retried} (busy node), rejects ${JSON.stringify(j.rejectsByCode)}, used ${loadCpu.toFixed(1)} CPU-s (signing ahead included)`);
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
    warmupSec: arg('--warmup') ? Number(arg('--warmup')) : undefined,
  })
    .then((r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
