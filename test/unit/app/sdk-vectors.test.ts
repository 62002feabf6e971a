/**
 * The real JS SDK's signed txs (account 0, sequence 0, Binance-Chain-Ganges) delivered
 * through checkTx + finalizeBlock + commit: balances and fees to the unit.
 */
import assert from 'node:assert/strict';
import { RootCode, abciCode } from '../../../src/errors.js';
import { decodeAppAccount, decodeTx, txHashHex } from '../../../src/codec/index.js';
import {
  BNB,
  VAL1,
  VAL2,
  VAL3,
  acc,
  assertInvariants,
  bal,
  newApp,
  runBlock,
  sdkRecipient1,
  sdkRecipient2,
  sdkSender,
  sdkTx,
  type Harness,
} from './helpers.js';

const XYZ = 'XYZ-14A';
const FUND = 100_000n * BNB;

async function withXyz(): Promise<Harness> {
  return newApp({ bnb: [[sdkSender, FUND]], tokens: [{ symbol: XYZ, owner: sdkSender, supply: 1_000_000n * BNB, mintable: true }] });
}

describe('app: SDK vectors', () => {
  it('the genesis funds the SDK vector key as account 0', async () => {
    const h = await newApp({ bnb: [[sdkSender, FUND]] });
    assert.equal(sdkSender.bech32, 'tbnb1ketpmnqsgycqtxnupr6gcerpps0klyryjfyx09');
    const a = acc(h, sdkSender)!;
    assert.equal(a.accountNumber, 0n);
    assert.equal(a.sequence, 0n);
    assert.equal(bal(h, sdkSender), FUND);
  });

  it('transfer: 1 BNB moves, 62,500 fee goes to the proposer', async () => {
    const h = await newApp({ bnb: [[sdkSender, FUND]] });
    const { bytes, v } = sdkTx('transfer');
    const c = h.app.checkTx(bytes, 'new');
    assert.equal(c.code, 0, c.log);
    assert.equal(c.fee, 62_500n);
    assert.deepEqual(c.sender, sdkSender.addr);
    assert.equal(c.hash, v.tx_hash);
    const opBefore = bal(h, VAL1.operator);
    const res = await runBlock(h, [bytes]);
    const r = res.txResults[0]!;
    assert.equal(r.code, 0, r.log);
    assert.equal(r.log, 'Msg 0: ');
    assert.equal(r.hash, v.tx_hash);
    assert.equal(bal(h, sdkSender), FUND - BNB - 62_500n);
    assert.equal(bal(h, sdkRecipient1), BNB);
    assert.equal(bal(h, VAL1.operator), opBefore + 62_500n);
    const a = acc(h, sdkSender)!;
    assert.equal(a.sequence, 1n);
    assert.deepEqual(a.pubKey, sdkSender.pub);
    const transfer = r.events.find((e) => e.type === 'transfer')!;
    assert.deepEqual(transfer.attributes, [
      { key: 'sender', value: sdkSender.bech32 },
      { key: 'recipient', value: sdkRecipient1.bech32 },
      { key: 'amount', value: '100000000BNB' },
    ]);
    const msg = r.events.find((e) => e.type === 'message')!;
    assert.deepEqual(msg.attributes[0], { key: 'action', value: 'send' });
    assertInvariants(h);
  });

  it('replaying the same vector fails on the sequence and changes nothing', async () => {
    const h = await newApp({ bnb: [[sdkSender, FUND]] });
    const { bytes } = sdkTx('transfer_no_memo');
    await runBlock(h, [bytes]);
    const res = await runBlock(h, [bytes]);
    assert.equal(res.txResults[0]!.code, abciCode('root', RootCode.invalidSequence));
    assert.equal(res.txResults[0]!.log, 'Invalid sequence. Got 0, expected 1.');
    assert.equal(bal(h, sdkRecipient1), BNB / 2n);
  });

  it('issue: symbol XYZ-14A, token JSON data, 1000 BNB FeeForAll split over the voters', async () => {
    const h = await newApp({ bnb: [[sdkSender, FUND]] });
    await runBlock(h, []); // height 1 has no last commit votes
    const { bytes, v } = sdkTx('issue');
    assert.equal(v.expected_issued_symbol_on_real_chain, XYZ);
    const before = [VAL1, VAL2, VAL3].map((x) => bal(h, x.operator));
    const res = await runBlock(h, [bytes], { proposer: VAL2 });
    const r = res.txResults[0]!;
    assert.equal(r.code, 0, r.log);
    assert.equal(
      new TextDecoder().decode(r.data),
      `{"name":"Test Token","symbol":"XYZ-14A","original_symbol":"XYZ","total_supply":"1000000.00000000","owner":"${sdkSender.bech32}","mintable":true}`,
    );
    assert.equal(bal(h, sdkSender, XYZ), 1_000_000n * BNB);
    assert.equal(bal(h, sdkSender), FUND - 1000n * BNB);
    // 1e11 / 3 = 33333333333 each, remainder 1 to the proposer (VAL2)
    const each = 100_000_000_000n / 3n;
    assert.equal(bal(h, VAL1.operator) - before[0]!, each);
    assert.equal(bal(h, VAL2.operator) - before[1]!, each + 1n);
    assert.equal(bal(h, VAL3.operator) - before[2]!, each);
    assert.deepEqual(h.app.queries.token(XYZ), {
      name: 'Test Token',
      symbol: XYZ,
      original_symbol: 'XYZ',
      total_supply: '1000000.00000000',
      owner: sdkSender.bech32,
      mintable: true,
    });
    assertInvariants(h);
  });

  it('issuing the same symbol twice is rejected', async () => {
    const h = await newApp({ bnb: [[sdkSender, FUND]], tokens: [{ symbol: XYZ, owner: sdkRecipient1, supply: BNB }] });
    const res = await runBlock(h, [sdkTx('issue').bytes]);
    assert.equal(res.txResults[0]!.code, abciCode('tokens', 3));
    assert.match(res.txResults[0]!.log, /XYZ-14A already exists/);
    assert.equal(bal(h, sdkSender), FUND);
  });

  it('mint: +1000 XYZ-14A, data = new supply, 200 BNB fee', async () => {
    const h = await withXyz();
    const res = await runBlock(h, [sdkTx('mint').bytes]);
    const r = res.txResults[0]!;
    assert.equal(r.code, 0, r.log);
    assert.equal(new TextDecoder().decode(r.data), (1_001_000n * BNB).toString());
    assert.equal(bal(h, sdkSender, XYZ), 1_001_000n * BNB);
    assert.equal(bal(h, sdkSender), FUND - 200n * BNB);
    assertInvariants(h);
  });

  it('burn: -10 XYZ-14A from the balance and the supply, 1 BNB fee', async () => {
    const h = await withXyz();
    const res = await runBlock(h, [sdkTx('burn').bytes]);
    assert.equal(res.txResults[0]!.code, 0, res.txResults[0]!.log);
    assert.equal(bal(h, sdkSender, XYZ), 999_990n * BNB);
    assert.equal(h.app.queries.token(XYZ)!.total_supply, '999990.00000000');
    assert.equal(bal(h, sdkSender), FUND - BNB);
    assertInvariants(h);
  });

  it('freeze then unfreeze 100 XYZ-14A (0.01 BNB each)', async () => {
    const h = await withXyz();
    const r1 = await runBlock(h, [sdkTx('freeze').bytes]);
    assert.equal(r1.txResults[0]!.code, 0, r1.txResults[0]!.log);
    assert.deepEqual(acc(h, sdkSender)!.frozen, [{ denom: XYZ, amount: 100n * BNB }]);
    assert.equal(bal(h, sdkSender, XYZ), 999_900n * BNB);
    assertInvariants(h);
    // the unfreeze vector is also signed with sequence 0: run it on a fresh chain with frozen coins
    const h2 = await withXyz();
    const res = await runBlock(h2, [sdkTx('unfreeze').bytes]);
    assert.equal(res.txResults[0]!.code, abciCode('root', RootCode.insufficientCoins));
    assert.match(res.txResults[0]!.log, /insufficient frozen coins: have 0XYZ-14A, need 10000000000XYZ-14A/);
    assert.equal(bal(h, sdkSender), FUND - 1_000_000n);
  });

  it('multi_send: two outputs, fee 50,000 × n', async () => {
    const h = await withXyz();
    const { bytes } = sdkTx('multi_send');
    const msg = decodeTx(bytes).tx.msgs[0]!;
    assert.equal(msg.type, 'cosmos-sdk/Send');
    const res = await runBlock(h, [bytes]);
    const r = res.txResults[0]!;
    if (msg.type !== 'cosmos-sdk/Send') throw new Error('unreachable');
    const nIn = msg.inputs.reduce((n, i) => n + i.coins.length, 0);
    const nOut = msg.outputs.reduce((n, o) => n + o.coins.length, 0);
    const n = BigInt(Math.max(nIn, nOut));
    assert.equal(r.code, 0, r.log);
    const outBnb = msg.outputs.flatMap((o) => o.coins).filter((c) => c.denom === 'BNB').reduce((s, c) => s + c.amount, 0n);
    assert.equal(bal(h, sdkSender), FUND - outBnb - 50_000n * n);
    const got1 = bal(h, sdkRecipient1, XYZ) + bal(h, sdkRecipient2, XYZ);
    assert.equal(got1, 2n * BNB);
    assertInvariants(h);
  });

  it('set_account_flags: flag 1 set, 1 BNB fee; later sends to it need a digit memo', async () => {
    const h = await newApp({ bnb: [[sdkSender, FUND]] });
    const res = await runBlock(h, [sdkTx('set_account_flags').bytes]);
    assert.equal(res.txResults[0]!.code, 0, res.txResults[0]!.log);
    assert.equal(acc(h, sdkSender)!.flags, 1n);
    assert.equal(bal(h, sdkSender), FUND - BNB);
  });

  it('the SDK order vector reaches the DEX: an unlisted pair is a DEX error, nothing charged', async () => {
    const h = await withXyz();
    const before = bal(h, sdkSender);
    const res = await runBlock(h, [sdkTx('place_order_buy').bytes]);
    assert.equal(res.txResults[0]!.code >>> 16, 3, res.txResults[0]!.log); // dex codespace
    assert.match(res.txResults[0]!.log, /pair|XYZ-14A_BNB/i);
    assert.equal(bal(h, sdkSender), before);
  });

  it('the /account query returns the amino AppAccount; unknown accounts a code and no value', async () => {
    const h = await newApp({ bnb: [[sdkSender, FUND]] });
    await runBlock(h, [sdkTx('transfer').bytes]);
    const q = h.app.query(`/account/${sdkSender.bech32}`, new Uint8Array());
    assert.equal(q.code, 0);
    const a = decodeAppAccount(q.value);
    assert.equal(a.sequence, 1n);
    assert.deepEqual(a.coins, [{ denom: 'BNB', amount: FUND - BNB - 62_500n }]);
    const unknown = h.app.query('/account/tbnb1je4w0nlqcwznwl66qt830ehax2ewaff5a8qr5n', new Uint8Array());
    assert.equal(unknown.code, abciCode('root', RootCode.unknownAddress));
    assert.equal(unknown.value.length, 0);
    assert.equal(txHashHex(sdkTx('transfer').bytes), sdkTx('transfer').v.tx_hash);
  });
});
