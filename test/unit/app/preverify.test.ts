import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeTx, encodeTx, txHashHex, MAX_TX_BYTES } from '../../../src/codec/index.js';
import type { Msg, SendMsg } from '../../../src/codec/types.js';
import { fromHex } from '../../../src/crypto/hash.js';
import { createVerifier } from '../../../src/crypto/verifier.js';
import { VerifyPool, type VerifyJob } from '../../../src/crypto/pool.js';
import { signatureJobs } from '../../../src/app/ante.js';
import { DexApp, type BatchVerifier } from '../../../src/app/app.js';
import { txVerdict, TX_ALL_VALID, TX_NO_SIGNATURES, TX_UNDECODABLE } from '../../../src/app/tx-verify.js';
import { memoryStateStore } from '../../../src/state/index.js';
import { CHAIN_ID, HRP, genesisDoc, highS, key, sdkVectors, signTx, signTxMulti, signature, type Key } from './helpers.js';

const verifier = createVerifier();
const chain = { chainId: CHAIN_ID, hrp: HRP };
const keys = Array.from({ length: 6 }, (_, i) => key(`pv-${i}`));

function send(from: Key[], to: Key, amount: bigint): SendMsg {
  return {
    type: 'cosmos-sdk/Send',
    inputs: from.map((k) => ({ address: k.addr, coins: [{ denom: 'BNB', amount }] })),
    outputs: [{ address: to.addr, coins: [{ denom: 'BNB', amount: amount * BigInt(from.length) }] }],
  };
}

/** Flips one bit of signature `i` (its bytes found by value in the encoding). */
function tamperSig(tx: Uint8Array, i: number, bit = 3): Uint8Array {
  const sig = decodeTx(tx).tx.signatures[i]!.signature;
  const b = tx.slice();
  const at = Buffer.from(b).indexOf(Buffer.from(sig));
  assert.ok(at > 0);
  b[at + 5]! ^= 1 << bit;
  return b;
}

/** Signature i replaced by its high-S twin (valid math, non-canonical). */
function highSAt(msg: Msg, privs: Uint8Array[], i: number, seq = 0): Uint8Array {
  const sigs = privs.map((p, k) => signature(p, msg, { accountNumber: k, sequence: seq }));
  const s = sigs[i]!.signature;
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const hs = (N - BigInt('0x' + Buffer.from(s.subarray(32)).toString('hex'))).toString(16).padStart(64, '0');
  const bad = new Uint8Array(64);
  bad.set(s.subarray(0, 32));
  bad.set(fromHex(hs), 32);
  sigs[i] = { ...sigs[i]!, signature: bad };
  return encodeTx({ msgs: [msg], signatures: sigs, memo: '', source: 0n, data: new Uint8Array(0) });
}

/** A broad corpus: every verdict kind, single and multi-signature. */
function corpus(): { name: string; tx: Uint8Array }[] {
  const out: { name: string; tx: Uint8Array }[] = [];
  for (let n = 0; n < 40; n++) {
    const k = keys[n % keys.length]!;
    const to = keys[(n + 1) % keys.length]!;
    const msg = send([k], to, BigInt(n + 1));
    const good = signTx(k.priv, msg, { accountNumber: n % 7, sequence: n, memo: n % 3 === 0 ? `memo ${n}` : '' });
    out.push({ name: `valid ${n}`, tx: good });
    if (n % 4 === 0) out.push({ name: `tampered ${n}`, tx: tamperSig(good, 0, n % 8) });
    if (n % 5 === 0) out.push({ name: `high-S ${n}`, tx: highS(k.priv, msg, { accountNumber: 0, sequence: n }) });
    if (n % 6 === 0) out.push({ name: `wrong chain ${n}`, tx: signTx(k.priv, msg, { accountNumber: 0, sequence: n, chainId: 'Binance-Chain-Tigris' }) });
    if (n % 7 === 0) out.push({ name: `wrong hrp ${n}`, tx: signTx(k.priv, msg, { accountNumber: 0, sequence: n, hrp: 'bnb' }) });
  }
  // multi-signature: 2 and 3 signers, each failure position, high-S after / before a bad one
  for (const m of [2, 3]) {
    const signers = keys.slice(0, m);
    const privs = signers.map((k) => k.priv);
    const msg = send(signers, keys[5]!, 10n);
    const opts = signers.map((_, i) => ({ accountNumber: i, sequence: 0 }));
    const good = signTxMulti(privs, msg, opts);
    out.push({ name: `multi ${m} valid`, tx: good });
    for (let i = 0; i < m; i++) {
      out.push({ name: `multi ${m} bad ${i}`, tx: tamperSig(good, i) });
      out.push({ name: `multi ${m} high-S ${i}`, tx: highSAt(msg, privs, i) });
    }
    out.push({ name: `multi ${m} bad 0 + high-S ${m - 1}`, tx: tamperSig(highSAt(msg, privs, m - 1), 0) });
    out.push({ name: `multi ${m} bad ${m - 1} + high-S 0`, tx: tamperSig(highSAt(msg, privs, 0), m - 1) });
    out.push({ name: `multi ${m} wrong chain`, tx: signTxMulti(privs, msg, opts.map((o) => ({ ...o, chainId: 'other-chain' }))) });
  }
  // SDK-produced txs (the real client), valid on this chain id
  for (const v of sdkVectors.vectors) {
    const tx = fromHex(v.tx_bytes_hex);
    out.push({ name: `sdk ${v.name}`, tx });
    out.push({ name: `sdk ${v.name} tampered`, tx: tamperSig(tx, 0) });
  }
  // no signatures, undecodable
  out.push({ name: 'unsigned', tx: encodeTx({ msgs: [send([keys[0]!], keys[1]!, 1n)], signatures: [], memo: '', source: 0n, data: new Uint8Array(0) }) });
  out.push({ name: 'garbage', tx: new Uint8Array([1, 2, 3, 4, 5]) });
  out.push({ name: 'empty', tx: new Uint8Array(0) });
  out.push({ name: 'truncated', tx: out[0]!.tx.subarray(0, out[0]!.tx.length - 3) });
  out.push({ name: 'oversize', tx: new Uint8Array(MAX_TX_BYTES + 1).fill(7) });
  out.push({ name: 'duplicate of valid 1', tx: out[1]!.tx });
  return out;
}

/**
 * The verdict the previous main-thread preverify recorded (decode, `signatureJobs`, verify
 * every job, first bad index wins; nothing for undecodable or unsigned txs): the reference.
 */
function oldStyleVerdict(tx: Uint8Array): number | undefined {
  let d;
  try {
    d = decodeTx(tx);
  } catch {
    return undefined;
  }
  const jobs = signatureJobs(d.tx, chain);
  if (jobs.length === 0) return undefined;
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i];
    if (!j || !verifier.verify(j.sig, j.hash, j.pub)) return i;
  }
  return -1;
}

async function appWith(pool?: BatchVerifier): Promise<DexApp> {
  const app = new DexApp({ store: memoryStateStore(), verifier, verifyPool: pool });
  await app.initChain(genesisDoc({ bnb: keys.map((k) => [k, 1000n] as [Key, bigint]) }));
  return app;
}

function statuses(app: DexApp, txs: Uint8Array[]): (number | undefined)[] {
  return txs.map((t) => app.sigCache.status(txHashHex(t)));
}

describe('app/preverify on workers (raw txs → verdicts)', function () {
  this.timeout(120_000);
  const items = corpus();
  const txs = items.map((i) => i.tx);
  const expected = txs.map(oldStyleVerdict);
  let pool: VerifyPool;

  before(async () => {
    pool = new VerifyPool({ workers: 2, batchSize: 9 });
    await pool.ready();
  });
  after(async () => {
    await pool.close();
  });

  it('the corpus covers every verdict kind', () => {
    const kinds = new Set(expected.map((v) => (v === undefined ? 'none' : v < 0 ? 'valid' : `bad ${v}`)));
    for (const k of ['none', 'valid', 'bad 0', 'bad 1', 'bad 2']) assert.ok(kinds.has(k), k);
    assert.equal(expected[items.findIndex((i) => i.name === 'sdk multi_send')], -1, 'SDK txs verify on their chain');
  });

  it('txVerdict (the shared pure function) agrees with the old inline verification', () => {
    const v = (s: Uint8Array, h: Uint8Array, p: Uint8Array) => verifier.verify(s, h, p);
    txs.forEach((t, i) => {
      const got = txVerdict(t, chain, v);
      const want = expected[i];
      assert.equal(got < 0 && got !== TX_ALL_VALID ? undefined : got, want, items[i]!.name);
    });
    assert.equal(txVerdict(items.find((i) => i.name === 'unsigned')!.tx, chain, v), TX_NO_SIGNATURES);
    assert.equal(txVerdict(new Uint8Array([9, 9]), chain, v), TX_UNDECODABLE);
  });

  it('VerifyPool.verifyTxs returns the same verdicts as txVerdict, in order', async () => {
    const v = (s: Uint8Array, h: Uint8Array, p: Uint8Array) => verifier.verify(s, h, p);
    const got = await pool.verifyTxs(txs, chain);
    assert.deepEqual([...got], txs.map((t) => txVerdict(t, chain, v)));
  });

  it('records the same SigCache verdict for every tx as the old main-thread path, via worker, jobs pool and inline', async () => {
    const onWorkers = await appWith(pool);
    const jobsOnly = await appWith({ verifyBatch: (j: VerifyJob[]) => pool.verifyBatch(j) });
    const inline = await appWith();
    const hashes = txs.map(txHashHex);
    await onWorkers.preverify(txs, hashes);
    await jobsOnly.preverify(txs);
    await inline.preverify(txs);
    const want = expected;
    for (const [name, app] of [['workers', onWorkers], ['verifyBatch', jobsOnly], ['inline', inline]] as const) {
      const got = statuses(app, txs);
      items.forEach((it, i) => assert.equal(got[i], want[i], `${name}: ${it.name}`));
    }
  });

  it('the worker path neither decodes on this thread nor resends known txs', async () => {
    let sent = 0;
    const counting: BatchVerifier = {
      verifyBatch: () => Promise.reject(new Error('not used')),
      verifyTxs: (t, c) => {
        sent += t.length;
        return pool.verifyTxs(t, c);
      },
    };
    const app = await appWith(counting);
    const some = txs.slice(0, 20);
    await app.preverify([...some, ...some]);
    assert.equal(sent, 20, 'duplicates in one call are sent once');
    await app.preverify(some);
    assert.equal(sent, 20, 'txs with a verdict are not sent again');
    const decodedCache = (app as unknown as { decodedTxs: { size: number } }).decodedTxs;
    assert.equal(decodedCache.size, 0, 'nothing decoded on the main thread');
    await app.preverify([new Uint8Array(0), new Uint8Array(MAX_TX_BYTES + 1)]);
    assert.equal(sent, 20, 'empty and oversize bytes are not shipped');
  });

  it('a tx with the wrong chain id is bad on the app chain (verdict 0), then fails checkTx without a verify', async () => {
    const app = await appWith(pool);
    const k = keys[0]!;
    const bad = signTx(k.priv, send([k], keys[1]!, 1n), { accountNumber: 0, sequence: 0, chainId: 'other' });
    await app.preverify([bad]);
    assert.equal(app.sigCache.status(txHashHex(bad)), 0);
    const r = app.checkTx(bad, 'new');
    assert.match(r.log, /signature verification failed/);
  });

  it('property: mutated txs get identical verdicts on the workers and inline', async () => {
    const base = txs.filter((_, i) => expected[i] !== undefined).slice(0, 30);
    const v = (s: Uint8Array, h: Uint8Array, p: Uint8Array) => verifier.verify(s, h, p);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ which: fc.nat(), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }), cut: fc.boolean() }),
          { minLength: 1, maxLength: 40 },
        ),
        async (muts) => {
          const batch = muts.map((m) => {
            const t = base[m.which % base.length]!.slice();
            const at = m.at % t.length;
            if (m.cut) return t.subarray(0, at);
            t[at]! ^= m.xor;
            return t;
          });
          const got = await pool.verifyTxs(batch, chain);
          assert.deepEqual([...got], batch.map((t) => txVerdict(t, chain, v)));
        },
      ),
      { numRuns: 40 },
    );
  });
});
