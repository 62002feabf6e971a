/**
 * Shared pieces of the CLI: home resolution, key loading, coin parsing, output.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_HOME, homePaths, loadConfig, parseLaddr } from '../node/config.js';
import { readGenesis } from '../node/genesis-file.js';
import { Keyring, type KeyringBackend } from '../node/keyring.js';

export class CliError extends Error {}

export function resolveHome(home?: string): string {
  return home ?? process.env.DEXCHAIN_HOME ?? DEFAULT_HOME;
}

export function backendOf(v: string | undefined): KeyringBackend {
  const b = v ?? 'file';
  if (b !== 'test' && b !== 'file') throw new CliError(`--keyring-backend must be "test" or "file", got "${b}"`);
  return b;
}

export function passwordOf(opts: { password?: string }): string | undefined {
  return opts.password ?? process.env.DEXCHAIN_KEYRING_PASSWORD;
}

/** The node URL: --node, else the home's RPC address, else the default. */
export function nodeUrl(opts: { node?: string; home?: string }): string {
  if (opts.node) return opts.node;
  const home = resolveHome(opts.home);
  const paths = homePaths(home);
  const cfg = loadConfig(paths);
  const { host, port } = parseLaddr(cfg.rpc.laddr);
  const h = host === '0.0.0.0' ? '127.0.0.1' : host;
  return `http://${h}:${port}`;
}

/** The address prefix from the home's genesis when there is one. */
export function homePrefix(home: string | undefined, fallback = 'tbnb'): string {
  const paths = homePaths(resolveHome(home));
  if (!existsSync(paths.genesisFile)) return fallback;
  return readGenesis(paths.genesisFile).address_prefix;
}

export function openKeyring(opts: { home?: string; keyringBackend?: string }): Keyring {
  return new Keyring(resolveHome(opts.home), backendOf(opts.keyringBackend));
}

export function printJson(v: unknown): void {
  process.stdout.write(
    JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x), 2) + '\n',
  );
}
