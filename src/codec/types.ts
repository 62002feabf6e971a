/**
 * The typed forms of every transaction message dexchain understands. Addresses are the raw
 * 20-byte account addresses; every amount, price, quantity, id and time is a bigint (int64 on
 * the wire, range-checked by the codec). `type` is the registered amino name, which also picks
 * the 4-byte amino prefix.
 */

export type Address = Uint8Array; // 20 bytes

export interface Coin {
  denom: string;
  amount: bigint;
}

export interface SendMsg {
  type: 'cosmos-sdk/Send';
  inputs: { address: Address; coins: Coin[] }[];
  outputs: { address: Address; coins: Coin[] }[];
}
export interface IssueMsg {
  type: 'tokens/IssueMsg';
  from: Address;
  name: string;
  symbol: string;
  total_supply: bigint;
  mintable: boolean;
}
export interface MintMsg { type: 'tokens/MintMsg'; from: Address; symbol: string; amount: bigint }
export interface BurnMsg { type: 'tokens/BurnMsg'; from: Address; symbol: string; amount: bigint }
export interface FreezeMsg { type: 'tokens/FreezeMsg'; from: Address; symbol: string; amount: bigint }
export interface UnfreezeMsg { type: 'tokens/UnfreezeMsg'; from: Address; symbol: string; amount: bigint }
export interface TransferOwnershipMsg {
  type: 'tokens/TransferOwnershipMsg';
  from: Address;
  symbol: string;
  new_owner: Address;
}
export interface TimeLockMsg {
  type: 'tokens/TimeLockMsg';
  from: Address;
  description: string;
  amount: Coin[];
  lock_time: bigint; // unix seconds
}
export interface TimeUnlockMsg { type: 'tokens/TimeUnlockMsg'; from: Address; time_lock_id: bigint }
export interface TimeRelockMsg {
  type: 'tokens/TimeRelockMsg';
  from: Address;
  time_lock_id: bigint;
  description: string;
  amount: Coin[];
  lock_time: bigint;
}
export interface SetAccountFlagsMsg { type: 'scripts/SetAccountFlagsMsg'; from: Address; flags: bigint }

export interface NewOrderMsg {
  type: 'dex/NewOrder';
  sender: Address;
  id: string;
  symbol: string;
  ordertype: number; // 2 = limit
  side: number; // 1 buy, 2 sell
  price: bigint;
  quantity: bigint;
  timeinforce: number; // 1 GTE, 3 IOC
}
export interface CancelOrderMsg { type: 'dex/CancelOrder'; sender: Address; symbol: string; refid: string }
export interface ListMsg {
  type: 'dex/ListMsg';
  from: Address;
  proposal_id: bigint;
  base_asset_symbol: string;
  quote_asset_symbol: string;
  init_price: bigint;
}

/** Gov proposal kinds (byte enum, amino JSON as the names). */
export const ProposalKind = {
  Nil: 0x00,
  Text: 0x01,
  ParameterChange: 0x02,
  SoftwareUpgrade: 0x03,
  ListTradingPair: 0x04,
  FeeChange: 0x05,
  CreateValidator: 0x06,
  RemoveValidator: 0x07,
  DelistTradingPair: 0x08,
  // dexchain additions: peg governance actions and insurance-fund payouts
  PegAction: 0x10,
  InsurancePayout: 0x11,
} as const;
export const VoteOption = { Empty: 0x00, Yes: 0x01, Abstain: 0x02, No: 0x03, NoWithVeto: 0x04 } as const;

export interface SubmitProposalMsg {
  type: 'cosmos-sdk/MsgSubmitProposal';
  title: string;
  description: string;
  proposal_type: number;
  proposer: Address;
  initial_deposit: Coin[];
  voting_period: bigint; // nanoseconds (Go time.Duration)
}
export interface DepositMsg {
  type: 'cosmos-sdk/MsgDeposit';
  proposal_id: bigint;
  depositor: Address;
  amount: Coin[];
}
export interface VoteMsg { type: 'cosmos-sdk/MsgVote'; proposal_id: bigint; voter: Address; option: number }

export type Msg =
  | SendMsg
  | IssueMsg
  | MintMsg
  | BurnMsg
  | FreezeMsg
  | UnfreezeMsg
  | TransferOwnershipMsg
  | TimeLockMsg
  | TimeUnlockMsg
  | TimeRelockMsg
  | SetAccountFlagsMsg
  | NewOrderMsg
  | CancelOrderMsg
  | ListMsg
  | SubmitProposalMsg
  | DepositMsg
  | VoteMsg;

export type MsgType = Msg['type'];

export interface StdSignature {
  /** 33-byte compressed secp256k1 public key (amino-wrapped on the wire). */
  pub_key: Uint8Array;
  /** 64 bytes r‖s. */
  signature: Uint8Array;
  account_number: bigint;
  sequence: bigint;
}

export interface StdTx {
  msgs: Msg[];
  signatures: StdSignature[];
  memo: string;
  source: bigint;
  data: Uint8Array;
}

/** A decoded tx with what every later stage needs, computed once. */
export interface DecodedTx {
  tx: StdTx;
  /** The exact bytes as received (length-prefixed amino). */
  bytes: Uint8Array;
  /** UPPERCASE hex SHA256(bytes). */
  hash: string;
}
