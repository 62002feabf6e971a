/**
 * DexApp: the deterministic application behind the ABCI-shaped seam. It owns no clock, socket
 * or disk beyond the StateStore it is given; block time comes in the request.
 *
 * State views:
 *  - deliver: each tx runs in `store.cache()` over the working view; `write()` only on success.
 *  - check:   an overlay over the committed state (over the working view before the first
 *             commit, where genesis waits), reset at every commit; each checkTx runs in its own
 *             overlay on top, so the mempool sees pending sequences.
 * A failed tx (ante or handler) leaves no state change and pays no fee.
 */
import { rootError, toChainError } from '../errors.js';
import { decodeTx, txHashHex, MAX_TX_BYTES } from '../codec/index.js';
import type { DecodedTx } from '../codec/types.js';
import type { SignatureVerifier } from '../crypto/verifier.js';
import type { CommitOptions, KVReader, KVWriter, StateStore } from '../state/types.js';
import type {
  AppEvent,
  Application,
  Attribute,
  CheckTxKind,
  CheckTxResult,
  FinalizeBlockRequest,
  FinalizeBlockResponse,
  InfoResponse,
  InitChainResponse,
  QueryResponse,
  TxResult,
} from './abci.js';
import { DiscardingEventSink, EventSink, HistorySink, silentLogger, type BlockContext, type BlockInfo, type ChainInfo, type ExecMode, type Logger, type TxContext } from './context.js';
import { EndBlockOrder, Router, defaultSigners, type AppModule } from './router.js';
import { msgAddresses } from '../codec/msg-addresses.js';
import { runAnte, signatureJobs, FEE_DENOM, type AnteDeps } from './ante.js';
import type { VerifyJob } from '../crypto/pool.js';
import { SigCache } from './sigcache.js';
import { signaturesVerdict, TX_ALL_VALID, type SignChain } from './tx-verify.js';
import { FeePool, distributeFees } from './fees.js';
import { Overlay } from './overlay.js';
import { validateGenesis } from './genesis.js';
import { AppQueries } from './queries.js';
import { encodeAddress } from '../codec/index.js';
import { Bank, bankModule, totalSupplyMatchesBalances, nonNegativeBalances } from '../modules/bank/index.js';
import { Tokens, TimeLocks, tokensModule } from '../modules/tokens/index.js';
import { Staking, stakingModule, stakingGovHook } from '../modules/staking/index.js';
import { FeeChanges, ParamsKeeper, paramsModule, type FeeTable } from '../modules/params/index.js';
import { GovKeeper, govModule } from '../modules/gov/index.js';
import { DexKeeper, dexModule } from '../modules/dex/index.js';
import { pegModule, pegGovHook, pegGovExecutor, pegInvariants, PEG_MODULE_ADDRESS, type PegKeeper } from '../modules/peg/index.js';
import { insuranceModule, insuranceGovExecutor, insuranceFundBacked, type InsuranceKeeper } from '../modules/insurance/index.js';
import { makeRoom } from '../cache/evict.js';
import { toHex } from '../crypto/hash.js';

const CHAIN_KEY = new TextEncoder().encode('app/chain');
const LAST_BLOCK_TIME_KEY = new TextEncoder().encode('app/lastBlockTime');
const enc = new TextEncoder();
const dec = new TextDecoder();
const EMPTY = new Uint8Array(0);
const DAY_MS = 86_400_000;
const FEE_COIN: { denom: string; amount: bigint }[] = [{ denom: FEE_DENOM, amount: 0n }];

/** Breathe block: the first block whose time is in a new UTC day (spec §E.2). */
export function isBreatheBlock(prevTimeMs: number, timeMs: number): boolean {
  return prevTimeMs > 0 && Math.floor(prevTimeMs / DAY_MS) !== Math.floor(timeMs / DAY_MS);
}

/** What `preverify` needs from the worker pool (`VerifyPool` fits). */
export interface BatchVerifier {
  verifyBatch(jobs: VerifyJob[]): Promise<boolean[]>;
  /**
   * Tx-level verdicts (`TxVerdict`, see tx-verify.ts), the whole per-tx work done off this
   * thread. When present, `preverify` uses it and neither decodes nor hashes sign bytes here.
   */
  verifyTxs?(txs: readonly Uint8Array[], chain: SignChain): Promise<Int32Array>;
}

export interface DexAppDeps {
  store: StateStore;
  verifier: SignatureVerifier;
  logger?: Logger;
  sigCache?: SigCache;
  /** Verifies `preverify` batches off the main thread; without it they verify inline. */
  verifyPool?: BatchVerifier;
  /** Decoded txs kept between admission/preverify and checkTx (default 100k). */
  decodedTxCacheSize?: number;
}

/**
 * Decoded txs by hash, bounded (oldest dropped first). A tx is decoded when it is admitted
 * (senderOf, preverify, the admission pipeline's precheck) and used again, decoded, by its
 * checkTx, which takes it out; deliverTx decodes again (see runTx). Decoding is a pure function of the
 * bytes, so the cached object is exactly what decoding again would give; it is never mutated.
 */
class DecodedTxCache {
  private readonly m = new Map<string, DecodedTx>();
  constructor(readonly capacity: number) {}
  get(hash: string): DecodedTx | undefined {
    return this.m.get(hash);
  }
  set(hash: string, d: DecodedTx): void {
    makeRoom(this.m, this.capacity);
    this.m.set(hash, d);
  }
  delete(hash: string): void {
    this.m.delete(hash);
  }
  get size(): number {
    return this.m.size;
  }
}

interface TxOutcome {
  result: TxResult;
  sender?: Uint8Array;
  fee: bigint;
}

export class DexApp implements Application {
  readonly router = new Router();
  readonly bank = new Bank();
  readonly tokens = new Tokens();
  readonly timeLocks = new TimeLocks();
  readonly staking = new Staking();
  readonly params = new ParamsKeeper();
  readonly gov: GovKeeper;
  readonly dex: DexKeeper;
  readonly peg: PegKeeper;
  readonly insurance: InsuranceKeeper;
  readonly sigCache: SigCache;
  readonly queries: AppQueries;

  private readonly store: StateStore;
  private readonly verifier: SignatureVerifier;
  private readonly verifyPool: BatchVerifier | undefined;
  private readonly decodedTxs: DecodedTxCache;
  /** Block info checkTx runs under; built once per check state (reset at commit). */
  private checkBlock: BlockInfo | undefined;
  private readonly logger: Logger;
  private readonly anteDeps: AnteDeps;
  private chainInfo: ChainInfo | undefined;
  private checkState: Overlay | undefined;
  /**
   * checkTx's per-tx write layer, one overlay over `checkState` reused for every tx (emptied by
   * `write()` on success and by `discard()` on failure); a block's delivery reuses one store cache
   * over its working view the same way (`finalizeBlock`).
   */
  private checkTxCache: Overlay | undefined;
  /** Fees taken by checkTx are never paid out; the pool just absorbs them. */
  private readonly checkFees = new FeePool();
  private readonly blockFees = new FeePool();
  private pendingHeight: number | undefined;
  /**
   * The fee table as the check state and as the block being delivered see it, with the params
   * generation it was read under: read once per check state / block, again only after a
   * `setFeeTable` (a failed tx that set it leaves the re-read table as the state has it).
   */
  private checkFeeTable: { table: FeeTable; gen: number } | undefined;
  private deliverFeeTable: { table: FeeTable; gen: number } | undefined;
  /** Events of check-mode txs go nowhere (check answers carry none): one sink, emptied per tx. */
  private readonly checkSink: EventSink = new DiscardingEventSink();
  /** The running block's history (closed orders, trades), handed out with its results. */
  private blockHistory = new HistorySink();
  /** A tx's history while it runs: moved to the block's if it succeeds, dropped if not. */
  private readonly txHistory = new HistorySink();

  constructor(deps: DexAppDeps) {
    this.store = deps.store;
    this.verifier = deps.verifier;
    this.logger = deps.logger ?? silentLogger;
    this.sigCache = deps.sigCache ?? new SigCache();
    this.verifyPool = deps.verifyPool;
    this.decodedTxs = new DecodedTxCache(deps.decodedTxCacheSize ?? 100_000);
    this.anteDeps = { router: this.router, bank: this.bank, params: this.params, verifier: this.verifier, sigCache: this.sigCache };
    // FeeChange proposals: checked by gov at submission, applied at breathe blocks (the DEX
    // keeper, made below, takes the DEX fees)
    const feeChanges = new FeeChanges(this.params, () => this.dex);
    this.registerModule(paramsModule(this.params, feeChanges));
    this.registerModule(bankModule(this.bank));
    this.registerModule(tokensModule(this.tokens, this.bank, this.timeLocks));
    this.registerModule(stakingModule(this.staking, this.bank));
    this.gov = new GovKeeper({ bank: this.bank, staking: this.staking });
    // The DEX reads gov (listing proposals) through a narrow interface and registers its gov hook.
    this.dex = new DexKeeper({ bank: this.bank, tokens: this.tokens, gov: this.gov });
    this.registerModule(govModule(this.gov));
    this.gov.addHook(stakingGovHook(this.staking, () => this.chain()));
    this.gov.addHook(feeChanges);
    // The peg creates its pegged tokens at genesis, so it comes before the DEX (whose genesis
    // pairs may quote them); insurance takes its share of the fee pool before it is distributed.
    const peg = pegModule({ bank: this.bank, tokens: this.tokens });
    const insurance = insuranceModule({ bank: this.bank });
    this.peg = peg.keeper;
    this.insurance = insurance.keeper;
    this.registerModule(peg);
    this.tokens.addModuleOwner(PEG_MODULE_ADDRESS);
    this.registerModule(insurance);
    this.gov.addHook(pegGovHook([pegGovExecutor(peg.keeper), insuranceGovExecutor(insurance.keeper)], () => this.chain()));
    this.registerModule(dexModule(this.dex));
    this.registerModule({
      name: 'fees',
      endBlock: { order: EndBlockOrder.fees, run: (ctx) => distributeFees(ctx, this.bank, this.staking) },
    });
    this.queries = new AppQueries({
      committed: () => this.committedView(),
      pending: () => this.check(),
      chain: () => this.chain(),
      bank: this.bank,
      tokens: this.tokens,
      timeLocks: this.timeLocks,
      params: this.params,
      staking: this.staking,
    });
  }

  /** Adds a module (msg handlers, genesis, block hooks, queries). Call before initChain. */
  registerModule(m: AppModule): void {
    this.router.registerModule(m);
  }

  // -------------------------------------------------------------------------------------------
  // chain info and views

  private committedView(): KVReader {
    // Before the first commit, genesis lives only in the working view.
    return this.store.height === 0 ? this.store.working() : this.store.committed();
  }

  /** Chain id and address prefix, loaded from state on first use after a restart. */
  chain(): ChainInfo {
    if (this.chainInfo) return this.chainInfo;
    const raw = this.committedView().get(CHAIN_KEY);
    if (!raw) throw rootError('internal', 'the chain has no genesis yet (initChain was not called)');
    const j = JSON.parse(dec.decode(raw)) as { chain_id: string; address_prefix: string };
    this.chainInfo = { chainId: j.chain_id, hrp: j.address_prefix };
    return this.chainInfo;
  }

  private check(): Overlay {
    if (!this.checkState) {
      this.checkState = new Overlay(this.committedView());
      this.checkTxCache = new Overlay(this.checkState);
      this.checkBlock = undefined;
      this.checkFeeTable = undefined;
    }
    return this.checkState;
  }

  private lastBlockTime(kv: KVReader): number {
    const raw = kv.get(LAST_BLOCK_TIME_KEY);
    return raw ? Number(dec.decode(raw)) : 0;
  }

  // -------------------------------------------------------------------------------------------
  // Application

  info(): InfoResponse {
    let chainId = '';
    try {
      chainId = this.chain().chainId;
    } catch {
      /* before genesis */
    }
    return { lastBlockHeight: this.store.height, lastBlockAppHash: this.store.appHash, chainId };
  }

  async initChain(genesis: unknown): Promise<InitChainResponse> {
    if (this.store.height > 0) throw new Error(`initChain on a chain already at height ${this.store.height}`);
    const g = validateGenesis(genesis);
    const kv = this.store.working();
    if (kv.has(CHAIN_KEY)) throw new Error('genesis was already applied');
    const chain: ChainInfo = { chainId: g.chainId, hrp: g.hrp };
    kv.set(CHAIN_KEY, enc.encode(JSON.stringify({ chain_id: g.chainId, address_prefix: g.hrp })));
    kv.set(LAST_BLOCK_TIME_KEY, enc.encode(String(g.genesisTimeMs)));
    for (const m of this.router.list()) m.initGenesis?.(kv, g, chain);
    this.chainInfo = chain;
    this.checkState = undefined;
    this.checkTxCache = undefined;
    this.checkBlock = undefined;
    this.logger.info({ chainId: g.chainId, accounts: g.accounts.length, tokens: g.tokens.length, validators: g.validators.length }, 'genesis applied');
    return {
      appHash: this.store.computeHash(),
      validators: g.validators.map((v) => ({ pubKey: v.consensusPubKey, power: v.power })),
    };
  }

  /**
   * Hex address of the tx's first signer (who pays), without running it: the mempool applies
   * its per-sender limit before checkTx, whose state changes (the sequence bump) cannot be
   * undone. Undefined for a tx that does not decode or has no known msg.
   */
  senderOf(tx: Uint8Array, hash?: string, decoded?: DecodedTx): string | undefined {
    try {
      const msg = (decoded ?? this.decodeCached(tx, hash, false)).tx.msgs[0];
      if (!msg) return undefined;
      const handler = this.router.handler(msg.type);
      const first = (handler.signers ? handler.signers(msg) : defaultSigners(msg))[0];
      return first ? toHex(first) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * @param hash the tx's UPPERCASE hex hash when the caller has it (the mempool does).
   * @param decoded `decodedTx(tx, hash, true)`, when the caller holds it: the mempool keeps it
   *   with the tx, so a recheck runs the whole check again without decoding again.
   */
  checkTx(tx: Uint8Array, kind: CheckTxKind, hash?: string, decoded?: DecodedTx): CheckTxResult {
    let chain: ChainInfo;
    try {
      chain = this.chain();
    } catch (e) {
      const ce = toChainError(e);
      return { code: ce.code, log: ce.message, data: EMPTY, events: [], hash: hash ?? safeHash(tx), fee: 0n };
    }
    const state = this.check();
    let block = this.checkBlock;
    if (!block) {
      const t = this.lastBlockTime(state);
      block = this.checkBlock = {
        height: this.store.height + 1,
        timeMs: t,
        prevTimeMs: t,
        breathe: false,
        proposerAddress: EMPTY,
        lastCommitVotes: [],
        misbehavior: [],
        hash: '',
      };
    }
    const out = this.runTx(tx, kind === 'new' ? 'check' : 'recheck', this.checkTxCache!, chain, block, this.checkFees, hash, decoded);
    this.checkFees.reset();
    // check-mode results are built with their `fee` and `sender` slots already (see execTx)
    const r = out.result as CheckTxResult;
    if (r.fee === undefined) r.fee = out.fee;
    return r;
  }

  prepareProposal(txs: Uint8Array[], maxBytes: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let total = 0;
    for (const tx of txs) {
      if (total + tx.length > maxBytes) break;
      total += tx.length;
      out.push(tx);
    }
    return out;
  }

  processProposal(_req: FinalizeBlockRequest): boolean {
    // Invalid txs inside a block are allowed (they get error results); nothing to reject here.
    return true;
  }

  finalizeBlock(req: FinalizeBlockRequest): FinalizeBlockResponse {
    if (this.pendingHeight !== undefined) throw new Error(`block ${this.pendingHeight} was finalized but not committed`);
    const chain = this.chain();
    const expected = this.store.height + 1;
    if (req.height !== expected) throw new Error(`finalizeBlock height ${req.height}, expected ${expected}`);
    const kv = this.store.working();
    const prevTimeMs = this.lastBlockTime(kv);
    const block: BlockInfo = {
      height: req.height,
      timeMs: req.timeMs,
      prevTimeMs,
      breathe: isBreatheBlock(prevTimeMs, req.timeMs),
      proposerAddress: req.proposerAddress,
      lastCommitVotes: req.lastCommitVotes,
      misbehavior: req.misbehavior,
      hash: req.hash,
    };
    this.blockFees.reset();
    this.deliverFeeTable = undefined;
    const blockEvents = new EventSink();
    const history = (this.blockHistory = new HistorySink());
    const bctx: BlockContext = { kv, chain, block, events: blockEvents, fees: this.blockFees, logger: this.logger, history };
    for (const h of this.router.beginBlockers()) h.run(bctx);
    const cache = this.store.cache();
    const txResults: TxResult[] = new Array(req.txs.length);
    const known = req.txHashes && req.txHashes.length === req.txs.length ? req.txHashes : undefined;
    const decoded = req.decodedTxs && req.decodedTxs.length === req.txs.length ? req.decodedTxs : undefined;
    for (let i = 0; i < req.txs.length; i++) {
      const tx = req.txs[i]!;
      txResults[i] = this.runTx(tx, 'deliver', cache, chain, block, this.blockFees, known?.[i], decoded?.[i]).result;
    }
    for (const h of this.router.endBlockers()) h.run(bctx);
    kv.set(LAST_BLOCK_TIME_KEY, enc.encode(String(req.timeMs)));
    const validatorUpdates = this.staking.validatorUpdates(kv);
    const appHash = this.store.computeHash();
    this.pendingHeight = req.height;
    const dexHistory = { closedOrders: history.closedOrders, trades: history.trades, keepBlocks: this.dex.getParams(kv).historyBlocks };
    return { txResults, events: blockEvents.events, validatorUpdates, appHash, history: dexHistory };
  }

  async commit(opts?: CommitOptions): Promise<{ height: number; appHash: Uint8Array }> {
    const height = this.pendingHeight;
    if (height === undefined) throw new Error('commit without a finalized block');
    const appHash = await this.store.commit(height, opts);
    this.pendingHeight = undefined;
    this.checkState = undefined; // recheck runs against the new state
    this.checkTxCache = undefined;
    this.checkBlock = undefined;
    return { height, appHash };
  }

  query(path: string, data: Uint8Array, height?: number): QueryResponse {
    const h = this.store.height;
    try {
      if (height !== undefined && height !== 0 && height !== h) {
        throw rootError('invalidRequest', `only the latest height (${h}) can be queried, not ${height}`);
      }
      const parts = path.replace(/^\/+/, '').split('/');
      const route = this.router.queryRoute(parts[0] ?? '');
      if (!route) throw rootError('unknownRequest', `unknown query path ${path}`);
      const value = route.handle(this.committedView(), parts.slice(1), data, this.chain());
      return { code: 0, log: '', value, height: h };
    } catch (e) {
      const ce = toChainError(e);
      return { code: ce.code, log: ce.message, value: EMPTY, height: h };
    }
  }

  // -------------------------------------------------------------------------------------------
  // invariants (tests, debug)

  /** Runs the named invariants on the committed (or given) state; returns the breaches. */
  checkInvariants(kv: KVReader = this.committedView()): string[] {
    const out: string[] = [];
    const a = nonNegativeBalances(kv, this.bank);
    if (a) out.push(`nonNegativeBalances: ${a}`);
    const b = totalSupplyMatchesBalances(kv, this.bank, this.tokens.supplies(kv));
    if (b) out.push(`totalSupplyMatchesBalances: ${b}`);
    out.push(...pegInvariants(kv, this.peg, false));
    const c = insuranceFundBacked(kv, this.insurance, false);
    if (c) out.push(`insuranceFundBacked: ${c}`);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // decode once, verify once

  /**
   * The decoded tx, from the cache when admission or preverify saw it (throws a `txDecode` /
   * `txTooLarge` ChainError like decodeTx). `consume` drops it from the cache (checkTx ran).
   */
  decodedTx(bytes: Uint8Array, hash?: string, consume = false): DecodedTx {
    return this.decodeCached(bytes, hash, consume);
  }

  private decodeCached(bytes: Uint8Array, hash: string | undefined, consume: boolean): DecodedTx {
    const h = hash ?? txHashHex(bytes);
    const hit = this.decodedTxs.get(h);
    if (hit) {
      if (consume) this.decodedTxs.delete(h);
      return hit;
    }
    const d = decodeTx(bytes, h);
    if (!consume) this.decodedTxs.set(h, d);
    return d;
  }

  /**
   * Verifies the signatures of txs not verified yet, in one batch on the worker pool (inline
   * without one), and records each verdict in `sigCache`, so checkTx / deliverTx of these txs
   * verify nothing. With a tx-level pool (`verifyTxs`, e.g. VerifyPool) the workers do all the
   * per-tx work and this thread does only hash look-ups and one copy of the bytes; otherwise
   * the txs are decoded here (and kept in the decode cache). Undecodable txs are skipped
   * (checkTx rejects them). Run it on a batch of incoming txs before checkTx, and on a
   * proposal's txs before finalizeBlock. Rejects only when the pool does (queue full, closed):
   * the txs then simply verify inline in the ante step.
   *
   * @param hashes the txs' UPPERCASE hex hashes when the caller has them (same order)
   */
  async preverify(txs: readonly Uint8Array[], hashes?: readonly string[]): Promise<void> {
    let chain: ChainInfo;
    try {
      chain = this.chain();
    } catch {
      return;
    }
    const pool = this.verifyPool;
    if (pool?.verifyTxs) return this.preverifyOnWorkers(pool as Required<BatchVerifier>, txs, hashes, chain);
    if (!pool) return this.preverifyInline(txs, hashes, chain);
    return this.preverifyJobs(pool, txs, hashes, chain);
  }

  /** The txs of a batch whose verdict is not known yet, each once, with its hash. */
  private *unverified(txs: readonly Uint8Array[], hashes: readonly string[] | undefined): Generator<{ tx: Uint8Array; hash: string }> {
    const seen = new Set<string>();
    for (let t = 0; t < txs.length; t++) {
      const hash = hashes?.[t] ?? txHashHex(txs[t]!);
      if (seen.has(hash) || this.sigCache.status(hash) !== undefined) continue;
      seen.add(hash);
      yield { tx: txs[t]!, hash };
    }
  }

  /** The same, decoded through the decode cache (undecodable txs are skipped: checkTx rejects them). */
  private *unverifiedDecoded(txs: readonly Uint8Array[], hashes: readonly string[] | undefined): Generator<{ hash: string; d: DecodedTx }> {
    for (const { tx, hash } of this.unverified(txs, hashes)) {
      let d: DecodedTx;
      try {
        d = this.decodeCached(tx, hash, false);
      } catch {
        continue;
      }
      yield { hash, d };
    }
  }

  /**
   * The throughput path: this thread only looks hashes up and hands the bytes over; the workers
   * decode, build sign bytes, hash and verify (`txVerdict`), and the verdicts land in sigCache.
   * Nothing is decoded here: admission already decoded (and cached) each tx, and deliverTx
   * decodes what it has not seen.
   */
  private async preverifyOnWorkers(pool: Required<BatchVerifier>, txs: readonly Uint8Array[], hashes: readonly string[] | undefined, chain: ChainInfo): Promise<void> {
    const send: Uint8Array[] = [];
    const sent: string[] = [];
    for (const { tx, hash } of this.unverified(txs, hashes)) {
      // empty or oversize bytes decode to an error: no verdict, and no point shipping them
      if (tx.length === 0 || tx.length > MAX_TX_BYTES) continue;
      send.push(tx);
      sent.push(hash);
    }
    if (send.length === 0) return;
    const verdicts = await pool.verifyTxs(send, { chainId: chain.chainId, hrp: chain.hrp });
    for (let i = 0; i < sent.length; i++) this.recordVerdict(sent[i]!, verdicts[i]!);
  }

  /** No pool: the same verdicts, computed here (decoding through the decode cache). */
  private preverifyInline(txs: readonly Uint8Array[], hashes: readonly string[] | undefined, chain: ChainInfo): void {
    const verify = (sig: Uint8Array, h: Uint8Array, pub: Uint8Array): boolean => this.verifier.verify(sig, h, pub);
    for (const { hash, d } of this.unverifiedDecoded(txs, hashes)) {
      let v: number;
      try {
        v = signaturesVerdict(d.tx, chain, verify);
      } catch {
        continue; // sign bytes that cannot be built: the ante step reports it
      }
      this.recordVerdict(hash, v);
    }
  }

  /** A pool with only `verifyBatch`: sign-bytes digests are built here, signatures verified there. */
  private async preverifyJobs(pool: BatchVerifier, txs: readonly Uint8Array[], hashes: readonly string[] | undefined, chain: ChainInfo): Promise<void> {
    const jobs: VerifyJob[] = [];
    /** per tx to verify: hash, its first job index, its signature count, and known-bad index */
    const plan: { hash: string; first: number; n: number; bad: number }[] = [];
    for (const { hash, d } of this.unverifiedDecoded(txs, hashes)) {
      const sigJobs = signatureJobs(d.tx, chain);
      const first = jobs.length;
      let bad = -1;
      for (let i = 0; i < sigJobs.length; i++) {
        const j = sigJobs[i];
        if (!j) {
          bad = i; // high S: invalid without verifying; later signatures need no work
          break;
        }
        jobs.push(j);
      }
      plan.push({ hash, first, n: jobs.length - first, bad });
    }
    if (plan.length === 0) return;
    const ok = await pool.verifyBatch(jobs);
    for (const p of plan) {
      let bad = p.bad;
      for (let i = 0; i < p.n; i++) {
        if (!ok[p.first + i]) {
          bad = i;
          break;
        }
      }
      if (bad < 0 && p.n === 0) continue; // a tx without signatures: nothing verified
      this.recordVerdict(p.hash, bad);
    }
  }

  /** TX_ALL_VALID → verified; i ≥ 0 → signature i bad; other verdicts (undecodable, unsigned) record nothing. */
  private recordVerdict(hash: string, v: number): void {
    if (v === TX_ALL_VALID) this.sigCache.markVerified(hash);
    else if (v >= 0) this.sigCache.markInvalid(hash, v);
  }

  // -------------------------------------------------------------------------------------------
  // tx execution

  /** @param cache the tx's write layer: empty on entry, emptied again (written or discarded) on return */
  private runTx(
    bytes: Uint8Array,
    mode: ExecMode,
    cache: KVWriter & { write(): void; discard(): void },
    chain: ChainInfo,
    block: BlockInfo,
    pool: FeePool,
    knownHash?: string,
    known?: DecodedTx,
  ): TxOutcome {
    let decoded: DecodedTx;
    try {
      // a decoded tx the caller holds serves only for these very bytes (decoding is a pure
      // function of them): the same object, or bytes whose hash the caller computed and found
      // equal to the decoded tx's (a copy received in a proposal); otherwise every run consumes
      // the decode cache, which keeps a tx only from admission (senderOf, preverify) to its
      // checkTx: the mempool keeps it from there
      decoded = known !== undefined && (known.bytes === bytes || (knownHash !== undefined && known.hash === knownHash)) ? known : this.decodeCached(bytes, knownHash, true);
    } catch (e) {
      const ce = toChainError(e);
      return { result: { code: ce.code, log: ce.message, data: EMPTY, events: [], hash: knownHash ?? safeHash(bytes) }, fee: 0n };
    }
    const out = this.execTx(decoded, mode, cache, chain, block, pool);
    if (mode === 'deliver') {
      out.result.addresses = msgAddresses(decoded.tx.msgs); // a slot the result has already
      // A delivered tx is committed: it never runs again (the mempool refuses it as a
      // duplicate), so its verdict can go. The cache then holds ~ the mempool, not 200k
      // hashes kept alive in old space for the GC to trace.
      this.sigCache.delete(decoded.hash);
    }
    return out;
  }

  /** The fee table `kv` holds (see `checkFeeTable`); `deliver` picks the block's slot. */
  private feeTable(kv: KVReader, deliver: boolean): FeeTable {
    const gen = this.params.generation;
    const slot = deliver ? this.deliverFeeTable : this.checkFeeTable;
    if (slot !== undefined && slot.gen === gen) return slot.table;
    const fresh = { table: this.params.getFeeTable(kv), gen };
    if (deliver) this.deliverFeeTable = fresh;
    else this.checkFeeTable = fresh;
    return fresh.table;
  }

  private execTx(decoded: DecodedTx, mode: ExecMode, cache: KVWriter & { write(): void; discard(): void }, chain: ChainInfo, block: BlockInfo, pool: FeePool): TxOutcome {
    const deliver = mode === 'deliver';
    const events = deliver ? new EventSink() : this.checkSink;
    if (!deliver) events.events.length = 0;
    const history = this.txHistory;
    history.clear();
    const ctx: TxContext = { kv: cache, chain, block, events, fees: pool, logger: this.logger, history, mode, tx: decoded, hash: decoded.hash, signers: [] };
    try {
      const ante = runAnte(ctx, this.anteDeps, this.feeTable(cache, deliver));
      ctx.signers = ante.signers;
      const fee = ante.fee.amount;
      if (deliver) {
        // the tx's own events come first; the handler's follow in emission order
        const h = ante.handler;
        const signers = ante.signers;
        const { action, module } = handlerAttributes(h);
        let attrs: Attribute[];
        if (signers.length === 1) attrs = [action, module, { key: 'sender', value: encodeAddress(signers[0]!, chain.hrp) }];
        else {
          attrs = [action, module];
          for (const s of signers) attrs.push({ key: 'sender', value: encodeAddress(s, chain.hrp) });
        }
        events.events.push({ type: 'message', attributes: attrs }, feeEvent(fee));
      }
      const res = ante.handler.handle(ctx, decoded.tx.msgs[0]!);
      cache.write();
      if (deliver && (history.closedOrders.length > 0 || history.trades.length > 0)) history.moveTo(this.blockHistory);
      if (fee > 0n) {
        // the pool reads the coin and keeps only the amount: one scratch list serves every tx
        FEE_COIN[0]!.amount = fee;
        pool.add(FEE_COIN, ante.fee.feeFor);
      }
      // checkTx answers carry no events (nobody reads them); each result has its final shape
      // from the start (deliver: `addresses`, set by runTx; check: `fee` and `sender`)
      const data = res?.data ?? EMPTY;
      const sender = ante.signers[0]!;
      return {
        result: deliver
          ? { code: 0, log: 'Msg 0: ', data, events: events.events, hash: decoded.hash, addresses: undefined }
          : ({ code: 0, log: 'Msg 0: ', data, events: [], hash: decoded.hash, fee, sender } as CheckTxResult),
        sender,
        fee,
      };
    } catch (e) {
      cache.discard();
      const ce = toChainError(e);
      if (ce.codespace === 'root' && ce.localCode === 1) this.logger.error({ hash: decoded.hash, err: (e as Error).stack }, 'internal error in tx');
      else if (mode === 'deliver') this.logger.debug({ hash: decoded.hash, code: ce.code, log: ce.message }, 'tx failed');
      const result: TxResult = deliver
        ? { code: ce.code, log: ce.message, data: EMPTY, events: [], hash: decoded.hash, addresses: undefined }
        : ({ code: ce.code, log: ce.message, data: EMPTY, events: [], hash: decoded.hash, fee: 0n, sender: undefined } as CheckTxResult);
      return { result, fee: 0n };
    }
  }
}

/**
 * A handler's `action` and `module` attributes, frozen objects made once per handler and shared
 * by every event that names them: nothing changes an emitted attribute.
 */
const handlerAttrs = new Map<object, { action: Attribute; module: Attribute }>();
function handlerAttributes(h: { feeKey: string; route: string }): { action: Attribute; module: Attribute } {
  let a = handlerAttrs.get(h);
  if (a === undefined) {
    a = { action: Object.freeze({ key: 'action', value: h.feeKey }), module: Object.freeze({ key: 'module', value: h.route }) };
    handlerAttrs.set(h, a);
  }
  return a;
}

/** The `tx` event of a fee, frozen and shared while the fee stays the same (a stream of transfers pays one fee). */
let lastFeeEvent: { fee: bigint; event: AppEvent } | undefined;
function feeEvent(fee: bigint): AppEvent {
  if (lastFeeEvent !== undefined && lastFeeEvent.fee === fee) return lastFeeEvent.event;
  const attr = Object.freeze({ key: 'fee', value: fee > 0n ? `${fee}${FEE_DENOM}` : '' });
  const event = Object.freeze({ type: 'tx', attributes: Object.freeze([attr]) as Attribute[] });
  lastFeeEvent = { fee, event };
  return event;
}

function safeHash(bytes: Uint8Array): string {
  return txHashHex(bytes);
}
