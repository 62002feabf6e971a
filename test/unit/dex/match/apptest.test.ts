/**
 * Replays block scenarios transcribed from the original's app tests (fixtures/apptest-scenarios.json):
 * orders per block, one match per pair with new orders at EndBlock, IOC expiry after the match,
 * and checks every engine-level assertion of the Go test (last price, trades, book depth).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  BUY,
  SELL,
  MatchEngine,
  OrderBook,
  calcLotSize,
  type DepthLevel,
  type MatchResult,
  type Trade,
} from '../../../../src/modules/dex/match/index.js';
import { tickOf, type Json } from './helpers.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/apptest-scenarios.json', import.meta.url), 'utf8'));
/** SetupTest_new lists three pairs, in this order, at the given (default 10e8) prices. */
const PAIR_INDEX: Record<string, number> = { 'BTC-000_BNB': 0, 'ETH-000_BNB': 1, 'BTC-000_ETH-000': 2 };

function replay(c: Json): void {
  const listPrices = [10e8, 10e8, 10e8].map(BigInt);
  c.list_prices.forEach((p: number, i: number) => (listPrices[i] = BigInt(p)));
  const engines = new Map<string, MatchEngine>();
  const engine = (sym: string): MatchEngine => {
    let e = engines.get(sym);
    if (!e) {
      const p = listPrices[PAIR_INDEX[sym]!]!;
      e = new MatchEngine(new OrderBook(), p, calcLotSize(p));
      engines.set(sym, e);
    }
    return e;
  };
  const lastResult = new Map<string, MatchResult>();
  let height = 0;
  let round = new Map<string, string[]>(); // pair -> IOC ids of this block
  let trades: Trade[] = [];
  let lastPx = 0n;
  let depth: { buys: DepthLevel[]; sells: DepthLevel[] } = { buys: [], sells: [] };

  c.events.forEach((ev: Json, n: number) => {
    const at = `event #${n} ${JSON.stringify(ev)}`;
    switch (ev[0]) {
      case 'h':
        height = ev[1];
        break;
      case 'lot':
        engine(ev[1]).lotSize = BigInt(ev[2]);
        break;
      case 'order': {
        const o = ev[1];
        if (o.cancel !== undefined) {
          // a cancel of an order already gone (filled / expired) is rejected by the app: no-op here
          engine(o.sym).book.remove(o.cancel);
          break;
        }
        engine(o.sym).book.insert({ id: o.id, side: o.side, price: BigInt(o.price), qty: BigInt(o.qty), time: height });
        const ioc = round.get(o.sym) ?? [];
        if (o.tif === 3) ioc.push(o.id);
        round.set(o.sym, ioc);
        break;
      }
      case 'end':
        for (const [sym, ioc] of [...round.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          const e = engine(sym);
          const r = e.run(height);
          assert.equal(r.error, undefined, `${at}: ${r.errorDetail}`);
          lastResult.set(sym, r);
          for (const id of ioc) e.book.remove(id);
        }
        round = new Map();
        break;
      case 'gettrades':
        trades = lastResult.get(ev[1])?.trades ?? [];
        lastPx = engine(ev[1]).lastTradePrice;
        break;
      case 'getbook': {
        const b = engine(ev[1]).book;
        depth = { buys: b.depth(BUY, 25), sells: b.depth(SELL, 25) };
        break;
      }
      case 'lastpx':
        assert.equal(lastPx, BigInt(ev[1]), at);
        break;
      case 'ntrades':
        assert.equal(trades.length, ev[1], at);
        break;
      case 'tf': {
        const t = trades[ev[1]];
        assert.ok(t, at);
        if (ev[2] === 'LastQty') assert.equal(t.lastQty, BigInt(ev[3]), at);
        else if (ev[2] === 'LastPx') assert.equal(t.lastPx, BigInt(ev[3]), at);
        else assert.equal(t.tickType, tickOf(ev[3]), at);
        break;
      }
      case 'nlev':
        assert.equal(depth[ev[1] as 'buys' | 'sells'].length, ev[2], at);
        break;
      case 'lev': {
        const l = depth[ev[1] as 'buys' | 'sells'][ev[2]];
        assert.ok(l, at);
        assert.equal(ev[3] === 'qty' ? l.qty : l.price, BigInt(ev[4]), at);
        break;
      }
      default:
        assert.fail(`unknown event ${at}`);
    }
  });
}

describe('match engine vs the original app tests (fixtures/apptest-scenarios.json)', () => {
  it('has scenarios', () => assert.ok(fixture.cases.length >= 60));
  for (const c of fixture.cases) it(c.name, () => replay(c));
});
