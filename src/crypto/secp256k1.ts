/**
 * Account keys (secp256k1), spec §D.3: signatures are ECDSA over SHA256(signBytes), 64 bytes
 * r‖s, RFC6979 deterministic nonce, low-S. Signing is rare on a node (tests, CLI, localnet
 * faucets), so it uses the audited pure-JS noble implementation; verification goes through
 * `verifier.ts`, which picks a faster backend.
 */
import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1.js';

/** Curve order n and n/2 (low-S bound). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;

export function randomPrivateKey(): Uint8Array {
  return secp256k1.utils.randomSecretKey();
}

/** 33-byte compressed public key. Throws on an invalid private key (0 or ≥ n). */
export function publicKeyFromPrivate(priv32: Uint8Array): Uint8Array {
  if (priv32.length !== 32) throw new Error(`private key must be 32 bytes, got ${priv32.length}`);
  return secp256k1.getPublicKey(priv32, true);
}

/** Signs a 32-byte digest as-is (no second hash): RFC6979 nonce, low-S, 64 bytes r‖s. */
export function signHash(hash32: Uint8Array, priv32: Uint8Array): Uint8Array {
  if (hash32.length !== 32) throw new Error(`signHash: digest must be 32 bytes, got ${hash32.length}`);
  if (priv32.length !== 32) throw new Error(`signHash: private key must be 32 bytes, got ${priv32.length}`);
  return secp256k1.sign(hash32, priv32, { prehash: false, lowS: true, format: 'compact' });
}

export function bytesToBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex'));
}

const N_BYTES = Buffer.from(SECP256K1_N.toString(16).padStart(64, '0'), 'hex');
const HALF_N_BYTES = Buffer.from(SECP256K1_HALF_N.toString(16).padStart(64, '0'), 'hex');

/** Big-endian compare of the 32 bytes at `b[at..]` with `c`: <0, 0, >0. */
function cmp32(b: Uint8Array, at: number, c: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = b[at + i]! - c[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function isZero32(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 32; i++) if (b[at + i] !== 0) return false;
  return true;
}

/** True when the 64-byte signature's s is in [1, n/2] (the only form Tendermint accepts). Compared as bytes: no bigint per signature. */
export function isLowS(sig64: Uint8Array): boolean {
  if (sig64.length !== 64) return false;
  return !isZero32(sig64, 32) && cmp32(sig64, 32, HALF_N_BYTES) <= 0;
}

/** r in [1, n-1] and s in [1, n/2]: the range part of a well-formed compact signature. */
export function inSignatureRange(sig64: Uint8Array): boolean {
  return sig64.length === 64 && !isZero32(sig64, 0) && cmp32(sig64, 0, N_BYTES) < 0 && isLowS(sig64);
}

interface NativeSign {
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
}
let nativeSignLib: NativeSign | null | undefined;

/**
 * A signer for bulk work (the load generator signs ahead hundreds of thousands of txs): the
 * native libsecp256k1 binding when it loads (RFC6979, low-S normalised, byte-identical to
 * `signHash` — a unit test checks they agree), else `signHash`.
 */
export function bulkSigner(): { backend: 'native' | 'noble'; sign(hash32: Uint8Array, priv32: Uint8Array): Uint8Array } {
  if (nativeSignLib === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const req = createRequire(import.meta.url);
      nativeSignLib = req('secp256k1/bindings') as NativeSign;
    } catch {
      nativeSignLib = null;
    }
  }
  const lib = nativeSignLib;
  if (!lib) return { backend: 'noble', sign: signHash };
  return {
    backend: 'native',
    sign(hash32, priv32) {
      return lib.ecdsaSign(hash32, priv32).signature;
    },
  };
}
