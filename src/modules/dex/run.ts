/**
 * One end-block pass over the book (match, expiry, delisting): collects what happens to orders
 * and balances, then settles it the way the original's `allocate` does — every transfer first,
 * then trade fees per account (sorted transfers, deducted as they go), then fixed fees — and
 * finally writes the order records, the closed-order history and the trades.
 */
import { rootError } from '../../errors.js';
import { encodeAddress } from '../../codec/index.js';
import type { Coin } from '../../codec/types.js';
import type { BlockContext } from '../../app/context.js';
import { FeeFor } from '../params/fees.js';
import type { BankKeeper } from '../bank/keeper.js';
import { addCoins, coinsString, subCoins, validateCoins } from '../bank/coins.js';
import type { Account } from '../bank/account.js';
import { BUY, MatchEngine, notional, type OrderBook, type Trade } from './match/index.js';
import {
  TransferKind,
  compareExpireTransfers,
  compareTradeTransfers,
  fixedFee,
  isExpiredWithFee,
  isFeeFree,
  tradeFee,
  type PriceOf,
  type Transfer,
  type TransferKindValue,
} from './fees.js';
import { deleteOpenOrder, encodeTrade, getOpenOrder, levelTotalKey, putClosedOrders, putOpenOrder, putTradePruneIndex, setPair, tradeKey } from './store.js';
import { OrderStatus, TimeInForce, type DexFeeParams, type OrderRecord, type OrderStatusValue, type TradeRecord, type TradingPair } from './types.js';

interface Entry {
  rec: OrderRecord;
  closed: boolean;
  dirty: boolean;
  /** Placed in this block: no book/id/owner keys exist yet. */
  placed: boolean;
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

/**
 * Settlement's account map key: the owner bytes as a latin1 string (one char per byte), which
 * sorts as the bytes do, i.e. as their hex did (the fee pass order), without a Buffer per call.
 */
const ownerKey = (owner: Uint8Array): string => latin1Slice.call(owner, 0, owner.length);

/** Balances as a map (denom → free amount) for fee computation. */
function balanceMap(coins: readonly Coin[]): Map<string, bigint> {
  return new Map(coins.map((c) => [c.denom, c.amount]));
}

export class BlockRun {
  readonly transfers: Transfer[] = [];
  private readonly orders = new Map<string, Entry>();
  /** This block's placed orders (keys `symbol\0id`), in drain order. */
  private readonly placed = new Map<string, OrderRecord>();
  readonly trades: TradeRecord[] = [];

  constructor(
    private readonly ctx: BlockContext,
    private readonly bank: BankKeeper,
    private readonly fees: DexFeeParams,
    private readonly priceOf: PriceOf,
    /** Trade ids continue from here (`height-idx`), so two passes in one block never collide. */
    private tradeIdx = 0,
  ) {}

  get nextTradeIdx(): number {
    return this.tradeIdx;
  }

  /** Orders placed in this block (drained from state by the caller): flushed to the book if they rest. */
  addPlaced(orders: readonly OrderRecord[]): void {
    for (const o of orders) this.placed.set(`${o.symbol}\u0000${o.id}`, o);
  }

  private load(symbol: string, id: string): Entry {
    const k = `${symbol}\u0000${id}`;
    let e = this.orders.get(k);
    if (!e) {
      const p = this.placed.get(k);
      if (p) e = { rec: p, closed: false, dirty: false, placed: true };
      else {
        const found = getOpenOrder(this.ctx.kv, symbol, id);
        if (!found) throw rootError('internal', `dex: order ${id} of ${symbol} is in the book but not in state`);
        e = { rec: found.order, closed: false, dirty: false, placed: false };
      }
      this.orders.set(k, e);
    }
    return e;
  }

  private touch(e: Entry): void {
    e.dirty = true;
    e.rec.lastUpdatedHeight = this.ctx.block.height;
    e.rec.lastUpdatedTimeMs = this.ctx.block.timeMs;
  }

  /**
   * One auction of one pair (§A.1): match, settle trades, drop filled, expire this round's IOC
   * remainders; on an engine error every order of the round leaves the book fee-free.
   * `roundIds` = ids of this block's new orders on the pair, in arrival order.
   */
  matchPair(pair: TradingPair, book: OrderBook, roundIds: readonly string[]): void {
    const symbol = `${pair.base}_${pair.quote}`;
    const height = this.ctx.block.height;
    const engine = new MatchEngine(book, pair.lastTradePrice, pair.lotSize, pair.lastMatchHeight);
    const r = engine.run(height);
    pair.lastMatchHeight = engine.lastMatchHeight;
    pair.lastTradePrice = engine.lastTradePrice;
    setPair(this.ctx.kv, pair);
    if (r.error !== undefined) {
      this.ctx.logger.warn({ height, symbol, error: r.error, detail: r.errorDetail }, 'dex match failed; cancelling the round');
      for (const id of roundIds) {
        if (!book.has(id)) continue;
        book.remove(id);
        this.removeOrder(symbol, id, TransferKind.CancelForMatchFailure, OrderStatus.FailedMatching, pair);
      }
      return;
    }
    for (const t of r.trades) this.fill(symbol, pair, t);
    for (const id of roundIds) {
      if (!book.has(id)) continue;
      const e = this.load(symbol, id);
      if (e.rec.timeInForce !== TimeInForce.IOC) continue;
      book.remove(id);
      const none = e.rec.cumQty === 0n;
      this.removeOrder(
        symbol,
        id,
        none ? TransferKind.IocFullyExpire : TransferKind.IocPartiallyExpire,
        none ? OrderStatus.IocNoFill : OrderStatus.IocExpire,
        pair,
      );
    }
  }

  private fill(symbol: string, pair: TradingPair, t: Trade): void {
    const s = this.load(symbol, t.sid);
    const b = this.load(symbol, t.bid);
    const quoteQty = notional(t.lastPx, t.lastQty);
    const unlock = notional(b.rec.price, t.buyCumQty) - notional(b.rec.price, t.buyCumQty - t.lastQty);
    const trade: TradeRecord = {
      id: `${this.ctx.block.height}-${this.tradeIdx++}`,
      symbol,
      price: t.lastPx,
      qty: t.lastQty,
      buyerOrderId: t.bid,
      sellerOrderId: t.sid,
      buyer: b.rec.owner,
      seller: s.rec.owner,
      height: this.ctx.block.height,
      timeMs: this.ctx.block.timeMs,
      tickType: t.tickType,
      buyerFee: [],
      sellerFee: [],
    };
    this.trades.push(trade);
    for (const [e, cum] of [
      [s, t.sellCumQty],
      [b, t.buyCumQty],
    ] as const) {
      e.rec.cumQty = cum;
      e.rec.lastExecutedPrice = t.lastPx;
      e.rec.lastExecutedQty = t.lastQty;
      e.rec.lastTradeId = trade.id;
      e.rec.status = cum === e.rec.qty ? OrderStatus.FullyFill : OrderStatus.PartialFill;
      if (cum === e.rec.qty) e.closed = true;
      this.touch(e);
    }
    this.transfers.push(
      {
        kind: TransferKind.Filled,
        orderId: t.sid,
        symbol,
        owner: s.rec.owner,
        inAsset: pair.quote,
        in: quoteQty,
        outAsset: pair.base,
        out: t.lastQty,
        unlock: t.lastQty,
        trade,
        isBuyer: false,
      },
      {
        kind: TransferKind.Filled,
        orderId: t.bid,
        symbol,
        owner: b.rec.owner,
        inAsset: pair.base,
        in: t.lastQty,
        outAsset: pair.quote,
        out: quoteQty,
        unlock,
        trade,
        isBuyer: true,
      },
    );
    this.ctx.events.emit('dex_trade', {
      trade_id: trade.id,
      symbol,
      price: t.lastPx.toString(),
      quantity: t.lastQty.toString(),
      buyer_order_id: t.bid,
      seller_order_id: t.sid,
      buyerId: encodeAddress(b.rec.owner, this.ctx.chain.hrp),
      sellerId: encodeAddress(s.rec.owner, this.ctx.chain.hrp),
    });
  }

  /** An order leaves the book without trading further (expiry, IOC, match failure): unlock its rest. */
  removeOrder(symbol: string, id: string, kind: TransferKindValue, status: OrderStatusValue, pair: TradingPair): void {
    const e = this.load(symbol, id);
    const o = e.rec;
    const isBuy = o.side === BUY;
    const asset = isBuy ? pair.quote : pair.base;
    const unlock = isBuy ? notional(o.price, o.qty) - notional(o.price, o.cumQty) : o.qty - o.cumQty;
    this.transfers.push({ kind, orderId: id, symbol, owner: o.owner, inAsset: asset, in: unlock, outAsset: asset, out: unlock, unlock });
    o.status = status;
    e.closed = true;
    this.touch(e);
  }

  /**
   * Applies a transfer to the account: locked −unlock, free +unlock −out +in. `accs` holds the
   * settlement's working copy of each account (read once, written once by `settle`): a busy
   * trader's many fills cost one account read and one write per block, not two per fill.
   */
  private apply(t: Transfer, accs: Map<string, Account>): void {
    const k = ownerKey(t.owner);
    let acc = accs.get(k);
    if (!acc) {
      acc = this.bank.getAccount(this.ctx.kv, t.owner);
      if (!acc) throw rootError('internal', `dex: account of order ${t.orderId} does not exist`);
      accs.set(k, acc);
    }
    // all or nothing, as the per-transfer write was
    let locked = acc.locked;
    let coins = acc.coins;
    if (t.unlock > 0n) locked = subCoins(locked, [{ denom: t.outAsset, amount: t.unlock }], 'locked coins');
    const netOut = t.unlock - t.out;
    if (netOut > 0n) coins = addCoins(coins, [{ denom: t.outAsset, amount: netOut }]);
    else if (netOut < 0n) coins = subCoins(coins, [{ denom: t.outAsset, amount: -netOut }]);
    if (t.in > 0n) coins = addCoins(coins, [{ denom: t.inAsset, amount: t.in }]);
    acc.locked = locked;
    acc.coins = coins;
  }

  /** Balance movements, then trade fees, then fixed fees (§A.9); fees go to the block pool. */
  settle(): void {
    // Nothing else reads or writes accounts between the first transfer and the last fee, so
    // each account is changed in memory (same steps, same order per account) and stored once.
    const accs = new Map<string, Account>();
    try {
      for (const t of this.transfers) this.apply(t, accs);
      const tradeBy = new Map<string, Transfer[]>();
      const expireBy = new Map<string, Transfer[]>();
      for (const t of this.transfers) {
        if (isFeeFree(t)) continue;
        const m = t.kind === TransferKind.Filled ? tradeBy : isExpiredWithFee(t) ? expireBy : undefined;
        if (!m) continue;
        const k = ownerKey(t.owner);
        const l = m.get(k);
        if (l) l.push(t);
        else m.set(k, [t]);
      }
      this.charge(accs, tradeBy, compareTradeTransfers, (bal, t) => tradeFee(bal, t, this.fees, this.priceOf));
      this.charge(accs, expireBy, compareExpireTransfers, (bal, t) => fixedFee(bal, t.kind, t.inAsset, this.fees, this.priceOf));
    } finally {
      // what the per-step writes would have left behind, also when a step throws
      for (const acc of accs.values()) this.bank.setAccount(this.ctx.kv, acc);
    }
  }

  private charge(
    accs: Map<string, Account>,
    by: Map<string, Transfer[]>,
    cmp: (a: Transfer, b: Transfer) => number,
    feeOf: (bal: ReadonlyMap<string, bigint>, t: Transfer) => Coin | undefined,
  ): void {
    for (const k of [...by.keys()].sort()) {
      const list = [...by.get(k)!].sort(cmp); // Array.prototype.sort is stable
      const acc = accs.get(k)!; // every charged transfer was applied first
      const bal = balanceMap(acc.coins);
      let total: Coin[] = [];
      for (const t of list) {
        const fee = feeOf(bal, t);
        if (!fee || fee.amount <= 0n) continue;
        bal.set(fee.denom, (bal.get(fee.denom) ?? 0n) - fee.amount);
        t.fee = fee;
        total = addCoins(total, [fee]);
        const e = this.load(t.symbol, t.orderId);
        e.rec.fees = addCoins(e.rec.fees, [fee]);
        e.dirty = true;
        if (t.trade) {
          if (t.isBuyer) t.trade.buyerFee = addCoins(t.trade.buyerFee, [fee]);
          else t.trade.sellerFee = addCoins(t.trade.sellerFee, [fee]);
        }
      }
      if (total.length === 0) continue;
      // `BankKeeper.subtractCoins` on the working copy
      validateCoins(total, 'subtractCoins');
      acc.coins = subCoins(acc.coins, total);
      this.ctx.fees.add(total, FeeFor.Proposer);
    }
  }

  /** Writes order records (open ones in place, closed ones to history) and the trades. */
  flush(): void {
    const kv = this.ctx.kv;
    const height = this.ctx.block.height;
    const hrp = this.ctx.chain.hrp;
    // Sorted (pair, arrival) rather than in the order the match touched them: closed-order
    // sequence numbers and events must not depend on Map insertion order.
    const dirty = [...this.orders.values()]
      .filter((e) => e.dirty)
      .sort((a, b) => (a.rec.symbol < b.rec.symbol ? -1 : a.rec.symbol > b.rec.symbol ? 1 : a.rec.seq < b.rec.seq ? -1 : a.rec.seq > b.rec.seq ? 1 : 0));
    const closed: OrderRecord[] = [];
    for (const e of dirty) {
      if (e.closed) {
        if (!e.placed) deleteOpenOrder(kv, e.rec);
        else if (e.rec.side === BUY) kv.delete(levelTotalKey(e.rec.symbol, e.rec.price));
        closed.push(e.rec);
        this.ctx.events.emit('dex_order', {
          order_id: e.rec.id,
          symbol: e.rec.symbol,
          owner: encodeAddress(e.rec.owner, hrp),
          status: e.rec.status,
          cum_qty: e.rec.cumQty.toString(),
          fee: coinsString(e.rec.fees),
        });
      } else {
        putOpenOrder(kv, e.rec);
      }
    }
    putClosedOrders(kv, closed, height);
    // placed orders the auction left alone rest as they are (the level total already counts them)
    for (const [k, o] of this.placed) {
      const e = this.orders.get(k);
      if (!e || !e.dirty) putOpenOrder(kv, o, true);
    }
    const keys: Uint8Array[] = [];
    for (const t of this.trades) {
      const idx = Number(t.id.slice(t.id.indexOf('-') + 1));
      const key = tradeKey(t.symbol, height, idx);
      kv.set(key, encodeTrade(t));
      keys.push(key);
    }
    putTradePruneIndex(kv, height, keys);
  }
}

