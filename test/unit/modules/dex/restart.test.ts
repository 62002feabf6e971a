/**
 * The book lives in committed state: a node restarted from its LevelDB store has the same book,
 * and the next match gives the same result as on a node that never stopped. Same txs on two
 * apps give the same app hash at every height; a cold cache (fresh app every block) agrees
 * with a warm one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryStateStore, openStateStore } from '../../../../src/state/index.js';
import type { StateStore } from '../../../../src/state/types.js';
import { toHex } from '../../../../src/crypto/hash.js';
import type { OrderBook } from '../../../../src/modules/dex/match/index.js';
import { GENESIS_MS, assertInvariants, key, runBlock } from '../../app/helpers.js';
import { BNB, Signer, XYZ, XYZ_BNB, buildApp, dexGenesis, type DexGenesisOpts, type DexHarness } from './helpers.js';

const alice = key('rs-alice');
const bob = key('rs-bob');
const carol = key('rs-carol');
const GEN: DexGenesisOpts = {
  bnb: [
    [alice, 1000n * BNB],
    [bob, 1000n * BNB],
    [carol, 1000n * BNB],
  ],
  tokens: [{ symbol: XYZ, owner: alice, supply: 1000n * BNB }],
  pairs: [[XYZ, 'BNB', BNB]],
};

async function open(store: StateStore, genesis = true): Promise<DexHarness> {
  const { app, gov, dex, verifier } = buildApp(store);
  if (genesis) await app.initChain(dexGenesis(GEN));
  return { app, store, verifier, gov, dex, height: store.height, timeMs: GENESIS_MS + store.height * 1000 };
}

function bookDump(b: OrderBook): string {
  return [...b.orders()].map((o) => `${o.side}:${o.price}:${o.id}:${o.qty}:${o.cumQty}:${o.time}`).join('\n');
}

describe('dex: book in committed state', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dexchain-dex-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a restart from LevelDB keeps every order, and the next match equals the one of a node that never stopped', async () => {
    const store = await openStateStore(dir);
    const a = await open(store);
    const ref = await open(memoryStateStore());
    await runBlock(a, []);
    await runBlock(ref, []);
    const s = new Signer(a);
    const blocks = [
      [s.order(alice, XYZ_BNB, 2, 102_000_000n, 5n * BNB).tx, s.order(alice, XYZ_BNB, 2, 101_000_000n, 3n * BNB).tx],
      [s.order(bob, XYZ_BNB, 1, 99_000_000n, 4n * BNB).tx, s.order(carol, XYZ_BNB, 1, 98_000_000n, 2n * BNB).tx],
      [s.order(carol, XYZ_BNB, 1, 101_000_000n, 1n * BNB).tx], // partial fill of the 1.01 ask
    ];
    for (const txs of blocks) {
      const r1 = await runBlock(a, txs);
      const r2 = await runBlock(ref, txs);
      for (const r of r1.txResults) assert.equal(r.code, 0, r.log);
      assert.equal(toHex(r1.appHash), toHex(r2.appHash));
    }
    const before = bookDump(a.dex.bookSnapshot(a.store.committed(), XYZ_BNB));
    assert.equal(before.split('\n').length, 4);
    await store.close();

    const store2 = await openStateStore(dir);
    const b = await open(store2, false);
    b.height = a.height;
    b.timeMs = a.timeMs;
    assert.equal(toHex(store2.appHash), toHex(ref.store.appHash));
    assert.equal(bookDump(b.dex.bookSnapshot(store2.committed(), XYZ_BNB)), before);
    assertInvariants(b);

    const s2 = new Signer(b);
    const cross = [s2.order(bob, XYZ_BNB, 1, 102_000_000n, 6n * BNB).tx, s2.order(alice, XYZ_BNB, 2, 98_000_000n, 3n * BNB).tx];
    const r1 = await runBlock(b, cross);
    const r2 = await runBlock(ref, cross);
    for (const r of r1.txResults) assert.equal(r.code, 0, r.log);
    assert.equal(toHex(r1.appHash), toHex(r2.appHash));
    assert.deepEqual(r1.events, r2.events);
    assert.equal(bookDump(b.dex.bookSnapshot(store2.committed(), XYZ_BNB)), bookDump(ref.dex.bookSnapshot(ref.store.committed(), XYZ_BNB)));
    assertInvariants(b);
    await store2.close();
  });

});
