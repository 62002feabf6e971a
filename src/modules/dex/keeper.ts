/**
 * DEX keeper: trading pairs, orders and the per-block auction (spec §A, §C, §E.2).
 *
 * The order book lives in committed state (`store.ts`); handlers only write state plus a
 * per-pair journal of the block's new orders and cancels. At EndBlock the journal says which
 * pairs to match (§A.1) and how to bring the in-memory `OrderBook` up to date: a pair's book is
 * cached together with the tag (`height:blockHash`) of the block that last synced it, which is
 * also written to state; if the state's tag differs (restart, a block that was not committed,
 * another app instance) the book is rebuilt from state instead. The cache is never the only
 * copy: a cached book is taken out of the cache while a block mutates it and put back only
 * after the block's state writes are done.
 */
import { rootError } from '../../errors.js';
import type { CancelOrderMsg, NewOrderMsg } from '../../codec/types.js';
import { ProposalKind } from '../../codec/types.js';
import { INT64_MAX } from '../../codec/index.js';
import { bytesEqual } from '../../crypto/hash.js';
import { compareBytes } from '../../state/bytes.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import { iterateDecoded, writeDecoded } from '../../state/decoded.js';
import type { BlockContext, TxContext } from '../../app/context.js';
import { FeeFor } from '../params/fees.js';
import type { BankKeeper } from '../bank/keeper.js';
import { addCoins, amountOf, subCoins } from '../bank/coins.js';
import type { TokenKeeper } from '../tokens/keeper.js';
import type { GovHook, GovReader } from '../gov/keeper.js';
import { ProposalStatus, votingEndMs } from '../gov/types.js';
import { delistParamsToDescription, parseDelistParams, parseListParams } from '../gov/records.js';
import { BUY, SELL, OrderBook, calcLotSize, calcTickSize, notional } from './match/index.js';
import { dexError } from './errors.js';
import { TransferKind, fixedFee, type PriceOf } from './fees.js';
import { BlockRun } from './run.js';
import { MINI_MIN_QTY, isMiniPair, selectMiniPairs } from './mini.js';
import {
  K_PARAMS,
  P_JOURNAL,
  P_MINI_ROUND,
  bookPrefix,
  bookSidePrefix,
  decodeMiniRound,
  encodeMiniRound,
  miniRoundKey,
  breatheKey,
  P_PENDING,
  ORDER_CODEC,
  decodeJournal,
  decodeOrder,
  deleteOpenOrder,
  encodeJournal,
  getPendingOrder,
  orderPriceQtyOf,
  orderQtyOf,
  pendingKey,
  pendingPrefix,
  encodeParams,
  getOpenOrder,
  getPair,
  idKey,
  iteratePairs,
  journalKey,
  levelPrefix,
  levelTotalKey,
  nextSeq,
  pairKey,
  putOpenOrder,
  readPair,
  readRecentPrices,
  readU64BE,
  u64Bytes,
  recentKey,
  setPair,
  tagKey,
  utf8Decode,
  utf8Encode,
  writeHeight,
  writeRecentPrices,
} from './store.js';
import { parseDexParams } from './params.js';
import {
  DAY_MS,
  DELIST_DELAY_MS,
  NATIVE,
  ONE,
  OrderStatus,
  RECENT_PRICE_CAPACITY,
  RECENT_PRICE_INTERVAL,
  RECENT_PRICE_MIN,
  defaultDexParams,
  pairSymbol,
  type DexFeeParams,
  type DexParams,
  type OrderRecord,
  type TradingPair,
} from './types.js';

export interface DexDeps {
  bank: BankKeeper;
  tokens: TokenKeeper;
  gov: GovReader;
}

/** One pair's share of the block's journal, drained at EndBlock. */
interface PairJournal {
  /** Ids of book orders (placed in earlier blocks) cancelled in this block. */
  cancels: string[];
  /** Orders placed in this block and still open, in arrival (`seq`) order. */
  placed: OrderRecord[];
  /** The auction's round: ids of every order placed in this block, cancelled ones too. */
  round: string[];
}

interface CachedBook {
  tag: string;
  book: OrderBook;
}

const HEX_UPPER = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** `toHex(b).toUpperCase()` (the order id's prefix) without a Buffer and a second string per order. */
function upperHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX_UPPER[b[i]!]!;
  return s;
}

const HEX_DIGITS = '0123456789ABCDEF';

/** `id === \`${upperHex(sender)}-${sequence}\`` without building the expected id (only an error needs it). */
function isOrderId(id: string, sender: Uint8Array, sequence: bigint): boolean {
  const n = sender.length * 2;
  if (id.length <= n + 1 || id.charCodeAt(n) !== 0x2d) return false;
  for (let i = 0; i < sender.length; i++) {
    const b = sender[i]!;
    if (id.charCodeAt(2 * i) !== HEX_DIGITS.charCodeAt(b >> 4) || id.charCodeAt(2 * i + 1) !== HEX_DIGITS.charCodeAt(b & 15)) return false;
  }
  return id.slice(n + 1) === String(sequence);
}

/** `floor(Σ (i+1)·p_i / (n(n+1)/2))`, oldest first (§A.8). */
export function priceWMA(prices: readonly bigint[]): bigint {
  const n = BigInt(prices.length);
  if (n === 0n) return 0n;
  let sum = 0n;
  prices.forEach((p, i) => (sum += BigInt(i + 1) * p));
  return sum / ((n * (n + 1n)) / 2n);
}

export class DexKeeper {
  readonly bank: BankKeeper;
  readonly tokens: TokenKeeper;
  readonly gov: GovReader;
  private readonly books = new Map<string, CachedBook>();

  /** Registers the listing/delisting checks with gov (proposal submission hook). */
  constructor(deps: DexDeps) {
    this.bank = deps.bank;
    this.tokens = deps.tokens;
    this.gov = deps.gov;
    deps.gov.addHook(this.govHook());
  }

  // -------------------------------------------------------------------------------------------
  // params and pairs

  getParams(kv: KVReader): DexParams {
    const raw = kv.get(K_PARAMS);
    return raw ? parseDexParams(JSON.parse(utf8Decode(raw))) : defaultDexParams();
  }

  setParams(kv: KVWriter, p: DexParams): void {
    kv.set(K_PARAMS, encodeParams(p));
  }

  /** A passed FeeChange's DEX fees (params module, at a breathe block): the listed fields change. */
  setDexFees(kv: KVWriter, fees: Partial<DexFeeParams>): void {
    const p = this.getParams(kv);
    this.setParams(kv, { ...p, fees: { ...p.fees, ...fees } });
  }

  getPair(kv: KVReader, symbol: string): TradingPair | undefined {
    return getPair(kv, symbol);
  }

  pairs(kv: KVReader): TradingPair[] {
    return [...iteratePairs(kv)];
  }

  pairExists(kv: KVReader, base: string, quote: string): boolean {
    return kv.has(pairKey(pairSymbol(base, quote)));
  }

  priceOf(kv: KVReader): PriceOf {
    return (base, quote) => getPair(kv, pairSymbol(base, quote))?.lastTradePrice;
  }

  /** `CanListTradingPair` (§C): new in both directions; non-BNB pairs need both BNB pairs. */
  canListTradingPair(kv: KVReader, base: string, quote: string): void {
    if (base === quote) throw dexError('invalidListing', 'base asset symbol should not be identical to quote asset symbol');
    if (this.pairExists(kv, base, quote) || this.pairExists(kv, quote, base)) throw dexError('pairExists', 'trading pair exists');
    if (base !== NATIVE && quote !== NATIVE) {
      if (!this.pairExists(kv, base, NATIVE) && !this.pairExists(kv, NATIVE, base)) {
        throw dexError('invalidListing', `token ${base} should be listed against BNB before against ${quote}`);
      }
      if (!this.pairExists(kv, quote, NATIVE) && !this.pairExists(kv, NATIVE, quote)) {
        throw dexError('invalidListing', `token ${quote} should be listed against BNB before listing ${base} against ${quote}`);
      }
    }
  }

  /** `CanDelistTradingPair`: the pair exists; an X/BNB pair goes last among X's pairs. */
  canDelistTradingPair(kv: KVReader, base: string, quote: string): void {
    if (base === quote) throw dexError('invalidDelisting', 'base asset symbol should not be identical to quote asset symbol');
    if (!this.pairExists(kv, base, quote)) throw dexError('unknownPair', `trading pair ${base}_${quote} does not exist`);
    if (base !== NATIVE && quote !== NATIVE) return;
    const x = base !== NATIVE ? base : quote;
    for (const p of iteratePairs(kv)) {
      if ((p.base === x && p.quote !== NATIVE) || (p.quote === x && p.base !== NATIVE)) {
        throw dexError('invalidDelisting', `trading pair ${p.base}_${p.quote} should not exist before delisting ${base}_${quote}`);
      }
    }
  }

  /** Price of `a` in `b` for lot sizing: recent-price WMA (≥ 500 samples) or the last price. */
  private priceAgainst(kv: KVReader, a: string, b: string): bigint | undefined {
    const pick = (symbol: string): bigint | undefined => {
      const pair = getPair(kv, symbol);
      if (!pair) return undefined;
      const recent = readRecentPrices(kv, symbol);
      return recent.length >= RECENT_PRICE_MIN ? priceWMA(recent) : pair.lastTradePrice;
    };
    const direct = pick(pairSymbol(a, b));
    if (direct !== undefined) return direct;
    const inverse = pick(pairSymbol(b, a));
    if (inverse !== undefined && inverse > 0n) return (ONE * ONE) / inverse;
    return undefined;
  }

  /** `DetermineLotSize` (§A.8): lot from the base asset's price in BNB. */
  determineLotSize(kv: KVReader, base: string, quote: string, price: bigint): bigint {
    if (base === NATIVE) return calcLotSize(ONE);
    if (quote === NATIVE) return calcLotSize(price);
    return calcLotSize(this.priceAgainst(kv, base, NATIVE) ?? price);
  }

  /** Creates a pair (listing or genesis); the caller has checked the listing rules. */
  listPair(kv: KVWriter, base: string, quote: string, price: bigint): TradingPair {
    if (price <= 0n || price > INT64_MAX) throw dexError('invalidPrice', `listing price must be positive, got ${price}`);
    const pair: TradingPair = {
      base,
      quote,
      listPrice: price,
      tickSize: calcTickSize(price),
      lotSize: this.determineLotSize(kv, base, quote, price),
      lastTradePrice: price,
      lastMatchHeight: 0,
    };
    setPair(kv, pair);
    return pair;
  }

  // -------------------------------------------------------------------------------------------
  // gov hook

  private govHook(): GovHook {
    return {
      validateProposal: (kv, nowMs, kind, description) => {
        if (kind === ProposalKind.ListTradingPair) {
          const p = parseListParams(description);
          const base = p.baseAssetSymbol.toUpperCase();
          const quote = p.quoteAssetSymbol.toUpperCase();
          if (!this.tokens.hasToken(kv, base)) throw dexError('invalidListing', `base asset ${base} does not exist`);
          if (!this.tokens.hasToken(kv, quote)) throw dexError('invalidListing', `quote asset ${quote} does not exist`);
          if (p.initPrice <= 0n) throw dexError('invalidPrice', 'init price should be larger than zero');
          if (p.expireTimeMs <= nowMs) throw dexError('invalidListing', 'expire time should be later than now');
          this.canListTradingPair(kv, base, quote);
        } else if (kind === ProposalKind.DelistTradingPair) {
          const p = parseDelistParams(description);
          if (p.isExecuted) throw dexError('invalidDelisting', 'is_executed must be false in a new delist proposal');
          this.canDelistTradingPair(kv, p.baseAssetSymbol.toUpperCase(), p.quoteAssetSymbol.toUpperCase());
        }
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // orders (tx handlers)

  private journal(kv: KVWriter, symbol: string, op: 'c' | 'x', id: string): void {
    kv.set(journalKey(symbol, nextSeq(kv)), encodeJournal(op, id));
  }

  /** Σ qty of the open BUY orders at `price`: the book's level plus this block's placed orders. */
  private buyLevelTotal(kv: KVReader, symbol: string, price: bigint): bigint {
    let total = 0n;
    for (const [, v] of kv.iterate(levelPrefix(symbol, BUY, price))) total += orderQtyOf(v);
    for (const [, v] of kv.iterate(pendingPrefix(symbol))) {
      const o = orderPriceQtyOf(v);
      if (o.side === BUY && o.price === price) total += o.qty;
    }
    return total;
  }

  /** NewOrderMsg (§A.7): checks, lock, and the order into the book's state. */
  placeOrder(ctx: TxContext, msg: NewOrderMsg): OrderRecord {
    const kv = ctx.kv;
    const pair = readPair(kv, msg.symbol); // read only
    if (!pair) throw dexError('unknownPair', `trading pair not found: ${msg.symbol}`);
    const acc = this.bank.getAccount(kv, msg.sender);
    if (!acc) throw rootError('unknownAddress', 'sender account does not exist');
    if (!isOrderId(msg.id, msg.sender, acc.sequence)) {
      throw dexError('invalidOrderId', `order id should be ${upperHex(msg.sender)}-${acc.sequence}, got ${msg.id}`);
    }
    const pending = pendingKey(msg.symbol, msg.id);
    if (kv.has(idKey(msg.symbol, msg.id)) || kv.has(pending)) throw dexError('duplicateOrder', `duplicated order id ${msg.id}`);
    const side = msg.side as 1 | 2;
    if (ctx.mode !== 'recheck') {
      if (msg.price % pair.tickSize !== 0n) throw dexError('invalidTickSize', `price(${msg.price}) is not rounded to tickSize(${pair.tickSize})`);
      if (msg.quantity % pair.lotSize !== 0n) throw dexError('invalidLotSize', `quantity(${msg.quantity}) is not rounded to lotSize(${pair.lotSize})`);
    }
    const pq = msg.price * msg.quantity;
    if (pq < ONE) throw dexError('notionalTooSmall', 'notional of the order is too small (price * quantity < 1e8)');
    const value = pq / ONE; // notional(price, quantity)
    const lockAmount = side === BUY ? value : msg.quantity;
    // Both sides: the notional must fit int64 (a SELL's lock is its quantity, but its trades pay
    // notional(price, qty) of the quote asset).
    if (lockAmount > INT64_MAX || value > INT64_MAX) throw dexError('overflow', 'notional of the order overflows int64');
    let levelTotal = 0n;
    const levelKey = side === BUY ? levelTotalKey(msg.symbol, msg.price) : undefined;
    if (levelKey) {
      // Σ qty at this price, kept in state between changes so a busy level is not rescanned per order.
      const cached = kv.get(levelKey);
      if (cached) levelTotal = readU64BE(cached);
      else levelTotal = this.buyLevelTotal(kv, msg.symbol, msg.price);
      levelTotal += msg.quantity;
      if (levelTotal > INT64_MAX) throw dexError('overflow', 'quantity of the price level overflows int64');
    }
    const lockAsset = side === BUY ? pair.quote : pair.base;
    const free = amountOf(acc.coins, lockAsset);
    // BEP8 (§A.7): at least one token, except a SELL of exactly the whole free base balance
    if (msg.quantity < MINI_MIN_QTY && isMiniPair(msg.symbol) && !(side === SELL && msg.quantity === free)) {
      throw dexError(
        'miniQuantityTooSmall',
        `quantity(${msg.quantity}) is too small for a mini-token pair: the minimum is ${MINI_MIN_QTY} or, for a sell, the whole free balance of ${pair.base}`,
      );
    }
    if (free < lockAmount) {
      throw rootError('insufficientCoins', `do not have enough token to lock, accountCoin: ${free}${lockAsset}, required: ${lockAmount}${lockAsset}`);
    }
    if (lockAmount > 0n) {
      // `bank.lockCoins` on the account already read (one account read per order, not two);
      // the checks above cover its coin validation (positive, int64)
      const lock = [{ denom: lockAsset, amount: lockAmount }];
      const coins = subCoins(acc.coins, lock);
      acc.locked = addCoins(acc.locked, lock);
      acc.coins = coins;
      this.bank.setAccount(kv, acc);
    }
    const o: OrderRecord = {
      id: msg.id,
      owner: msg.sender,
      symbol: msg.symbol,
      side,
      price: msg.price,
      qty: msg.quantity,
      cumQty: 0n,
      timeInForce: msg.timeinforce as 1 | 3,
      seq: nextSeq(kv),
      createdHeight: ctx.block.height,
      createdTimeMs: ctx.block.timeMs,
      txHash: ctx.hash,
      lastUpdatedHeight: ctx.block.height,
      lastUpdatedTimeMs: ctx.block.timeMs,
      status: OrderStatus.Ack,
      fees: [],
      lastTradeId: '',
      lastExecutedPrice: 0n,
      lastExecutedQty: 0n,
    };
    // Into this block's placed orders only (kept decoded): EndBlock writes the book keys if it rests.
    writeDecoded(kv, pending, o, ORDER_CODEC);
    if (levelKey) kv.set(levelKey, u64Bytes(levelTotal));
    return o;
  }

  /** CancelOrderMsg: owner only; unlock, then the cancel fee if nothing was filled (§A.7). */
  cancelOrder(ctx: TxContext, msg: CancelOrderMsg): OrderRecord {
    const kv = ctx.kv;
    const found = getOpenOrder(kv, msg.symbol, msg.refid);
    const o = found ? found.order : getPendingOrder(kv, msg.symbol, msg.refid);
    if (!o) throw dexError('orderNotFound', `Failed to find order [${msg.refid}]`);
    if (!bytesEqual(o.owner, msg.sender)) throw dexError('notOrderOwner', 'do not have permission to cancel this order');
    const pair = getPair(kv, o.symbol);
    if (!pair) throw dexError('unknownPair', `trading pair not found: ${o.symbol}`);
    if (found) deleteOpenOrder(kv, o);
    else {
      kv.delete(pendingKey(o.symbol, o.id));
      if (o.side === BUY) kv.delete(levelTotalKey(o.symbol, o.price));
    }
    const isBuy = o.side === BUY;
    const asset = isBuy ? pair.quote : pair.base;
    const unlock = isBuy ? notional(o.price, o.qty) - notional(o.price, o.cumQty) : o.qty - o.cumQty;
    if (unlock > 0n) this.bank.unlockCoins(kv, o.owner, [{ denom: asset, amount: unlock }]);
    if (o.cumQty === 0n) {
      const acc = this.bank.getAccount(kv, o.owner)!;
      const bal = new Map(acc.coins.map((c) => [c.denom, c.amount]));
      const fee = fixedFee(bal, TransferKind.FullyCancel, asset, this.getParams(kv).fees, this.priceOf(kv));
      if (fee && fee.amount > 0n) {
        this.bank.subtractCoins(kv, o.owner, [fee]);
        ctx.fees.add([fee], FeeFor.Proposer);
        o.fees = addCoins(o.fees, [fee]);
      }
    }
    o.status = OrderStatus.Canceled;
    o.lastUpdatedHeight = ctx.block.height;
    o.lastUpdatedTimeMs = ctx.block.timeMs;
    ctx.history.closedOrders.push(o);
    this.journal(kv, o.symbol, found ? 'c' : 'x', o.id);
    return o;
  }

  // -------------------------------------------------------------------------------------------
  // the cached books

  private rebuild(kv: KVReader, symbol: string): OrderBook {
    const book = new OrderBook();
    for (const [, v] of kv.iterate(bookPrefix(symbol))) {
      const o = decodeOrder(v);
      book.insert({ id: o.id, side: o.side, price: o.price, qty: o.qty, time: o.createdHeight, cumQty: o.cumQty });
    }
    return book;
  }

  /** Appends this block's placed orders (all later than any book order: arrival order holds). */
  private static insertPlaced(book: OrderBook, placed: readonly OrderRecord[]): void {
    for (const o of placed) {
      if (book.has(o.id)) continue;
      book.insert({ id: o.id, side: o.side, price: o.price, qty: o.qty, time: o.createdHeight, cumQty: o.cumQty });
    }
  }

  /** Takes the pair's book out of the cache, brought up to date with the journal (or rebuilt). */
  private takeBook(kv: KVReader, symbol: string, j?: PairJournal): OrderBook {
    const cached = this.books.get(symbol);
    this.books.delete(symbol);
    const raw = kv.get(tagKey(symbol));
    let book: OrderBook;
    if (!cached || !raw || cached.tag !== utf8Decode(raw)) book = this.rebuild(kv, symbol);
    else {
      book = cached.book;
      if (j) for (const id of j.cancels) book.remove(id);
    }
    if (j) DexKeeper.insertPlaced(book, j.placed);
    return book;
  }

  private putBook(ctx: BlockContext, symbol: string, book: OrderBook): void {
    const tag = `${ctx.block.height}:${ctx.block.hash}`;
    ctx.kv.set(tagKey(symbol), utf8Encode(tag));
    this.books.set(symbol, { tag, book });
  }

  /** A copy of the pair's current book (tests, debugging); read from state. */
  bookSnapshot(kv: KVReader, symbol: string): OrderBook {
    return this.rebuild(kv, symbol);
  }

  /**
   * Reads and deletes this block's journal and placed orders: pair → what happened to it, pairs
   * in byte order of their symbols (the key order of both prefixes).
   */
  private drainJournal(kv: KVWriter): Map<string, PairJournal> {
    type Drained = PairJournal & { x: { seq: bigint; id: string }[] };
    const by = new Map<string, Drained>();
    // keys of one pair come in a run: the last key's `prefix‖symbol‖0` head is checked first,
    // so the symbol is decoded once per pair and run, not once per key
    let head: Uint8Array | undefined;
    let last: Drained | undefined;
    const of = (k: Uint8Array, prefix: Uint8Array): Drained => {
      if (head !== undefined && k.length > head.length) {
        let same = true;
        for (let i = head.length - 1; i >= 0; i--) {
          if (k[i] !== head[i]) {
            same = false;
            break;
          }
        }
        if (same) return last!;
      }
      const rest = k.subarray(prefix.length);
      const end = rest.indexOf(0);
      const symbol = utf8Decode(rest.subarray(0, end));
      let j = by.get(symbol);
      if (!j) by.set(symbol, (j = { cancels: [], placed: [], round: [], x: [] }));
      head = k.slice(0, prefix.length + end + 1);
      last = j;
      return j;
    };
    const keys: Uint8Array[] = [];
    for (const [k, v] of kv.iterate(P_JOURNAL)) {
      const e = decodeJournal(v);
      const j = of(k, P_JOURNAL);
      if (e.op === 'c') j.cancels.push(e.id);
      else j.x.push({ seq: readU64BE(k.subarray(k.length - 8)), id: e.id });
      keys.push(k.slice());
    }
    head = undefined;
    // the records `placeOrder` wrote, as objects; deleting their keys below makes them ours
    for (const [k, o] of iterateDecoded(kv, P_PENDING, ORDER_CODEC)) {
      of(k, P_PENDING).placed.push(o);
      keys.push(k);
    }
    for (const k of keys) kv.delete(k);
    const symbols = [...by.keys()].map((s) => [s, utf8Encode(s)] as const).sort((a, b) => compareBytes(a[1], b[1]));
    const out = new Map<string, PairJournal>();
    for (const [symbol] of symbols) {
      const j = by.get(symbol)!;
      const placed = j.placed;
      placed.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
      let round: string[];
      if (j.x.length === 0) {
        round = new Array(placed.length);
        for (let i = 0; i < placed.length; i++) round[i] = placed[i]!.id;
      } else {
        // a placed-then-cancelled order still belongs to the round (it made the pair match), never to the book
        const all: { seq: bigint; id: string }[] = placed.map((o) => ({ seq: o.seq, id: o.id }));
        all.push(...j.x);
        all.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
        round = all.map((r) => r.id);
      }
      out.set(symbol, { cancels: j.cancels, placed, round });
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // end block

  /** Round orders of mini pairs that were not selected in earlier blocks: symbol → ids in arrival order. */
  private static carriedMiniRounds(kv: KVReader): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [k, v] of kv.iterate(P_MINI_ROUND)) out.set(utf8Decode(k.subarray(P_MINI_ROUND.length)), decodeMiniRound(v));
    return out;
  }

  /**
   * EndBlock slot `dexMatch`: one auction per pair with new round orders, settlement, fees (§A.1).
   * BEP2 pairs match in every block they got a new order. Mini pairs match only when selected
   * (`selectMiniPairs`); an unselected pair's orders rest in the book unmatched and its round is
   * kept in state (`dex/mr/`), joined by later blocks' orders until a block selects it — then the
   * whole accumulated round is the auction's round (IOC orders of it expire after that auction).
   */
  endBlockMatch(ctx: BlockContext): void {
    const kv = ctx.kv;
    const journal = this.drainJournal(kv);
    const carried = DexKeeper.carriedMiniRounds(kv);
    if (journal.size === 0 && carried.size === 0) return;
    const params = this.getParams(kv);
    const names = new Map<string, Uint8Array>();
    for (const s of journal.keys()) names.set(s, utf8Encode(s));
    for (const s of carried.keys()) if (!names.has(s)) names.set(s, utf8Encode(s));
    const symbols = [...names].sort((a, b) => compareBytes(a[1], b[1])).map(([s]) => s);
    const rounds = new Map<string, readonly string[]>();
    const miniCounts = new Map<string, number>();
    for (const symbol of symbols) {
      const now = journal.get(symbol)?.round ?? [];
      const before = carried.get(symbol);
      const round = before ? [...before, ...now] : now;
      rounds.set(symbol, round);
      if (round.length > 0 && isMiniPair(symbol)) miniCounts.set(symbol, round.length);
    }
    const selected = selectMiniPairs(miniCounts, ctx.block.height);
    const run = new BlockRun(ctx, this.bank, params.fees, this.priceOf(kv));
    const synced: [string, OrderBook][] = [];
    for (const symbol of symbols) {
      const j = journal.get(symbol);
      const pair = getPair(kv, symbol);
      if (!pair) {
        // cannot happen (pairs go at the breathe step, after this); keep such orders as they are
        if (j) for (const o of j.placed) putOpenOrder(kv, o);
        if (carried.has(symbol)) kv.delete(miniRoundKey(symbol));
        continue;
      }
      const round = rounds.get(symbol)!;
      const waits = miniCounts.has(symbol) && !selected.has(symbol);
      if (!j && waits) continue; // nothing new, not selected: the book and the kept round stay as they are
      if (j) run.addPlaced(j.placed);
      const book = this.takeBook(kv, symbol, j);
      synced.push([symbol, book]);
      if (waits) {
        kv.set(miniRoundKey(symbol), encodeMiniRound(round));
        continue;
      }
      if (carried.has(symbol)) kv.delete(miniRoundKey(symbol));
      if (round.length > 0) run.matchPair(pair, book, round);
    }
    run.settle();
    run.flush();
    for (const [symbol, book] of synced) this.putBook(ctx, symbol, book);
  }

  /** EndBlock slot `dexBreathe`: daily maintenance (§E.2) and the recent-price ring (§A.8). */
  endBlockBreathe(ctx: BlockContext): void {
    const kv = ctx.kv;
    const h = ctx.block.height;
    writeHeight(kv, h);
    if (ctx.block.breathe) {
      const params = this.getParams(kv);
      const run = new BlockRun(ctx, this.bank, params.fees, this.priceOf(kv));
      const touched = new Map<string, OrderBook>();
      const delisted = this.executeDelists(ctx, run, touched);
      this.updateTickAndLotSize(kv);
      this.expireOrders(ctx, params, run, touched, delisted);
      run.settle();
      run.flush();
      for (const symbol of delisted) {
        kv.delete(pairKey(symbol));
        kv.delete(tagKey(symbol));
        kv.delete(recentKey(symbol));
        kv.delete(miniRoundKey(symbol));
        this.books.delete(symbol);
        touched.delete(symbol);
        ctx.events.emit('dex_delist', { symbol });
      }
      for (const [symbol, book] of touched) this.putBook(ctx, symbol, book);
      kv.set(breatheKey(Math.floor(ctx.block.timeMs / DAY_MS)), utf8Encode(String(h)));
    }
    if (h % RECENT_PRICE_INTERVAL === 0) {
      for (const p of iteratePairs(kv)) {
        const symbol = pairSymbol(p.base, p.quote);
        const prices = readRecentPrices(kv, symbol);
        prices.push(p.lastTradePrice);
        writeRecentPrices(kv, symbol, prices.slice(Math.max(0, prices.length - RECENT_PRICE_CAPACITY)));
      }
    }
  }

  /** Passed delist proposals whose delay is over: every order of the pair expires, then the pair goes. */
  private executeDelists(ctx: BlockContext, run: BlockRun, touched: Map<string, OrderBook>): string[] {
    const kv = ctx.kv;
    const out: string[] = [];
    for (const p of [...this.gov.iterateProposals(kv)]) {
      if (p.kind !== ProposalKind.DelistTradingPair || p.status !== ProposalStatus.Passed) continue;
      let params;
      try {
        params = parseDelistParams(p.description);
      } catch {
        continue;
      }
      if (params.isExecuted || votingEndMs(p) + DELIST_DELAY_MS > ctx.block.timeMs) continue;
      const base = params.baseAssetSymbol.toUpperCase();
      const quote = params.quoteAssetSymbol.toUpperCase();
      const symbol = pairSymbol(base, quote);
      p.description = delistParamsToDescription({ ...params, isExecuted: true });
      this.gov.setProposal(kv, p);
      try {
        this.canDelistTradingPair(kv, base, quote);
      } catch (e) {
        ctx.events.emit('dex_delist_failed', { symbol, proposal_id: p.id.toString(), reason: (e as Error).message });
        continue;
      }
      if (out.includes(symbol)) continue;
      const pair = getPair(kv, symbol)!;
      const book = touched.get(symbol) ?? this.takeBook(kv, symbol);
      touched.set(symbol, book);
      for (const o of [...book.orders()]) {
        book.remove(o.id);
        const none = o.cumQty === 0n;
        run.removeOrder(symbol, o.id, none ? TransferKind.FullyExpire : TransferKind.PartiallyExpire, OrderStatus.Expired, pair);
      }
      out.push(symbol);
    }
    return out;
  }

  /** `UpdateTickSizeAndLotSize`: pairs with ≥ 500 recent prices get tick/lot from the WMA. */
  private updateTickAndLotSize(kv: KVWriter): void {
    const lotByBase = new Map<string, bigint>();
    for (const pair of [...iteratePairs(kv)]) {
      const symbol = pairSymbol(pair.base, pair.quote);
      const prices = readRecentPrices(kv, symbol);
      if (prices.length < RECENT_PRICE_MIN) continue;
      const wma = priceWMA(prices);
      const tick = calcTickSize(wma);
      let lot = lotByBase.get(pair.base);
      if (lot === undefined) {
        lot = this.determineLotSize(kv, pair.base, pair.quote, wma);
        lotByBase.set(pair.base, lot);
      }
      if (tick !== pair.tickSize || lot !== pair.lotSize) {
        pair.tickSize = tick;
        pair.lotSize = lot;
        setPair(kv, pair);
      }
    }
  }

  /** Height of the breathe block of the UTC day containing `timeMs`, if recorded. */
  breatheHeight(kv: KVReader, timeMs: number): number | undefined {
    const raw = kv.get(breatheKey(Math.floor(timeMs / DAY_MS)));
    return raw ? Number(utf8Decode(raw)) : undefined;
  }

  /**
   * GTE expiry (§A.7): orders created before the breathe block of `now − expireDays`
   * (`now − topLevelExpireDays` inside the best `topLevels` levels of their side) expire.
   */
  private expireOrders(ctx: BlockContext, params: DexParams, run: BlockRun, touched: Map<string, OrderBook>, skip: readonly string[]): void {
    const kv = ctx.kv;
    const now = ctx.block.timeMs;
    const hShort = this.breatheHeight(kv, now - params.expireDays * DAY_MS);
    const hLong = this.breatheHeight(kv, now - params.topLevelExpireDays * DAY_MS);
    if (hShort === undefined && hLong === undefined) return;
    for (const pair of [...iteratePairs(kv)]) {
      const symbol = pairSymbol(pair.base, pair.quote);
      if (skip.includes(symbol)) continue;
      const due: OrderRecord[] = [];
      for (const side of [BUY, SELL] as const) {
        let level = -1;
        let lastPrice = -1n;
        for (const [, v] of kv.iterate(bookSidePrefix(symbol, side))) {
          const o = decodeOrder(v);
          if (o.price !== lastPrice) {
            level++;
            lastPrice = o.price;
          }
          const limit = level < params.topLevels ? hLong : hShort;
          if (limit !== undefined && o.createdHeight < limit) due.push(o);
        }
      }
      if (due.length === 0) continue;
      const book = touched.get(symbol) ?? this.takeBook(kv, symbol);
      touched.set(symbol, book);
      for (const o of due) {
        book.remove(o.id);
        const none = o.cumQty === 0n;
        run.removeOrder(symbol, o.id, none ? TransferKind.FullyExpire : TransferKind.PartiallyExpire, OrderStatus.Expired, pair);
      }
    }
  }
}
