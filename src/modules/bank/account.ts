/**
 * Account records. Stored exactly as the original stored them (amino `bnbchain/Account`), so
 * the `/account/<addr>` query returns the stored bytes unchanged.
 */
import { decodeAppAccount, encodeAppAccount } from '../../codec/index.js';
import type { Address, Coin } from '../../codec/types.js';

export interface Account {
  address: Address;
  /** Free balance, sorted by denom. */
  coins: Coin[];
  frozen: Coin[];
  /** Locked in open orders. */
  locked: Coin[];
  accountNumber: bigint;
  sequence: bigint;
  /** 33-byte compressed secp256k1 key, set by the first signature. */
  pubKey?: Uint8Array;
  flags: bigint;
}

/** Receiver requires a non-empty all-digit memo (BEP12). */
export const FLAG_MEMO_CHECK = 0x1n;

const ACC_PREFIX = new TextEncoder().encode('acc/');

/** The last few keys built: a transfer asks for the same two keys about seven times. */
const recentKeys: Uint8Array[] = [];
const RECENT_KEYS = 4;
let nextSlot = 0;

function keyOf(k: Uint8Array, addr: Address): boolean {
  const p = ACC_PREFIX.length;
  if (k.length !== p + addr.length) return false;
  for (let i = 0; i < addr.length; i++) if (k[p + i] !== addr[i]) return false;
  return true;
}

/**
 * `acc/` ‖ address. The result may be shared with other callers (a small memo of recent keys):
 * treat it as read-only. The views never keep the key bytes they are given (they convert them).
 */
export function accountKey(addr: Address): Uint8Array {
  for (let i = 0; i < recentKeys.length; i++) {
    const k = recentKeys[i]!;
    if (keyOf(k, addr)) return k;
  }
  const k = new Uint8Array(ACC_PREFIX.length + addr.length);
  k.set(ACC_PREFIX, 0);
  k.set(addr, ACC_PREFIX.length);
  if (recentKeys.length < RECENT_KEYS) recentKeys.push(k);
  else recentKeys[nextSlot] = k;
  nextSlot = (nextSlot + 1) % RECENT_KEYS;
  return k;
}

export function accountPrefix(): Uint8Array {
  return ACC_PREFIX.slice();
}

export function encodeAccount(a: Account): Uint8Array {
  return encodeAppAccount({
    address: a.address,
    coins: a.coins,
    pubKey: a.pubKey,
    accountNumber: a.accountNumber,
    sequence: a.sequence,
    name: '',
    frozen: a.frozen,
    locked: a.locked,
    flags: a.flags,
  });
}

export function decodeAccount(b: Uint8Array): Account {
  const v = decodeAppAccount(b);
  const a: Account = {
    address: v.address,
    coins: v.coins,
    frozen: v.frozen,
    locked: v.locked,
    accountNumber: v.accountNumber,
    sequence: v.sequence,
    flags: v.flags,
  };
  if (v.pubKey) a.pubKey = v.pubKey;
  return a;
}
