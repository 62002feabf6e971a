/**
 * What the SDK-driven end-to-end tests share: the real `@binance-chain/javascript-sdk` client
 * bound to a node, test keys made with the CLI (private key included), and the `/api/v1` reads
 * they check balances with.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cliJson } from './harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const sdk: any = createRequire(import.meta.url)('@binance-chain/javascript-sdk');

export const ONE = 100_000_000n;

export type Bal = { free: string; frozen: string; locked: string; symbol: string };

/** A fixed-8 decimal string (`"1.5"`) as base units. */
export function units(s: string): bigint {
  const [i, f = ''] = s.split('.');
  return BigInt(i!) * ONE + BigInt((f + '00000000').slice(0, 8));
}

/** A key in the home's test keyring, with its hex private key for the SDK. */
export function testKey(home: string, name: string): { address: string; priv: string } {
  const a = cliJson<{ address: string; file: string }>(['keys', 'add', name, '--keyring-backend', 'test', '--home', home]);
  return { address: a.address, priv: JSON.parse(readFileSync(a.file, 'utf8')).privkey as string };
}

/** An SDK client on the node's testnet prefix, signing with `priv` (async broadcast if asked). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function sdkClient(url: string, priv: string, async = false): Promise<any> {
  const c = new sdk.BncClient(url);
  c.chooseNetwork('testnet');
  await c.initChain();
  await c.setPrivateKey(priv);
  if (async) c.useAsyncBroadcast(true);
  // SDK quirk Q10 (client-api.md §8): Gov and Swap are process-wide singletons bound to the
  // first BncClient ever made in the process (another test file's, when the suite runs
  // together). Bind them to this client, as a one-client-per-process script would have them.
  if (c.gov) c.gov._bncClient = c;
  if (c.swap) c.swap._bncClient = c;
  return c;
}

/** GET `path` on the node, asserting the status, as JSON. */
export async function getJson<T = unknown>(url: string, path: string, status = 200): Promise<T> {
  const r = await fetch(`${url}${path}`);
  assert.equal(r.status, status, `${path}: ${r.status}`);
  return (await r.json()) as T;
}

/** Free and locked balance of one symbol, from `/api/v1/account` (204: an unknown account holds nothing). */
export async function balanceOf(url: string, addr: string, sym: string): Promise<{ free: bigint; locked: bigint }> {
  const r = await fetch(`${url}/api/v1/account/${addr}`);
  if (r.status === 204) return { free: 0n, locked: 0n };
  const j = (await r.json()) as { balances: Bal[] };
  const b = j.balances.find((x) => x.symbol === sym);
  return { free: b ? units(b.free) : 0n, locked: b ? units(b.locked) : 0n };
}
