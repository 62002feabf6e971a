/**
 * secp256k1 signature verification behind one interface, with three interchangeable backends
 * that must agree bit for bit (a disagreement would split consensus):
 *
 *  - `native`: libsecp256k1 through the `secp256k1@5` addon. Fastest by far (~15× noble).
 *  - `node`:   OpenSSL through node:crypto (see the note on prehashed digests below).
 *  - `noble`:  @noble/curves, pure JS, always available.
 *
 * Rules common to all (Tendermint `PubKeySecp256k1.VerifySignature`): the signature is exactly
 * 64 bytes r‖s with 1 ≤ r,s < n and s ≤ n/2 (low-S; high-S is REJECTED, not normalised), the key
 * is exactly 33 bytes compressed (an uncompressed 65-byte key is rejected even though libsecp256k1
 * would parse it), the digest exactly 32 bytes. Malformed input yields `false`, never a throw.
 */
import { createPublicKey, createHash, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { SECP256K1_N, bytesToBigInt, inSignatureRange } from './secp256k1.js';
import { makeRoom } from '../cache/evict.js';

export type VerifierBackend = 'native' | 'node' | 'noble';

export interface SignatureVerifier {
  readonly backend: VerifierBackend;
  /** sig64 = r‖s, hash32 = SHA256(signBytes) (verified as-is, not hashed again), pub33 compressed. */
  verify(sig64: Uint8Array, hash32: Uint8Array, pub33: Uint8Array): boolean;
}

/** Shape and range checks shared by every backend, so they all reject the same inputs. */
function wellFormed(sig64: Uint8Array, hash32: Uint8Array, pub33: Uint8Array): boolean {
  if (!(sig64 instanceof Uint8Array) || !(hash32 instanceof Uint8Array) || !(pub33 instanceof Uint8Array)) return false;
  if (sig64.length !== 64 || hash32.length !== 32 || pub33.length !== 33) return false;
  if (pub33[0] !== 0x02 && pub33[0] !== 0x03) return false;
  return inSignatureRange(sig64);
}

// ---------------------------------------------------------------------------------------------
// noble

export function nobleVerifier(): SignatureVerifier {
  return {
    backend: 'noble',
    verify(sig64, hash32, pub33) {
      if (!wellFormed(sig64, hash32, pub33)) return false;
      try {
        return secp256k1.verify(sig64, hash32, pub33, { prehash: false, lowS: true, format: 'compact' });
      } catch {
        return false;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// native (libsecp256k1)

interface NativeSecp256k1 {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pub: Uint8Array): boolean;
  /** Throws when `pub` does not parse (not on the curve, x ≥ p, bad prefix). */
  publicKeyConvert(pub: Uint8Array, compressed: boolean): Uint8Array;
}

let nativeLib: NativeSecp256k1 | null | undefined;

/**
 * Loads `secp256k1/bindings` directly: the package's main entry silently falls back to a pure
 * JS (elliptic) build when the addon is missing, which would mislabel a slow backend as native.
 */
function loadNative(): NativeSecp256k1 | null {
  if (nativeLib !== undefined) return nativeLib;
  try {
    const req = createRequire(import.meta.url);
    const lib = req('secp256k1/bindings') as NativeSecp256k1;
    nativeLib = typeof lib.ecdsaVerify === 'function' && typeof lib.publicKeyConvert === 'function' ? lib : null;
  } catch {
    nativeLib = null;
  }
  return nativeLib;
}

/** Bytes of an uncompressed secp256k1 key: 0x04 ‖ x ‖ y. */
const UNCOMPRESSED_BYTES = 65;

/**
 * Compressed key (as a 33-char latin1 string) → its uncompressed form, kept in one slab.
 *
 * libsecp256k1 must take a field square root to parse a compressed key (~4.5 µs of a ~50 µs
 * verify), while an uncompressed one only needs the curve equation checked; accounts sign many
 * txs with one key, so each key is decompressed once. Bounded and FIFO: a ring cursor picks the
 * slot to reuse once full, so eviction is O(1) and the Map is never iterated (see
 * cache/evict.ts on why walking a Map's front is not). The slab grows by doubling, so a thread
 * that verifies little pays little memory (full: capacity × 65 bytes + the Map).
 */
export class UncompressedKeyCache {
  private readonly index = new Map<string, number>();
  private readonly keys: string[] = [];
  private slab = new Uint8Array(0);
  private cursor = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`UncompressedKeyCache: capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.index.size;
  }

  /** Copies the cached 65-byte form of key `k` into `out[0..65)`; false (out untouched) when not cached. */
  load(k: string, out: Uint8Array): boolean {
    const slot = this.index.get(k);
    if (slot === undefined) return false;
    const slab = this.slab;
    const o = slot * UNCOMPRESSED_BYTES;
    for (let i = 0; i < UNCOMPRESSED_BYTES; i++) out[i] = slab[o + i]!;
    return true;
  }

  /** Remembers `pub65` for `k` (a key not cached yet), evicting the oldest entry when full. */
  store(k: string, pub65: Uint8Array): void {
    if (pub65.length !== UNCOMPRESSED_BYTES) throw new Error(`UncompressedKeyCache: expected ${UNCOMPRESSED_BYTES} bytes, got ${pub65.length}`);
    let slot: number;
    if (this.keys.length < this.capacity) {
      slot = this.keys.length;
      this.keys.push(k);
      const need = (slot + 1) * UNCOMPRESSED_BYTES;
      if (need > this.slab.length) {
        const grown = new Uint8Array(Math.min(this.capacity, Math.max(1024, 2 * (slot + 1))) * UNCOMPRESSED_BYTES);
        grown.set(this.slab);
        this.slab = grown;
      }
    } else {
      // full: slots were filled in order, so the cursor always points at the oldest entry
      slot = this.cursor;
      this.index.delete(this.keys[slot]!);
      this.keys[slot] = k;
      this.cursor = slot + 1 === this.capacity ? 0 : slot + 1;
    }
    this.slab.set(pub65, slot * UNCOMPRESSED_BYTES);
    this.index.set(k, slot);
  }
}

/** Decompressed keys per thread: 65,536 × 65 bytes ≈ 4 MB of slab (+ ~5 MB of Map and key strings) when full. */
export const NATIVE_KEY_CACHE_SIZE = 65_536;

/** One per thread, shared by every native verifier of it (the mapping is a pure function of the key). */
let nativeKeys: UncompressedKeyCache | undefined;

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

/**
 * libsecp256k1's `secp256k1_ecdsa_verify` rejects non-normalised (high-S) signatures by
 * itself; the shared pre-check rejects them too so the rule does not depend on the library.
 *
 * The key is verified in its uncompressed form (`UncompressedKeyCache`): the same point, so the
 * same verdict, and a key that does not parse still gives false (publicKeyConvert throws where
 * ecdsaVerify would have). Only 33-byte compressed keys reach this (`wellFormed`), so the
 * 65-byte form never widens what is accepted. Returns undefined when the addon cannot load.
 */
export function nativeVerifier(): SignatureVerifier | undefined {
  const lib = loadNative();
  if (!lib) return undefined;
  const keys = (nativeKeys ??= new UncompressedKeyCache(NATIVE_KEY_CACHE_SIZE));
  // verification is synchronous, so one scratch key buffer per verifier is never shared by two calls
  const pub65 = new Uint8Array(UNCOMPRESSED_BYTES);
  return {
    backend: 'native',
    verify(sig64, hash32, pub33) {
      if (!wellFormed(sig64, hash32, pub33)) return false;
      try {
        const k = latin1Slice.call(pub33, 0, 33);
        if (!keys.load(k, pub65)) {
          const full = lib.publicKeyConvert(pub33, false); // throws on an unparsable key
          keys.store(k, full);
          pub65.set(full);
        }
        return lib.ecdsaVerify(sig64, hash32, pub65) === true;
      } catch {
        return false; // unparsable key or signature
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// node:crypto (OpenSSL)

/**
 * Bounded LRU on a Map (insertion order = recency). Parsing a compressed key costs a field
 * square root (and a KeyObject ~130 µs in OpenSSL), while a chain sees the same senders again
 * and again, so parsed keys are kept.
 */
class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: K, v: V): void {
    if (this.map.has(k)) this.map.delete(k);
    else makeRoom(this.map, this.max);
    this.map.set(k, v);
  }
  get size(): number {
    return this.map.size;
  }
}

/** Cached parsed public keys per verifier: 4096 × (point + KeyObject) ≈ a few MB at most. */
const NODE_KEY_CACHE_SIZE = 4096;

/** SPKI DER header for an id-ecPublicKey / secp256k1 key with a 65-byte uncompressed point. */
const SPKI_SECP256K1_UNCOMPRESSED = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex');

/**
 * Fixed message whose SHA-256 (e0) the transformed verification below is run against.
 * Any constant works; the empty string keeps OpenSSL's hashing cost minimal.
 */
const FIXED_MSG = new Uint8Array(0);
const E0 = bytesToBigInt(new Uint8Array(createHash('sha256').update(FIXED_MSG).digest())) % SECP256K1_N;

type NoblePoint = ReturnType<typeof secp256k1.Point.fromBytes>;

function modN(a: bigint): bigint {
  const m = a % SECP256K1_N;
  return m < 0n ? m + SECP256K1_N : m;
}

function invN(a: bigint): bigint {
  // extended Euclid; a is in [1, n-1] and n is prime, so the inverse exists
  let [oldR, r] = [modN(a), SECP256K1_N];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return modN(oldS);
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` from 32-byte big-endian halves (what OpenSSL takes). */
export function compactToDer(sig64: Uint8Array): Uint8Array {
  const int = (b: Uint8Array): Uint8Array => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const body = b.subarray(i);
    const pad = body[0]! & 0x80 ? 1 : 0;
    const out = new Uint8Array(2 + pad + body.length);
    out[0] = 0x02;
    out[1] = pad + body.length;
    out.set(body, 2 + pad);
    return out;
  };
  const r = int(sig64.subarray(0, 32));
  const s = int(sig64.subarray(32, 64));
  const out = new Uint8Array(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length;
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}

export interface NodeSignatureVerifier extends SignatureVerifier {
  /**
   * Verifies over the message itself (OpenSSL hashes it with SHA-256): the fast node:crypto
   * path (~310 µs) when a caller still has the sign bytes. Same acceptance rules as `verify`.
   */
  verifyMessage(sig64: Uint8Array, msg: Uint8Array, pub33: Uint8Array): boolean;
}

/**
 * node:crypto CANNOT verify a prehashed ECDSA digest: `crypto.verify(alg, data, key, sig)`
 * always runs data through a digest, and with `alg = null` OpenSSL 3 picks SHA-256 for EC keys
 * (checked: `verify(null, digest, …)` fails for a signature over `digest`, while
 * `verify(null, msg, …)` succeeds), and no raw `EVP_PKEY_verify` is exposed.
 *
 * `verify(sig, hash32, pub)` therefore uses an exact algebraic rewrite so OpenSSL can check it
 * as a signature over a fixed message m0 with known digest e0 = SHA256(m0):
 *
 *   ECDSA accepts (r, s) on digest e under key Q  iff  x(R) ≡ r (mod n),
 *   R = (e/s)·G + (r/s)·Q.
 *   With t = (e − e0)/r and Q' = Q + t·G:  (e0/s)·G + (r/s)·Q' = (e/s)·G + (r/s)·Q = R,
 *
 * so (r, s) verifies on e0 under Q' exactly when it verifies on e under Q: same R, same
 * comparison. t·G + Q is computed with noble (public scalars, so its non-constant-time path is
 * fine); if Q' is the point at infinity (probability ~2⁻²⁵⁶, or a crafted edge) we defer to
 * noble. This costs one fixed-base multiplication and one KeyObject per call on top of
 * OpenSSL's verify, so it is slower than native and only modestly faster than noble; it exists
 * so hosts without the addon still get OpenSSL's speed on the `verifyMessage` path.
 */
export function nodeVerifier(): NodeSignatureVerifier {
  const points = new Lru<string, NoblePoint>(NODE_KEY_CACHE_SIZE);
  const keys = new Lru<string, KeyObject>(NODE_KEY_CACHE_SIZE);
  const noble = nobleVerifier();

  const pointOf = (pub33: Uint8Array): NoblePoint => {
    const k = Buffer.from(pub33.buffer, pub33.byteOffset, pub33.byteLength).toString('latin1');
    let p = points.get(k);
    if (!p) {
      p = secp256k1.Point.fromBytes(pub33); // validates: on curve, x < p
      points.set(k, p);
    }
    return p;
  };
  const keyOfPoint = (p: NoblePoint): KeyObject =>
    createPublicKey({ key: Buffer.concat([SPKI_SECP256K1_UNCOMPRESSED, p.toBytes(false)]), format: 'der', type: 'spki' });

  return {
    backend: 'node',
    verify(sig64, hash32, pub33) {
      if (!wellFormed(sig64, hash32, pub33)) return false;
      try {
        const q = pointOf(pub33);
        const r = bytesToBigInt(sig64.subarray(0, 32));
        const e = bytesToBigInt(hash32) % SECP256K1_N;
        const t = modN((e - E0) * invN(r));
        const qPrime = t === 0n ? q : secp256k1.Point.BASE.multiplyUnsafe(t).add(q);
        if (qPrime.is0()) return noble.verify(sig64, hash32, pub33);
        return nodeVerify('sha256', FIXED_MSG, keyOfPoint(qPrime), compactToDer(sig64));
      } catch {
        return false;
      }
    },
    verifyMessage(sig64, msg, pub33) {
      if (!(msg instanceof Uint8Array)) return false;
      if (!wellFormed(sig64, new Uint8Array(32), pub33)) return false;
      try {
        const k = Buffer.from(pub33.buffer, pub33.byteOffset, pub33.byteLength).toString('latin1');
        let key = keys.get(k);
        if (!key) {
          key = keyOfPoint(pointOf(pub33));
          keys.set(k, key);
        }
        return nodeVerify('sha256', msg, key, compactToDer(sig64));
      } catch {
        return false;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// selection

/** Fastest first; measured on one core: native ~70 µs, node ~0.8 ms (digest path), noble ~1.3 ms. */
const PREFERENCE: readonly VerifierBackend[] = ['native', 'node', 'noble'];

function build(b: VerifierBackend): SignatureVerifier | undefined {
  switch (b) {
    case 'native':
      return nativeVerifier();
    case 'node':
      return nodeVerifier();
    case 'noble':
      return nobleVerifier();
  }
}

/** Backends that load on this host, fastest first. */
export function availableBackends(): VerifierBackend[] {
  return PREFERENCE.filter((b) => build(b) !== undefined);
}

/**
 * The preferred backend if it loads, else the fastest that does. `noble` always loads, so this
 * never fails.
 */
export function createVerifier(preferred?: VerifierBackend): SignatureVerifier {
  if (preferred) {
    const v = build(preferred);
    if (v) return v;
  }
  for (const b of PREFERENCE) {
    const v = build(b);
    if (v) return v;
  }
  return nobleVerifier();
}
