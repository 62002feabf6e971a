/**
 * One end-block pass over the book (match, expiry, delisting): collects what happens to orders
 * and balances, then settles it the way the original's `allocate` does — every transfer first,
 * then trade fees per account (sorted transfers, deducted as they go), then fixed fees — and
 * finally writes the open order records and hands closed orders and trades to the block's history.
 */
import { rootError } from '../../errors.js';
import { encodeAddress } from '../../codec/index.js';
import type { Coin } from '../../codec/types.js';
import type { BlockContext } from '../../app/context.js';
import { FeeFor } from '../params/fees.js';
import type { BankKeeper } from '../bank/keeper.js';
import { addCoins, checkedAdd, coinsString, validateCoins } from '../bank/coins.js';
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
import { deleteOpenOrder, getOpenOrder, levelTotalKey, putOpenOrder, setPair } from './store.js';
import { OrderStatus, TimeInForce, type DexFeeParams, type OrderRecord, type OrderStatusValue, type TradeRecord, type TradingPair } from './types.js';

interface Entry {
  rec: OrderRecord;
  closed: boolean;
  dirty: boolean;
  /** Placed in this block: no book/id/owner keys exist yet. */
  placed: boolean;
  /** The owner's bech32 address, once an event needed it (trades and the closing event share it). */
  bech?: string;
}

/** A transfer with the order entry it moves (fees are booked on it without a lookup). */
interface RunTransfer extends Transfer {
  entry: Entry;
}

/**
 * Settlement's working copy of one account: balances as maps (denom → amount), turned back into
 * sorted coin lists once, when the account is written. Zero amounts stay in the maps and are
 * dropped then, as the coin-list arithmetic drops them at every step.
 */
export interface Work {
  acc: Account;
  coins: Map<string, bigint>;
  locked: Map<string, bigint>;
}

export function coinMap(coins: readonly Coin[]): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const c of coins) m.set(c.denom, c.amount);
  return m;
}

/** The map as a coin list: sorted by denom, without zero amounts (what `addCoins`/`subCoins` return). */
export function coinList(m: ReadonlyMap<string, bigint>): Coin[] {
  const out: Coin[] = [];
  for (const [denom, amount] of m) if (amount !== 0n) out.push({ denom, amount });
  if (out.length > 1) out.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  return out;
}

/** `addCoins(list, [fee])` for a positive fee; an empty list (an order's, a trade's first fee) without the general path. */
function addFee(list: readonly Coin[], fee: Coin): Coin[] {
  if (list.length === 0) return [{ denom: fee.denom, amount: checkedAdd(0n, fee.amount, `amount of ${fee.denom}`) }];
  return addCoins(list, [fee]);
}

/** `subCoins`' error for a denom the balance cannot cover. */
const insufficient = (label: string, have: bigint, need: bigint, denom: string) =>
  rootError('insufficientCoins', `insufficient ${label}: have ${have}${denom}, need ${need}${denom}`);

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

/**
 * Settlement's account map key: the owner bytes as a latin1 string (one char per byte), which
 * sorts as the bytes do, i.e. as their hex did (the fee pass order), without a Buffer per call.
 */
const ownerKey = (owner: Uint8Array): string => latin1Slice.call(owner, 0, owner.length);


/**
 * Applies a transfer to the account: locked −unlock, free +unlock −out +in, all or nothing
 * (checked before anything changes), with the errors of the coin-list arithmetic it stands
 * for. `w` is settlement's working copy of the account (read once, written once by `settle`):
 * a busy trader's many fills cost one account read and one write per block, not two per fill.
 */
export function applyTransfer(t: Transfer, w: Work): void {
  const out = t.outAsset;
  let locked = 0n;
  if (t.unlock > 0n) {
    const have = w.locked.get(out) ?? 0n;
    locked = have - t.unlock;
    if (locked < 0n) throw insufficient('locked coins', have, t.unlock, out);
  }
  const netOut = t.unlock - t.out;
  const before = w.coins.get(out) ?? 0n;
  let after = before;
  if (netOut > 0n) after = checkedAdd(before, netOut, `amount of ${out}`);
  else if (netOut < 0n) {
    after = before + netOut;
    if (after < 0n) throw insufficient('coins', before, -netOut, out);
  }
  let inAfter = 0n;
  if (t.in > 0n) {
    if (t.inAsset === out) after = checkedAdd(after, t.in, `amount of ${out}`);
    else inAfter = checkedAdd(w.coins.get(t.inAsset) ?? 0n, t.in, `amount of ${t.inAsset}`);
  }
  if (t.unlock > 0n) w.locked.set(out, locked);
  if (after !== before) w.coins.set(out, after);
  if (t.in > 0n && t.inAsset !== out) w.coins.set(t.inAsset, inAfter);
}

const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);

/** The dirty entries in arrival (`seq`) order; seqs compared as doubles while exact (no bigint compares). */
function bySeq(entries: ReadonlyMap<string, Entry>): Entry[] {
  const dirty: Entry[] = [];
  let exact = true;
  for (const e of entries.values()) {
    if (!e.dirty) continue;
    dirty.push(e);
    if (e.rec.seq > MAX_SAFE_N) exact = false;
  }
  if (!exact) return dirty.sort((a, b) => (a.rec.seq < b.rec.seq ? -1 : a.rec.seq > b.rec.seq ? 1 : 0));
  const seqs = new Float64Array(dirty.length);
  const idx: number[] = new Array(dirty.length);
  for (let i = 0; i < dirty.length; i++) {
    seqs[i] = Number(dirty[i]!.rec.seq);
    idx[i] = i;
  }
  idx.sort((a, b) => seqs[a]! - seqs[b]!);
  const out: Entry[] = new Array(dirty.length);
  for (let i = 0; i < idx.length; i++) out[i] = dirty[idx[i]!]!;
  return out;
}

export class BlockRun {
  readonly transfers: RunTransfer[] = [];
  /** Orders touched by this run: pair symbol → order id → entry. */
  private readonly orders = new Map<string, Map<string, Entry>>();
  /** This block's placed orders: pair symbol → order id → record, in drain order. */
  private readonly placed = new Map<string, Map<string, OrderRecord>>();
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
    for (const o of orders) {
      let m = this.placed.get(o.symbol);
      if (!m) this.placed.set(o.symbol, (m = new Map()));
      m.set(o.id, o);
    }
  }

  /** The pair's entries (created empty). */
  private entriesOf(symbol: string): Map<string, Entry> {
    let m = this.orders.get(symbol);
    if (!m) this.orders.set(symbol, (m = new Map()));
    return m;
  }

  private load(symbol: string, id: string, entries: Map<string, Entry> = this.entriesOf(symbol)): Entry {
    let e = entries.get(id);
    if (!e) {
      const p = this.placed.get(symbol)?.get(id);
      if (p) e = { rec: p, closed: false, dirty: false, placed: true };
      else {
        const found = getOpenOrder(this.ctx.kv, symbol, id);
        if (!found) throw rootError('internal', `dex: order ${id} of ${symbol} is in the book but not in state`);
        e = { rec: found.order, closed: false, dirty: false, placed: false };
      }
      entries.set(id, e);
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
    const entries = this.entriesOf(symbol);
    for (const t of r.trades) this.fill(symbol, pair, t, entries);
    for (const id of roundIds) {
      if (!book.has(id)) continue;
      const e = this.load(symbol, id, entries);
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

  private fill(symbol: string, pair: TradingPair, t: Trade, entries: Map<string, Entry>): void {
    const s = this.load(symbol, t.sid, entries);
    const b = this.load(symbol, t.bid, entries);
    const height = this.ctx.block.height;
    const quoteQty = notional(t.lastPx, t.lastQty);
    const unlock = notional(b.rec.price, t.buyCumQty) - notional(b.rec.price, t.buyCumQty - t.lastQty);
    const idx = this.tradeIdx++;
    const trade: TradeRecord = {
      id: `${height}-${idx}`,
      symbol,
      price: t.lastPx,
      qty: t.lastQty,
      buyerOrderId: t.bid,
      sellerOrderId: t.sid,
      buyer: b.rec.owner,
      seller: s.rec.owner,
      height,
      timeMs: this.ctx.block.timeMs,
      tickType: t.tickType,
      buyerFee: [],
      sellerFee: [],
    };
    this.trades.push(trade);
    this.filled(s, t.sellCumQty, t, trade.id);
    this.filled(b, t.buyCumQty, t, trade.id);
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
        entry: s,
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
        entry: b,
      },
    );
    const hrp = this.ctx.chain.hrp;
    this.ctx.events.emit('dex_trade', [
      ['trade_id', trade.id],
      ['symbol', symbol],
      ['price', t.lastPx.toString()],
      ['quantity', t.lastQty.toString()],
      ['buyer_order_id', t.bid],
      ['seller_order_id', t.sid],
      ['buyerId', (b.bech ??= encodeAddress(b.rec.owner, hrp))],
      ['sellerId', (s.bech ??= encodeAddress(s.rec.owner, hrp))],
    ]);
  }

  /** One side of a trade on its order: cumulative fill, last execution, status. */
  private filled(e: Entry, cum: bigint, t: Trade, tradeId: string): void {
    const o = e.rec;
    o.cumQty = cum;
    o.lastExecutedPrice = t.lastPx;
    o.lastExecutedQty = t.lastQty;
    o.lastTradeId = tradeId;
    const full = cum === o.qty;
    o.status = full ? OrderStatus.FullyFill : OrderStatus.PartialFill;
    if (full) e.closed = true;
    this.touch(e);
  }

  /** An order leaves the book without trading further (expiry, IOC, match failure): unlock its rest. */
  removeOrder(symbol: string, id: string, kind: TransferKindValue, status: OrderStatusValue, pair: TradingPair): void {
    const e = this.load(symbol, id);
    const o = e.rec;
    const isBuy = o.side === BUY;
    const asset = isBuy ? pair.quote : pair.base;
    const unlock = isBuy ? notional(o.price, o.qty) - notional(o.price, o.cumQty) : o.qty - o.cumQty;
    this.transfers.push({ kind, orderId: id, symbol, owner: o.owner, inAsset: asset, in: unlock, outAsset: asset, out: unlock, unlock, entry: e });
    o.status = status;
    e.closed = true;
    this.touch(e);
  }

  /** Balance movements, then trade fees, then fixed fees (§A.9); fees go to the block pool. */
  settle(): void {
    // Nothing else reads or writes accounts between the first transfer and the last fee, so
    // each account is changed in memory (same steps, same order per account) and stored once.
    const works = new Map<string, Work>();
    try {
      const tradeBy = new Map<string, RunTransfer[]>();
      const expireBy = new Map<string, RunTransfer[]>();
      for (const t of this.transfers) {
        const k = ownerKey(t.owner);
        let w = works.get(k);
        if (!w) {
          const acc = this.bank.getAccount(this.ctx.kv, t.owner);
          if (!acc) throw rootError('internal', `dex: account of order ${t.orderId} does not exist`);
          w = { acc, coins: coinMap(acc.coins), locked: coinMap(acc.locked) };
          works.set(k, w);
        }
        applyTransfer(t, w);
        if (isFeeFree(t)) continue;
        const m = t.kind === TransferKind.Filled ? tradeBy : isExpiredWithFee(t) ? expireBy : undefined;
        if (!m) continue;
        const l = m.get(k);
        if (l) l.push(t);
        else m.set(k, [t]);
      }
      // a block's fees read each pair's price many times; the pairs do not change meanwhile
      const prices = new Map<string, bigint | undefined>();
      const priceOf: PriceOf = (base, quote) => {
        const k = `${base}\u0000${quote}`;
        if (prices.has(k)) return prices.get(k);
        const p = this.priceOf(base, quote);
        prices.set(k, p);
        return p;
      };
      this.charge(works, tradeBy, compareTradeTransfers, (bal, t) => tradeFee(bal, t, this.fees, priceOf));
      this.charge(works, expireBy, compareExpireTransfers, (bal, t) => fixedFee(bal, t.kind, t.inAsset, this.fees, priceOf));
    } finally {
      // what the per-step writes would have left behind, also when a step throws
      for (const w of works.values()) {
        w.acc.coins = coinList(w.coins);
        w.acc.locked = coinList(w.locked);
        this.bank.setAccount(this.ctx.kv, w.acc);
      }
    }
  }

  private charge(
    works: Map<string, Work>,
    by: Map<string, RunTransfer[]>,
    cmp: (a: Transfer, b: Transfer) => number,
    feeOf: (bal: ReadonlyMap<string, bigint>, t: Transfer) => Coin | undefined,
  ): void {
    for (const k of [...by.keys()].sort()) {
      const list = by.get(k)!.sort(cmp); // Array.prototype.sort is stable
      const w = works.get(k)!; // every charged transfer was applied first
      const bal = new Map(w.coins);
      // Σ fees per denom, int64-checked as each is added (the `addCoins` of a running total)
      const sum = new Map<string, bigint>();
      for (const t of list) {
        const fee = feeOf(bal, t);
        if (!fee || fee.amount <= 0n) continue;
        bal.set(fee.denom, (bal.get(fee.denom) ?? 0n) - fee.amount);
        t.fee = fee;
        sum.set(fee.denom, checkedAdd(sum.get(fee.denom) ?? 0n, fee.amount, `amount of ${fee.denom}`));
        const e = t.entry;
        e.rec.fees = addFee(e.rec.fees, fee);
        e.dirty = true;
        if (t.trade) {
          if (t.isBuyer) t.trade.buyerFee = addFee(t.trade.buyerFee, fee);
          else t.trade.sellerFee = addFee(t.trade.sellerFee, fee);
        }
      }
      if (sum.size === 0) continue;
      const total = coinList(sum);
      // `BankKeeper.subtractCoins` on the working copy: every denom checked before any changes
      validateCoins(total, 'subtractCoins');
      for (const c of total) {
        const have = w.coins.get(c.denom) ?? 0n;
        if (have < c.amount) throw insufficient('coins', have, c.amount, c.denom);
      }
      for (const c of total) w.coins.set(c.denom, w.coins.get(c.denom)! - c.amount);
      this.ctx.fees.add(total, FeeFor.Proposer);
    }
  }

  /** Writes open order records in place; closed orders and the trades go to the block's history. */
  flush(): void {
    const kv = this.ctx.kv;
    const history = this.ctx.history;
    const hrp = this.ctx.chain.hrp;
    const events = this.ctx.events;
    // Sorted (pair, arrival) rather than in the order the match touched them: the history's
    // order and the events must not depend on Map insertion order.
    for (const symbol of [...this.orders.keys()].sort()) {
      const dirty = bySeq(this.orders.get(symbol)!);
      /** BUY prices whose level total this loop dropped already (one delete per level, not per order). */
      const dropped = new Set<bigint>();
      let lastDropped = -1n;
      for (const e of dirty) {
        const o = e.rec;
        if (e.closed) {
          if (!e.placed) deleteOpenOrder(kv, o);
          else if (o.side === BUY && o.price !== lastDropped && !dropped.has(o.price)) {
            dropped.add(o.price);
            lastDropped = o.price;
            kv.delete(levelTotalKey(o.symbol, o.price));
          }
          history.closedOrders.push(o);
          events.emit('dex_order', [
            ['order_id', o.id],
            ['symbol', o.symbol],
            ['owner', (e.bech ??= encodeAddress(o.owner, hrp))],
            ['status', o.status],
            ['cum_qty', o.cumQty.toString()],
            ['fee', o.fees.length === 0 ? '' : coinsString(o.fees)],
          ]);
        } else {
          putOpenOrder(kv, o);
        }
      }
    }
    // placed orders the auction left alone rest as they are (the level total already counts them)
    for (const [symbol, placed] of this.placed) {
      const entries = this.orders.get(symbol);
      for (const [id, o] of placed) {
        const e = entries?.get(id);
        if (!e || !e.dirty) putOpenOrder(kv, o, true);
      }
    }
    for (const t of this.trades) history.trades.push(t);
  }
}

