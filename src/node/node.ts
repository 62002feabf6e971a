/**
 * A dexchain node: wires the pure parts (app, consensus) to the services at the edges (LevelDB,
 * block store, mempool, HTTP RPC, timers, libp2p) and owns their lifecycle.
 *
 * Start order: stores → app → validator sets → handshake (genesis or crash replay) → mempool →
 * RPC → engine → p2p. Stop order is the reverse; a stop waits for a block being applied.
 *
 * Engine choice: a lone validator with no peers configured runs `SoloProducer` (it decides a
 * block per `timeout_commit` without the network); every other node — more than one validator
 * in genesis, persistent peers or seeds configured, or a key that is not a validator (a full
 * node) — runs `BftEngine` over the libp2p host.
 */
import { mkdirSync } from 'node:fs';
import { homePaths, loadConfig, parseLaddr, type NodeConfig, type HomePaths } from './config.js';
import { readGenesis, type GenesisDoc } from './genesis-file.js';
import { loadValidatorKey, type ValidatorKey } from './privval.js';
import { createLogger, type Logger } from './logger.js';
import { NodeMetrics } from './metrics.js';
import { BlockExecutor } from './executor.js';
import { SoloProducer, type ConsensusEngine } from './solo-producer.js';
import { Mempool } from '../mempool/mempool.js';
import { openStateStore } from '../state/index.js';
import { openBlockStore, type BlockStore } from '../store/index.js';
import { createVerifier } from '../crypto/verifier.js';
import { VerifyPool } from '../crypto/pool.js';
import { Admission } from '../mempool/admission.js';
import { consensusAddress, toHex } from '../crypto/hash.js';
import { DexApp } from '../app/app.js';
import { validatorSetHash } from '../consensus/block.js';
import { RpcServer } from '../rpc/server.js';
import { splitPeerList } from '../p2p/peer-addr.js';
import type { Network } from '../p2p/types.js';
import { BftEngine } from './bft-engine.js';
import { ValidatorSetHistory } from './validator-sets.js';
import { attachTxGossip } from './tx-gossip.js';
import { buildRpcNode, type NodeParts } from './rpc-adapter.js';
import { attachWebsocket, blockEventOf, LiveHub, type LiveSockets } from '../rpc/websocket.js';
import { webMount, defaultWebDist } from '../rpc/web.js';
import { publishBlockEvents } from './live-events.js';
import type { StateStore } from '../state/types.js';
import type { Validator } from '../consensus/types.js';

export const VERSION = '0.1.0';

export interface NodeOptions {
  home: string;
  /** Config overrides already applied by the caller (flags). */
  config?: NodeConfig;
  logger?: Logger;
  /** Network factory (tests inject a MemoryNetwork); default: the libp2p host from the config. */
  network?: (init: { chainId: string; persistentPeers: string[]; seeds: string[] }) => Network;
  /** Extra BftEngine settings (tests: faster gossip and block-sync polling). */
  engine?: { gossipIntervalMs?: number; sync?: import('./block-sync.js').BlockSyncOptions };
}

export class DexNode {
  readonly paths: HomePaths;
  readonly config: NodeConfig;
  readonly genesis: GenesisDoc;
  readonly log: Logger;
  readonly metrics = new NodeMetrics();
  /** Live events for the websockets (blocks, trades, depth, accounts). */
  readonly live = new LiveHub();
  private sockets?: LiveSockets;
  private verifyPool?: VerifyPool;
  admission?: Admission;
  private key!: ValidatorKey;
  private state!: StateStore;
  private blocks!: BlockStore;
  app!: DexApp;
  mempool!: Mempool;
  executor!: BlockExecutor;
  engine!: ConsensusEngine;
  rpc!: RpcServer;
  network: Network | undefined;
  valsets!: ValidatorSetHistory;
  private validators: Validator[] = [];
  private lastHeight = 0;
  private lastTimeMs = 0;
  private lastHash: Uint8Array = new Uint8Array();
  private started = false;
  rpcAddress = '';

  constructor(opts: NodeOptions) {
    this.paths = homePaths(opts.home);
    this.config = opts.config ?? loadConfig(this.paths);
    this.genesis = readGenesis(this.paths.genesisFile);
    this.log = opts.logger ?? createLogger(this.config.log_level);
    this.opts = opts;
  }
  private readonly opts: NodeOptions;

  get chainId(): string {
    return this.genesis.chain_id;
  }
  get hrp(): string {
    return this.genesis.address_prefix;
  }

  async start(): Promise<void> {
    const cfg = this.config;
    this.log.info({ home: this.paths.home, chain_id: this.chainId, config: cfg }, 'starting dexchain node');
    this.key = loadValidatorKey(this.paths.privValidatorKey);
    mkdirSync(this.paths.dataDir, { recursive: true });
    // deferWrites: a commit is live in memory at once while LevelDB finishes the batch; a crash
    // before it lands is repaired by replaying the stored block (see executor.handshake).
    this.state = await openStateStore(this.paths.stateDb, { deferWrites: true });
    this.blocks = await openBlockStore(this.paths.blockDb);
    const verifier = createVerifier();
    this.log.info({ backend: verifier.backend }, 'signature verifier');
    // Signatures are checked in batches on worker threads (one per core) before txs reach the app.
    this.verifyPool = new VerifyPool();
    await this.verifyPool.ready().catch((e: Error) => this.log.warn({ err: e.message }, 'verify pool unavailable; verifying inline'));
    this.app = new DexApp({ store: this.state, verifier, verifyPool: this.verifyPool, logger: this.log.child({ module: 'app' }) });
    this.validators = this.genesis.app_state.validators.map((v) => {
      const pubKey = new Uint8Array(Buffer.from(v.consensus_pub_key, 'base64'));
      return { address: consensusAddress(pubKey), pubKey, votingPower: BigInt(v.power), proposerPriority: 0n };
    });
    const powers = new Map(this.validators.map((v) => [toHex(v.address), v.votingPower]));

    this.valsets = new ValidatorSetHistory(this.blocks);
    await this.valsets.init(
      this.validators.map((v) => ({ pubKey: v.pubKey, power: v.votingPower })),
      await this.blocks.latestHeight(),
    );
    this.executor = new BlockExecutor(this.app, this.blocks, this.log.child({ module: 'executor' }));
    if (this.app.info().lastBlockHeight === 0 && (await this.blocks.latestHeight()) === 0) {
      await this.app.initChain(this.genesis);
      this.log.info({ chain_id: this.chainId }, 'applied genesis');
    } else if (this.app.info().lastBlockHeight === 0) {
      await this.app.initChain(this.genesis);
    }
    await this.executor.handshake((h) => (h === 0 ? powers : this.valsets.powers(h)));
    this.mempool = new Mempool(this.app, cfg.mempool);
    this.admission = new Admission(this.app, this.mempool);
    this.executor.setMempool(this.mempool);
    this.lastHeight = await this.blocks.latestHeight();
    this.executor.onBlock((b) => {
      if (this.lastHeight > 0) this.metrics.blockInterval.observe((b.block.header.timeMs - this.lastTimeMs) / 1000);
      this.lastHeight = b.block.header.height;
      this.lastTimeMs = b.block.header.timeMs;
      this.lastHash = b.hash;
      this.metrics.height.set(this.lastHeight);
      const current = this.valsets.get(this.lastHeight + 1);
      if (current) this.validators = current.validators;
      this.metrics.blockTxs.observe(b.block.txs.length);
      let okCount = 0;
      for (const r of b.results) if (r.code === 0) okCount++;
      this.metrics.txsCommitted.inc({ result: 'ok' }, okCount);
      this.metrics.txsCommitted.inc({ result: 'failed' }, b.results.length - okCount);
      this.metrics.mempoolSize.set(this.mempool.size);
      this.metrics.mempoolBytes.set(this.mempool.sizeBytes);
    });
    this.executor.onBlock((b) => this.live.publishBlock(blockEventOf(b)));

    const ours = this.validators.find((v) => toHex(v.address) === toHex(this.key.address));
    const peers = splitPeerList(cfg.p2p.persistent_peers);
    const seeds = splitPeerList(cfg.p2p.seeds);
    const useBft = this.validators.length !== 1 || !ours || peers.length > 0 || seeds.length > 0;
    const maxBlockBytes = Math.min(cfg.consensus.max_block_bytes, this.genesis.consensus_params.block.max_bytes);
    const maxBlockTxs = Math.min(cfg.consensus.max_block_txs, this.genesis.consensus_params.block.max_txs);
    if (!useBft) {
      this.engine = new SoloProducer({
        chainId: this.chainId,
        key: this.key,
        app: this.app,
        mempool: this.mempool,
        executor: this.executor,
        blocks: this.blocks,
        validatorsHash: validatorSetHash(this.validators),
        powers,
        genesisTimeMs: Date.parse(this.genesis.genesis_time),
        blockIntervalMs: cfg.consensus.timeout_commit_ms,
        maxBlockBytes,
        maxBlockTxs,
        createEmptyBlocks: cfg.consensus.create_empty_blocks,
        log: this.log.child({ module: 'consensus' }),
        admitted: () => this.admission!.settled(),
      });
    } else {
      // libp2p is loaded only by nodes that use it (it costs a one-validator node seconds of start-up).
      const network = this.opts.network?.({ chainId: this.chainId, persistentPeers: peers, seeds }) ?? new (await import('../p2p/host.js')).P2PHost({
        chainId: this.chainId,
        listen: cfg.p2p.laddr,
        nodeKeyPath: this.paths.nodeKey,
        persistentPeers: peers,
        seeds,
        maxPeers: cfg.p2p.max_peers,
        logger: this.log.child({ module: 'p2p' }),
      });
      this.network = network;
      attachTxGossip(this.mempool, this.admission!, network, this.log.child({ module: 'mempool' }));
      const c = cfg.consensus;
      this.engine = new BftEngine({
        chainId: this.chainId,
        key: this.key,
        signerStatePath: this.paths.privValidatorState,
        walDir: this.paths.walDir,
        evidencePath: this.paths.evidence,
        app: this.app,
        mempool: this.mempool,
        executor: this.executor,
        blocks: this.blocks,
        network,
        valsets: this.valsets,
        genesisTimeMs: Date.parse(this.genesis.genesis_time),
        timeouts: {
          proposeMs: c.timeout_propose_ms,
          proposeDeltaMs: c.timeout_propose_delta_ms,
          prevoteMs: c.timeout_prevote_ms,
          prevoteDeltaMs: c.timeout_prevote_delta_ms,
          precommitMs: c.timeout_precommit_ms,
          precommitDeltaMs: c.timeout_precommit_delta_ms,
          commitMs: c.timeout_commit_ms,
        },
        maxBlockBytes,
        maxBlockTxs,
        createEmptyBlocks: cfg.consensus.create_empty_blocks,
        log: this.log.child({ module: 'consensus' }),
        metrics: this.metrics,
        gossipIntervalMs: this.opts.engine?.gossipIntervalMs,
        sync: this.opts.engine?.sync,
      });
    }
    const current = this.valsets.get((await this.blocks.latestHeight()) + 1);
    if (current) this.validators = current.validators;
    await this.loadLastBlockInfo();

    const { host, port } = parseLaddr(cfg.rpc.laddr);
    const parts: NodeParts = {
      chainId: this.chainId,
      hrp: this.hrp,
      version: VERSION,
      moniker: cfg.moniker,
      config: cfg,
      genesis: this.genesis,
      key: this.key,
      app: this.app,
      admission: this.admission,
      mempool: this.mempool,
      blocks: this.blocks,
      metrics: this.metrics,
      validators: () => this.validators,
      validatorsAt: (h: number) => this.valsets.get(h)?.validators,
      last: () => ({ height: this.lastHeight, timeMs: this.lastTimeMs, hash: this.lastHash }),
      engine: () => this.engine,
      rpcAddress: () => this.rpcAddress,
      peers: () => this.network?.peers() ?? [],
      nodeId: () => {
        try {
          return this.network?.peerId;
        } catch {
          return undefined; // not started yet
        }
      },
    };
    const rpcNode = buildRpcNode(parts);
    this.rpc = new RpcServer(rpcNode, {
      host,
      port,
      maxBodyBytes: cfg.rpc.max_body_bytes,
      maxOpenConnections: cfg.rpc.max_open_connections,
      requestsPerSecondPerIp: cfg.rpc.requests_per_second_per_ip,
    }, this.log.child({ module: 'rpc' }));
    if (cfg.rpc.web) this.rpc.mount(webMount(defaultWebDist()));
    const addr = await this.rpc.start();
    const rpcServer = this.rpc;
    this.metrics.bind({ verifyPool: () => this.verifyPool?.stats, rpc: () => rpcServer.stats, refusals: () => this.admission?.refusals.values() });
    this.sockets = attachWebsocket(this.rpc.httpServer!, { node: rpcNode, hub: this.live, log: this.log.child({ module: 'ws' }) });
    // After the block event of the same height: trades, order changes, depth, balances.
    this.executor.onBlock((b) => publishBlockEvents(this.live, b, rpcNode, this.hrp));
    this.rpcAddress = `tcp://${addr.host}:${addr.port}`;
    this.log.info({ rpc: `http://${addr.host}:${addr.port}` }, 'RPC listening');
    await this.engine.start();
    if (this.network) {
      await this.network.start();
      this.log.info({ peer_id: this.network.peerId, listen: this.network.listenAddrs() }, 'p2p listening');
    }
    this.started = true;
  }

  private async loadLastBlockInfo(): Promise<void> {
    const h = await this.blocks.latestHeight();
    this.lastHeight = h;
    this.lastTimeMs = Date.parse(this.genesis.genesis_time);
    if (h > 0) {
      const { decodeBlock, headerHash } = await import('../consensus/block.js');
      const b = decodeBlock((await this.blocks.loadBlockBytes(h))!);
      this.lastTimeMs = b.header.timeMs;
      this.lastHash = headerHash(b.header);
    }
    this.metrics.height.set(h);
    this.metrics.validators.set(this.validators.length);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.log.info('stopping');
    // Websockets first: the HTTP server's close waits for every open connection.
    await this.sockets?.close();
    await this.rpc?.stop();
    await this.engine?.stop();
    // the last block's save and listeners (a failed save was logged where it failed)
    await this.executor?.idle().catch(() => undefined);
    await this.network?.stop();
    this.mempool?.close();
    await this.admission?.idle();
    await this.verifyPool?.close();
    await this.blocks?.close();
    await this.state?.close();
    this.log.info('stopped');
  }
}
