/**
 * Helpers the multi-process benchmarks share: free loopback port ranges for `dexchain testnet`
 * homes, the CLI's JSON output, and a node's height over RPC.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const BIN = process.env.DEXCHAIN_E2E_BIN ?? join(ROOT, 'bin', 'dexchain.js');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

/** A base port P with P+10i and P+10i+1 free for i < n (the testnet layout), from `from` up. */
export async function freeBase(n: number, from = 40_000): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = from + 10 * Math.floor(Math.random() * 1500);
    let ok = true;
    for (let k = 0; k < n && ok; k++) ok = (await portFree(p + 10 * k)) && (await portFree(p + 10 * k + 1));
    if (ok) return p;
  }
  throw new Error('no free port range');
}

/** Runs `dexchain ARGS` and parses its JSON output. */
export function cliJson<T>(args: string[]): T {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`dexchain ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

/** Latest height of the node at `url`, or -1 when it does not answer. */
export async function rpcHeight(url: string): Promise<number> {
  try {
    const r = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2000) });
    const j = (await r.json()) as { result: { sync_info: { latest_block_height: string } } };
    return Number(j.result.sync_info.latest_block_height);
  } catch {
    return -1;
  }
}
