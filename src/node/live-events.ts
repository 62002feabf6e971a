/**
 * Turns a committed block into websocket events: trades and order changes from the DEX's
 * end-block events, the depth and the full-depth book (every resting order) of every pair that changed, and the balances of the accounts the
 * block touched (bounded per block so a full block cannot stall the node).
 */
import type { AppliedBlock } from './executor.js';
import { txAddresses } from './executor.js';
import type { LiveFeed, TradeEvent, OrderEvent } from '../rpc/websocket.js';
import type { RpcNode } from '../rpc/types.js';
import { encodeAddress, formatFixed8 } from '../codec/index.js';

/** Accounts whose balances are pushed per block at most. */
const MAX_ACCOUNT_EVENTS = 500;
/** Depth levels per side in a depth event. */
const DEPTH_LEVELS = 20;

function attrs(e: { attributes: { key: string; value: string }[] }): Record<string, string> {
  const o: Record<string, string> = {};
  for (const a of e.attributes) o[a.key] = a.value;
  return o;
}

export function publishBlockEvents(live: LiveFeed, b: AppliedBlock, node: RpcNode, hrp: string): void {
  const height = b.block.header.height;
  const trades: TradeEvent[] = [];
  const orders: OrderEvent[] = [];
  const pairs = new Set<string>();
  const scan = (e: { type: string; attributes: { key: string; value: string }[] }): void => {
    if (e.type === 'dex_trade') {
      const a = attrs(e);
      trades.push({ ...a, symbol: a.symbol ?? '', price: formatFixed8(BigInt(a.price ?? '0')), quantity: formatFixed8(BigInt(a.quantity ?? '0')) });
      if (a.symbol) pairs.add(a.symbol);
    } else if (e.type === 'dex_order' || e.type === 'dex_new_order' || e.type === 'dex_cancel_order') {
      const a = attrs(e);
      if (a.symbol) pairs.add(a.symbol);
      if (e.type === 'dex_order') orders.push({ ...a, symbol: a.symbol ?? '', owner: a.owner ?? '' });
    }
  };
  // nested loops, not a flattened copy: a full block carries tens of thousands of events
  for (const r of b.results) if (r.code === 0) for (const e of r.events) scan(e);
  for (const e of b.response.events) scan(e);
  if (trades.length) live.publishTrades?.({ height, timeMs: b.block.header.timeMs, trades });
  if (orders.length) live.publishOrders?.({ height, orders });
  for (const symbol of [...pairs].sort()) {
    const d = node.dex?.depth(symbol, DEPTH_LEVELS) as { bids?: [string, string][]; asks?: [string, string][] } | undefined;
    if (d) live.publishDepth?.({ height, symbol, bids: d.bids ?? [], asks: d.asks ?? [] });
    if (live.publishBook && node.dex?.book) {
      const book = node.dex.book(symbol);
      // the event carries the block's height even if the view reports its own
      if (book) live.publishBook({ height, symbol, bids: book.bids, asks: book.asks, ...(book.truncated ? { truncated: true } : {}) });
    }
  }
  if (live.publishAccount) {
    // bech32 address → its raw bytes where known (the app names each delivered tx's addresses)
    const touched = new Map<string, Uint8Array | undefined>();
    for (let i = 0; i < b.block.txs.length && touched.size < MAX_ACCOUNT_EVENTS; i++) {
      const raw = b.results[i]?.addresses;
      if (raw) {
        for (const x of raw) {
          touched.set(encodeAddress(x, hrp), x);
          if (touched.size >= MAX_ACCOUNT_EVENTS) break;
        }
        continue;
      }
      // decode only if the app did not name them
      for (const a of txAddresses(b.block.txs[i]!, hrp)) {
        if (!touched.has(a)) touched.set(a, undefined);
        if (touched.size >= MAX_ACCOUNT_EVENTS) break;
      }
    }
    for (const o of orders) if (o.owner && touched.size < MAX_ACCOUNT_EVENTS && !touched.has(o.owner)) touched.set(o.owner, undefined);
    for (const address of [...touched.keys()].sort()) {
      const raw = touched.get(address);
      const balances = raw && node.balancesOf ? node.balancesOf(raw) : node.account(address)?.balances;
      if (!balances) continue;
      live.publishAccount({
        height,
        address,
        balances: balances.map((x) => ({ symbol: x.symbol, free: formatFixed8(x.free), frozen: formatFixed8(x.frozen), locked: formatFixed8(x.locked) })),
      });
    }
  }
}
