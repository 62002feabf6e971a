/**
 * `txVerdict` / `verifyPackedTxs` (sign text hashed directly, native verify through cached
 * uncompressed keys) against a reference built the slow way: the generic sign bytes
 * `sortedJson(stdSignDoc)`, SHA-256 of those bytes, noble verification of the compressed key.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeTx, encodeTx, sortedJson, stdSignDoc, type Msg, type StdTx } from '../../../src/codec/index.js';
import { sha256, addressFromPubKey, fromHex } from '../../../src/crypto/hash.js';
import { isLowS, publicKeyFromPrivate, signHash } from '../../../src/crypto/secp256k1.js';
import { createVerifier, nobleVerifier } from '../../../src/crypto/verifier.js';
import { packTxs } from '../../../src/crypto/pool-protocol.js';
import { txVerdict, verifyPackedTxs, TX_ALL_VALID, TX_NO_SIGNATURES, TX_UNDECODABLE } from '../../../src/app/tx-verify.js';
import { loadSdkVectors } from './vectors.js';

const utf8 = new TextEncoder();
const CHAIN = { chainId: 'Binance-Chain-Ganges', hrp: 'tbnb' };

function referenceVerdict(bytes: Uint8Array, chain: typeof CHAIN): number {
  let tx: StdTx;
  try {
    tx = decodeTx(bytes, '').tx;
  } catch {
    return TX_UNDECODABLE;
  }
  if (tx.signatures.length === 0) return TX_NO_SIGNATURES;
  const noble = nobleVerifier();
  try {
    for (let i = 0; i < tx.signatures.length; i++) {
      const s = tx.signatures[i]!;
      if (!isLowS(s.signature)) return i;
      const doc = stdSignDoc({ chainId: chain.chainId, accountNumber: s.account_number, sequence: s.sequence, memo: tx.memo, source: tx.source, msgs: tx.msgs, hrp: chain.hrp, data: tx.data });
      if (!noble.verify(s.signature, sha256(utf8.encode(sortedJson(doc))), s.pub_key)) return i;
    }
  } catch {
    return TX_UNDECODABLE;
  }
  return TX_ALL_VALID;
}

const privs = Array.from({ length: 4 }, (_, i) => sha256(utf8.encode(`tx-verdict-key-${i}`)));
const pubs = privs.map(publicKeyFromPrivate);
const addrs = pubs.map(addressFromPubKey);
const ODD = ['', 'memo', '<&>', '\u2028\u2029', 'a\u0000\u001fb', '"\\', 'é中\ud83d\ude00', 'x\ud800y'];

describe('app/tx-verify fast path = generic sign bytes + noble', () => {
  const native = createVerifier();
  const verify = (s: Uint8Array, h: Uint8Array, p: Uint8Array): boolean => native.verify(s, h, p);

  it('SDK vectors, tampered copies and truncations', () => {
    const V = loadSdkVectors() as unknown as { vectors: { tx_bytes_hex: string }[] };
    const txs: Uint8Array[] = [];
    for (const v of V.vectors) {
      const g = fromHex(v.tx_bytes_hex);
      txs.push(g);
      const t = g.slice();
      t[t.length - 20]! ^= 0x40;
      txs.push(t, g.subarray(0, 12));
    }
    const want = txs.map((t) => referenceVerdict(t, CHAIN));
    assert.ok(want.includes(TX_ALL_VALID) && want.includes(0) && want.includes(TX_UNDECODABLE));
    assert.deepEqual(txs.map((t) => txVerdict(t, CHAIN, verify)), want);
    const out = new Int32Array(txs.length);
    verifyPackedTxs(new Uint8Array(packTxs(txs)), txs.length, CHAIN, verify, out);
    assert.deepEqual([...out], want);
  });

  it('random signed transfers, orders and cancels with odd memos, some signed for another doc', () => {
    const msgArb = (k: number): fc.Arbitrary<Msg> =>
      fc.oneof(
        fc.record({
          type: fc.constant('cosmos-sdk/Send' as const),
          inputs: fc.constant([{ address: addrs[k]!, coins: [{ denom: 'BNB', amount: 5n }] }]),
          outputs: fc.array(fc.record({ address: fc.constantFrom(...addrs), coins: fc.array(fc.record({ denom: fc.constantFrom('BNB', 'A<B', 'é'), amount: fc.bigInt({ min: 0n, max: 1n << 62n }) }), { maxLength: 2 }) }), { minLength: 1, maxLength: 2 }),
        }),
        fc.record({
          type: fc.constant('dex/NewOrder' as const), sender: fc.constant(addrs[k]!), id: fc.string({ maxLength: 12 }), symbol: fc.constantFrom('XYZ-000_BNB', '&<>'),
          ordertype: fc.constant(2), side: fc.constantFrom(1, 2), price: fc.bigInt({ min: 1n, max: 1n << 40n }), quantity: fc.bigInt({ min: 1n, max: 1n << 40n }), timeinforce: fc.constantFrom(1, 3),
        }),
        fc.record({ type: fc.constant('dex/CancelOrder' as const), sender: fc.constant(addrs[k]!), symbol: fc.string({ maxLength: 8 }), refid: fc.string({ maxLength: 8 }) }),
      );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: privs.length - 1 }).chain((k) => fc.tuple(fc.constant(k), fc.array(msgArb(k), { minLength: 1, maxLength: 2 }))),
        fc.oneof(fc.constantFrom(...ODD), fc.string({ maxLength: 10, unit: 'binary' })),
        fc.bigInt({ min: 0n, max: 1000n }),
        fc.constantFrom('right', 'wrongSeq', 'wrongChain'),
        ([k, msgs], memo, seq, how) => {
          const signedSeq = how === 'wrongSeq' ? seq + 1n : seq;
          const chainId = how === 'wrongChain' ? 'other' : CHAIN.chainId;
          const doc = stdSignDoc({ chainId, accountNumber: BigInt(k), sequence: signedSeq, memo, source: 0n, msgs, hrp: CHAIN.hrp });
          const signature = signHash(sha256(utf8.encode(sortedJson(doc))), privs[k]!);
          const bytes = encodeTx({ msgs, signatures: [{ pub_key: pubs[k]!, signature, account_number: BigInt(k), sequence: seq }], memo, source: 0n, data: new Uint8Array(0) });
          const want = referenceVerdict(bytes, CHAIN);
          // a memo with a lone surrogate is sent as U+FFFD on the wire, so the doc signed differs: verdict 0 then
          if (how === 'right' && !/[\ud800-\udfff]/.test(memo)) assert.equal(want, TX_ALL_VALID);
          if (how !== 'right') assert.equal(want, 0);
          assert.equal(txVerdict(bytes, CHAIN, verify), want);
        },
      ),
      { numRuns: 300 },
    );
  });
});
