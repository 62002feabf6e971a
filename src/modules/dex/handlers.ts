/** DEX msgs: NewOrder (`orderNew`), CancelOrder (`orderCancel`), ListMsg (`dexList`), ListMiniMsg (`dexListMini`). */
import { encodeAddress } from '../../codec/index.js';
import type { CancelOrderMsg, ListMsg, NewOrderMsg } from '../../codec/types.js';
import { ProposalKind } from '../../codec/types.js';
import { bytesEqual } from '../../crypto/hash.js';
import type { MsgHandler } from '../../app/router.js';
import type { KVReader } from '../../state/types.js';
import { ProposalStatus } from '../gov/types.js';
import { parseListParams } from '../gov/records.js';
import { dexError } from './errors.js';
import type { DexKeeper } from './keeper.js';
import { NATIVE, ORDER_TYPE_LIMIT, OrderSide, TimeInForce, splitPair } from './types.js';
import { isMiniSymbol } from './mini.js';
import type { ListMiniMsg } from './mini-msg.js';
import { INT64_MAX } from '../../codec/index.js';

const enc = new TextEncoder();

/** Both tokens of a pair to list exist, and `from` owns one of them (ListMsg and ListMiniMsg alike). */
function mustOwnBaseOrQuote(dex: DexKeeper, kv: KVReader, from: Uint8Array, base: string, quote: string): void {
  const baseToken = dex.tokens.getToken(kv, base);
  if (!baseToken) throw dexError('invalidListing', `token ${base} does not exist`);
  const quoteToken = dex.tokens.getToken(kv, quote);
  if (!quoteToken) throw dexError('invalidListing', `token ${quote} does not exist`);
  if (!bytesEqual(baseToken.owner, from) && !bytesEqual(quoteToken.owner, from)) {
    throw dexError('notTokenOwner', `only the owner of ${base} or ${quote} can list the pair`);
  }
}

/**
 * `enc.encode(JSON.stringify({ order_id: id }))`: ids are hex and digits (checked against the
 * sender and sequence), which JSON writes as they are, so the bytes are written directly (a
 * small on-heap array instead of a string round trip and an off-heap buffer per order).
 */
export function orderIdResult(id: string): Uint8Array {
  const head = '{"order_id":"';
  const n = id.length;
  const out = new Uint8Array(head.length + n + 2);
  for (let i = 0; i < head.length; i++) out[i] = head.charCodeAt(i);
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return enc.encode(JSON.stringify({ order_id: id }));
    out[head.length + i] = c;
  }
  out[head.length + n] = 0x22;
  out[head.length + n + 1] = 0x7d;
  return out;
}

export function newOrderHandler(dex: DexKeeper): MsgHandler<NewOrderMsg> {
  return {
    type: 'dex/NewOrder',
    feeKey: 'orderNew',
    route: 'orderNew',
    validateBasic(msg) {
      if (!msg.id) throw dexError('invalidOrderId', 'order id is empty');
      if (!splitPair(msg.symbol)) throw dexError('unknownPair', `invalid trading pair symbol ${JSON.stringify(msg.symbol)}`);
      if (msg.ordertype !== ORDER_TYPE_LIMIT) throw dexError('invalidOrder', `invalid order type ${msg.ordertype}: only limit orders (2) are supported`);
      if (msg.side !== OrderSide.BUY && msg.side !== OrderSide.SELL) throw dexError('invalidOrder', `invalid side ${msg.side}`);
      if (msg.timeinforce !== TimeInForce.GTE && msg.timeinforce !== TimeInForce.IOC) {
        throw dexError('invalidOrder', `invalid time in force ${msg.timeinforce}`);
      }
      if (msg.price <= 0n) throw dexError('invalidPrice', 'price must be positive');
      if (msg.quantity <= 0n) throw dexError('invalidQuantity', 'quantity must be positive');
    },
    handle(ctx, msg) {
      const o = dex.placeOrder(ctx, msg);
      ctx.events.emit('dex_new_order', [
        ['order_id', o.id],
        ['symbol', o.symbol],
        ['owner', encodeAddress(o.owner, ctx.chain.hrp)],
        ['side', String(o.side)],
        ['price', o.price.toString()],
        ['quantity', o.qty.toString()],
      ]);
      return { data: orderIdResult(o.id) };
    },
  };
}

export function cancelOrderHandler(dex: DexKeeper): MsgHandler<CancelOrderMsg> {
  return {
    type: 'dex/CancelOrder',
    feeKey: 'orderCancel',
    route: 'orderCancel',
    validateBasic(msg) {
      if (!msg.refid) throw dexError('invalidOrderId', 'refid is empty');
      if (!splitPair(msg.symbol)) throw dexError('unknownPair', `invalid trading pair symbol ${JSON.stringify(msg.symbol)}`);
    },
    handle(ctx, msg) {
      const o = dex.cancelOrder(ctx, msg);
      ctx.events.emit('dex_cancel_order', { order_id: o.id, symbol: o.symbol, fee: o.fees.map((c) => `${c.amount}${c.denom}`).join(',') });
    },
  };
}

/** ListMsg (§C): a passed, unexpired ListTradingPair proposal with the same symbols and price. */
export function listHandler(dex: DexKeeper): MsgHandler<ListMsg> {
  return {
    type: 'dex/ListMsg',
    feeKey: 'dexList',
    route: 'dexList',
    validateBasic(msg) {
      if (!msg.base_asset_symbol) throw dexError('invalidListing', 'base asset symbol should not be empty');
      if (!msg.quote_asset_symbol) throw dexError('invalidListing', 'quote asset symbol should not be empty');
      if (msg.init_price <= 0n) throw dexError('invalidPrice', 'init price should be larger than zero');
      if (msg.proposal_id <= 0n) throw dexError('invalidProposal', 'proposal id should be positive');
    },
    handle(ctx, msg) {
      const kv = ctx.kv;
      const p = dex.gov.getProposal(kv, msg.proposal_id);
      if (!p) throw dexError('invalidProposal', `proposal ${msg.proposal_id} does not exist`);
      if (p.kind !== ProposalKind.ListTradingPair) throw dexError('invalidProposal', `proposal ${p.id} is not a ListTradingPair proposal`);
      if (p.status !== ProposalStatus.Passed) throw dexError('invalidProposal', `proposal ${p.id} has not passed (status ${p.status})`);
      const params = parseListParams(p.description);
      if (ctx.block.timeMs > params.expireTimeMs) throw dexError('invalidProposal', `the listing of proposal ${p.id} expired`);
      const base = msg.base_asset_symbol.toUpperCase();
      const quote = msg.quote_asset_symbol.toUpperCase();
      if (base !== params.baseAssetSymbol.toUpperCase()) {
        throw dexError('invalidListing', `base asset symbol ${msg.base_asset_symbol} differs from the proposal's ${params.baseAssetSymbol}`);
      }
      if (quote !== params.quoteAssetSymbol.toUpperCase()) {
        throw dexError('invalidListing', `quote asset symbol ${msg.quote_asset_symbol} differs from the proposal's ${params.quoteAssetSymbol}`);
      }
      if (msg.init_price !== params.initPrice) throw dexError('invalidPrice', `init price ${msg.init_price} differs from the proposal's ${params.initPrice}`);
      mustOwnBaseOrQuote(dex, kv, msg.from, base, quote);
      dex.canListTradingPair(kv, base, quote);
      const pair = dex.listPair(kv, base, quote, msg.init_price);
      ctx.events.emit('dex_list', {
        symbol: `${base}_${quote}`,
        proposal_id: p.id.toString(),
        tick_size: pair.tickSize.toString(),
        lot_size: pair.lotSize.toString(),
      });
    },
  };
}

/**
 * ListMiniMsg (§A.10, `handler_mini.go`): no proposal; the base is a mini token, the quote BNB,
 * the sender owns one of them, the pair is new; tick from the init price, lot by `DetermineLotSize`.
 * BEP70 also allows a configured BUSD symbol as the quote; this chain has no BUSD (the rest of the
 * DEX — listing rules, fees, lot sizes — is priced in BNB only), so BNB is the only quote.
 * Symbols are upper-cased as ListMsg's are.
 */
export function listMiniHandler(dex: DexKeeper): MsgHandler<ListMiniMsg> {
  return {
    type: 'dex/ListMiniMsg',
    feeKey: 'dexListMini',
    route: 'dexList', // the fee table's route for ListMiniMsg, as for ListMsg
    validateBasic(msg) {
      const base = msg.base_asset_symbol.toUpperCase();
      if (!isMiniSymbol(base)) {
        throw dexError('notMiniToken', `base asset ${JSON.stringify(msg.base_asset_symbol)} is not a mini token symbol (XXX-NNNM)`);
      }
      if (!msg.quote_asset_symbol) throw dexError('invalidListing', 'quote asset symbol should not be empty');
      if (msg.quote_asset_symbol.toUpperCase() !== NATIVE) {
        throw dexError('invalidQuoteAsset', `mini-token pairs are listed against ${NATIVE} only, got ${JSON.stringify(msg.quote_asset_symbol)}`);
      }
      if (msg.init_price <= 0n || msg.init_price > INT64_MAX) throw dexError('invalidPrice', 'init price should be larger than zero');
    },
    handle(ctx, msg) {
      const kv = ctx.kv;
      const base = msg.base_asset_symbol.toUpperCase();
      const quote = msg.quote_asset_symbol.toUpperCase();
      dex.canListTradingPair(kv, base, quote);
      mustOwnBaseOrQuote(dex, kv, msg.from, base, quote);
      const pair = dex.listPair(kv, base, quote, msg.init_price);
      ctx.events.emit('dex_list_mini', {
        symbol: `${base}_${quote}`,
        tick_size: pair.tickSize.toString(),
        lot_size: pair.lotSize.toString(),
      });
    },
  };
}
