/**
 * Validator keys (ed25519, spec §D.3 / E.1). node:crypto is the fast path (OpenSSL is several
 * times faster than JS for vote checking); @noble/curves is the fallback when OpenSSL lacks
 * Ed25519 or rejects a key encoding. Both are held to RFC 8032 strict rules (noble with
 * `zip215: false`, OpenSSL's default), so they accept exactly the same signatures — a vote one
 * node accepts and another rejects would split consensus.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { makeRoom } from '../cache/evict.js';

/** PKCS#8 header for an Ed25519 private key (RFC 8410) followed by the 32-byte seed. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** SPKI header for an Ed25519 public key (RFC 8410) followed by the 32-byte key. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

let nodeOk: boolean | undefined;
/** Whether this OpenSSL build does Ed25519 (probed once with a sign/verify round trip). */
function nodeAvailable(): boolean {
  if (nodeOk === undefined) {
    try {
      const seed = new Uint8Array(32).fill(7);
      const msg = new Uint8Array([1, 2, 3]);
      const sig = nodeSign(null, msg, privKeyObject(seed));
      nodeOk = nodeVerify(null, msg, pubKeyObject(nodePublicKey(seed)), sig) && ed25519.verify(sig, msg, ed25519.getPublicKey(seed));
    } catch {
      nodeOk = false;
    }
  }
  return nodeOk;
}

/** Tendermint stores a 64-byte private key (seed ‖ pub); the seed is the first half. */
function seedOf(key: Uint8Array): Uint8Array {
  if (key.length === 32) return key;
  if (key.length === 64) return key.subarray(0, 32);
  throw new Error(`ed25519 private key must be a 32-byte seed (or 64-byte seed‖pub), got ${key.length} bytes`);
}

function privKeyObject(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}
function pubKeyObject(pub: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, pub]), format: 'der', type: 'spki' });
}
function nodePublicKey(seed: Uint8Array): Uint8Array {
  const der = createPublicKey(privKeyObject(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/**
 * Validator vote traffic re-verifies the same few dozen keys all the time; a KeyObject costs
 * tens of µs to build. 1024 entries covers any realistic validator set plus churn.
 */
const PUBKEY_CACHE_SIZE = 1024;
const pubCache = new Map<string, KeyObject>();
function cachedPubKeyObject(pub: Uint8Array): KeyObject {
  const k = Buffer.from(pub.buffer, pub.byteOffset, pub.byteLength).toString('latin1');
  let ko = pubCache.get(k);
  if (ko) {
    pubCache.delete(k);
    pubCache.set(k, ko);
    return ko;
  }
  ko = pubKeyObject(pub);
  makeRoom(pubCache, PUBKEY_CACHE_SIZE);
  pubCache.set(k, ko);
  return ko;
}

export function ed25519Generate(): { priv: Uint8Array; pub: Uint8Array } {
  const priv = new Uint8Array(randomBytes(32));
  return { priv, pub: ed25519PublicKey(priv) };
}

export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  const s = seedOf(seed);
  return nodeAvailable() ? nodePublicKey(s) : ed25519.getPublicKey(s);
}

/** 64-byte signature (ed25519 is deterministic, so both paths produce the same bytes). */
export function ed25519Sign(msg: Uint8Array, seed: Uint8Array): Uint8Array {
  const s = seedOf(seed);
  if (nodeAvailable()) return new Uint8Array(nodeSign(null, msg, privKeyObject(s)));
  return ed25519.sign(msg, s);
}

/** Never throws: malformed signatures or keys are simply invalid. */
export function ed25519Verify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  if (!(sig instanceof Uint8Array) || !(msg instanceof Uint8Array) || !(pub instanceof Uint8Array)) return false;
  if (sig.length !== 64 || pub.length !== 32) return false;
  if (nodeAvailable()) {
    try {
      return nodeVerify(null, msg, cachedPubKeyObject(pub), sig);
    } catch {
      // OpenSSL refused the key encoding; noble decides (with the same strict rules)
    }
  }
  return ed25519NobleVerify(sig, msg, pub);
}

/** The pure-JS path, exported so tests (and a host without OpenSSL Ed25519) can use it directly. */
export function ed25519NobleVerify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  if (sig.length !== 64 || pub.length !== 32) return false;
  try {
    return ed25519.verify(sig, msg, pub, { zip215: false });
  } catch {
    return false;
  }
}

/** The pure-JS signer (tests check both paths produce the same bytes). */
export function ed25519NobleSign(msg: Uint8Array, seed: Uint8Array): Uint8Array {
  return ed25519.sign(msg, seedOf(seed));
}
