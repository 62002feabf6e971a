/**
 * StdTx wire form: `uvarint(len) ‖ F0625DEE ‖ fields` (amino MarshalBinaryLengthPrefixed).
 * Decoding is strict and canonical (see amino.ts), so `encodeTx(decodeTx(b).tx)` equals `b`.
 */
import crypto from 'node:crypto';
import { rootError } from '../errors.js';
import { AminoReader, AminoWriter, aminoPrefix, concatBytes, encodeUvarint, toHex } from './amino.js';
import { decodeMsgAt, encodeMsg } from './msgs.js';
import type { DecodedTx, Msg, StdSignature, StdTx } from './types.js';

export const MAX_TX_BYTES = 64 * 1024;
export const STDTX_PREFIX = aminoPrefix('auth/StdTx');
export const PUBKEY_SECP256K1_PREFIX = aminoPrefix('tendermint/PubKeySecp256k1');
export const PUBKEY_LENGTH = 33;
export const SIGNATURE_LENGTH = 64;

/** Amino interface form of a compressed secp256k1 key: EB5AE987 ‖ 0x21 ‖ key. */
export function aminoPubKey(key: Uint8Array): Uint8Array {
  return concatBytes(PUBKEY_SECP256K1_PREFIX, encodeUvarint(key.length), key);
}

/** Inverse of aminoPubKey; only secp256k1 33-byte keys are accepted. */
export function unwrapAminoPubKey(b: Uint8Array): Uint8Array {
  if (
    b.length !== 4 + 1 + PUBKEY_LENGTH ||
    b[0] !== PUBKEY_SECP256K1_PREFIX[0] ||
    b[1] !== PUBKEY_SECP256K1_PREFIX[1] ||
    b[2] !== PUBKEY_SECP256K1_PREFIX[2] ||
    b[3] !== PUBKEY_SECP256K1_PREFIX[3] ||
    b[4] !== PUBKEY_LENGTH
  ) {
    throw rootError('txDecode', `pub_key must be EB5AE987 21 ‖ 33-byte secp256k1 key, got ${toHex(b)}`);
  }
  return b.slice(5);
}

function decodeSignature(r: AminoReader): StdSignature {
  // key and signature are views into the tx bytes, kept as long as the decoded tx (one view
  // of the 33-byte key, none of its amino wrapper)
  const at = r.bytesAt(1);
  const buf = r.buffer;
  let pub_key: Uint8Array;
  if (
    at >= 0 &&
    r.lastLength === 4 + 1 + PUBKEY_LENGTH &&
    buf[at] === PUBKEY_SECP256K1_PREFIX[0] &&
    buf[at + 1] === PUBKEY_SECP256K1_PREFIX[1] &&
    buf[at + 2] === PUBKEY_SECP256K1_PREFIX[2] &&
    buf[at + 3] === PUBKEY_SECP256K1_PREFIX[3] &&
    buf[at + 4] === PUBKEY_LENGTH
  ) {
    pub_key = buf.subarray(at + 5, at + 5 + PUBKEY_LENGTH);
  } else {
    // throws unwrapAminoPubKey's error for what the field held (nothing when absent)
    pub_key = unwrapAminoPubKey(at < 0 ? new Uint8Array(0) : buf.subarray(at, at + r.lastLength));
  }
  const signature = r.sharedBytes(2);
  if (signature.length !== SIGNATURE_LENGTH) {
    throw rootError('txDecode', `signature must be ${SIGNATURE_LENGTH} bytes, got ${signature.length}`);
  }
  return { pub_key, signature, account_number: r.uvarint(3), sequence: r.uvarint(4) };
}

function hasStdTxPrefix(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 4; i++) if (b[at + i] !== STDTX_PREFIX[i]) return false;
  return true;
}

/**
 * Where the body starts when `bytes` opens with a minimal uvarint of 1–3 bytes equal to the
 * number of bytes after it; -1 otherwise (the caller's general path then decides, and reports).
 */
function lengthPrefixEnd(bytes: Uint8Array): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 3 && i < bytes.length; i++) {
    const b = bytes[i]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) {
      if (b === 0 && i > 0) return -1; // not minimal
      return v === bytes.length - (i + 1) ? i + 1 : -1;
    }
    mul *= 128;
  }
  return -1;
}

/** @param hash the tx's UPPERCASE hex hash when the caller already computed it (saves a SHA-256). */
export function decodeTx(bytes: Uint8Array, hash?: string): DecodedTx {
  if (bytes.length === 0) throw rootError('txDecode', 'tx bytes are empty');
  if (bytes.length > MAX_TX_BYTES) throw rootError('txTooLarge', `tx of ${bytes.length} bytes exceeds ${MAX_TX_BYTES}`);
  // the body: bytes[at, length); a tx is < 2^21 bytes, so a valid prefix is a minimal varint of
  // at most 3 bytes equal to what follows, read here as a number; anything else takes the
  // general path below, which reports it
  let at = lengthPrefixEnd(bytes);
  if (at < 0) {
    const outer = new AminoReader(bytes);
    const len = outer.rawUvarint();
    if (len !== BigInt(outer.remaining)) {
      throw rootError('txDecode', `length prefix ${len} does not match the ${outer.remaining} bytes that follow`);
    }
    at = bytes.length - outer.remaining;
  }
  if (bytes.length - at < 4 || !hasStdTxPrefix(bytes, at)) {
    throw rootError('txDecode', `not a StdTx: prefix ${toHex(bytes.subarray(at, at + 4)).toUpperCase()}, expected F0625DEE`);
  }
  const r = new AminoReader(bytes, at + 4, bytes.length, at);
  const msgs: Msg[] = r.repeatedRanges(1, decodeMsgAt);
  const signatures = r.repeated(2, decodeSignature);
  const memo = r.string(3);
  const source = r.uvarint(4);
  const data = r.sharedBytes(5);
  r.finish();
  return { tx: { msgs, signatures, memo, source, data }, bytes, hash: hash ?? txHashHex(bytes) };
}

export function encodeTxBody(tx: StdTx): Uint8Array {
  const w = new AminoWriter();
  w.raw(STDTX_PREFIX);
  for (const m of tx.msgs) w.bytes(1, encodeMsg(m));
  w.repeated(2, tx.signatures, (sw, s) => {
    if (s.pub_key.length > 0) sw.bytes(1, aminoPubKey(s.pub_key));
    sw.bytes(2, s.signature).uvarint(3, s.account_number).uvarint(4, s.sequence);
  });
  w.string(3, tx.memo).uvarint(4, tx.source).bytes(5, tx.data);
  return w.finish();
}

export function encodeTx(tx: StdTx): Uint8Array {
  const body = encodeTxBody(tx);
  return concatBytes(encodeUvarint(body.length), body);
}

type OneShotHash = (alg: string, data: Uint8Array, enc: 'hex') => string;
/** node:crypto's one-shot hash (Node ≥ 20.12): no Hash object, no Buffer; ~5× noble's JS SHA-256 on a 200-byte tx. */
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

/** UPPERCASE hex SHA256 of the full wire bytes (length prefix included), as Tendermint prints it. */
export function txHashHex(bytes: Uint8Array): string {
  if (oneShot) return oneShot('sha256', bytes, 'hex').toUpperCase();
  return crypto.createHash('sha256').update(bytes).digest('hex').toUpperCase();
}
