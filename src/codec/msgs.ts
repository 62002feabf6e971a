/**
 * Message codecs: amino binary (4-byte prefix + fields in Go struct order) and the JSON each
 * message contributes to the sign bytes. A registry keyed by amino name lets later modules
 * (peg) add message types without touching this file.
 *
 * Sign JSON follows the Go code that verifies signatures: node/bank msgs use `encoding/json`
 * of the struct (int64 as numbers, nil slices as null); gov msgs use amino JSON (int64 as
 * strings, enums as names, `depositer` spelled as Go spells it).
 */
import { rootError } from '../errors.js';
import { AminoReader, AminoWriter, aminoPrefix, toHex } from './amino.js';
import { encodeAddress, ADDRESS_LENGTH } from './address.js';
import type { JsonValue } from './gojson.js';
import {
  ProposalKind,
  VoteOption,
  type Address,
  type Coin,
  type Msg,
  type SendMsg,
  type IssueMsg,
  type MintMsg,
  type BurnMsg,
  type FreezeMsg,
  type UnfreezeMsg,
  type TransferOwnershipMsg,
  type TimeLockMsg,
  type TimeUnlockMsg,
  type TimeRelockMsg,
  type SetAccountFlagsMsg,
  type NewOrderMsg,
  type CancelOrderMsg,
  type ListMsg,
  type SubmitProposalMsg,
  type DepositMsg,
  type VoteMsg,
} from './types.js';

export interface MsgDef<M extends { type: string } = { type: string }> {
  /** Registered amino name; also selects the 4-byte prefix. */
  type: string;
  encodeFields(w: AminoWriter, msg: M): void;
  /** Reads the fields (the prefix is already consumed); the reader's `finish()` is called after. */
  decodeFields(r: AminoReader): M;
  /** The value `msg.GetSignBytes()` marshals (before the outer key sort). */
  signJson(msg: M, hrp: string): JsonValue;
  /** Stateless checks (Cosmos `ValidateBasic`); throws a ChainError. */
  validateBasic?(msg: M): void;
}

interface Registered {
  def: MsgDef<{ type: string }>;
  prefix: Uint8Array;
}

const byType = new Map<string, Registered>();
const byPrefix = new Map<string, Registered>();
/** The same, keyed by the prefix read as a big-endian uint32 (decode looks up without a string). */
const byPrefixNum = new Map<number, Registered>();

function prefixNum(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

export function registerMsg<M extends { type: string }>(def: MsgDef<M>): void {
  const prefix = aminoPrefix(def.type);
  const hex = toHex(prefix);
  if (byType.has(def.type)) throw new Error(`msg type ${def.type} already registered`);
  const clash = byPrefix.get(hex);
  if (clash) throw new Error(`amino prefix ${hex} of ${def.type} collides with ${clash.def.type}`);
  const reg: Registered = { def: def as unknown as MsgDef<{ type: string }>, prefix };
  byType.set(def.type, reg);
  byPrefix.set(hex, reg);
  byPrefixNum.set(prefixNum(prefix, 0), reg);
}

function lookup(type: string): Registered {
  const reg = byType.get(type);
  if (!reg) throw rootError('unknownRequest', `unregistered msg type ${type}`);
  return reg;
}

export function getMsgDef(type: string): MsgDef<{ type: string }> | undefined {
  return byType.get(type)?.def;
}

export function registeredMsgTypes(): string[] {
  return [...byType.keys()].sort();
}

export function msgPrefix(type: string): Uint8Array {
  return lookup(type).prefix.slice();
}

/** prefix ‖ fields (the element stored in StdTx field 1). */
export function encodeMsg(msg: Msg | { type: string }): Uint8Array {
  const reg = lookup(msg.type);
  const w = new AminoWriter();
  w.raw(reg.prefix);
  reg.def.encodeFields(w, msg);
  return w.finish();
}

/**
 * Decodes prefix ‖ fields. Messages registered by other modules come back as their own types;
 * the static type says `Msg` so callers narrow on `type`.
 */
export function decodeMsg(bytes: Uint8Array): Msg {
  return decodeMsgAt(bytes, 0, bytes.length);
}

/** decodeMsg of buf[start, end), without a view of it (the tx decoder's path). */
export function decodeMsgAt(buf: Uint8Array, start: number, end: number): Msg {
  if (end - start < 4) throw rootError('txDecode', `msg of ${end - start} bytes has no 4-byte type prefix`);
  const reg = byPrefixNum.get(prefixNum(buf, start));
  if (!reg) throw rootError('txDecode', `unknown msg type prefix ${toHex(buf.subarray(start, start + 4)).toUpperCase()}`);
  const r = new AminoReader(buf, start + 4, end, start);
  const msg = reg.def.decodeFields(r);
  r.finish();
  return msg as Msg;
}

export function msgSignJson(msg: Msg | { type: string }, hrp: string): JsonValue {
  return lookup(msg.type).def.signJson(msg, hrp);
}

export function validateMsgBasic(msg: Msg | { type: string }): void {
  const def = lookup(msg.type).def;
  def.validateBasic?.(msg);
}

// ---------------------------------------------------------------------------------------------
// shared field helpers (exported for modules that register their own msgs)

export function writeCoins(w: AminoWriter, field: number, coins: readonly Coin[]): void {
  w.repeated(field, coins, (cw, c) => {
    cw.string(1, c.denom).uvarint(2, c.amount);
  });
}

function readCoin(cr: AminoReader): Coin {
  return { denom: cr.string(1), amount: cr.uvarint(2) };
}

export function readCoins(r: AminoReader, field: number): Coin[] {
  return r.repeated(field, readCoin);
}

/** Go encoding/json of sdk.Coins: amounts as numbers, nil → null. */
export function coinsJson(coins: readonly Coin[]): JsonValue {
  return coins.length === 0 ? null : coins.map((c) => ({ denom: c.denom, amount: c.amount }));
}

/** Amino JSON of sdk.Coins: amounts as strings, nil → null. */
export function coinsAminoJson(coins: readonly Coin[]): JsonValue {
  return coins.length === 0 ? null : coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}

export function checkAddress(addr: Address, what: string): void {
  if (addr.length !== ADDRESS_LENGTH) {
    throw rootError('invalidAddress', `${what}: address must be ${ADDRESS_LENGTH} bytes, got ${addr.length}`);
  }
}

const addr = encodeAddress;
const INT8_MAX = 127;
const BYTE_MAX = 255;

function enumName(table: Record<string, number>, v: number, skip: string): string {
  for (const [k, n] of Object.entries(table)) if (n === v && k !== skip) return k;
  return ''; // Go's String() of an unknown value
}

// ---------------------------------------------------------------------------------------------
// built-in messages

type IO = { address: Address; coins: Coin[] };

function readIO(x: AminoReader): IO {
  return { address: x.sharedBytes(1), coins: readCoins(x, 2) };
}

registerMsg<SendMsg>({
  type: 'cosmos-sdk/Send',
  encodeFields(w, m) {
    const io = (x: AminoWriter, v: IO) => {
      x.bytes(1, v.address);
      writeCoins(x, 2, v.coins);
    };
    w.repeated(1, m.inputs, io).repeated(2, m.outputs, io);
  },
  decodeFields(r) {
    return { type: 'cosmos-sdk/Send', inputs: r.repeated(1, readIO), outputs: r.repeated(2, readIO) };
  },
  signJson(m, hrp) {
    const io = (v: IO) => ({ address: addr(v.address, hrp), coins: coinsJson(v.coins) });
    return {
      inputs: m.inputs.length ? m.inputs.map(io) : null,
      outputs: m.outputs.length ? m.outputs.map(io) : null,
    };
  },
  validateBasic(m) {
    for (const i of m.inputs) checkAddress(i.address, 'input');
    for (const o of m.outputs) checkAddress(o.address, 'output');
  },
});

registerMsg<IssueMsg>({
  type: 'tokens/IssueMsg',
  encodeFields(w, m) {
    w.bytes(1, m.from).string(2, m.name).string(3, m.symbol).uvarint(4, m.total_supply).bool(5, m.mintable);
  },
  decodeFields(r) {
    return {
      type: 'tokens/IssueMsg',
      from: r.bytes(1),
      name: r.string(2),
      symbol: r.string(3),
      total_supply: r.uvarint(4),
      mintable: r.bool(5),
    };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), name: m.name, symbol: m.symbol, total_supply: m.total_supply, mintable: m.mintable };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
  },
});

/** Mint, burn, freeze and unfreeze share `{from, symbol, amount}`. */
function registerAmountMsg<M extends MintMsg | BurnMsg | FreezeMsg | UnfreezeMsg>(type: M['type']): void {
  registerMsg<M>({
    type,
    encodeFields(w, m) {
      w.bytes(1, m.from).string(2, m.symbol).uvarint(3, m.amount);
    },
    decodeFields(r) {
      return { type, from: r.bytes(1), symbol: r.string(2), amount: r.uvarint(3) } as M;
    },
    signJson(m, hrp) {
      return { from: addr(m.from, hrp), symbol: m.symbol, amount: m.amount };
    },
    validateBasic(m) {
      checkAddress(m.from, 'from');
    },
  });
}
registerAmountMsg<MintMsg>('tokens/MintMsg');
registerAmountMsg<BurnMsg>('tokens/BurnMsg');
registerAmountMsg<FreezeMsg>('tokens/FreezeMsg');
registerAmountMsg<UnfreezeMsg>('tokens/UnfreezeMsg');

registerMsg<TransferOwnershipMsg>({
  type: 'tokens/TransferOwnershipMsg',
  encodeFields(w, m) {
    w.bytes(1, m.from).string(2, m.symbol).bytes(3, m.new_owner);
  },
  decodeFields(r) {
    return { type: 'tokens/TransferOwnershipMsg', from: r.bytes(1), symbol: r.string(2), new_owner: r.bytes(3) };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), symbol: m.symbol, new_owner: addr(m.new_owner, hrp) };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
    checkAddress(m.new_owner, 'new_owner');
  },
});

registerMsg<TimeLockMsg>({
  type: 'tokens/TimeLockMsg',
  encodeFields(w, m) {
    w.bytes(1, m.from).string(2, m.description);
    writeCoins(w, 3, m.amount);
    w.uvarint(4, m.lock_time);
  },
  decodeFields(r) {
    return {
      type: 'tokens/TimeLockMsg',
      from: r.bytes(1),
      description: r.string(2),
      amount: readCoins(r, 3),
      lock_time: r.uvarint(4),
    };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), description: m.description, amount: coinsJson(m.amount), lock_time: m.lock_time };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
  },
});

registerMsg<TimeUnlockMsg>({
  type: 'tokens/TimeUnlockMsg',
  encodeFields(w, m) {
    w.bytes(1, m.from).uvarint(2, m.time_lock_id);
  },
  decodeFields(r) {
    return { type: 'tokens/TimeUnlockMsg', from: r.bytes(1), time_lock_id: r.uvarint(2) };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), time_lock_id: m.time_lock_id };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
  },
});

registerMsg<TimeRelockMsg>({
  type: 'tokens/TimeRelockMsg',
  encodeFields(w, m) {
    w.bytes(1, m.from).uvarint(2, m.time_lock_id).string(3, m.description);
    writeCoins(w, 4, m.amount);
    w.uvarint(5, m.lock_time);
  },
  decodeFields(r) {
    return {
      type: 'tokens/TimeRelockMsg',
      from: r.bytes(1),
      time_lock_id: r.uvarint(2),
      description: r.string(3),
      amount: readCoins(r, 4),
      lock_time: r.uvarint(5),
    };
  },
  signJson(m, hrp) {
    return {
      from: addr(m.from, hrp),
      time_lock_id: m.time_lock_id,
      description: m.description,
      amount: coinsJson(m.amount),
      lock_time: m.lock_time,
    };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
  },
});

registerMsg<SetAccountFlagsMsg>({
  type: 'scripts/SetAccountFlagsMsg',
  encodeFields(w, m) {
    w.bytes(1, m.from).uvarint(2, m.flags);
  },
  decodeFields(r) {
    return { type: 'scripts/SetAccountFlagsMsg', from: r.bytes(1), flags: r.uvarint(2) };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), flags: m.flags };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
  },
});

registerMsg<NewOrderMsg>({
  type: 'dex/NewOrder',
  encodeFields(w, m) {
    w.bytes(1, m.sender).string(2, m.id).string(3, m.symbol).int(4, m.ordertype).int(5, m.side);
    w.uvarint(6, m.price).uvarint(7, m.quantity).int(8, m.timeinforce);
  },
  decodeFields(r) {
    return {
      type: 'dex/NewOrder',
      sender: r.sharedBytes(1),
      id: r.string(2),
      symbol: r.string(3),
      ordertype: r.int(4, INT8_MAX),
      side: r.int(5, INT8_MAX),
      price: r.uvarint(6),
      quantity: r.uvarint(7),
      timeinforce: r.int(8, INT8_MAX),
    };
  },
  signJson(m, hrp) {
    return {
      sender: addr(m.sender, hrp),
      id: m.id,
      symbol: m.symbol,
      ordertype: m.ordertype,
      side: m.side,
      price: m.price,
      quantity: m.quantity,
      timeinforce: m.timeinforce,
    };
  },
  validateBasic(m) {
    checkAddress(m.sender, 'sender');
  },
});

registerMsg<CancelOrderMsg>({
  type: 'dex/CancelOrder',
  encodeFields(w, m) {
    w.bytes(1, m.sender).string(2, m.symbol).string(3, m.refid);
  },
  decodeFields(r) {
    return { type: 'dex/CancelOrder', sender: r.sharedBytes(1), symbol: r.string(2), refid: r.string(3) };
  },
  signJson(m, hrp) {
    return { sender: addr(m.sender, hrp), symbol: m.symbol, refid: m.refid };
  },
  validateBasic(m) {
    checkAddress(m.sender, 'sender');
  },
});

registerMsg<ListMsg>({
  type: 'dex/ListMsg',
  encodeFields(w, m) {
    w.bytes(1, m.from).uvarint(2, m.proposal_id).string(3, m.base_asset_symbol).string(4, m.quote_asset_symbol);
    w.uvarint(5, m.init_price);
  },
  decodeFields(r) {
    return {
      type: 'dex/ListMsg',
      from: r.bytes(1),
      proposal_id: r.uvarint(2),
      base_asset_symbol: r.string(3),
      quote_asset_symbol: r.string(4),
      init_price: r.uvarint(5),
    };
  },
  signJson(m, hrp) {
    return {
      from: addr(m.from, hrp),
      proposal_id: m.proposal_id,
      base_asset_symbol: m.base_asset_symbol,
      quote_asset_symbol: m.quote_asset_symbol,
      init_price: m.init_price,
    };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
  },
});

registerMsg<SubmitProposalMsg>({
  type: 'cosmos-sdk/MsgSubmitProposal',
  encodeFields(w, m) {
    w.string(1, m.title).string(2, m.description).int(3, m.proposal_type).bytes(4, m.proposer);
    writeCoins(w, 5, m.initial_deposit);
    w.uvarint(6, m.voting_period);
  },
  decodeFields(r) {
    return {
      type: 'cosmos-sdk/MsgSubmitProposal',
      title: r.string(1),
      description: r.string(2),
      proposal_type: r.int(3, BYTE_MAX),
      proposer: r.bytes(4),
      initial_deposit: readCoins(r, 5),
      voting_period: r.uvarint(6),
    };
  },
  signJson(m, hrp) {
    return {
      title: m.title,
      description: m.description,
      proposal_type: enumName(ProposalKind, m.proposal_type, 'Nil'),
      proposer: addr(m.proposer, hrp),
      initial_deposit: coinsAminoJson(m.initial_deposit),
      voting_period: m.voting_period.toString(),
    };
  },
  validateBasic(m) {
    checkAddress(m.proposer, 'proposer');
  },
});

registerMsg<DepositMsg>({
  type: 'cosmos-sdk/MsgDeposit',
  encodeFields(w, m) {
    w.uvarint(1, m.proposal_id).bytes(2, m.depositor);
    writeCoins(w, 3, m.amount);
  },
  decodeFields(r) {
    return { type: 'cosmos-sdk/MsgDeposit', proposal_id: r.uvarint(1), depositor: r.bytes(2), amount: readCoins(r, 3) };
  },
  signJson(m, hrp) {
    return { proposal_id: m.proposal_id.toString(), depositer: addr(m.depositor, hrp), amount: coinsAminoJson(m.amount) };
  },
  validateBasic(m) {
    checkAddress(m.depositor, 'depositer');
  },
});

registerMsg<VoteMsg>({
  type: 'cosmos-sdk/MsgVote',
  encodeFields(w, m) {
    w.uvarint(1, m.proposal_id).bytes(2, m.voter).int(3, m.option);
  },
  decodeFields(r) {
    return { type: 'cosmos-sdk/MsgVote', proposal_id: r.uvarint(1), voter: r.bytes(2), option: r.int(3, BYTE_MAX) };
  },
  signJson(m, hrp) {
    return { proposal_id: m.proposal_id.toString(), voter: addr(m.voter, hrp), option: enumName(VoteOption, m.option, 'Empty') };
  },
  validateBasic(m) {
    checkAddress(m.voter, 'voter');
  },
});
