/**
 * `dexchain testnet`: homes for an N-validator network on one host. Every home gets its own
 * validator key, operator account (test keyring, key name `validator`) and libp2p node key; all
 * share one genesis in which every validator has power 10 and every operator is funded; each
 * node lists all others as persistent peers. Ports: node i listens for p2p on
 * `basePort + 10*i` and serves RPC on `basePort + 10*i + 1`.
 */
import { join } from 'node:path';
import { homePaths, loadConfig, writeConfig, type NodeConfig } from './config.js';
import { initHome } from './init.js';
import { addGenesisAccount, readGenesis, writeGenesis, type GenesisDoc } from './genesis-file.js';
import { loadOrCreateNodeKey } from '../p2p/node-key.js';

export interface TestnetOptions {
  validators: number;
  output: string;
  chainId?: string;
  addressPrefix?: 'bnb' | 'tbnb';
  /** Default 26656. */
  basePort?: number;
  /** Host written into persistent_peers (default 127.0.0.1). */
  host?: string;
  /** Per-node host names in persistent_peers instead of `host` (docker compose: node0, node1…). */
  hostOf?: (i: number) => string;
  /** RPC listen host (default 127.0.0.1). */
  rpcHost?: string;
  /** RFC 3339; default now (to the second). */
  genesisTime?: string;
  /** BNB (whole tokens) given to each operator but node0's (which owns the rest of the supply). */
  operatorBnb?: bigint;
  /** Last word on each node's config. */
  config?: (cfg: NodeConfig, index: number) => void;
}

export interface TestnetNode {
  index: number;
  home: string;
  moniker: string;
  validatorAddress: string;
  operator: string;
  operatorKeyFile: string;
  nodeId: string;
  p2pPort: number;
  rpcPort: number;
  rpcUrl: string;
}

export interface TestnetResult {
  chainId: string;
  nodes: TestnetNode[];
}

export const DEFAULT_BASE_PORT = 26656;

export async function generateTestnet(o: TestnetOptions): Promise<TestnetResult> {
  const n = o.validators;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new Error(`--validators must be between 1 and 100, got ${n}`);
  const base = o.basePort ?? DEFAULT_BASE_PORT;
  if (!Number.isInteger(base) || base < 1 || base + 10 * (n - 1) + 1 > 65535) throw new Error(`--base-port ${base} leaves no room for ${n} nodes`);
  const chainId = o.chainId ?? 'dexchain-localnet';
  const prefix = o.addressPrefix ?? 'tbnb';
  const genesisTime = o.genesisTime ?? new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  const rpcHost = o.rpcHost ?? '127.0.0.1';
  const nodes: TestnetNode[] = [];
  const docs: GenesisDoc[] = [];
  for (let i = 0; i < n; i++) {
    const home = join(o.output, `node${i}`);
    const p2pPort = base + 10 * i;
    const rpcPort = p2pPort + 1;
    const r = initHome({
      home,
      chainId,
      moniker: `node${i}`,
      addressPrefix: prefix,
      overwrite: true,
      genesisTime,
      config: (cfg) => {
        cfg.p2p.laddr = `tcp://0.0.0.0:${p2pPort}`;
        cfg.rpc.laddr = `tcp://${rpcHost}:${rpcPort}`;
      },
    });
    const key = await loadOrCreateNodeKey(homePaths(home).nodeKey);
    docs.push(readGenesis(homePaths(home).genesisFile));
    nodes.push({
      index: i,
      home: r.home,
      moniker: r.moniker,
      validatorAddress: r.validatorAddress,
      operator: r.operator.address,
      operatorKeyFile: r.operator.keyFile,
      nodeId: key.id,
      p2pPort,
      rpcPort,
      rpcUrl: `http://${rpcHost === '0.0.0.0' ? '127.0.0.1' : rpcHost}:${rpcPort}`,
    });
  }
  // One genesis: node0's (its operator owns the BNB supply), every validator, every operator funded.
  const genesis = docs[0]!;
  genesis.app_state.validators = docs.map((d) => d.app_state.validators[0]!);
  const give = (o.operatorBnb ?? 1_000_000n) * 100_000_000n;
  for (const node of nodes.slice(1)) addGenesisAccount(genesis, node.operator, [{ denom: 'BNB', amount: give }]);
  for (const node of nodes) {
    const paths = homePaths(node.home);
    writeGenesis(paths.genesisFile, genesis);
    const cfg = loadConfig(paths);
    cfg.p2p.persistent_peers = nodes
      .filter((x) => x !== node)
      .map((x) => `${x.nodeId}@${o.hostOf ? o.hostOf(x.index) : (o.host ?? '127.0.0.1')}:${x.p2pPort}`)
      .join(',');
    o.config?.(cfg, node.index);
    writeConfig(paths, cfg);
  }
  return { chainId, nodes };
}
