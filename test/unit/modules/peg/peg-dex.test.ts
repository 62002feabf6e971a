/** Pausing the peg leaves DEX trading of the pegged token running (a BTC-xxx/BNB pair listed at genesis). */
import assert from 'node:assert/strict';
import { abciCode } from '../../../../src/errors.js';
import { toHex } from '../../../../src/crypto/hash.js';
import { GovKeeper, govModule } from '../../../../src/modules/gov/index.js';
import { DexKeeper, dexModule } from '../../../../src/modules/dex/index.js';
import { PegCode } from '../../../../src/modules/peg/index.js';
import { ALICE, BNB, BOB, BTC, C, bal, block, fails, mint, newPegApp, ok, setReserves, sign, txid, type PegHarness } from './helpers.js';
import { view } from '../../app/helpers.js';

function order(h: PegHarness, who: typeof ALICE, side: 1 | 2, price: bigint, qty: bigint) {
  const seq = h.app.bank.getAccount(view(h), who.addr)!.sequence + 1n; // the SDK numbers orders by the sequence after this tx
  return {
    type: 'dex/NewOrder' as const,
    sender: who.addr,
    id: `${toHex(who.addr).toUpperCase()}-${seq}`,
    symbol: `${BTC}_BNB`,
    ordertype: 2,
    side,
    price,
    quantity: qty,
    timeinforce: 1,
  };
}

describe('modules/peg with the DEX', () => {
  it('withdrawals paused while the BTC pair still trades', async () => {
    let dex: DexKeeper | undefined;
    const h = await newPegApp({
      extraModules: (app) => {
        // the app may already carry the DEX (and gov); otherwise add them here
        const own = (app as unknown as { dex?: DexKeeper }).dex;
        if (own) {
          dex = own;
          return [];
        }
        const gov = new GovKeeper({ bank: app.bank, staking: app.staking });
        dex = new DexKeeper({ bank: app.bank, tokens: app.tokens, gov });
        return [govModule(gov), dexModule(dex)];
      },
    });
    // list BTC-xxx/BNB as genesis would (the peg creates its token in its own genesis step,
    // which runs after the DEX's while the app registers the DEX first)
    dex!.listPair(h.store.working(), BTC, 'BNB', BNB);
    await setReserves(h, 'BTC', 'bitcoin', 100n * BNB, 1n);
    await mint(h, { txid: txid(1), to: ALICE, amount: 10n * BNB });
    await ok(h, C[0]!, { type: 'peg/Pause', from: C[0]!.addr, asset: 'BTC', direction: 'both' });
    await fails(h, ALICE, { type: 'peg/Withdraw', from: ALICE.addr, asset: 'BTC', network: 'bitcoin', ext_address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', amount: BNB }, abciCode('peg', PegCode.paused));

    const bobBtc = bal(h, BOB, BTC);
    const res = await block(h, [sign(h, ALICE, order(h, ALICE, 2, BNB, 2n * BNB)), sign(h, BOB, order(h, BOB, 1, BNB, 2n * BNB))]);
    for (const r of res.txResults) assert.equal(r.code, 0, r.log);
    await block(h, []);
    assert.equal(bal(h, BOB, BTC) - bobBtc > 0n, true, 'the buyer received BTC from the match');
    assert.ok(bal(h, ALICE, BTC) < 10n * BNB);
  });
});
