/**
 * Bech32 account addresses (BIP-173, as cosmos-sdk `AccAddress`) and module escrow addresses.
 */
import { bech32 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { rootError } from '../errors.js';

export const ADDRESS_LENGTH = 20;

/**
 * Recently encoded addresses (hrp + raw bytes → bech32): every transfer names its sender and
 * recipient in events and sign bytes, and a bech32 checksum costs far more than a Map lookup.
 * Bounded; cleared wholesale when full (cheap, and the hot set refills at once).
 */
const ENCODED_CACHE_MAX = 65_536;
const encoded = new Map<string, string>();
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

export function encodeAddress(addr: Uint8Array, hrp: string): string {
  // Go's AccAddress.String() prints "" for an empty address; keep that for sign-bytes fidelity.
  if (addr.length === 0) return '';
  const k = hrp + '\0' + latin1Slice.call(addr, 0, addr.length);
  let s = encoded.get(k);
  if (s === undefined) {
    s = bech32.encode(hrp, bech32.toWords(addr), false);
    if (encoded.size >= ENCODED_CACHE_MAX) encoded.clear();
    encoded.set(k, s);
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
