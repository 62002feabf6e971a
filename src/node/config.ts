/**
 * Node configuration: one TOML file per home (`config/config.toml`), every option with a
 * default, every default overridable by a `--section.key value` flag. The effective config is
 * printed (logged) at start.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';

export interface NodeConfig {
  moniker: string;
  log_level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  rpc: {
    /** tcp://host:port of the HTTP server (RPC, /api/v1, websocket, metrics, web page). */
    laddr: string;
    /** Largest accepted request body, bytes. */
    max_body_bytes: number;
    /** Simultaneous connections the server accepts. */
    max_open_connections: number;
    /** Requests per second allowed per client IP (token bucket); 0 disables. */
    requests_per_second_per_ip: number;
    /** How long `broadcast?sync=true` / broadcast_tx_commit waits for the tx to be committed. */
    timeout_broadcast_commit_ms: number;
    /** Serve the web page at `/`. */
    web: boolean;
  };
  p2p: {
    laddr: string;
    persistent_peers: string;
    seeds: string;
    max_peers: number;
  };
  consensus: {
    /** Wait after a commit before the next height starts: the block interval of a quiet chain. */
    timeout_commit_ms: number;
    timeout_propose_ms: number;
    timeout_propose_delta_ms: number;
    timeout_prevote_ms: number;
    timeout_prevote_delta_ms: number;
    timeout_precommit_ms: number;
    timeout_precommit_delta_ms: number;
    /** Largest block, bytes of txs. */
    max_block_bytes: number;
    /** Largest number of txs per block. */
    max_block_txs: number;
    /**
     * Produce blocks even when the mempool is empty. When false (one validator or many), a height
     * waits after its commit until a tx arrives (with several validators: or a peer moves on).
     */
    create_empty_blocks: boolean;
  };
  mempool: {
    /** Largest number of txs held (at most `max_recheck`: every tx left after a block is rechecked). */
    size: number;
    /** Largest total bytes held. */
    max_txs_bytes: number;
    /** Largest number of pending txs of one sender. */
    max_txs_per_sender: number;
    /**
     * Txs rechecked after each commit at most, which also caps the pool (a tx not rechecked would
     * leave its sequence out of the check state and get its sender's next tx refused).
     */
    max_recheck: number;
    /** Lowest fee (BNB base units) a tx must pay to enter the mempool; 0 = any. */
    min_fee: number;
    /** Remember this many committed tx hashes to refuse replays cheaply. */
    cache_size: number;
  };
  instrumentation: {
    prometheus: boolean;
  };
}

export function defaultConfig(moniker = 'dexchain-node'): NodeConfig {
  return {
    moniker,
    log_level: 'info',
    rpc: {
      laddr: 'tcp://127.0.0.1:26657',
      max_body_bytes: 8 * 1024 * 1024,
      max_open_connections: 900,
      requests_per_second_per_ip: 0,
      timeout_broadcast_commit_ms: 10_000,
      web: true,
    },
    p2p: { laddr: 'tcp://0.0.0.0:26656', persistent_peers: '', seeds: '', max_peers: 50 },
    consensus: {
      timeout_commit_ms: 1000,
      timeout_propose_ms: 3000,
      timeout_propose_delta_ms: 500,
      timeout_prevote_ms: 1000,
      timeout_prevote_delta_ms: 500,
      timeout_precommit_ms: 1000,
      timeout_precommit_delta_ms: 500,
      max_block_bytes: 8 * 1024 * 1024,
      max_block_txs: 20_000,
      create_empty_blocks: true,
    },
    mempool: {
      // the pool holds at most max_recheck txs (Mempool.capacity): the default shows the real bound
      size: 20_000,
      max_txs_bytes: 256 * 1024 * 1024,
      max_txs_per_sender: 1_000,
      max_recheck: 20_000,
      min_fee: 0,
      cache_size: 200_000,
    },
    instrumentation: { prometheus: true },
  };
}

export const DEFAULT_HOME = join(homedir(), '.dexchain');

export interface HomePaths {
  home: string;
  configDir: string;
  dataDir: string;
  configFile: string;
  genesisFile: string;
  privValidatorKey: string;
  privValidatorState: string;
  nodeKey: string;
  stateDb: string;
  blockDb: string;
  walDir: string;
  /** Pending evidence of double signing, kept across restarts. */
  evidence: string;
  keyringTest: string;
  keyringFile: string;
}

export function homePaths(home: string): HomePaths {
  const h = resolve(home);
  const configDir = join(h, 'config');
  const dataDir = join(h, 'data');
  return {
    home: h,
    configDir,
    dataDir,
    configFile: join(configDir, 'config.toml'),
    genesisFile: join(configDir, 'genesis.json'),
    privValidatorKey: join(configDir, 'priv_validator_key.json'),
    privValidatorState: join(dataDir, 'priv_validator_state.json'),
    nodeKey: join(configDir, 'node_key.json'),
    stateDb: join(dataDir, 'state'),
    blockDb: join(dataDir, 'blocks'),
    walDir: join(dataDir, 'cs.wal'),
    evidence: join(dataDir, 'evidence.bin'),
    keyringTest: join(h, 'keyring-test'),
    keyringFile: join(h, 'keyring-file'),
  };
}

/** Deep-merges `over` into `base`, refusing keys `base` does not have (typos fail loudly). */
function mergeInto(base: Record<string, unknown>, over: Record<string, unknown>, path: string): void {
  for (const [k, v] of Object.entries(over)) {
    if (!(k in base)) throw new Error(`config: unknown option "${path}${k}"`);
    const cur = base[k];
    if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) {
      if (v === null || typeof v !== 'object') throw new Error(`config: "${path}${k}" must be a table`);
      mergeInto(cur as Record<string, unknown>, v as Record<string, unknown>, `${path}${k}.`);
    } else {
      if (typeof v !== typeof cur) throw new Error(`config: "${path}${k}" must be a ${typeof cur}, got ${typeof v}`);
      base[k] = v;
    }
  }
}

export function loadConfig(paths: HomePaths): NodeConfig {
  const cfg = defaultConfig();
  if (!existsSync(paths.configFile)) return cfg;
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(readFileSync(paths.configFile, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`config: cannot parse ${paths.configFile}: ${(e as Error).message}`);
  }
  mergeInto(cfg as unknown as Record<string, unknown>, parsed, '');
  return cfg;
}

export function writeConfig(paths: HomePaths, cfg: NodeConfig): void {
  mkdirSync(paths.configDir, { recursive: true });
  const header = '# dexchain node configuration. Every option has a default; flags --section.key override it.\n';
  writeFileSync(paths.configFile, header + stringifyToml(cfg as unknown as Record<string, unknown>) + '\n');
}

/**
 * Applies `section.key=value` overrides (from CLI flags) with the type of the default.
 */
export function applyOverrides(cfg: NodeConfig, overrides: Record<string, string>): void {
  for (const [dotted, raw] of Object.entries(overrides)) {
    const parts = dotted.split('.');
    let obj = cfg as unknown as Record<string, unknown>;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = obj[parts[i]!];
      if (next === undefined || typeof next !== 'object') throw new Error(`unknown option --${dotted}`);
      obj = next as Record<string, unknown>;
    }
    const key = parts[parts.length - 1]!;
    if (!(key in obj)) throw new Error(`unknown option --${dotted}`);
    const cur = obj[key];
    if (typeof cur === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new Error(`--${dotted} must be a number, got "${raw}"`);
      obj[key] = n;
    } else if (typeof cur === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new Error(`--${dotted} must be true or false, got "${raw}"`);
      obj[key] = raw === 'true';
    } else {
      obj[key] = raw;
    }
  }
}

/** Parses `tcp://host:port` (or `host:port`). */
export function parseLaddr(laddr: string): { host: string; port: number } {
  const m = /^(?:tcp:\/\/)?([^:/]+|\[[^\]]+\]):(\d+)$/.exec(laddr.trim());
  if (!m) throw new Error(`invalid listen address "${laddr}" (expected tcp://HOST:PORT)`);
  const port = Number(m[2]);
  if (port < 0 || port > 65535) throw new Error(`invalid port in "${laddr}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
