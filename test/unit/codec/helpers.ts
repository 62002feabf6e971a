import fs from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
export const toHexStr = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

export function loadVectors(): any {
  const url = new URL('../../../../shared/vectors/sdk-tx.json', import.meta.url);
  return JSON.parse(fs.readFileSync(url, 'utf8'));
}

/** secp256k1 over SHA256(signBytes), low-S, 64-byte r‖s — what the chain verifies. */
export function verifySig(sig: Uint8Array, signBytes: Uint8Array, pub: Uint8Array): boolean {
  return secp256k1.verify(sig, sha256(signBytes), pub, { prehash: false, lowS: true });
}

/** Decoded msg → the vector's shape (addresses {__hex}, ints as numbers, no type). */
export function toVectorShape(v: unknown): unknown {
  if (v instanceof Uint8Array) return { __hex: toHexStr(v) };
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toVectorShape);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'type') out[k] = toVectorShape(x);
    return out;
  }
  return v;
}
