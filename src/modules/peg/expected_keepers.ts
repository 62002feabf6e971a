/**
 * The narrow keeper interfaces the peg and insurance modules need from other modules (Cosmos
 * `expected_keepers`), and the interface they offer governance. The peg never imports another
 * module's internals: the app passes these in.
 */
import type { Address, Coin } from '../../codec/types.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import type { BlockInfo, ChainInfo, EventSink } from '../../app/context.js';
import type { Token } from '../tokens/keeper.js';

export interface PegBankKeeper {
  getBalance(kv: KVReader, addr: Address, denom: string): bigint;
  addCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): unknown;
  subtractCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): unknown;
  transfer(kv: KVWriter, from: Address, to: Address, coins: readonly Coin[]): void;
}

export interface PegTokenKeeper {
  getToken(kv: KVReader, symbol: string): Token | undefined;
  hasToken(kv: KVReader, symbol: string): boolean;
  setToken(kv: KVWriter, t: Token): void;
}

/** What a governance action runs against: a block or tx context (its kv is a cache gov may drop). */
export interface GovExecContext {
  kv: KVWriter;
  chain: ChainInfo;
  block: BlockInfo;
  events: EventSink;
}

/**
 * Offered to the gov module. A passed proposal of kind `kind` carries a JSON action in its
 * description; gov calls `validate` when the proposal is submitted (reject bad proposals
 * early) and `execute` when it passes, in a cache it writes only if `execute` returns (a throw
 * means the proposal passed but could not be applied; gov records that and drops the cache).
 * `origin` names the proposal in events (e.g. `proposal:12`).
 */
export interface GovProposalExecutor {
  /** Proposal kind byte (`PEG_PROPOSAL_KIND` / `INSURANCE_PROPOSAL_KIND`). */
  kind: number;
  /** Action `type` prefix this executor owns (`peg/`, `insurance/`). */
  actionPrefix: string;
  validate(description: string, chain: ChainInfo): void;
  execute(ctx: GovExecContext, description: string, origin: string): void;
}

/**
 * Proposal kinds for peg and insurance actions. Suggested additions to `ProposalKind` in
 * `src/codec/types.ts` (`PegAction: 0x10, InsurancePayout: 0x11`), outside the original's range.
 */
export const PEG_PROPOSAL_KIND = 0x10;
export const INSURANCE_PROPOSAL_KIND = 0x11;
