/**
 * The direct sign-text writer (`stdSignText`, behind stdSignBytes / txSignBytes) against the
 * generic construction `sortedJson(stdSignDoc(a))`: byte for byte, throws included.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  stdSignBytes,
  stdSignDoc,
  stdSignText,
  txSignBytes,
  txSignText,
  msgSignText,
  sortedJson,
  msgSignJson,
  decodeTx,
  type Msg,
  type SignDocInput,
  type StdTx,
} from '../../../src/codec/index.js';
import { hex, loadVectors } from './helpers.js';

const utf8 = new TextEncoder();
const INT64_MAX = (1n << 63n) - 1n;

/** Strings Go's JSON encoder treats specially, mixed with ordinary and non-ASCII text. */
const ODD = ['<', '>', '&', '"', '\\', '\u2028', '\u2029', '\n', '\r', '\t', '\u0000', '\u0001', '\u001f', '\u007f', '\ud800', '\udfff', '\ud83d\ude00', 'é', '中', '\ufffd', '/'];
const oddStr = fc.array(fc.oneof(fc.constantFrom(...ODD), fc.string({ maxLength: 4 }), fc.string({ maxLength: 4, unit: 'grapheme' })), { maxLength: 6 }).map((p) => p.join(''));
const str = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20, unit: 'grapheme' }), fc.string({ maxLength: 20, unit: 'binary' }), oddStr, fc.constantFrom('BNB', 'XYZ-000_BNB', ''));
const i64 = fc.oneof(fc.bigInt({ min: 0n, max: INT64_MAX }), fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }));
/** Mostly 20-byte addresses; also empty (Go prints "") and other lengths (long ones make bech32 throw). */
const addr = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ minLength: 20, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 70 }) },
);
const coin = fc.record({ denom: str, amount: i64 });
const coins = fc.array(coin, { maxLength: 3 });
const small = fc.oneof(fc.integer({ min: 0, max: 127 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 }));

const sendArb = fc.record({
  type: fc.constant('cosmos-sdk/Send' as const),
  inputs: fc.array(fc.record({ address: addr, coins }), { maxLength: 3 }),
  outputs: fc.array(fc.record({ address: addr, coins }), { maxLength: 3 }),
});
const orderArb = fc.record({
  type: fc.constant('dex/NewOrder' as const), sender: addr, id: str, symbol: str, ordertype: small, side: small, price: i64, quantity: i64, timeinforce: small,
});
const cancelArb = fc.record({ type: fc.constant('dex/CancelOrder' as const), sender: addr, symbol: str, refid: str });
const otherArb: fc.Arbitrary<Msg> = fc.oneof(
  fc.record({ type: fc.constant('tokens/IssueMsg' as const), from: addr, name: str, symbol: str, total_supply: i64, mintable: fc.boolean() }),
  fc.record({ type: fc.constant('tokens/MintMsg' as const), from: addr, symbol: str, amount: i64 }),
  fc.record({ type: fc.constant('tokens/TransferOwnershipMsg' as const), from: addr, symbol: str, new_owner: addr }),
  fc.record({ type: fc.constant('tokens/TimeLockMsg' as const), from: addr, description: str, amount: coins, lock_time: i64 }),
  fc.record({ type: fc.constant('cosmos-sdk/MsgDeposit' as const), proposal_id: i64, depositor: addr, amount: coins }),
  fc.record({ type: fc.constant('cosmos-sdk/MsgVote' as const), proposal_id: i64, voter: addr, option: fc.integer({ min: 0, max: 255 }) }),
);
/** Off-type values the typed API does not allow but a JS caller could pass: the generic path must decide. */
const offTypeArb = fc.oneof(
  sendArb.map((m) => ({ ...m, inputs: m.inputs.map((io) => ({ ...io, coins: io.coins.map((c) => ({ ...c, amount: Number(c.amount % 1000n) })) })) })),
  orderArb.map((m) => ({ ...m, price: 5, ordertype: 1.5 })),
  orderArb.map((m) => ({ ...m, side: 2 ** 60 })),
  cancelArb.map((m) => ({ ...m, refid: 7 })),
) as unknown as fc.Arbitrary<Msg>;
const msgArb: fc.Arbitrary<Msg> = fc.oneof(
  { weight: 4, arbitrary: sendArb },
  { weight: 3, arbitrary: orderArb },
  { weight: 2, arbitrary: cancelArb },
  { weight: 2, arbitrary: otherArb },
  { weight: 1, arbitrary: offTypeArb },
);
/** Printable-ASCII hrps (what bech32 accepts), some with characters JSON must escape; one it rejects. */
const hrpArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('tbnb', 'bnb', 'cosmos', 'a<b', 'x&"y', 'Q>\\', 'UPPER') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 6 }) },
);

const docArb: fc.Arbitrary<SignDocInput> = fc.record({
  chainId: fc.oneof(fc.constantFrom('Binance-Chain-Tigris', 'bench-chain'), str),
  accountNumber: i64,
  sequence: i64,
  memo: fc.oneof(fc.constant(''), str),
  source: i64,
  msgs: fc.array(msgArb, { maxLength: 4 }),
  hrp: hrpArb,
  data: fc.option(fc.uint8Array({ maxLength: 12 }), { nil: undefined }),
});

/** The generic reference, or the error it throws. */
function outcome(f: () => Uint8Array | string): { ok: Uint8Array | string } | { err: string } {
  try {
    return { ok: f() };
  } catch (e) {
    return { err: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

const generic = (a: SignDocInput): Uint8Array => utf8.encode(sortedJson(stdSignDoc(a)));

const GOOD_HRPS = new Set(['tbnb', 'bnb', 'cosmos', 'a<b', 'x&"y', 'Q>\\', 'UPPER']);
/** Every address of `a`'s msgs encodes (so an error can only come from a value). */
function encodableAddresses(a: SignDocInput): boolean {
  if (!GOOD_HRPS.has(a.hrp)) return false;
  const ok = (x: unknown) => !(x instanceof Uint8Array) || x.length === 0 || x.length === 20;
  return a.msgs.every((m) => Object.values(m).every((v) => (Array.isArray(v) ? v.every((io) => ok((io as { address?: unknown }).address)) : ok(v))));
}

describe('codec: direct sign bytes = generic sortedJson(stdSignDoc)', () => {
  it('stdSignBytes, stdSignText, txSignBytes and txSignText agree with the generic construction (random docs)', () => {
    fc.assert(
      fc.property(docArb, (a) => {
        const want = outcome(() => generic(a));
        const bytes = outcome(() => stdSignBytes(a));
        const text = outcome(() => stdSignText(a));
        if ('err' in want) {
          // both refuse; with address encoding sure to succeed (a good hrp, addresses of 0 or 20
          // bytes) the fault is in the values and both name the same one. With faults of both
          // kinds (an off-type number and an hrp bech32 refuses) each path reports the first it
          // meets: the generic one encodes every address before it checks numbers.
          assert.ok('err' in bytes && 'err' in text, `generic refused (${want.err}); the direct path did not`);
          if (encodableAddresses(a)) assert.deepEqual([bytes, text], [want, want]);
          return;
        }
        assert.deepEqual(bytes, want);
        assert.ok('ok' in text);
        assert.deepEqual(utf8.encode(text.ok as string), want.ok);
        // hashing the text as node:crypto does (UTF-8 of the JS string) gives the hash of the bytes
        assert.equal(createHash('sha256').update(text.ok as string, 'utf8').digest('hex'), createHash('sha256').update(want.ok as Uint8Array).digest('hex'));
        const tx: StdTx = { msgs: a.msgs, signatures: [], memo: a.memo, source: a.source, data: a.data ?? new Uint8Array(0) };
        const sig = { account_number: a.accountNumber, sequence: a.sequence };
        assert.deepEqual(txSignBytes(tx, sig, a.chainId, a.hrp), want.ok);
        assert.deepEqual(utf8.encode(txSignText(tx, sig, a.chainId, a.hrp)), want.ok);
      }),
      { numRuns: 2000 },
    );
  });

  it('msgSignText = sortedJson(msgSignJson) for every msg kind, odd values included', () => {
    fc.assert(
      fc.property(msgArb, hrpArb, (m, hrp) => {
        assert.deepEqual(outcome(() => msgSignText(m, hrp)), outcome(() => sortedJson(msgSignJson(m, hrp))));
      }),
      { numRuns: 3000 },
    );
  });

  it('fixed cases: escapes, empty lists, empty address, data, hrp needing escapes', () => {
    const a20 = new Uint8Array(20).fill(7);
    const docs: SignDocInput[] = [
      { chainId: 'c<&>\u2028', accountNumber: 0n, sequence: 0n, memo: 'a\u0000b\u2029"\\</script>\ud800', source: 0n, msgs: [], hrp: 'tbnb' },
      { chainId: 'c', accountNumber: 1n, sequence: 2n, memo: '', source: 3n, msgs: [{ type: 'cosmos-sdk/Send', inputs: [], outputs: [{ address: new Uint8Array(0), coins: [] }] }], hrp: 'bnb', data: new Uint8Array([1, 2, 255]) },
      { chainId: 'c', accountNumber: 1n, sequence: 2n, memo: 'm', source: 0n, msgs: [{ type: 'dex/CancelOrder', sender: a20, symbol: 'A&B', refid: 'x' }], hrp: 'a"<' },
      {
        chainId: 'c', accountNumber: 1n, sequence: 2n, memo: 'm', source: 0n, hrp: 'tbnb',
        msgs: [{ type: 'dex/NewOrder', sender: a20, id: 'ID-1', symbol: 'XYZ-000_BNB', ordertype: 2, side: 1, price: 100000000n, quantity: 2n ** 62n, timeinforce: 1 }],
      },
    ];
    for (const a of docs) assert.deepEqual(stdSignBytes(a), generic(a), JSON.stringify(a.memo));
    // the hrp check is remembered per hrp: an escaping hrp after a plain one (and back) stays exact
    for (const hrp of ['tbnb', 'x&y', 'tbnb', 'q"', 'bnb']) {
      const a: SignDocInput = { ...docs[2]!, hrp };
      assert.deepEqual(stdSignBytes(a), generic(a), hrp);
    }
  });

  it('the SDK vectors: txSignBytes of each decoded tx is the vector sign_bytes, and equals the generic path', () => {
    const V = loadVectors();
    assert.ok(V.vectors.length > 0);
    for (const v of V.vectors) {
      const d = decodeTx(hex(v.tx_bytes_hex));
      for (const s of d.tx.signatures) {
        const sb = txSignBytes(d.tx, s, v.chain_id, 'tbnb');
        assert.equal(new TextDecoder().decode(sb), v.sign_bytes, v.name);
        const a: SignDocInput = { chainId: v.chain_id, accountNumber: s.account_number, sequence: s.sequence, memo: d.tx.memo, source: d.tx.source, msgs: d.tx.msgs, hrp: 'tbnb', data: d.tx.data };
        assert.deepEqual(sb, generic(a), v.name);
      }
    }
  });
});
