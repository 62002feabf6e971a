/**
 * Encrypted key files in the format of the Binance Chain JS SDK (`crypto.generateKeyStore` /
 * `getPrivateKeyFromKeyStore`, @binance-chain/javascript-sdk 4.2.2, lib/crypto/index.js), so a
 * key exported here opens in the SDK / web wallet and vice versa:
 *
 *   { version: 1, id: uuid, crypto: { ciphertext, cipherparams: { iv }, cipher: 'aes-256-ctr',
 *     kdf: 'pbkdf2', kdfparams: { dklen: 32, salt, c: 262144, prf: 'hmac-sha256' }, mac } }
 *
 * Facts read from the SDK source and checked against its output:
 *  - the cipher is AES-256-CTR keyed with the whole 32-byte derived key (not Ethereum v3's
 *    AES-128 with the first 16 bytes);
 *  - `mac` = hex Keccak-512 (CryptoJS `SHA3` defaults to 512-bit, pre-FIPS Keccak padding) of
 *    derivedKey[16..32] ‖ ciphertext; the SDK also accepts a legacy SHA-256 MAC.
 * For decryption we additionally accept Ethereum v3 files (scrypt KDF, aes-128-ctr,
 * Keccak-256 MAC), since wallets move keys between chains that way.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { keccak_256, keccak_512 } from '@noble/hashes/sha3.js';
import { sha256 } from './hash.js';

/** The SDK's PBKDF2 iteration count; kept so files look and cost the same as the SDK's. */
export const SDK_PBKDF2_ITERATIONS = 262144;
/** Refuse work factors that would hang the process (a crafted file could ask for 2^40). */
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MAX_SCRYPT_N = 1 << 20;

export type KeystoreErrorCode = 'wrongPassword' | 'unsupported' | 'malformed';

export class KeystoreError extends Error {
  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeystoreError';
  }
}

export interface Keystore {
  version: number;
  id: string;
  crypto: {
    ciphertext: string;
    cipherparams: { iv: string };
    cipher: string;
    kdf: string;
    kdfparams: Record<string, unknown>;
    mac: string;
  };
}

export interface EncryptOptions {
  /** PBKDF2 iterations (default: the SDK's 262144). Lower only for tests. */
  iterations?: number;
}

export function encryptKeystore(priv32: Uint8Array, password: string, opts: EncryptOptions = {}): Keystore {
  if (priv32.length !== 32) throw new KeystoreError('malformed', `private key must be 32 bytes, got ${priv32.length}`);
  if (typeof password !== 'string') throw new KeystoreError('malformed', 'password must be a string');
  const c = opts.iterations ?? SDK_PBKDF2_ITERATIONS;
  if (!Number.isInteger(c) || c < 1 || c > MAX_PBKDF2_ITERATIONS) throw new KeystoreError('malformed', `bad iteration count ${c}`);
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const dk = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, c, 32, 'sha256');
  const cipher = createCipheriv('aes-256-ctr', dk, iv);
  const ciphertext = Buffer.concat([cipher.update(priv32), cipher.final()]);
  const mac = keccak_512(Buffer.concat([dk.subarray(16, 32), ciphertext]));
  return {
    version: 1,
    id: randomUUID(),
    crypto: {
      ciphertext: ciphertext.toString('hex'),
      cipherparams: { iv: iv.toString('hex') },
      cipher: 'aes-256-ctr',
      kdf: 'pbkdf2',
      kdfparams: { dklen: 32, salt: salt.toString('hex'), c, prf: 'hmac-sha256' },
      mac: Buffer.from(mac).toString('hex'),
    },
  };
}

function hexField(v: unknown, name: string): Buffer {
  if (typeof v !== 'string' || v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) {
    throw new KeystoreError('malformed', `keystore field ${name} must be a hex string`);
  }
  return Buffer.from(v, 'hex');
}

function intField(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new KeystoreError('unsupported', `keystore kdfparams.${name} must be an integer in [${min}, ${max}]`);
  }
  return v;
}

function deriveKey(kdf: unknown, p: Record<string, unknown>, password: string): Buffer {
  const salt = hexField(p.salt, 'kdfparams.salt');
  const dklen = intField(p.dklen ?? 32, 'dklen', 32, 64);
  if (kdf === 'pbkdf2') {
    if (p.prf !== 'hmac-sha256') throw new KeystoreError('unsupported', `unsupported PBKDF2 prf ${String(p.prf)}`);
    const c = intField(p.c, 'c', 1, MAX_PBKDF2_ITERATIONS);
    return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, c, dklen, 'sha256');
  }
  if (kdf === 'scrypt') {
    const N = intField(p.n, 'n', 2, MAX_SCRYPT_N);
    const r = intField(p.r, 'r', 1, 64);
    const pp = intField(p.p, 'p', 1, 16);
    return scryptSync(Buffer.from(password, 'utf8'), salt, dklen, { N, r, p: pp, maxmem: 256 * N * r + 1024 * 1024 });
  }
  throw new KeystoreError('unsupported', `unsupported keystore kdf ${String(kdf)}`);
}

/** Accepts the parsed object or its JSON text. Wrong password → KeystoreError('wrongPassword'). */
export function decryptKeystore(json: unknown, password: string): Uint8Array {
  if (typeof password !== 'string') throw new KeystoreError('malformed', 'password must be a string');
  let ks: unknown = json;
  if (typeof json === 'string') {
    try {
      ks = JSON.parse(json);
    } catch {
      throw new KeystoreError('malformed', 'keystore is not valid JSON');
    }
  }
  const c = (ks as { crypto?: unknown; Crypto?: unknown } | null)?.crypto ?? (ks as { Crypto?: unknown } | null)?.Crypto;
  if (!c || typeof c !== 'object') throw new KeystoreError('malformed', 'keystore has no crypto section');
  const cr = c as Record<string, unknown>;
  const params = cr.kdfparams;
  if (!params || typeof params !== 'object') throw new KeystoreError('malformed', 'keystore has no kdfparams');
  const ciphertext = hexField(cr.ciphertext, 'ciphertext');
  const iv = hexField((cr.cipherparams as { iv?: unknown } | undefined)?.iv, 'cipherparams.iv');
  if (iv.length !== 16) throw new KeystoreError('malformed', 'keystore iv must be 16 bytes');
  const mac = hexField(cr.mac, 'mac');
  const keyLen = cr.cipher === 'aes-256-ctr' ? 32 : cr.cipher === 'aes-128-ctr' ? 16 : 0;
  if (keyLen === 0) throw new KeystoreError('unsupported', `unsupported keystore cipher ${String(cr.cipher)}`);

  const dk = deriveKey(cr.kdf, params as Record<string, unknown>, password);
  const macInput = Buffer.concat([dk.subarray(16, 32), ciphertext]);
  // SDK (Keccak-512), Ethereum v3 (Keccak-256), pre-mainnet SDK (SHA-256)
  const candidates = [keccak_512(macInput), keccak_256(macInput), sha256(macInput)];
  const ok = candidates.some((m) => m.length === mac.length && timingSafeEqual(m, mac));
  if (!ok) throw new KeystoreError('wrongPassword', 'keystore MAC check failed: wrong password (or corrupted file)');

  const decipher = createDecipheriv(cr.cipher as string, dk.subarray(0, keyLen), iv);
  const priv = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (priv.length !== 32) throw new KeystoreError('malformed', `decrypted key is ${priv.length} bytes, expected 32`);
  return new Uint8Array(priv);
}
