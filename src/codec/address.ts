/**
 * Bech32 account addresses (BIP-173, as cosmos-sdk `AccAddress`) and module escrow addresses.
 */
import { bech32 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { rootError } from '../errors.js';

export const ADDRESS_LENGTH = 20;

export function encodeAddress(addr: Uint8Array, hrp: string): string {
  // Go's AccAddress.String() prints "" for an empty address; keep that for sign-bytes fidelity.
  if (addr.length === 0) return '';
  return bech32.encode(hrp, bech32.toWords(addr), false);
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
