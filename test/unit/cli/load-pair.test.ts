/**
 * The load generator's choice of a market for orders: the first listed market whose tokens the
 * source can hand out to every account, or a clear refusal that says what is missing.
 */
import assert from 'node:assert/strict';
import { chooseOrderPair, orderFunding, type MarketJson } from '../../../src/client/load.js';

const market = (base: string, quote: string, price: string, lot: string): MarketJson => ({ base_asset_symbol: base, quote_asset_symbol: quote, list_price: price, lot_size: lot });
const BTC = market('BTC-702', 'BNB', '150.00000000', '0.00001000');
const DEMO = market('DEMO-CFA', 'BNB', '1.00000000', '0.00100000');
const XYZ = market('XYZ-111', 'DEMO-CFA', '0.50000000', '1.00000000');

describe('load: the market orders go to', () => {
  it('funds each account with two lots of base per tx, and quote for two lots when the quote is not BNB', () => {
    assert.deepEqual(orderFunding({ base: 'DEMO-CFA', quote: 'BNB', price: 100_000_000n, lot: 100_000n }, 10), [{ denom: 'DEMO-CFA', amount: 2_000_000n }]);
    assert.deepEqual(orderFunding({ base: 'XYZ-111', quote: 'DEMO-CFA', price: 50_000_000n, lot: 100_000_000n }, 3), [
      { denom: 'XYZ-111', amount: 600_000_000n },
      { denom: 'DEMO-CFA', amount: 3n * (100_000_000n + 1n) },
    ]);
  });

  it('skips listed markets the source cannot fund and takes the first it can', () => {
    const held = new Map([['BNB', 10n ** 15n], ['DEMO-CFA', 10n ** 17n]]);
    const p = chooseOrderPair([BTC, DEMO], held, 50, 52);
    assert.equal(`${p.base}_${p.quote}`, 'DEMO-CFA_BNB');
    assert.equal(p.price, 100_000_000n);
    assert.equal(p.lot, 100_000n);
    // the first listed market when the source can fund it
    const rich = new Map([...held, ['BTC-702', 10n ** 12n]]);
    assert.equal(chooseOrderPair([BTC, DEMO], rich, 50, 52).base, 'BTC-702');
  });

  it('counts every account: enough for some accounts is not enough', () => {
    const need = 2n * 52n * 100_000n; // one account's DEMO
    const p = () => chooseOrderPair([DEMO], new Map([['DEMO-CFA', need * 49n]]), 50, 52);
    assert.throws(p, /DEMO-CFA_BNB needs 520000000 DEMO-CFA \(base units\), the source holds 509600000/);
    assert.equal(chooseOrderPair([DEMO], new Map([['DEMO-CFA', need * 50n]]), 50, 52).base, 'DEMO-CFA');
  });

  it('refuses with what each market needs when none can be funded', () => {
    assert.throws(
      () => chooseOrderPair([BTC, XYZ], new Map([['BNB', 10n ** 15n]]), 10, 5),
      (e: Error) =>
        /cannot fund any listed market for 10 accounts/.test(e.message) &&
        /BTC-702_BNB needs 100000 BTC-702/.test(e.message) &&
        /XYZ-111_DEMO-CFA needs 10000000000 XYZ-111 \(base units\), the source holds 0 and needs 5000000050 DEMO-CFA/.test(e.message) &&
        /issue a token and list it against BNB/.test(e.message),
    );
    assert.throws(() => chooseOrderPair([], new Map(), 10, 5), /lists no market/);
  });

  it('takes --pair as given (any case) but refuses it when the source cannot fund it, or it is not listed', () => {
    const held = new Map([['DEMO-CFA', 10n ** 17n]]);
    assert.equal(chooseOrderPair([BTC, DEMO], held, 10, 5, 'demo-cfa_bnb').base, 'DEMO-CFA');
    assert.throws(() => chooseOrderPair([BTC, DEMO], held, 10, 5, 'BTC-702_BNB'), /orders on BTC-702_BNB for 10 accounts: needs 100000 BTC-702 \(base units\), the source holds 0; .*--pair/);
    assert.throws(() => chooseOrderPair([BTC, DEMO], held, 10, 5, 'NOPE-000_BNB'), /pair NOPE-000_BNB is not listed/);
  });
});
