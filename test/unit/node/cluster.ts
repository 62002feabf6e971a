/**
 * N real DexNodes (app, stores, mempool, BftEngine, RPC on port 0) in one process over a
 * MemoryNetwork hub, with homes written by `generateTestnet`. Tests observe commits through
 * `executor.onBlock` and can stop/restart nodes or wrap a node's network.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DexNode } from '../../../src/node/node.js';
import { generateTestnet, type TestnetResult } from '../../../src/node/testnet.js';
import { MemoryHub } from '../../../src/p2p/memory-network.js';
import type { Network } from '../../../src/p2p/types.js';
import { silentLogger } from '../../../src/node/logger.js';
import { toHex, fromHex } from '../../../src/crypto/hash.js';
import { signTx } from '../../../src/client/sign.js';
import { decodeAddress } from '../../../src/codec/index.js';
import type { AppliedBlock } from '../../../src/node/executor.js';
import type { NodeConfig } from '../../../src/node/config.js';

export interface Observed {
  hashes: Map<number, string>;
  txs: Set<string>;
  blocks: AppliedBlock[];
}

export class Cluster {
  readonly hub = new MemoryHub();
  readonly nodes: (DexNode | undefined)[] = [];
  readonly seen: Observed[] = [];
  wrap: ((i: number, net: Network) => Network) | undefined;

  private constructor(readonly dir: string, readonly net: TestnetResult) {
    for (let i = 0; i < net.nodes.length; i++) this.seen.push({ hashes: new Map(), txs: new Set(), blocks: [] });
  }

  static async create(n: number, tag: string, tweak?: (cfg: NodeConfig) => void): Promise<Cluster> {
    const dir = mkdtempSync(join(tmpdir(), `dexchain-bft-${tag}-`));
    const net = await generateTestnet({
      validators: n,
      output: dir,
      chainId: `unit-${tag}`,
      basePort: 30000,
      config: (cfg) => {
        cfg.rpc.laddr = 'tcp://127.0.0.1:0';
        cfg.rpc.web = false;
        cfg.log_level = 'error';
        const c = cfg.consensus;
        c.timeout_commit_ms = 50;
        c.timeout_propose_ms = 800;
        c.timeout_propose_delta_ms = 200;
        c.timeout_prevote_ms = 300;
        c.timeout_prevote_delta_ms = 100;
        c.timeout_precommit_ms = 300;
        c.timeout_precommit_delta_ms = 100;
        tweak?.(cfg);
      },
    });
    return new Cluster(dir, net);
  }

  /** Adds a home for a non-validator full node that peers with every validator; returns its index. */
  async addFullNode(): Promise<number> {
    const { initHome } = await import('../../../src/node/init.js');
    const { homePaths, loadConfig, writeConfig } = await import('../../../src/node/config.js');
    const { readGenesis, writeGenesis } = await import('../../../src/node/genesis-file.js');
    const { loadOrCreateNodeKey } = await import('../../../src/p2p/node-key.js');
    const i = this.net.nodes.length;
    const home = join(this.dir, `full${i}`);
    const r = initHome({ home, chainId: this.net.chainId, moniker: `full${i}` });
    const paths = homePaths(home);
    writeGenesis(paths.genesisFile, readGenesis(homePaths(this.net.nodes[0]!.home).genesisFile));
    const cfg = loadConfig(homePaths(this.net.nodes[0]!.home));
    cfg.moniker = `full${i}`;
    cfg.p2p.persistent_peers = this.net.nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.p2pPort}`).join(',');
    writeConfig(paths, cfg);
    const key = await loadOrCreateNodeKey(paths.nodeKey);
    this.net.nodes.push({ index: i, home: r.home, moniker: r.moniker, validatorAddress: r.validatorAddress, operator: r.operator.address, operatorKeyFile: r.operator.keyFile, nodeId: key.id, p2pPort: 0, rpcPort: 0, rpcUrl: '' });
    this.seen.push({ hashes: new Map(), txs: new Set(), blocks: [] });
    return i;
  }

  async start(i: number): Promise<DexNode> {
    const info = this.net.nodes[i]!;
    const node = new DexNode({
      home: info.home,
      logger: silentLogger(),
      network: (init) => {
        const mem = this.hub.createNetwork({ peerId: info.nodeId, chainId: init.chainId, persistentPeers: init.persistentPeers });
        return this.wrap ? this.wrap(i, mem) : mem;
      },
      engine: { gossipIntervalMs: 150, sync: { pollMs: 150, stuckMs: 500, catchUpLag: 2, progressBar: false } },
    });
    await node.start();
    node.executor.onBlock((b) => {
      const s = this.seen[i]!;
      s.hashes.set(b.block.header.height, toHex(b.hash));
      for (const r of b.results) s.txs.add(r.hash);
      s.blocks.push(b);
    });
    this.nodes[i] = node;
    return node;
  }

  async startAll(): Promise<void> {
    await Promise.all(this.net.nodes.map((_, i) => this.start(i)));
  }

  async stop(i: number): Promise<void> {
    const n = this.nodes[i];
    this.nodes[i] = undefined;
    await n?.stop();
  }

  height(i: number): number {
    return Math.max(0, ...this.seen[i]!.hashes.keys());
  }

  async waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; heights ${this.seen.map((_, i) => this.height(i)).join(',')}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Waits until every listed node committed height `h`. */
  waitHeight(h: number, which: number[] = this.net.nodes.map((_, i) => i), timeoutMs?: number): Promise<void> {
    return this.waitFor(() => which.every((i) => this.seen[i]!.hashes.has(h) || (this.nodes[i]?.executor && this.lastStored(i) >= h)), `height ${h} on ${which.join(',')}`, timeoutMs);
  }

  private lastStored(i: number): number {
    const st = this.nodes[i]?.engine.status();
    return st ? st.height - 1 : 0;
  }

  /** A signed send of `amount` BNB base units from node `from`'s operator to `to`. */
  signSend(from: number, to: string, amount: bigint): { bytes: Uint8Array; hash: string } {
    const info = this.net.nodes[from]!;
    const node = this.nodes[from]!;
    const priv = fromHex((JSON.parse(readFileSync(info.operatorKeyFile, 'utf8')) as { privkey: string }).privkey);
    const acc = node.app.queries.account(info.operator, { pending: true })!;
    const hrp = node.hrp;
    const s = signTx(
      priv,
      {
        type: 'cosmos-sdk/Send',
        inputs: [{ address: decodeAddress(info.operator, hrp), coins: [{ denom: 'BNB', amount }] }],
        outputs: [{ address: decodeAddress(to, hrp), coins: [{ denom: 'BNB', amount }] }],
      },
      { chainId: this.net.chainId, hrp, accountNumber: BigInt(acc.account_number), sequence: BigInt(acc.sequence) },
    );
    return { bytes: s.bytes, hash: s.hash };
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((_, i) => this.stop(i)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
