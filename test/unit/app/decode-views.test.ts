/**
 * The tx decoder's fast paths against the plain definition: decodeTx reads the length prefix as
 * a number, keeps addresses / key / signature as views into the tx bytes and shares one empty
 * `data`; a reference decoder here does it the plain way (bigint prefix, every byte field
 * copied). On valid txs and on mutated bytes both must give equal values or the same error.
 * Also: the views are read-only in practice (an account keeps a copy of the key, not a view).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeTx, encodeTx, decodeMsg, type Msg, type StdTx, type Coin } from '../../../src/codec/index.js';
import { AminoReader } from '../../../src/codec/amino.js';
import { STDTX_PREFIX, unwrapAminoPubKey } from '../../../src/codec/tx.js';
import { rootError } from '../../../src/errors.js';
import type { DecodedTx, StdSignature } from '../../../src/codec/types.js';

/** The decoder as it reads without fast paths: each field through the general reader calls, copied. */
function plainDecodeTx(bytes: Uint8Array, hash: string): DecodedTx {
  if (bytes.length === 0) throw rootError('txDecode', 'tx bytes are empty');
  if (bytes.length > 64 * 1024) throw rootError('txTooLarge', `tx of ${bytes.length} bytes exceeds ${64 * 1024}`);
  const outer = new AminoReader(bytes);
  const len = outer.rawUvarint();
  if (len !== BigInt(outer.remaining)) throw rootError('txDecode', `length prefix ${len} does not match the ${outer.remaining} bytes that follow`);
  const at = bytes.length - outer.remaining;
  const hasPrefix = outer.remaining >= 4 && STDTX_PREFIX.every((b, i) => bytes[at + i] === b);
  if (!hasPrefix) {
    throw rootError('txDecode', `not a StdTx: prefix ${Buffer.from(bytes.subarray(at, at + 4)).toString('hex').toUpperCase()}, expected F0625DEE`);
  }
  const r = new AminoReader(bytes, at + 4, bytes.length, at);
  const msgs: Msg[] = r.repeatedBytes(1).map((b) => decodeMsg(b));
  const signatures = r.repeated(2, (sr): StdSignature => {
    const pub_key = unwrapAminoPubKey(sr.bytes(1));
    const signature = sr.bytes(2);
    if (signature.length !== 64) throw rootError('txDecode', `signature must be 64 bytes, got ${signature.length}`);
    return { pub_key, signature, account_number: sr.uvarint(3), sequence: sr.uvarint(4) };
  });
  const memo = r.string(3);
  const source = r.uvarint(4);
  const data = r.bytes(5);
  r.finish();
  return { tx: { msgs, signatures, memo, source, data }, bytes, hash };
}

/** Plain data (typed arrays as arrays) so deep equality ignores views vs copies. */
function plain(x: unknown): unknown {
  if (x instanceof Uint8Array) return { bytes: Array.from(x) };
  if (Array.isArray(x)) return x.map(plain);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  return x;
}

function outcome(f: () => DecodedTx): unknown {
  try {
    return { ok: plain(f()) };
  } catch (e) {
    return { err: (e as Error).message, code: (e as { code?: number }).code };
  }
}

const INT64_MAX = (1n << 63n) - 1n;
const i64 = fc.bigInt({ min: 0n, max: INT64_MAX });
const addr = fc.uint8Array({ minLength: 20, maxLength: 20 });
const coin: fc.Arbitrary<Coin> = fc.record({ denom: fc.constantFrom('BNB', 'XYZ-000', 'ÄÖ'), amount: i64 });
const coins = fc.array(coin, { maxLength: 2 });
const msgArb: fc.Arbitrary<Msg> = fc.oneof(
  fc.record({
    type: fc.constant('cosmos-sdk/Send' as const),
    inputs: fc.array(fc.record({ address: addr, coins }), { maxLength: 2 }),
    outputs: fc.array(fc.record({ address: addr, coins }), { maxLength: 2 }),
  }),
  fc.record({
    type: fc.constant('dex/NewOrder' as const), sender: addr, id: fc.string({ maxLength: 10 }), symbol: fc.constant('A_B'),
    ordertype: fc.integer({ min: 0, max: 127 }), side: fc.integer({ min: 0, max: 127 }), price: i64, quantity: i64, timeinforce: fc.integer({ min: 0, max: 127 }),
  }),
  fc.record({ type: fc.constant('dex/CancelOrder' as const), sender: addr, symbol: fc.constant('A_B'), refid: fc.string({ maxLength: 10 }) }),
  fc.record({ type: fc.constant('tokens/MintMsg' as const), from: addr, symbol: fc.constant('XYZ-000'), amount: i64 }),
);
const sigArb = fc.record({
  pub_key: fc.uint8Array({ minLength: 33, maxLength: 33 }),
  signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  account_number: i64,
  sequence: i64,
});
const txArb: fc.Arbitrary<StdTx> = fc.record({
  msgs: fc.array(msgArb, { minLength: 1, maxLength: 2 }),
  signatures: fc.array(sigArb, { maxLength: 2 }),
  memo: fc.string({ maxLength: 20 }),
  source: i64,
  data: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 4 })),
});

/** Byte edits that hit the prefix, the key wrapper, lengths and the tail. */
const editArb = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('prefix' as const), v: fc.integer({ min: 0, max: 0x3fffff }), extra: fc.constantFrom(0, 1) }),
  ),
  { maxLength: 3 },
);

function applyEdits(b: Uint8Array, edits: { kind: string; at?: number; v?: number; extra?: number }[]): Uint8Array {
  let out = b.slice();
  for (const e of edits) {
    if (out.length === 0) break;
    if (e.kind === 'set') out[e.at! % out.length] = e.v!;
    else if (e.kind === 'cut') out = out.slice(0, e.at! % out.length);
    else {
      // replace the length prefix by another varint (maybe non-minimal: a trailing 0x80 00)
      let n = 0;
      while (n < out.length && out[n]! >= 0x80) n++;
      const body = out.subarray(n + 1);
      const pre: number[] = [];
      let v = e.v!;
      do {
        pre.push((v & 0x7f) | (v >= 0x80 || e.extra ? 0x80 : 0));
        v = Math.floor(v / 128);
      } while (v > 0);
      if (e.extra) pre.push(0);
      out = Uint8Array.from([...pre, ...body]);
    }
  }
  return out;
}

describe('decodeTx fast paths vs the plain decoder', () => {
  it('valid txs decode to the same values', () => {
    fc.assert(
      fc.property(txArb, (tx) => {
        const b = encodeTx(tx);
        assert.deepEqual(outcome(() => decodeTx(b, 'H')), outcome(() => plainDecodeTx(b, 'H')));
      }),
      { numRuns: 400 },
    );
  });

  it('mutated bytes give the same value or the same error', () => {
    fc.assert(
      fc.property(txArb, editArb, (tx, edits) => {
        const b = applyEdits(encodeTx(tx), edits);
        assert.deepEqual(outcome(() => decodeTx(b, 'H')), outcome(() => plainDecodeTx(b, 'H')));
      }),
      { numRuns: 1500 },
    );
  });

  it('the exact length-prefix boundaries (1, 2 and 3-byte prefixes, off by one)', () => {
    for (const bodyLen of [0, 1, 3, 4, 127, 128, 16383, 16384]) {
      for (const delta of [-1, 0, 1]) {
        const body = new Uint8Array(bodyLen);
        body.set(STDTX_PREFIX.subarray(0, Math.min(4, bodyLen)));
        const n = bodyLen + delta;
        if (n < 0) continue;
        const pre: number[] = [];
        let v = n;
        do {
          pre.push((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
          v = Math.floor(v / 128);
        } while (v > 0);
        const b = Uint8Array.from([...pre, ...body]);
        assert.deepEqual(outcome(() => decodeTx(b, 'H')), outcome(() => plainDecodeTx(b, 'H')), `body ${bodyLen}, prefix ${n}`);
        // the same value written non-minimally (one more byte: last byte 0x80-flagged, then 0x00)
        const nm = [...pre];
        nm[nm.length - 1]! |= 0x80;
        nm.push(0);
        const c = Uint8Array.from([...nm, ...body]);
        assert.deepEqual(outcome(() => decodeTx(c, 'H')), outcome(() => plainDecodeTx(c, 'H')), `body ${bodyLen}, non-minimal prefix ${n}`);
      }
    }
  });

  it('every single-byte change of a signed transfer and of an order', () => {
    const base: StdTx = {
      msgs: [{ type: 'cosmos-sdk/Send', inputs: [{ address: new Uint8Array(20).fill(1), coins: [{ denom: 'BNB', amount: 5n }] }], outputs: [{ address: new Uint8Array(20).fill(2), coins: [{ denom: 'BNB', amount: 5n }] }] }],
      signatures: [{ pub_key: new Uint8Array(33).fill(3), signature: new Uint8Array(64).fill(4), account_number: 1n, sequence: 2n }],
      memo: '',
      source: 0n,
      data: new Uint8Array(0),
    };
    const order: StdTx = { ...base, msgs: [{ type: 'dex/NewOrder', sender: new Uint8Array(20).fill(1), id: 'X-1', symbol: 'A_B', ordertype: 2, side: 1, price: 10n, quantity: 20n, timeinforce: 1 }] };
    for (const tx of [base, order]) {
      const b = encodeTx(tx);
      for (let p = 0; p < b.length; p++) {
        for (const v of [0, 1, 0x20, 0x21, 0x22, 0x7f, 0x80, 0xff, b[p]! ^ 1]) {
          const m = b.slice();
          m[p] = v;
          assert.deepEqual(outcome(() => decodeTx(m, 'H')), outcome(() => plainDecodeTx(m, 'H')), `byte ${p} = ${v}`);
        }
      }
    }
  });

  it('a decoded tx shares its byte fields with the tx bytes; absent data is one frozen empty array', () => {
    const tx: StdTx = {
      msgs: [{ type: 'cosmos-sdk/Send', inputs: [{ address: new Uint8Array(20).fill(1), coins: [{ denom: 'BNB', amount: 5n }] }], outputs: [{ address: new Uint8Array(20).fill(2), coins: [{ denom: 'BNB', amount: 5n }] }] }],
      signatures: [{ pub_key: new Uint8Array(33).fill(3), signature: new Uint8Array(64).fill(4), account_number: 1n, sequence: 2n }],
      memo: '',
      source: 0n,
      data: new Uint8Array(0),
    };
    const b = encodeTx(tx);
    const d = decodeTx(b);
    const sig = d.tx.signatures[0]!;
    assert.equal(sig.pub_key.buffer, b.buffer);
    assert.equal(sig.signature.buffer, b.buffer);
    const send = d.tx.msgs[0] as Extract<Msg, { type: 'cosmos-sdk/Send' }>;
    assert.equal(send.inputs[0]!.address.buffer, b.buffer);
    assert.deepEqual(plain(d.tx), plain(tx));
    assert.equal(d.tx.data.length, 0);
    assert.ok(Object.isFrozen(d.tx.data));
    assert.equal(decodeTx(b).tx.data, d.tx.data);
  });
});
