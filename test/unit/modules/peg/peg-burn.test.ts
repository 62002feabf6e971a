/** Pegged tokens leave the chain only through withdrawals: a holder's BurnMsg is refused. */
import assert from 'node:assert/strict';
import { abciCode } from '../../../../src/errors.js';
import { TokenCode } from '../../../../src/modules/tokens/errors.js';
import { ALICE, BNB, BTC, assertAllInvariants, bal, fails, mint, newPegApp, setReserves, txid } from './helpers.js';

describe('modules/peg: pegged tokens cannot be burned by holders', () => {
  it('a BurnMsg of a pegged token fails with notOwner; balances, supply and invariants hold', async () => {
    const h = await newPegApp();
    await setReserves(h, 'BTC', 'bitcoin', 100n * BNB, 10n);
    await mint(h, { txid: txid(7), to: ALICE, amount: 2n * BNB });
    const before = bal(h, ALICE, BTC);
    await fails(h, ALICE, { type: 'tokens/BurnMsg', from: ALICE.addr, symbol: BTC, amount: BNB }, abciCode('tokens', TokenCode.notOwner), /peg withdrawal/);
    assert.equal(bal(h, ALICE, BTC), before);
    assertAllInvariants(h);
  });
});
