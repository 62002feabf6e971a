/**
 * Adapts the node's parts (app, mempool, block store, engine) to the narrow `RpcNode` view the
 * RPC server is written against.
 */
import type { RpcNode, AccountView, TokenView, ValidatorView } from '../rpc/types.js';
import type { NodeConfig } from './config.js';
import type { GenesisDoc } from './genesis-file.js';
import type { ValidatorKey } from './privval.js';
import type { DexApp } from '../app/app.js';
import type { Mempool } from '../mempool/mempool.js';
import type { BlockStore, StoredTx } from '../store/index.js';
import type { NodeMetrics } from './metrics.js';
import type { Validator } from '../consensus/types.js';
import type { ConsensusEngine } from './solo-producer.js';
import type { TxResult } from '../app/abci.js';
import { decodeBlock, decodeCommit } from '../consensus/block.js';
import { parseFixed8 } from '../codec/index.js';
import { toHex } from '../crypto/hash.js';
import { rootError } from '../errors.js';
import { createDexViews } from '../modules/dex/views.js';
import { DexHistory } from '../modules/dex/history.js';
import { pegRoutes } from '../modules/peg/index.js';
import { tokensRoutes } from '../modules/tokens/index.js';
import { batchBroadcaster, type Admission } from '../mempool/admission.js';

export interface NodeParts {
  /** Batch admission (decode once, verify on the worker pool); without it txs go straight to the mempool. */
  admission?: Admission;
  chainId: string;
  hrp: string;
  version: string;
  moniker: string;
  config: NodeConfig;
  genesis: GenesisDoc;
  key: ValidatorKey;
  app: DexApp;
  mempool: Mempool;
  blocks: BlockStore;
  metrics: NodeMetrics;
  validators: () => Validator[];
  /** The set that signs height `h` (kept for recent heights), if known. */
  validatorsAt?: (h: number) => readonly Validator[] | undefined;
  last: () => { height: number; timeMs: number; hash: Uint8Array };
  engine: () => ConsensusEngine;
  rpcAddress: () => string;
  peers?: () => { id: string; address: string }[];
  /** The p2p node id (libp2p peer id) when the node runs the network. */
  nodeId?: () => string | undefined;
}

export function buildRpcNode(p: NodeParts): RpcNode {
  let base = 1;
  void p.blocks.baseHeight().then((b) => (base = b || 1));
  const hexUp = (b: Uint8Array): string => toHex(b).toUpperCase();

  const node: RpcNode = {
    chainId: p.chainId,
    hrp: p.hrp,
    extraRoutes: [pegRoutes(p.app), tokensRoutes(p.app)],
    dex: createDexViews(p.app, new DexHistory(p.blocks.index)),
    status() {
      const last = p.last();
      const info = p.app.info();
      const st = p.engine().status();
      const ours = p.validators().find((v) => toHex(v.address) === toHex(p.key.address));
      return {
        nodeId: p.nodeId?.() ?? hexUp(p.key.address).toLowerCase(),
        moniker: p.moniker,
        network: p.chainId,
        version: p.version,
        listenAddr: p.config.p2p.laddr,
        rpcAddress: p.rpcAddress(),
        latestBlockHash: hexUp(last.hash),
        latestAppHash: hexUp(info.lastBlockAppHash),
        latestBlockHeight: last.height,
        latestBlockTimeMs: last.timeMs,
        earliestBlockHeight: base,
        catchingUp: st.catchingUp,
        validator: { address: p.key.address, pubKey: p.key.pubKey, power: ours?.votingPower ?? 0n },
      };
    },
    account(address) {
      const a = p.app.queries.account(address);
      if (!a) return undefined;
      const view: AccountView = {
        address: a.address,
        accountNumber: BigInt(a.account_number),
        sequence: BigInt(a.sequence),
        flags: BigInt(a.flags),
        publicKey: a.public_key ? new Uint8Array(a.public_key) : undefined,
        balances: a.balances.map((b) => ({ symbol: b.symbol, free: parseFixed8(b.free), frozen: parseFixed8(b.frozen), locked: parseFixed8(b.locked) })),
      };
      return view;
    },
    balancesOf(address) {
      return p.app.queries.balancesOf(address);
    },
    tokens(offset, limit) {
      return p.app.queries.tokens(offset, limit).map(tokenView);
    },
    token(symbol) {
      const t = p.app.queries.token(symbol);
      return t ? tokenView(t) : undefined;
    },
    timelocks(address) {
      return p.app.queries.timelocks(address);
    },
    fees() {
      return p.app.queries.fees();
    },
    validators(height?: number) {
      const byAddr = new Map(p.app.queries.validators().map((v) => [v.consensus_address, v]));
      let set: readonly Validator[] = p.validators();
      if (height !== undefined && height !== p.last().height && p.validatorsAt) {
        const at = p.validatorsAt(height);
        if (!at) throw rootError('notFound', `the validator set of height ${height} is not kept by this node`);
        set = at;
      }
      return set.map((v): ValidatorView => {
        const j = byAddr.get(hexUp(v.address));
        return { address: v.address, pubKey: v.pubKey, power: v.votingPower, proposerPriority: v.proposerPriority, name: j?.name, operator: j?.operator, jailed: j?.jailed };
      });
    },
    abciQuery(path, data, height) {
      return p.app.query(path, data, height);
    },
    abciInfo() {
      const i = p.app.info();
      return { height: i.lastBlockHeight, appHash: i.lastBlockAppHash, version: p.version };
    },
    async broadcast(tx, waitCommit) {
      const check = p.admission ? (await p.admission.admit([tx]))[0]! : p.mempool.add(tx);
      if (check.code !== 0 || !waitCommit) return { check };
      const committed = await p.mempool.waitForCommit(check.hash, p.config.rpc.timeout_broadcast_commit_ms);
      if (!committed) {
        // Committed meanwhile (race with the waiter) or evicted: look it up.
        const t = await p.blocks.loadTx(check.hash);
        if (t) return { check, committed: { height: t.height, index: t.index, code: t.result.code, log: t.result.log } };
        const e = rootError('internal', `tx ${check.hash} was accepted but not committed within ${p.config.rpc.timeout_broadcast_commit_ms} ms; query /api/v1/tx/${check.hash} later`);
        return { check: { ...check, code: 0, log: e.message } };
      }
      return { check, committed };
    },
    async getTx(hash) {
      return withTime(p, await p.blocks.loadTx(hash));
    },
    async txsByAddress(address, opts) {
      const r = await p.blocks.txsByAddress(address, { offset: opts.offset, limit: opts.limit, minHeight: opts.minHeight, maxHeight: opts.maxHeight });
      return { txs: r.txs, total: r.total };
    },
    async txsByHeight(height) {
      return p.blocks.txsByHeight(height);
    },
    async block(height) {
      const bytes = await p.blocks.loadBlockBytes(height);
      if (!bytes) return undefined;
      const block = decodeBlock(bytes);
      const info = await p.blocks.blockInfo(height);
      return { block, hash: info?.hash ?? new Uint8Array() };
    },
    async commit(height) {
      const c = await p.blocks.loadCommitBytes(height);
      return c ? decodeCommit(c) : undefined;
    },
    async blockResults(height) {
      const txs = await p.blocks.txsByHeight(height);
      return txs.map((t): TxResult => ({ code: t.result.code, log: t.result.log, data: t.result.data, events: t.result.events, hash: t.hash }));
    },
    latestHeight() {
      return p.last().height;
    },
    baseHeight() {
      return base;
    },
    genesis() {
      return p.genesis;
    },
    mempoolInfo() {
      return { size: p.mempool.size, bytes: p.mempool.sizeBytes };
    },
    unconfirmed(limit) {
      return p.mempool.list(limit);
    },
    peers() {
      return p.peers?.() ?? [];
    },
    async metrics() {
      p.metrics.mempoolSize.set(p.mempool.size);
      p.metrics.mempoolBytes.set(p.mempool.sizeBytes);
      return p.metrics.text();
    },
  };
  if (p.admission) {
    Object.assign(node, {
      broadcastBatch: batchBroadcaster({
        admission: p.admission,
        mempool: p.mempool,
        commitTimeoutMs: p.config.rpc.timeout_broadcast_commit_ms,
        lookupCommitted: async (h: string) => {
          const t = await p.blocks.loadTx(h);
          return t && { height: t.height, index: t.index, code: t.result.code, log: t.result.log };
        },
      }),
      rejectedTx: (h: string) => p.mempool.rejected(h),
    });
  }
  return node;
}

function tokenView(t: { name: string; symbol: string; original_symbol: string; total_supply: string; owner: string; mintable: boolean }): TokenView {
  return { name: t.name, symbol: t.symbol, originalSymbol: t.original_symbol, totalSupply: parseFixed8(t.total_supply), owner: t.owner, mintable: t.mintable };
}

async function withTime(p: NodeParts, t: StoredTx | undefined): Promise<StoredTx | undefined> {
  if (!t || t.timeMs) return t;
  const info = await p.blocks.blockInfo(t.height);
  return { ...t, timeMs: info?.timeMs };
}
