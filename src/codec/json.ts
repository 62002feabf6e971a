/**
 * Human JSON of a tx for `dexchain tx decode` and the RPC: amino-JSON-like (`{type, value}`
 * msgs), addresses bech32, integers as strings, keys and signatures in base64 and hex.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { encodeAddress, ADDRESS_LENGTH } from './address.js';
import { toHex } from './amino.js';
import type { StdTx } from './types.js';

type HumanJson = null | boolean | number | string | HumanJson[] | { [k: string]: HumanJson };

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** 20-byte values are addresses (bech32), other bytes hex, bigints strings. */
export function humanValue(v: unknown, hrp: string): HumanJson {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return v.length === ADDRESS_LENGTH ? encodeAddress(v, hrp) : toHex(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => humanValue(x, hrp));
  if (typeof v === 'object') {
    const out: { [k: string]: HumanJson } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = humanValue(x, hrp);
    return out;
  }
  return String(v);
}

export function txToJson(tx: StdTx, hrp: string): object {
  return {
    msgs: tx.msgs.map((m) => {
      const { type, ...fields } = m;
      return { type, value: humanValue(fields, hrp) };
    }),
    signatures: tx.signatures.map((s) => ({
      pub_key: b64(s.pub_key),
      pub_key_hex: toHex(s.pub_key),
      address: s.pub_key.length > 0 ? encodeAddress(ripemd160(sha256(s.pub_key)), hrp) : '',
      signature: b64(s.signature),
      signature_hex: toHex(s.signature),
      account_number: s.account_number.toString(),
      sequence: s.sequence.toString(),
    })),
    memo: tx.memo,
    source: tx.source.toString(),
    data: tx.data.length > 0 ? b64(tx.data) : null,
  };
}
