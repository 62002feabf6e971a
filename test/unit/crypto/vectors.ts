import { readFileSync } from 'node:fs';
import { SECP256K1_N, bytesToBigInt } from '../../../src/crypto/secp256k1.js';
import { fromHex } from '../../../src/crypto/hash.js';

export interface SdkVector {
  name: string;
  sign_bytes: string;
  sign_bytes_sha256: string;
  pubkey_compressed_hex: string;
  signature_hex: string;
}
export interface SdkVectors {
  keys: Record<string, { private_key: string; pubkey_compressed_hex?: string; address_hex: string }>;
  vectors: SdkVector[];
}

export function loadSdkVectors(): SdkVectors {
  return JSON.parse(readFileSync(new URL('../../../../shared/vectors/sdk-tx.json', import.meta.url), 'utf8')) as SdkVectors;
}

export function bigToBytes32(x: bigint): Uint8Array {
  return fromHex(x.toString(16).padStart(64, '0'));
}

/** The malleated twin (r, n − s): a valid ECDSA signature, but high-S, so it must be rejected. */
export function highS(sig: Uint8Array): Uint8Array {
  const out = new Uint8Array(sig);
  out.set(bigToBytes32(SECP256K1_N - bytesToBigInt(sig.subarray(32))), 32);
  return out;
}
