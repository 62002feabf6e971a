/** `subCoin` (the ante's fee deduction) equals `subCoins` with a one-coin list: result and error. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { subCoin, subCoins } from '../../../src/modules/bank/coins.js';
import type { Coin } from '../../../src/codec/types.js';

const denoms = ['AAA-000', 'BNB', 'BTC-1AB', 'XYZ-000', 'ZZZ'];
const coinList = fc
  .subarray(denoms, { minLength: 0, maxLength: denoms.length })
  .chain((ds) => fc.tuple(...ds.map((d) => fc.bigInt({ min: 1n, max: 1000n }).map((amount): Coin => ({ denom: d, amount })))))
  .map((cs) => cs as Coin[]);

function outcome(f: () => Coin[]): { ok: Coin[] } | { err: string } {
  try {
    return { ok: f() };
  } catch (e) {
    return { err: (e as Error).message };
  }
}

describe('bank coins: subCoin', () => {
  it('matches subCoins(a, [coin]) on sorted lists, including insufficient funds', () => {
    fc.assert(
      fc.property(coinList, fc.constantFrom(...denoms), fc.bigInt({ min: 0n, max: 1200n }), (a, denom, amount) => {
        assert.deepEqual(outcome(() => subCoin(a, denom, amount)), outcome(() => subCoins(a, [{ denom, amount }])));
        const r = outcome(() => subCoin(a, denom, amount));
        if ('ok' in r) assert.ok(Array.isArray(r.ok) && r.ok.every((c) => c !== undefined));
      }),
    );
  });

  it('leaves the input list unchanged', () => {
    const a: Coin[] = [{ denom: 'BNB', amount: 5n }, { denom: 'XYZ-000', amount: 2n }];
    const out = subCoin(a, 'BNB', 5n);
    assert.deepEqual(out, [{ denom: 'XYZ-000', amount: 2n }]);
    assert.deepEqual(a, [{ denom: 'BNB', amount: 5n }, { denom: 'XYZ-000', amount: 2n }]);
    assert.equal(out.length, 1);
  });
});
