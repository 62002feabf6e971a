/**
 * The mempool keeps each accepted tx decoded and hands it back to the recheck and to the block
 * it reaps (`FinalizeBlockRequest.decodedTxs`): model-checked against the plain path, a checker
 * that offers no decoded form (every check and delivery decodes the bytes again).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Mempool, txHash, type TxChecker } from '../../../src/mempool/mempool.js';
import type { CheckTxKind, CheckTxResult } from '../../../src/app/abci.js';
import type { DecodedTx } from '../../../src/codec/types.js';
import { decodeTx } from '../../../src/codec/index.js';
import { BNB, GENESIS_MS, VAL1, key, newApp, signTx, type Harness, type Key } from '../app/helpers.js';

const cfg = { size: 1000, max_txs_bytes: 1 << 20, max_txs_per_sender: 50, max_recheck: 1000, min_fee: 0, cache_size: 1000 };
const KEYS: Key[] = [key('dm-a'), key('dm-b'), key('dm-c')];

/** The plain path: the app without its decoded-tx hooks. */
function plain(h: Harness): TxChecker {
  return { checkTx: (tx: Uint8Array, kind: CheckTxKind, hash?: string) => h.app.checkTx(tx, kind, hash) };
}

/** The app as the node hands it to the mempool, recording whether each recheck came with the decoded tx. */
function keeping(h: Harness, rechecks: boolean[]): TxChecker {
  return {
    checkTx: (tx: Uint8Array, kind: CheckTxKind, hash?: string, decoded?: DecodedTx): CheckTxResult => {
      if (kind === 'recheck') rechecks.push(decoded !== undefined && decoded.bytes === tx);
      return h.app.checkTx(tx, kind, hash, decoded);
    },
    senderOf: (tx, hash, decoded) => h.app.senderOf(tx, hash, decoded),
    decodedTx: (tx, hash, consume) => h.app.decodedTx(tx, hash, consume),
  };
}

interface Step {
  from: number;
  to: number;
  amount: bigint;
  /** added to the sender's next sequence (≠ 0: refused, or dropped on a later recheck) */
  seqSkew: number;
}

/** Signs the steps (sequences counted per sender from genesis, skew applied) and splits them into `blocks` arrivals. */
function signSteps(steps: Step[]): Uint8Array[] {
  const seq = [0n, 0n, 0n];
  return steps.map((s) => {
    const k = KEYS[s.from]!;
    const skewed = seq[s.from]! + BigInt(s.seqSkew);
    const sequence = skewed < 0n ? seq[s.from]! + 1n : skewed;
    if (s.seqSkew === 0) seq[s.from]!++;
    const msg = { type: 'cosmos-sdk/Send' as const, inputs: [{ address: k.addr, coins: [{ denom: 'BNB', amount: s.amount }] }], outputs: [{ address: KEYS[s.to]!.addr, coins: [{ denom: 'BNB', amount: s.amount }] }] };
    return signTx(k.priv, msg, { accountNumber: BigInt(s.from), sequence });
  });
}

async function runNode(h: Harness, checker: TxChecker, arrivals: Uint8Array[][], withDecoded: boolean, maxTxs: number) {
  const m = new Mempool(checker, cfg);
  const out: unknown[] = [];
  for (let b = 0; b < arrivals.length; b++) {
    out.push(arrivals[b]!.map((tx) => m.add(tx)));
    const hashes: string[] = [];
    const decoded: (DecodedTx | undefined)[] = [];
    const txs = m.reap(1 << 20, maxTxs, hashes, decoded);
    const res = h.app.finalizeBlock({
      height: b + 1,
      timeMs: GENESIS_MS + 1000 * (b + 1),
      proposerAddress: VAL1.consAddr,
      txs,
      txHashes: hashes,
      ...(withDecoded ? { decodedTxs: decoded } : {}),
      lastCommitVotes: [],
      misbehavior: [],
      hash: `B${b}`,
    });
    const { appHash } = await h.app.commit();
    m.update(b + 1, res.txResults);
    out.push(res, appHash, m.list(1000).map((e) => e.hash), m.stats);
  }
  return out;
}

const genesis = { bnb: KEYS.map((k): [Key, bigint] => [k, 20n * BNB]) };

describe('mempool: decoded txs kept with their entries', () => {
  it('checks, rechecks and blocks exactly as decoding every time (fast-check model)', async function () {
    this.timeout(120_000);
    const step = fc.record({
      from: fc.integer({ min: 0, max: 2 }),
      to: fc.integer({ min: 0, max: 2 }),
      amount: fc.oneof(fc.constant(1n), fc.bigInt({ min: 1n, max: 12n * BNB })),
      seqSkew: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 2 }) }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), async (steps, blocks, maxTxs) => {
        const txs = signSteps(steps);
        const arrivals: Uint8Array[][] = Array.from({ length: blocks + 2 }, () => []);
        txs.forEach((tx, i) => arrivals[i % blocks]!.push(tx));
        const a = await newApp(genesis);
        const b = await newApp(genesis);
        const rechecks: boolean[] = [];
        const got = await runNode(a, keeping(a, rechecks), arrivals, true, maxTxs);
        const want = await runNode(b, plain(b), arrivals, false, maxTxs);
        assert.deepEqual(got, want);
        // every recheck of the keeping node ran on the kept decoded tx
        assert.ok(rechecks.every((x) => x));
      }),
      { numRuns: 25 },
    );
  });

  it('uses a decoded slot only for the very tx object it was decoded from', async () => {
    const steps: Step[] = [
      { from: 0, to: 1, amount: 5n, seqSkew: 0 },
      { from: 1, to: 2, amount: 7n, seqSkew: 0 },
      { from: 2, to: 0, amount: 9n, seqSkew: 0 },
    ];
    const txs = signSteps(steps);
    const run = async (decodedTxs?: (DecodedTx | undefined)[]) => {
      const h = await newApp(genesis);
      const r = h.app.finalizeBlock({ height: 1, timeMs: GENESIS_MS + 1000, proposerAddress: VAL1.consAddr, txs, lastCommitVotes: [], misbehavior: [], hash: 'B', ...(decodedTxs ? { decodedTxs } : {}) });
      return { r, hash: (await h.app.commit()).appHash };
    };
    const want = await run();
    // decoded forms of other tx objects (same content, other objects; or shuffled) are ignored
    const copies = txs.map((t) => decodeTx(t.slice(), txHash(t)));
    assert.deepEqual(await run(copies), want);
    assert.deepEqual(await run([...txs].reverse().map((t) => decodeTx(t))), want);
    // a list of another length is ignored as a whole
    assert.deepEqual(await run([decodeTx(txs[0]!)]), want);
    assert.deepEqual(await run(txs.map((t) => decodeTx(t))), want);
  });

  it('uses a decoded slot for a copy of the bytes when its hash is the block\'s hash of that tx', async () => {
    const txs = signSteps([
      { from: 0, to: 1, amount: 5n, seqSkew: 0 },
      { from: 1, to: 2, amount: 7n, seqSkew: 0 },
      { from: 2, to: 0, amount: 9n, seqSkew: 0 },
    ]);
    const hashes = txs.map((t) => txHash(t));
    const used = new Set<number>();
    // a decoded form that records whether execution read it
    const spy = (d: DecodedTx, i: number): DecodedTx => ({
      bytes: d.bytes,
      hash: d.hash,
      get tx() {
        used.add(i);
        return d.tx;
      },
    });
    const run = async (decodedTxs?: (DecodedTx | undefined)[]) => {
      const h = await newApp(genesis);
      const r = h.app.finalizeBlock({ height: 1, timeMs: GENESIS_MS + 1000, proposerAddress: VAL1.consAddr, txs, txHashes: hashes, lastCommitVotes: [], misbehavior: [], hash: 'B', ...(decodedTxs ? { decodedTxs } : {}) });
      return { r, hash: (await h.app.commit()).appHash };
    };
    const want = await run();
    // copies (as a validator's mempool holds them) with matching hashes: used, same outcome
    assert.deepEqual(await run(txs.map((t, i) => spy(decodeTx(t.slice(), hashes[i]!), i))), want);
    assert.deepEqual([...used].sort(), [0, 1, 2]);
    // a slot whose hash is another tx's is not used
    used.clear();
    assert.deepEqual(await run([...txs].reverse().map((t, i) => spy(decodeTx(t.slice(), txHash(t)), i))), want);
    assert.deepEqual([...used], [1]); // the middle tx is itself after reversing
  });

  it('decodedOf hands out the kept decoded forms by hash, and nothing for unknown hashes', async () => {
    const h = await newApp(genesis);
    const m = new Mempool(keeping(h, []), cfg);
    const txs = signSteps([{ from: 0, to: 1, amount: 1n, seqSkew: 0 }]);
    assert.equal(m.add(txs[0]!).code, 0);
    const [kept, unknown] = m.decodedOf([txHash(txs[0]!), 'F'.repeat(64)]);
    assert.equal(kept?.hash, txHash(txs[0]!));
    assert.deepEqual(kept?.bytes, txs[0]);
    assert.equal(unknown, undefined);
    // the plain checker keeps no decoded form
    const p = new Mempool(plain(h), cfg);
    const t2 = signSteps([{ from: 1, to: 0, amount: 1n, seqSkew: 0 }]);
    assert.equal(p.add(t2[0]!).code, 0);
    assert.deepEqual(p.decodedOf([txHash(t2[0]!)]), [undefined]);
  });

  it('keeps no decoded tx for an entry that leaves the pool', async () => {
    const h = await newApp(genesis);
    const rechecks: boolean[] = [];
    const m = new Mempool(keeping(h, rechecks), cfg);
    const txs = signSteps([
      { from: 0, to: 1, amount: 1n, seqSkew: 0 },
      { from: 0, to: 1, amount: 1n, seqSkew: 0 },
    ]);
    for (const t of txs) assert.equal(m.add(t).code, 0);
    const decoded: (DecodedTx | undefined)[] = [];
    m.reap(1 << 20, 1, [], decoded);
    assert.equal(decoded.length, 1);
    assert.equal(decoded[0]!.bytes, txs[0]);
    assert.equal(decoded[0]!.hash, txHash(txs[0]!));
  });
});
