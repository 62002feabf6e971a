/**
 * The app/consensus seam, ABCI-shaped and in-process. The node (or a test) drives an
 * Application through these calls; the Application never sees sockets, disks or clocks:
 * block time arrives in the request.
 */
import type { DecodedTx } from '../codec/types.js';
import type { CommitOptions } from '../state/types.js';
import type { DexBlockHistory } from '../modules/dex/types.js';

export interface Attribute { key: string; value: string }
export interface AppEvent { type: string; attributes: Attribute[] }

export interface TxResult {
  /** 0 = ok, else an ABCI code (`codespace << 16 | code`, see src/errors.ts). */
  code: number;
  /** "Msg 0: ..." on success, the error message otherwise. */
  log: string;
  /** Handler output (e.g. issued token JSON, order id JSON). */
  data: Uint8Array;
  events: AppEvent[];
  /** UPPERCASE hex tx hash. */
  hash: string;
  /** Deliver only: the 20-byte addresses the tx's messages name, for the node's tx index (not hashed into results). */
  addresses?: Uint8Array[];
}

export interface ValidatorUpdate {
  /** 32-byte ed25519 public key. */
  pubKey: Uint8Array;
  /** New voting power; 0 removes the validator. */
  power: bigint;
}

export interface Misbehavior {
  kind: 'duplicate_vote';
  /** 20-byte validator (consensus) address. */
  validatorAddress: Uint8Array;
  height: number;
  timeMs: number;
  totalVotingPower: bigint;
}

export interface VoteInfo {
  validatorAddress: Uint8Array;
  power: bigint;
  signedLastBlock: boolean;
}

export type CheckTxKind = 'new' | 'recheck';

export interface CheckTxResult extends TxResult {
  /** Sender (first signer) address, for mempool per-sender accounting. */
  sender?: Uint8Array;
  /** Fee the tx pays in BNB base units (mempool priority). */
  fee: bigint;
}

export interface FinalizeBlockRequest {
  height: number;
  /** Block time, unix milliseconds (from the header; never the local clock). */
  timeMs: number;
  /** 20-byte address of the proposer (consensus address). */
  proposerAddress: Uint8Array;
  txs: Uint8Array[];
  /** Validators of the last commit and whether each signed. */
  lastCommitVotes: VoteInfo[];
  misbehavior: Misbehavior[];
  /** UPPERCASE hex block hash (for events and indexers). */
  hash: string;
  /** The txs' UPPERCASE hex hashes when the caller has them (one per tx): spares a SHA-256 per tx. */
  txHashes?: readonly string[];
  /**
   * The txs decoded, when the caller holds them (the mempool kept each tx's decoded form: the
   * proposer's reaped txs, or a validator's own copies of a proposal's txs); one slot per tx,
   * `undefined` where unknown. A slot is used only when its `bytes` is the very tx object at
   * that index, or when its `hash` equals the slot's `txHashes` entry (the caller hashed these
   * bytes, so they are the bytes that were decoded). Spares a decode per tx.
   */
  decodedTxs?: readonly (DecodedTx | undefined)[];
}

export interface FinalizeBlockResponse {
  txResults: TxResult[];
  events: AppEvent[];
  validatorUpdates: ValidatorUpdate[];
  /** App hash after this block (committed by the next block's header). */
  appHash: Uint8Array;
  /** The block's DEX history (closed orders, trades): not state; the node indexes it. */
  history: DexBlockHistory;
}

export interface InfoResponse {
  lastBlockHeight: number;
  lastBlockAppHash: Uint8Array;
  chainId: string;
}

export interface QueryResponse {
  code: number;
  log: string;
  value: Uint8Array;
  height: number;
  /** Optional Merkle proof of the value (state module format). */
  proof?: unknown;
}

export interface InitChainResponse {
  appHash: Uint8Array;
  validators: ValidatorUpdate[];
}

export interface Application {
  info(): InfoResponse;
  /** Applies genesis; only when lastBlockHeight is 0. */
  initChain(genesis: unknown): Promise<InitChainResponse>;
  checkTx(tx: Uint8Array, kind: CheckTxKind): CheckTxResult;
  /** Picks the txs the proposer puts in a block (already ordered mempool txs, may drop some). */
  prepareProposal(txs: Uint8Array[], maxBytes: number): Uint8Array[];
  /** Stateless/stateful checks of a proposed block before voting for it. */
  processProposal(req: FinalizeBlockRequest): boolean;
  finalizeBlock(req: FinalizeBlockRequest): FinalizeBlockResponse;
  /**
   * Persists the state of the last finalized block atomically. `persistAfter`: the disk write
   * waits for it (the node passes the block store's save of the same block; see CommitOptions).
   */
  commit(opts?: CommitOptions): Promise<{ height: number; appHash: Uint8Array }>;
  query(path: string, data: Uint8Array, height?: number): QueryResponse;
}
