import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeTx,
  encodeTx,
  decodeMsg,
  encodeMsg,
  stdSignBytes,
  sortedJson,
  encodeAddress,
  decodeAddress,
  formatFixed8,
  parseFixed8,
  MAX_TX_BYTES,
  type Msg,
  type StdTx,
  type Coin,
} from '../../../src/codec/index.js';
import { ChainError, RootCode } from '../../../src/errors.js';
import { hex, loadVectors } from './helpers.js';

const INT64_MAX = (1n << 63n) - 1n;
const i64 = fc.bigInt({ min: 0n, max: INT64_MAX });
const addr = fc.uint8Array({ minLength: 20, maxLength: 20 });
const str = fc.string({ maxLength: 40, unit: 'grapheme' });
const coin: fc.Arbitrary<Coin> = fc.record({ denom: str, amount: i64 });
const coins = fc.array(coin, { maxLength: 3 });
const small = (max: number) => fc.integer({ min: 0, max });

const msgArb: fc.Arbitrary<Msg> = fc.oneof(
  fc.record({
    type: fc.constant('cosmos-sdk/Send' as const),
    inputs: fc.array(fc.record({ address: addr, coins }), { maxLength: 3 }),
    outputs: fc.array(fc.record({ address: addr, coins }), { maxLength: 3 }),
  }),
  fc.record({ type: fc.constant('tokens/IssueMsg' as const), from: addr, name: str, symbol: str, total_supply: i64, mintable: fc.boolean() }),
  ...(['tokens/MintMsg', 'tokens/BurnMsg', 'tokens/FreezeMsg', 'tokens/UnfreezeMsg'] as const).map((t) =>
    fc.record({ type: fc.constant(t), from: addr, symbol: str, amount: i64 }),
  ),
  fc.record({ type: fc.constant('tokens/TransferOwnershipMsg' as const), from: addr, symbol: str, new_owner: addr }),
  fc.record({ type: fc.constant('tokens/TimeLockMsg' as const), from: addr, description: str, amount: coins, lock_time: i64 }),
  fc.record({ type: fc.constant('tokens/TimeUnlockMsg' as const), from: addr, time_lock_id: i64 }),
  fc.record({
    type: fc.constant('tokens/TimeRelockMsg' as const), from: addr, time_lock_id: i64, description: str, amount: coins, lock_time: i64,
  }),
  fc.record({ type: fc.constant('scripts/SetAccountFlagsMsg' as const), from: addr, flags: i64 }),
  fc.record({
    type: fc.constant('dex/NewOrder' as const), sender: addr, id: str, symbol: str, ordertype: small(127), side: small(127),
    price: i64, quantity: i64, timeinforce: small(127),
  }),
  fc.record({ type: fc.constant('dex/CancelOrder' as const), sender: addr, symbol: str, refid: str }),
  fc.record({
    type: fc.constant('dex/ListMsg' as const), from: addr, proposal_id: i64, base_asset_symbol: str, quote_asset_symbol: str, init_price: i64,
  }),
  fc.record({
    type: fc.constant('cosmos-sdk/MsgSubmitProposal' as const), title: str, description: str, proposal_type: small(255), proposer: addr,
    initial_deposit: coins, voting_period: i64,
  }),
  fc.record({ type: fc.constant('cosmos-sdk/MsgDeposit' as const), proposal_id: i64, depositor: addr, amount: coins }),
  fc.record({ type: fc.constant('cosmos-sdk/MsgVote' as const), proposal_id: i64, voter: addr, option: small(255) }),
);

const txArb: fc.Arbitrary<StdTx> = fc.record({
  msgs: fc.array(msgArb, { minLength: 0, maxLength: 2 }),
  signatures: fc.array(
    fc.record({
      pub_key: fc.uint8Array({ minLength: 33, maxLength: 33 }),
      signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
      account_number: i64,
      sequence: i64,
    }),
    { maxLength: 2 },
  ),
  memo: str,
  source: i64,
  data: fc.uint8Array({ maxLength: 8 }),
});

function onlyDecodeErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ChainError)) throw e;
    if (e.localCode !== RootCode.txDecode && e.localCode !== RootCode.txTooLarge) throw e;
  }
}

describe('codec: properties', () => {
  it('msg encode → decode is the identity', () => {
    fc.assert(
      fc.property(msgArb, (m0) => {
        const m = structuredClone(m0); // plain prototypes for deepStrictEqual
        assert.deepEqual(decodeMsg(encodeMsg(m)), m);
      }),
      { numRuns: 1000 },
    );
  });

  it('tx encode → decode → encode is the identity, and sign bytes are valid JSON', () => {
    fc.assert(
      fc.property(txArb, (tx0) => {
        const tx = structuredClone(tx0);
        const b = encodeTx(tx);
        const d = decodeTx(b);
        assert.deepEqual(d.tx, tx);
        assert.deepEqual(encodeTx(d.tx), b);
        const sb = stdSignBytes({ chainId: 'x', accountNumber: 1n, sequence: 2n, memo: tx.memo, source: tx.source, msgs: tx.msgs, hrp: 'bnb' });
        JSON.parse(new TextDecoder().decode(sb));
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes only ever fail with txDecode / txTooLarge', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        onlyDecodeErrors(() => decodeTx(b));
        onlyDecodeErrors(() => decodeMsg(b));
      }),
      { numRuns: 3000 },
    );
  });

  it('length-valid random bodies only ever fail with txDecode', () => {
    const prefix = hex('f0625dee');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (body) => {
        const inner = Uint8Array.from([...prefix, ...body]);
        const b = Uint8Array.from([...encodeVarint(inner.length), ...inner]);
        onlyDecodeErrors(() => {
          const d = decodeTx(b);
          assert.deepEqual(encodeTx(d.tx), b); // anything accepted is canonical
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated vector bytes never crash and anything accepted re-encodes identically', () => {
    const vectors = loadVectors().vectors.map((v: any) => hex(v.tx_bytes_hex));
    const mutation = fc.record({
      which: fc.nat({ max: vectors.length - 1 }),
      edits: fc.array(fc.record({ pos: fc.nat(), byte: fc.nat({ max: 255 }), kind: fc.constantFrom('set', 'insert', 'delete') }), {
        minLength: 1,
        maxLength: 4,
      }),
      fixLength: fc.boolean(),
    });
    fc.assert(
      fc.property(mutation, ({ which, edits, fixLength }) => {
        let b = Array.from(vectors[which]! as Uint8Array);
        for (const e of edits) {
          const p = e.pos % (b.length + 1);
          if (e.kind === 'set' && p < b.length) b[p] = e.byte;
          else if (e.kind === 'insert') b.splice(p, 0, e.byte);
          else if (e.kind === 'delete' && p < b.length) b.splice(p, 1);
        }
        if (fixLength && b.length > 2) {
          // re-frame the body so the mutation reaches the field decoder
          const body = b.slice(2);
          b = [...encodeVarint(body.length), ...body];
        }
        const bytes = Uint8Array.from(b);
        onlyDecodeErrors(() => {
          const d = decodeTx(bytes);
          assert.deepEqual(encodeTx(d.tx), bytes);
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('oversized input is txTooLarge', () => {
    assert.throws(() => decodeTx(new Uint8Array(MAX_TX_BYTES + 1)), (e: unknown) => e instanceof ChainError && e.localCode === RootCode.txTooLarge);
  });

  it('bech32 round trip', () => {
    fc.assert(
      fc.property(addr, fc.constantFrom('bnb', 'tbnb', 'bva', 'bca'), (a, hrp) => {
        assert.deepEqual(decodeAddress(encodeAddress(a, hrp), hrp), a);
      }),
    );
  });

  it('fixed8 round trip', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -INT64_MAX, max: INT64_MAX }), (v) => {
        assert.equal(parseFixed8(formatFixed8(v)), v);
      }),
    );
  });

  it('sortedJson agrees with JSON.parse for plain values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (v) => {
        const clean = JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isSafeInteger(x) ? 0 : x)));
        assert.deepEqual(JSON.parse(sortedJson(clean)), clean);
      }),
    );
  });
});

function encodeVarint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
