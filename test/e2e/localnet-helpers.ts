/**
 * A real N-validator localnet for e2e tests: `dexchain testnet` in a temp dir with a random free
 * base port, one `dexchain start` process per node, logs in each home. `DEXCHAIN_E2E_BIN`
 * overrides the CLI entry point.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BIN, sleep } from './harness.js';

export const DEXCHAIN_BIN = process.env.DEXCHAIN_E2E_BIN ?? BIN;

export function dexchain(args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [DEXCHAIN_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}

export function dexchainJson<T>(args: string[]): T {
  const r = dexchain(args);
  if (r.status !== 0) throw new Error(`dexchain ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

/** A base port P such that P+10i and P+10i+1 are free for i < n. */
export async function freeBasePort(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = 20_000 + 10 * Math.floor(Math.random() * 3000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = (await portFree(p + 10 * i)) && (await portFree(p + 10 * i + 1));
    if (ok) return p;
  }
  throw new Error('no free port range found');
}

export interface TestnetJson {
  chain_id: string;
  nodes: { home: string; moniker: string; validator_address: string; operator: string; node_id: string; p2p: string; rpc: string }[];
}

export const FAST_CONSENSUS = [
  '--consensus.timeout_commit_ms', '300',
  '--consensus.timeout_propose_ms', '1500',
  '--consensus.timeout_propose_delta_ms', '300',
  '--consensus.timeout_prevote_ms', '500',
  '--consensus.timeout_prevote_delta_ms', '200',
  '--consensus.timeout_precommit_ms', '500',
  '--consensus.timeout_precommit_delta_ms', '200',
];

export class LocalnetNode {
  child: ChildProcess | undefined;
  readonly logFile: string;
  constructor(readonly home: string, readonly url: string, readonly extraArgs: string[] = FAST_CONSENSUS) {
    this.logFile = join(home, 'node.log');
  }

  start(): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [DEXCHAIN_BIN, 'start', '--home', this.home, '--log_level', 'info', ...this.extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.child = child;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async status(): Promise<{ height: number; catchingUp: boolean } | undefined> {
    try {
      const r = await fetch(`${this.url}/status`, { signal: AbortSignal.timeout(2000) });
      const j = (await r.json()) as { result: { sync_info: { latest_block_height: string; catching_up: boolean } } };
      return { height: Number(j.result.sync_info.latest_block_height), catchingUp: j.result.sync_info.catching_up };
    } catch {
      return undefined;
    }
  }

  async height(): Promise<number> {
    return (await this.status())?.height ?? -1;
  }

  async blockHash(h: number): Promise<string | undefined> {
    try {
      const r = await fetch(`${this.url}/block?height=${h}`, { signal: AbortSignal.timeout(2000) });
      const j = (await r.json()) as { result?: { block_id: { hash: string } } };
      return j.result?.block_id.hash;
    } catch {
      return undefined;
    }
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child!.kill(sig);
  }

  stop(sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    return new Promise((res) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
      c.once('exit', () => {
        clearTimeout(t);
        res();
      });
      if (sig !== 'SIGKILL') c.kill('SIGCONT');
      c.kill(sig);
    });
  }

  tail(n = 3000): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-n);
    } catch {
      return '';
    }
  }
}

export async function waitUntil(cond: () => Promise<boolean>, what: string, timeoutMs: number, nodes: LocalnetNode[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) {
      const hs = await Promise.all(nodes.map((n) => n.height()));
      throw new Error(`timed out (${timeoutMs} ms) waiting for ${what}; heights ${hs.join(',')}\n${nodes.map((n, i) => `--- node${i}\n${n.tail(1500)}`).join('\n')}`);
    }
    await sleep(150);
  }
}

/** Waits until each of `nodes` reached height `h`. */
export function waitHeights(nodes: LocalnetNode[], h: number, timeoutMs: number, all: LocalnetNode[] = nodes): Promise<void> {
  return waitUntil(async () => (await Promise.all(nodes.map((n) => n.height()))).every((x) => x >= h), `height ${h}`, timeoutMs, all);
}

export async function maxHeight(nodes: LocalnetNode[]): Promise<number> {
  return Math.max(...(await Promise.all(nodes.map((n) => n.height()))));
}

/** Asserts all nodes that have block h agree on its hash; returns how many had it. */
export async function sameHashes(nodes: LocalnetNode[], h: number): Promise<{ agree: boolean; have: number; hashes: string[] }> {
  const hs = (await Promise.all(nodes.map((n) => n.blockHash(h)))).filter((x): x is string => !!x);
  return { agree: new Set(hs).size <= 1, have: hs.length, hashes: hs };
}

/** Block hash and header app hash of height h as one node serves them (`/block?height=h`). */
export async function blockInfo(node: LocalnetNode, h: number): Promise<{ hash: string; appHash: string } | undefined> {
  try {
    const r = await fetch(`${node.url}/block?height=${h}`, { signal: AbortSignal.timeout(3000) });
    const j = (await r.json()) as { result?: { block_id: { hash: string }; block: { header: { app_hash: string } } } };
    return j.result ? { hash: j.result.block_id.hash, appHash: j.result.block.header.app_hash } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every node serves every height 1..upTo with the same block hash and the same app hash; throws
 * naming the first height where one is missing or differs.
 */
export async function assertSameChain(nodes: LocalnetNode[], upTo: number): Promise<void> {
  for (let h = 1; h <= upTo; h++) {
    const infos = await Promise.all(nodes.map((n) => blockInfo(n, h)));
    const missing = infos.findIndex((x) => !x);
    if (missing >= 0) throw new Error(`node${missing} does not serve block ${h}`);
    const hashes = new Set(infos.map((x) => x!.hash));
    const apps = new Set(infos.map((x) => x!.appHash));
    if (hashes.size !== 1) throw new Error(`fork at height ${h}: block hashes ${infos.map((x) => x!.hash).join(' ')}`);
    if (apps.size !== 1) throw new Error(`app hashes differ at height ${h}: ${infos.map((x) => x!.appHash).join(' ')}`);
  }
}

/** `abci_query?path="…"` decoded as JSON (the value is base64 JSON), or undefined on an error code. */
export async function abciQueryJson<T>(node: LocalnetNode, path: string): Promise<T | undefined> {
  const r = await fetch(`${node.url}/abci_query?path=${encodeURIComponent(`"${path}"`)}`, { signal: AbortSignal.timeout(3000) });
  const j = (await r.json()) as { result?: { response: { code: number; value: string | null } } };
  const resp = j.result?.response;
  if (!resp || resp.code !== 0 || !resp.value) return undefined;
  return JSON.parse(Buffer.from(resp.value, 'base64').toString('utf8')) as T;
}

/** The active validator set a node reports (`/validators`): upper-case address → voting power. */
export async function activeValidators(node: LocalnetNode): Promise<{ height: number; powers: Map<string, bigint> }> {
  const r = await fetch(`${node.url}/validators`, { signal: AbortSignal.timeout(3000) });
  const j = (await r.json()) as { result: { block_height: string; validators: { address: string; voting_power: string }[] } };
  return { height: Number(j.result.block_height), powers: new Map(j.result.validators.map((v) => [v.address.toUpperCase(), BigInt(v.voting_power)])) };
}

/** A started N-validator localnet in a temp dir (see `dexchain testnet`). */
export interface Localnet {
  dir: string;
  net: TestnetJson;
  nodes: LocalnetNode[];
  basePort: number;
}

/** Writes the homes and starts every node; on a failure while starting, kills what it started. */
export async function startLocalnet(dir: string, n: number, chainId: string, extraArgs: string[] = FAST_CONSENSUS): Promise<Localnet> {
  const basePort = await freeBasePort(n + 1); // one spare slot for a test-only extra process
  const net = dexchainJson<TestnetJson>(['testnet', '--validators', String(n), '--output', dir, '--chain-id', chainId, '--base-port', String(basePort)]);
  const nodes = net.nodes.map((x) => new LocalnetNode(x.home, x.rpc, extraArgs));
  try {
    for (const x of nodes) x.start();
  } catch (e) {
    await Promise.all(nodes.map((x) => x.stop('SIGKILL')));
    throw e;
  }
  return { dir, net, nodes, basePort };
}
