/** What the insurance module needs from others (bank), and the context governance runs it in. */
import type { Address, Coin } from '../../codec/types.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import type { BlockInfo, ChainInfo, EventSink } from '../../app/context.js';

export interface InsuranceBankKeeper {
  getBalance(kv: KVReader, addr: Address, denom: string): bigint;
  addCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): unknown;
  transfer(kv: KVWriter, from: Address, to: Address, coins: readonly Coin[]): void;
}

export interface InsuranceExecContext {
  kv: KVWriter;
  chain: ChainInfo;
  block: BlockInfo;
  events: EventSink;
}
