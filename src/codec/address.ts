/**
 * Bech32 account addresses (BIP-173, as cosmos-sdk `AccAddress`) and module escrow addresses.
 */
import { bech32 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { rootError } from '../errors.js';

export const ADDRESS_LENGTH = 20;

/**
 * Recently encoded addresses (raw bytes → bech32, one table per hrp): every transfer names its
 * sender and recipient in events and sign bytes, and a bech32 checksum costs far more than a
 * Map lookup. Keyed by the bytes as a latin1 string (one char per byte, no concatenation with the
 * hrp, so the key is a flat string hashed once). Bounded; a table is cleared wholesale when full
 * (cheap, and the hot set refills at once).
 */
const ENCODED_CACHE_MAX = 65_536;
/** hrps with a table; past this many (not a real chain's case) the tables are dropped and restarted. */
const ENCODED_HRPS_MAX = 16;
const encodedByHrp = new Map<string, Map<string, string>>();
let lastHrp: string | undefined;
let lastTable: Map<string, string> | undefined;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

function tableOf(hrp: string): Map<string, string> {
  if (hrp === lastHrp) return lastTable!;
  let t = encodedByHrp.get(hrp);
  if (!t) {
    if (encodedByHrp.size >= ENCODED_HRPS_MAX) encodedByHrp.clear();
    t = new Map();
    encodedByHrp.set(hrp, t);
  }
  lastHrp = hrp;
  lastTable = t;
  return t;
}

export function encodeAddress(addr: Uint8Array, hrp: string): string {
  // Go's AccAddress.String() prints "" for an empty address; keep that for sign-bytes fidelity.
  if (addr.length === 0) return '';
  const table = tableOf(hrp);
  const k = latin1Slice.call(addr, 0, addr.length);
  let s = table.get(k);
  if (s === undefined) {
    s = bech32.encode(hrp, bech32.toWords(addr), false);
    if (table.size >= ENCODED_CACHE_MAX) table.clear();
    table.set(k, s);
  }
  return s;
}

/** Decodes a bech32 account address; with `hrp`, the prefix must match exactly. */
export function decodeAddress(s: string, hrp?: string): Uint8Array {
  let prefix: string;
  let bytes: Uint8Array;
  try {
    const d = bech32.decodeToBytes(s);
    prefix = d.prefix;
    bytes = d.bytes;
  } catch (e) {
    throw rootError('invalidAddress', `invalid address ${JSON.stringify(s)}: ${(e as Error).message}`);
  }
  if (hrp !== undefined && prefix !== hrp) {
    throw rootError('invalidAddress', `invalid address ${JSON.stringify(s)}: prefix ${prefix}, expected ${hrp}`);
  }
  if (bytes.length !== ADDRESS_LENGTH) {
    throw rootError('invalidAddress', `invalid address ${JSON.stringify(s)}: ${bytes.length} bytes, expected ${ADDRESS_LENGTH}`);
  }
  return bytes;
}

/** Module escrow account: `crypto.AddressHash([]byte(name))` = first 20 bytes of SHA256(name). */
export function escrowAddress(name: string): Uint8Array {
  return sha256(new TextEncoder().encode(name)).slice(0, ADDRESS_LENGTH);
}
