/**
 * Amino encodings of ABCI query values in the shapes the Go node returned them and the SDK's
 * RPC client (`lib/rpc`) decodes them: `bnbchain/Account` bare, `bnbchain/Token`
 * length-prefixed, token lists length-prefixed without per-element prefixes.
 */
import { AminoReader, AminoWriter, aminoPrefix, bytesEqual, concatBytes, encodeUvarint } from './amino.js';
import { readCoins, writeCoins } from './msgs.js';
import { aminoPubKey, unwrapAminoPubKey } from './tx.js';
import { rootError } from '../errors.js';
import type { Coin } from './types.js';

export const ACCOUNT_PREFIX = aminoPrefix('bnbchain/Account');
export const TOKEN_PREFIX = aminoPrefix('bnbchain/Token');

export interface AppAccountValue {
  address: Uint8Array;
  coins: Coin[];
  /** 33-byte compressed secp256k1 key, absent until the account first signs. */
  pubKey?: Uint8Array;
  accountNumber: bigint;
  sequence: bigint;
  name: string;
  frozen: Coin[];
  locked: Coin[];
  flags: bigint;
}

export interface TokenValue {
  name: string;
  symbol: string;
  originalSymbol: string;
  totalSupply: bigint;
  owner: Uint8Array;
  mintable: boolean;
}

/** `AppAccount{BaseAccount(1){address, coins, pub_key, account_number, sequence}, name, frozen, locked, flags}`. */
export function encodeAppAccount(a: AppAccountValue): Uint8Array {
  const w = new AminoWriter();
  w.raw(ACCOUNT_PREFIX);
  w.struct(1, (b) => {
    b.bytes(1, a.address);
    writeCoins(b, 2, a.coins);
    if (a.pubKey && a.pubKey.length > 0) b.bytes(3, aminoPubKey(a.pubKey));
    b.uvarint(4, a.accountNumber).uvarint(5, a.sequence);
  });
  w.string(2, a.name);
  writeCoins(w, 3, a.frozen);
  writeCoins(w, 4, a.locked);
  w.uvarint(5, a.flags);
  return w.finish();
}

export function decodeAppAccount(bytes: Uint8Array): AppAccountValue {
  if (bytes.length < 4 || !bytesEqual(bytes.subarray(0, 4), ACCOUNT_PREFIX)) {
    throw rootError('txDecode', 'not a bnbchain/Account');
  }
  const r = new AminoReader(bytes, 4);
  const base = r.struct(1, (b) => {
    const address = b.bytes(1);
    const coins = readCoins(b, 2);
    const pk = b.bytes(3);
    return {
      address,
      coins,
      pubKey: pk.length > 0 ? unwrapAminoPubKey(pk) : undefined,
      accountNumber: b.uvarint(4),
      sequence: b.uvarint(5),
    };
  }) ?? { address: new Uint8Array(0), coins: [], pubKey: undefined, accountNumber: 0n, sequence: 0n };
  const out: AppAccountValue = {
    ...base,
    name: r.string(2),
    frozen: readCoins(r, 3),
    locked: readCoins(r, 4),
    flags: r.uvarint(5),
  };
  r.finish();
  if (out.pubKey === undefined) delete out.pubKey;
  return out;
}

function writeTokenFields(w: AminoWriter, t: TokenValue): void {
  w.string(1, t.name).string(2, t.symbol).string(3, t.originalSymbol).uvarint(4, t.totalSupply);
  w.bytes(5, t.owner).bool(6, t.mintable);
}

/** `bnbchain/Token` (prefix 140364E6), length-prefixed by default as `/tokens/info` returns it. */
export function encodeToken(t: TokenValue, lengthPrefixed = true): Uint8Array {
  const w = new AminoWriter();
  w.raw(TOKEN_PREFIX);
  writeTokenFields(w, t);
  const body = w.finish();
  return lengthPrefixed ? concatBytes(encodeUvarint(body.length), body) : body;
}

/** `tokens/list` value: uvarint(len) ‖ repeated field 1 of bare token structs. */
export function encodeTokenList(tokens: readonly TokenValue[]): Uint8Array {
  const w = new AminoWriter();
  w.repeated(1, tokens, writeTokenFields);
  const body = w.finish();
  return concatBytes(encodeUvarint(body.length), body);
}
