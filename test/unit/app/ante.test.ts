/** Ante step: every rejection has its own code and leaves state and fees untouched. */
import assert from 'node:assert/strict';
import { RootCode, abciCode } from '../../../src/errors.js';
import { encodeTx } from '../../../src/codec/index.js';
import type { SendMsg } from '../../../src/codec/types.js';
import {
  BNB,
  VAL1,
  acc,
  assertInvariants,
  bal,
  expectRejected,
  highS,
  key,
  newApp,
  runBlock,
  signTx,
  signature,
  type Harness,
  type Key,
} from './helpers.js';

const root = (k: keyof typeof RootCode) => abciCode('root', RootCode[k]);
const alice = key('alice');
const bob = key('bob');
const poor = key('poor');
const nobody = key('nobody');

function send(from: Key, to: Key, amount: bigint, denom = 'BNB'): SendMsg {
  return { type: 'cosmos-sdk/Send', inputs: [{ address: from.addr, coins: [{ denom, amount }] }], outputs: [{ address: to.addr, coins: [{ denom, amount }] }] };
}

async function setup(): Promise<Harness> {
  return newApp({ bnb: [[alice, 1000n * BNB], [poor, 62_499n]] });
}

describe('app: ante', () => {
  it('accepts a correctly signed tx (account 0, sequence 0)', async () => {
    const h = await setup();
    const res = await runBlock(h, [signTx(alice.priv, send(alice, bob, 5n), { accountNumber: 0, sequence: 0 })]);
    assert.equal(res.txResults[0]!.code, 0, res.txResults[0]!.log);
    assert.equal(bal(h, bob), 5n);
    assert.equal(bal(h, alice), 1000n * BNB - 5n - 62_500n);
  });

  it('wrong chain id → unauthorized', async () => {
    const h = await setup();
    await expectRejected(h, signTx(alice.priv, send(alice, bob, 5n), { accountNumber: 0, sequence: 0, chainId: 'Binance-Chain-Tigris' }), root('unauthorized'), 'signature verification failed');
  });

  it('wrong address prefix in the sign bytes → unauthorized', async () => {
    const h = await setup();
    await expectRejected(h, signTx(alice.priv, send(alice, bob, 5n), { accountNumber: 0, sequence: 0, hrp: 'bnb' }), root('unauthorized'));
  });

  it('wrong sequence → invalidSequence with the Cosmos message', async () => {
    const h = await setup();
    const log = await expectRejected(h, signTx(alice.priv, send(alice, bob, 5n), { accountNumber: 0, sequence: 3 }), root('invalidSequence'));
    assert.equal(log, 'Invalid sequence. Got 3, expected 0.');
  });

  it('wrong account number → invalidAccountNumber', async () => {
    const h = await setup();
    await expectRejected(h, signTx(alice.priv, send(alice, bob, 5n), { accountNumber: 7, sequence: 0 }), root('invalidAccountNumber'), 'Got 7, expected 0');
  });

  it('high-S signature → invalidSignature', async () => {
    const h = await setup();
    await expectRejected(h, highS(alice.priv, send(alice, bob, 5n), { accountNumber: 0, sequence: 0 }), root('invalidSignature'), 'high S');
  });

  it("another key's signature → invalidPubKey; a foreign signature under the right key → unauthorized", async () => {
    const h = await setup();
    await expectRejected(h, signTx(bob.priv, send(alice, bob, 5n), { accountNumber: 0, sequence: 0 }), root('invalidPubKey'));
    const msg = send(alice, bob, 5n);
    const forged = { ...signature(bob.priv, msg, { accountNumber: 0, sequence: 0 }), pub_key: alice.pub };
    const tx = encodeTx({ msgs: [msg], signatures: [forged], memo: '', source: 0n, data: new Uint8Array() });
    await expectRejected(h, tx, root('unauthorized'));
  });

  it('the pubkey is stored at first use and must match afterwards', async () => {
    const h = await setup();
    assert.equal(acc(h, alice)!.pubKey, undefined);
    await runBlock(h, [signTx(alice.priv, send(alice, bob, 1n), { accountNumber: 0, sequence: 0 })]);
    assert.deepEqual(acc(h, alice)!.pubKey, alice.pub);
    await expectRejected(h, signTx(bob.priv, send(alice, bob, 5n), { accountNumber: 0, sequence: 1 }), root('invalidPubKey'), 'does not match');
  });

  it('memo of 129 bytes → memoTooLarge; 128 bytes is fine', async () => {
    const h = await setup();
    await expectRejected(h, signTx(alice.priv, send(alice, bob, 5n), { accountNumber: 0, sequence: 0, memo: 'x'.repeat(129) }), root('memoTooLarge'));
    await expectRejected(h, signTx(alice.priv, send(alice, bob, 5n), { accountNumber: 0, sequence: 0, memo: 'é'.repeat(65) }), root('memoTooLarge'));
    const ok = await runBlock(h, [signTx(alice.priv, send(alice, bob, 5n), { accountNumber: 0, sequence: 0, memo: 'x'.repeat(128) })]);
    assert.equal(ok.txResults[0]!.code, 0);
  });

  it('not enough BNB for the fee → insufficientFunds, nothing charged', async () => {
    const h = await setup();
    const poorAcc = acc(h, poor)!;
    await expectRejected(h, signTx(poor.priv, send(poor, bob, 1n), { accountNumber: poorAcc.accountNumber, sequence: 0 }), root('insufficientFunds'), '62499BNB < 62500BNB');
    assert.equal(bal(h, poor), 62_499n);
  });

  it('fee paid but the send itself is short → insufficientCoins, fee refunded (no state change)', async () => {
    const h = await setup();
    await expectRejected(h, signTx(alice.priv, send(alice, bob, 1000n * BNB), { accountNumber: 0, sequence: 0 }), root('insufficientCoins'), 'insufficient coins: have');
  });

  it('unknown signer account → unknownAddress (code 9 → ABCI 65545)', async () => {
    const h = await setup();
    assert.equal(root('unknownAddress'), 65545);
    await expectRejected(h, signTx(nobody.priv, send(nobody, bob, 1n), { accountNumber: 0, sequence: 0 }), root('unknownAddress'), 'does not exist');
  });

  it('two msgs, tx data, missing signatures → rejected', async () => {
    const h = await setup();
    const msg = send(alice, bob, 1n);
    const sig = signature(alice.priv, msg, { accountNumber: 0, sequence: 0 });
    await expectRejected(h, encodeTx({ msgs: [msg, msg], signatures: [sig], memo: '', source: 0n, data: new Uint8Array() }), root('unknownRequest'));
    await expectRejected(h, encodeTx({ msgs: [msg], signatures: [sig], memo: '', source: 0n, data: new Uint8Array([1]) }), root('unknownRequest'));
    await expectRejected(h, encodeTx({ msgs: [msg], signatures: [], memo: '', source: 0n, data: new Uint8Array() }), root('unauthorized'), 'wrong number of signatures');
  });

  it('garbage bytes → txDecode; the block continues', async () => {
    const h = await setup();
    const good = signTx(alice.priv, send(alice, bob, 1n), { accountNumber: 0, sequence: 0 });
    const res = await runBlock(h, [new Uint8Array([1, 2, 3]), good]);
    assert.equal(res.txResults[0]!.code, root('txDecode'));
    assert.equal(res.txResults[1]!.code, 0);
  });

  it('a failed tx in the middle of a block leaves the others intact', async () => {
    const h = await setup();
    const t0 = signTx(alice.priv, send(alice, bob, 1n), { accountNumber: 0, sequence: 0 });
    const bad = signTx(alice.priv, send(alice, bob, 10_000n * BNB), { accountNumber: 0, sequence: 1 });
    const t1 = signTx(alice.priv, send(alice, bob, 2n), { accountNumber: 0, sequence: 1 });
    const res = await runBlock(h, [t0, bad, t1]);
    assert.deepEqual(res.txResults.map((r) => r.code), [0, root('insufficientCoins'), 0]);
    assert.equal(bal(h, bob), 3n);
    assert.equal(bal(h, alice), 1000n * BNB - 3n - 2n * 62_500n);
    assert.equal(acc(h, alice)!.sequence, 2n);
    assert.equal(bal(h, VAL1.operator), 2n * 62_500n);
    assertInvariants(h);
  });

  it('signature cache: deliver after checkTx verifies nothing again; markVerified skips verification', async () => {
    const h = await setup();
    const t0 = signTx(alice.priv, send(alice, bob, 1n), { accountNumber: 0, sequence: 0 });
    assert.equal(h.app.checkTx(t0, 'new').code, 0);
    assert.equal(h.verifier.calls, 1);
    await runBlock(h, [t0]);
    assert.equal(h.verifier.calls, 1);
    const t1 = signTx(alice.priv, send(alice, bob, 1n), { accountNumber: 0, sequence: 1 });
    const { decodeTx } = await import('../../../src/codec/index.js');
    h.app.sigCache.markVerified(decodeTx(t1).hash);
    await runBlock(h, [t1]);
    assert.equal(h.verifier.calls, 1);
    assert.equal(acc(h, alice)!.sequence, 2n);
    // delivered txs are committed: their verdicts leave the cache, a pending one stays
    assert.equal(h.app.sigCache.status(decodeTx(t0).hash), undefined);
    assert.equal(h.app.sigCache.status(decodeTx(t1).hash), undefined);
    const t2 = signTx(alice.priv, send(alice, bob, 1n), { accountNumber: 0, sequence: 2 });
    assert.equal(h.app.checkTx(t2, 'new').code, 0);
    assert.equal(h.app.sigCache.status(decodeTx(t2).hash), -1);
  });

  it('checkTx state tracks pending sequences; recheck after commit drops what the block used', async () => {
    const h = await setup();
    const t0 = signTx(alice.priv, send(alice, bob, 1n), { accountNumber: 0, sequence: 0 });
    const t1 = signTx(alice.priv, send(alice, bob, 1n), { accountNumber: 0, sequence: 1 });
    assert.equal(h.app.checkTx(t1, 'new').code, root('invalidSequence'));
    assert.equal(h.app.checkTx(t0, 'new').code, 0);
    assert.equal(h.app.checkTx(t1, 'new').code, 0);
    assert.equal(h.app.queries.account(alice.bech32, { pending: true })!.sequence, 2);
    assert.equal(h.app.queries.account(alice.bech32)!.sequence, 0);
    await runBlock(h, [t0]);
    assert.equal(h.app.checkTx(t1, 'recheck').code, 0);
    await runBlock(h, [t1]);
    assert.equal(h.app.checkTx(t1, 'recheck').code, root('invalidSequence'));
    // checkTx never touches the committed state
    assert.equal(bal(h, bob), 2n);
  });

  it('multi-input send: every input signs in order; the first pays the fee', async () => {
    const h = await newApp({ bnb: [[alice, 1000n * BNB], [bob, 10n * BNB]] });
    const carol = key('carol');
    const msg: SendMsg = {
      type: 'cosmos-sdk/Send',
      inputs: [
        { address: alice.addr, coins: [{ denom: 'BNB', amount: 3n }] },
        { address: bob.addr, coins: [{ denom: 'BNB', amount: 4n }] },
      ],
      outputs: [{ address: carol.addr, coins: [{ denom: 'BNB', amount: 7n }] }],
    };
    const { signTxMulti } = await import('./helpers.js');
    const only1 = signTx(alice.priv, msg, { accountNumber: 0, sequence: 0 });
    await expectRejected(h, only1, root('unauthorized'), 'expected 2, got 1');
    const swapped = signTxMulti([bob.priv, alice.priv], msg, [{ accountNumber: 1, sequence: 0 }, { accountNumber: 0, sequence: 0 }]);
    await expectRejected(h, swapped, root('invalidPubKey'));
    const tx = signTxMulti([alice.priv, bob.priv], msg, [{ accountNumber: 0, sequence: 0 }, { accountNumber: 1, sequence: 0 }]);
    const res = await runBlock(h, [tx]);
    assert.equal(res.txResults[0]!.code, 0, res.txResults[0]!.log);
    assert.equal(bal(h, carol), 7n);
    // n = max(2 input coin entries, 1 output entry) = 2 → multi rule: 50,000 × 2
    assert.equal(bal(h, alice), 1000n * BNB - 3n - 100_000n);
    assert.equal(bal(h, bob), 10n * BNB - 4n);
    assert.equal(acc(h, bob)!.sequence, 1n);
    assertInvariants(h);
  });
});
