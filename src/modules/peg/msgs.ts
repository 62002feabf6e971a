/**
 * Amino codecs and sign JSON of the peg and insurance msgs, registered with the codec registry
 * on import (the module index imports this file for its side effect). Sign JSON follows Go
 * `encoding/json` of the msg struct (int64 as numbers, addresses as bech32), as the node's own
 * msgs do; field numbers follow the struct order below.
 */
import { checkAddress, coinsJson, encodeAddress, readCoins, registerMsg, writeCoins } from '../../codec/index.js';
import { rootError } from '../../errors.js';
import type {
  AttestDepositMsg,
  AttestReservesMsg,
  AttestWithdrawalMsg,
  CancelWithdrawalMsg,
  InsuranceGovPayoutMsg,
  PauseMsg,
  PegGovActionMsg,
  WithdrawMsg,
} from './types.js';

const addr = encodeAddress;

/** Stateless string-field bounds shared by the msgs (ValidateBasic). */
export const MAX_SYMBOL_LEN = 8;
export const MAX_NETWORK_LEN = 32;
export const MAX_EXT_TX_ID_LEN = 130;
export const MAX_EXT_ADDRESS_LEN = 128;
export const MAX_REASON_LEN = 256;
export const MAX_GOV_ACTION_LEN = 16_384;

const SYMBOL_RE = /^[A-Z0-9]{2,8}$/;
const NETWORK_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** External tx ids are hex (Bitcoin/Omni txids, EVM hashes), optionally 0x-prefixed. */
const EXT_TX_RE = /^(0x)?[0-9a-fA-F]{2,128}$/;

export function checkAssetSymbol(s: string): void {
  if (!SYMBOL_RE.test(s)) throw rootError('invalidRequest', `asset must be an upper-case base symbol like BTC (2–8 letters/digits), got ${JSON.stringify(s)}`);
}

export function checkNetworkName(s: string): void {
  if (!NETWORK_RE.test(s)) throw rootError('invalidRequest', `network must be 1–32 of a-z 0-9 _ - (e.g. bitcoin, erc20), got ${JSON.stringify(s)}`);
}

export function checkExtTxId(s: string): void {
  if (!EXT_TX_RE.test(s)) throw rootError('invalidRequest', `ext_tx_id must be 2–128 hex digits (0x optional), got ${JSON.stringify(s)}`);
}

/**
 * One spelling per external tx id, so `0xAB…` and `ab…` are the same deposit key (an alias
 * would be a second mint of one deposit).
 */
export function normaliseExtTxId(s: string): string {
  return s.replace(/^0x/, '').toLowerCase();
}

function positive(v: bigint, what: string): void {
  if (v <= 0n) throw rootError('invalidCoins', `${what} must be positive, got ${v}`);
}

function maxLen(s: string, n: number, what: string): void {
  if (new TextEncoder().encode(s).length > n) throw rootError('invalidRequest', `${what} is longer than ${n} bytes`);
}

registerMsg<AttestDepositMsg>({
  type: 'peg/AttestDeposit',
  encodeFields(w, m) {
    w.bytes(1, m.from).string(2, m.asset).string(3, m.network).string(4, m.ext_tx_id).uvarint(5, m.ext_index).bytes(6, m.recipient).uvarint(7, m.amount);
  },
  decodeFields(r) {
    return {
      type: 'peg/AttestDeposit',
      from: r.bytes(1),
      asset: r.string(2),
      network: r.string(3),
      ext_tx_id: r.string(4),
      ext_index: r.uvarint(5),
      recipient: r.bytes(6),
      amount: r.uvarint(7),
    };
  },
  signJson(m, hrp) {
    return {
      from: addr(m.from, hrp),
      asset: m.asset,
      network: m.network,
      ext_tx_id: m.ext_tx_id,
      ext_index: m.ext_index,
      recipient: addr(m.recipient, hrp),
      amount: m.amount,
    };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
    checkAddress(m.recipient, 'recipient');
    checkAssetSymbol(m.asset);
    checkNetworkName(m.network);
    checkExtTxId(m.ext_tx_id);
    positive(m.amount, 'amount');
  },
});

registerMsg<WithdrawMsg>({
  type: 'peg/Withdraw',
  encodeFields(w, m) {
    w.bytes(1, m.from).string(2, m.asset).string(3, m.network).string(4, m.ext_address).uvarint(5, m.amount);
  },
  decodeFields(r) {
    return { type: 'peg/Withdraw', from: r.bytes(1), asset: r.string(2), network: r.string(3), ext_address: r.string(4), amount: r.uvarint(5) };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), asset: m.asset, network: m.network, ext_address: m.ext_address, amount: m.amount };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
    checkAssetSymbol(m.asset);
    checkNetworkName(m.network);
    if (!m.ext_address) throw rootError('invalidRequest', 'ext_address is required');
    maxLen(m.ext_address, MAX_EXT_ADDRESS_LEN, 'ext_address');
    positive(m.amount, 'amount');
  },
});

registerMsg<AttestWithdrawalMsg>({
  type: 'peg/AttestWithdrawal',
  encodeFields(w, m) {
    w.bytes(1, m.from).uvarint(2, m.request_id).string(3, m.ext_tx_id);
  },
  decodeFields(r) {
    return { type: 'peg/AttestWithdrawal', from: r.bytes(1), request_id: r.uvarint(2), ext_tx_id: r.string(3) };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), request_id: m.request_id, ext_tx_id: m.ext_tx_id };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
    positive(m.request_id, 'request_id');
    checkExtTxId(m.ext_tx_id);
  },
});

registerMsg<CancelWithdrawalMsg>({
  type: 'peg/CancelWithdrawal',
  encodeFields(w, m) {
    w.bytes(1, m.from).uvarint(2, m.request_id).string(3, m.reason);
  },
  decodeFields(r) {
    return { type: 'peg/CancelWithdrawal', from: r.bytes(1), request_id: r.uvarint(2), reason: r.string(3) };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), request_id: m.request_id, reason: m.reason };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
    positive(m.request_id, 'request_id');
    maxLen(m.reason, MAX_REASON_LEN, 'reason');
  },
});

registerMsg<PauseMsg>({
  type: 'peg/Pause',
  encodeFields(w, m) {
    w.bytes(1, m.from).string(2, m.asset).string(3, m.direction);
  },
  decodeFields(r) {
    return { type: 'peg/Pause', from: r.bytes(1), asset: r.string(2), direction: r.string(3) };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), asset: m.asset, direction: m.direction };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
    checkAssetSymbol(m.asset);
    if (m.direction !== 'deposit' && m.direction !== 'withdraw' && m.direction !== 'both') {
      throw rootError('invalidRequest', `direction must be deposit, withdraw or both, got ${JSON.stringify(m.direction)}`);
    }
  },
});

registerMsg<AttestReservesMsg>({
  type: 'peg/AttestReserves',
  encodeFields(w, m) {
    w.bytes(1, m.from).string(2, m.asset).string(3, m.network).uvarint(4, m.amount).uvarint(5, m.ext_height);
  },
  decodeFields(r) {
    return { type: 'peg/AttestReserves', from: r.bytes(1), asset: r.string(2), network: r.string(3), amount: r.uvarint(4), ext_height: r.uvarint(5) };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), asset: m.asset, network: m.network, amount: m.amount, ext_height: m.ext_height };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
    checkAssetSymbol(m.asset);
    checkNetworkName(m.network);
    positive(m.ext_height, 'ext_height');
  },
});

registerMsg<PegGovActionMsg>({
  type: 'peg/GovAction',
  encodeFields(w, m) {
    w.bytes(1, m.from).string(2, m.action);
  },
  decodeFields(r) {
    return { type: 'peg/GovAction', from: r.bytes(1), action: r.string(2) };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), action: m.action };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
    if (!m.action) throw rootError('invalidRequest', 'action is required');
    maxLen(m.action, MAX_GOV_ACTION_LEN, 'action');
  },
});

registerMsg<InsuranceGovPayoutMsg>({
  type: 'insurance/GovPayout',
  encodeFields(w, m) {
    w.bytes(1, m.from).bytes(2, m.recipient);
    writeCoins(w, 3, m.amount);
    w.string(4, m.reason);
  },
  decodeFields(r) {
    return { type: 'insurance/GovPayout', from: r.bytes(1), recipient: r.bytes(2), amount: readCoins(r, 3), reason: r.string(4) };
  },
  signJson(m, hrp) {
    return { from: addr(m.from, hrp), recipient: addr(m.recipient, hrp), amount: coinsJson(m.amount), reason: m.reason };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
    checkAddress(m.recipient, 'recipient');
    if (m.amount.length === 0) throw rootError('invalidCoins', 'amount is required');
    for (const c of m.amount) positive(c.amount, `amount of ${c.denom}`);
    maxLen(m.reason, MAX_REASON_LEN, 'reason');
  },
});
