/**
 * The node's live websocket, on the RPC server's port:
 *
 * - `/websocket`: CometBFT-style JSON-RPC. `subscribe` with `tm.event='NewBlock'`,
 *   `tm.event='NewBlockHeader'` or `tm.event='Tx'` (optionally `AND tx.hash='…'` /
 *   `AND tx.height=N`), `unsubscribe`, `unsubscribe_all`, and every plain RPC method
 *   (`status`, `block`, …) answered by the same handler as HTTP.
 * - `/api/ws`: Binance-style streams. The client sends
 *   `{"method":"subscribe","topic":"blocks"|"trades"|"marketDepth"|"book"|"allOrders"|"orders"|"accounts",
 *     "symbols":[…],"address":"…","from_height":N}` and receives `{"stream","height","data"}`.
 *   `from_height` replays what the client missed from a bounded in-memory history; when that
 *   height is older than what is kept the reply is a clear error and the client falls back to
 *   the REST API. `book` is the full-depth book (every resting order) of each pair that changed
 *   in a block; each message is a whole snapshot, so the hub keeps only the latest one per pair
 *   and a `from_height` replay sends those snapshots at or after that height (never a 410).
 *
 * The node feeds both through {@link LiveFeed} from its block listener; nothing here reads
 * consensus state directly, so a slow or hostile client can only hurt its own connection.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { RpcNode } from './types.js';
import { handleCometMethod, headerJson, txResultJson, type Params } from './cometbft.js';
import { HttpError, jsonReplacer } from './http.js';
import { isChainError } from '../errors.js';
import { sha256, toHex } from '../crypto/hash.js';

// ---------------------------------------------------------------------------------------------
// Events the node publishes
// ---------------------------------------------------------------------------------------------

export interface BlockEvent {
  height: number;
  /** Uppercase hex block hash. */
  hash: string;
  timeMs: number;
  numTxs: number;
  /** Uppercase hex tx hashes with their DeliverTx codes, in block order. */
  txs: { hash: string; code: number }[];
}

/** One trade; `symbol` is the pair (`BASE_QUOTE`), amounts fixed8 decimal strings. */
export interface TradeEvent {
  symbol: string;
  price: string;
  quantity: string;
  [field: string]: unknown;
}

export interface TradesEvent {
  height: number;
  timeMs?: number;
  trades: TradeEvent[];
}

/** Book levels after the block, `[price, quantity]` fixed8 strings, best first. */
export interface DepthEvent {
  height: number;
  symbol: string;
  bids: [string, string][];
  asks: [string, string][];
}

/** One resting order, fixed8 strings. */
export interface BookOrder {
  id: string;
  owner: string;
  price: string;
  quantity: string;
  cumulativeQuantity: string;
  createdHeight: number;
}

/**
 * Every resting order of a pair after the block: bids best price first then by arrival, asks
 * likewise (matching priority), at most the node's per-side limit (`truncated` says it was cut).
 */
export interface BookEvent {
  height: number;
  symbol: string;
  bids: BookOrder[];
  asks: BookOrder[];
  truncated?: boolean;
}

/** An order change (new, partially filled, filled, cancelled, expired). */
export interface OrderEvent {
  symbol: string;
  owner: string;
  [field: string]: unknown;
}

export interface OrdersEvent {
  height: number;
  orders: OrderEvent[];
}

export interface AccountEvent {
  height: number;
  address: string;
  balances: { symbol: string; free: string; frozen: string; locked: string }[];
}

/** What the node calls once per committed block (blocks first, then the rest for that height). */
export interface LiveFeed {
  publishBlock(ev: BlockEvent): void;
  publishTrades?(ev: TradesEvent): void;
  publishDepth?(ev: DepthEvent): void;
  publishBook?(ev: BookEvent): void;
  publishOrders?(ev: OrdersEvent): void;
  publishAccount?(ev: AccountEvent): void;
}

/** Builds the block event from what the executor hands its listeners. */
export function blockEventOf(b: { block: { header: { height: number; timeMs: number }; txs: Uint8Array[] }; hash: Uint8Array; results: { code: number; hash?: string }[] }): BlockEvent {
  return {
    height: b.block.header.height,
    hash: toHex(b.hash).toUpperCase(),
    timeMs: b.block.header.timeMs,
    numTxs: b.block.txs.length,
    txs: b.block.txs.map((tx, i) => ({ hash: b.results[i]?.hash ?? toHex(sha256(tx)).toUpperCase(), code: b.results[i]?.code ?? 0 })),
  };
}

// ---------------------------------------------------------------------------------------------
// The hub: bounded history + fan-out
// ---------------------------------------------------------------------------------------------

export const TOPICS = ['blocks', 'trades', 'marketDepth', 'book', 'allOrders', 'accounts'] as const;
export type Topic = (typeof TOPICS)[number];

export interface StreamItem {
  topic: Topic;
  height: number;
  /** Pair for trades / depth / orders. */
  symbol?: string;
  /** Addresses the item concerns (order owner, account). */
  addresses?: string[];
  data: unknown;
}

export interface LiveHubOptions {
  /** Heights of history kept for `from_height` replays. */
  keepHeights?: number;
  /** Upper bound on kept items; whole heights are dropped from the oldest end past it. */
  maxItems?: number;
}

export class HistoryGoneError extends Error {
  constructor(readonly fromHeight: number, readonly earliest: number, readonly latest: number) {
    super(`from_height ${fromHeight} is older than the history this node keeps (heights ${earliest}..${latest}); read the missing heights through the REST API (/block, /api/v1/…) and subscribe again`);
  }
}

/** The node-side implementation of {@link LiveFeed}: keeps recent items and tells listeners. */
export class LiveHub implements LiveFeed {
  private readonly items: StreamItem[] = [];
  /**
   * Latest full-depth book per pair. Books are whole snapshots (up to thousands of orders), so
   * they stay out of the per-height history: one per pair bounds memory by the number of pairs.
   */
  private readonly books = new Map<string, StreamItem>();
  private readonly listeners = new Set<(item: StreamItem) => void>();
  private readonly keepHeights: number;
  private readonly maxItems: number;
  /** Smallest height whose items are all still kept (undefined until the first block). */
  private earliestKept: number | undefined;
  private latestHeight = 0;

  constructor(opts: LiveHubOptions = {}) {
    this.keepHeights = opts.keepHeights ?? 1000;
    this.maxItems = opts.maxItems ?? 50_000;
  }

  get latest(): number {
    return this.latestHeight;
  }
  get earliest(): number | undefined {
    return this.earliestKept;
  }

  on(fn: (item: StreamItem) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  publishBlock(ev: BlockEvent): void {
    if (this.earliestKept === undefined) this.earliestKept = ev.height;
    this.latestHeight = Math.max(this.latestHeight, ev.height);
    this.push({ topic: 'blocks', height: ev.height, data: ev });
    this.trim();
  }

  publishTrades(ev: TradesEvent): void {
    const bySymbol = new Map<string, TradeEvent[]>();
    for (const t of ev.trades) {
      const list = bySymbol.get(t.symbol) ?? [];
      list.push(t);
      bySymbol.set(t.symbol, list);
    }
    for (const [symbol, trades] of [...bySymbol].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const addresses = new Set<string>();
      for (const t of trades) for (const k of ['buyerId', 'sellerId', 'buyer', 'seller']) if (typeof t[k] === 'string') addresses.add(t[k] as string);
      this.push({ topic: 'trades', height: ev.height, symbol, addresses: [...addresses], data: { symbol, timeMs: ev.timeMs, trades } });
    }
  }

  publishDepth(ev: DepthEvent): void {
    this.push({ topic: 'marketDepth', height: ev.height, symbol: ev.symbol, data: ev });
  }

  publishBook(ev: BookEvent): void {
    const item: StreamItem = { topic: 'book', height: ev.height, symbol: ev.symbol, data: ev };
    const prev = this.books.get(ev.symbol);
    if (prev && prev.height > ev.height) return; // an older block replayed after restart
    this.books.set(ev.symbol, item);
    this.emit(item);
  }

  publishOrders(ev: OrdersEvent): void {
    for (const o of ev.orders) this.push({ topic: 'allOrders', height: ev.height, symbol: o.symbol, addresses: [o.owner], data: o });
  }

  publishAccount(ev: AccountEvent): void {
    this.push({ topic: 'accounts', height: ev.height, addresses: [ev.address], data: ev });
  }

  /**
   * Items at or above `fromHeight` that pass `filter`, oldest first. Throws
   * {@link HistoryGoneError} when part of that range is no longer kept.
   */
  replay(fromHeight: number, filter: (item: StreamItem) => boolean): StreamItem[] {
    if (fromHeight > this.latestHeight) return [];
    if (this.earliestKept === undefined || fromHeight < this.earliestKept) {
      throw new HistoryGoneError(fromHeight, this.earliestKept ?? this.latestHeight + 1, this.latestHeight);
    }
    // items are in height order: binary search for the first one at fromHeight
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.height < fromHeight) lo = mid + 1;
      else hi = mid;
    }
    const out: StreamItem[] = [];
    for (let i = lo; i < this.items.length; i++) if (filter(this.items[i]!)) out.push(this.items[i]!);
    return out;
  }

  /**
   * The latest book of each pair published at or after `fromHeight` that passes `filter`, oldest
   * first. A snapshot supersedes every earlier one, so a client that missed heights has missed
   * nothing else and this never throws {@link HistoryGoneError}.
   */
  replayBooks(fromHeight: number, filter: (item: StreamItem) => boolean): StreamItem[] {
    return [...this.books.values()]
      .filter((it) => it.height >= fromHeight && filter(it))
      .sort((a, b) => a.height - b.height || (a.symbol! < b.symbol! ? -1 : a.symbol! > b.symbol! ? 1 : 0));
  }

  private push(item: StreamItem): void {
    if (item.height < this.latestHeight && item.topic === 'blocks') return; // a replayed block after restart: ignore
    this.items.push(item);
    this.emit(item);
  }

  private emit(item: StreamItem): void {
    for (const fn of this.listeners) {
      try {
        fn(item);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  private trim(): void {
    const minHeight = this.latestHeight - this.keepHeights + 1;
    const n = this.items.length;
    let drop = 0;
    while (drop < n && this.items[drop]!.height < minHeight) drop++;
    let earliest = Math.max(this.earliestKept ?? minHeight, minHeight);
    if (n - drop > this.maxItems) {
      // drop whole heights so that a kept height is always complete
      let cut = n - this.maxItems;
      const h = this.items[cut]!.height;
      while (cut < n && this.items[cut]!.height === h) cut++;
      drop = Math.max(drop, cut);
      earliest = Math.max(earliest, h + 1);
    }
    if (drop > 0) this.items.splice(0, drop);
    this.earliestKept = earliest;
  }
}

// ---------------------------------------------------------------------------------------------
// The sockets
// ---------------------------------------------------------------------------------------------

export interface WebsocketDeps {
  node: RpcNode;
  hub: LiveHub;
  log?: { warn(obj: unknown, msg?: string): void; debug?(obj: unknown, msg?: string): void };
  /** Open sockets accepted at once (both paths together). */
  maxConnections?: number;
  /** Subscriptions one socket may hold. */
  maxSubscriptions?: number;
  /** Bytes queued for one client before it is dropped as too slow. */
  maxBufferedBytes?: number;
}

export interface LiveSockets {
  readonly clients: number;
  /** Closes every socket; call before the HTTP server's close (it waits for upgraded sockets). */
  close(): Promise<void>;
}

/** Sends an already serialized frame (a book frame is serialized once for every subscriber). */
const sendText = (ws: WebSocket, text: string, maxBuffered: number): void => {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (ws.bufferedAmount > maxBuffered) {
    ws.close(1013, 'client too slow: too many unsent messages');
    return;
  }
  ws.send(text);
};

const send = (ws: WebSocket, msg: unknown, maxBuffered: number): void => {
  if (ws.readyState !== WebSocket.OPEN) return;
  sendText(ws, JSON.stringify(msg, jsonReplacer), maxBuffered);
};

function errorMessage(e: unknown): string {
  if (e instanceof HttpError || isChainError(e)) return (e as Error).message;
  return (e as Error)?.message ?? String(e);
}

// --- CometBFT /websocket -----------------------------------------------------------------------

type CometKind = 'NewBlock' | 'NewBlockHeader' | 'Tx';
interface CometSub {
  id: unknown;
  query: string;
  kind: CometKind;
  txHash?: string;
  txHeight?: number;
}

/** Parses the queries we serve: `tm.event='X'` optionally `AND tx.hash='H'` / `AND tx.height=N`. */
export function parseCometQuery(q: string): Omit<CometSub, 'id' | 'query'> {
  const parts = q.split(/\s+AND\s+/i).map((s) => s.trim()).filter(Boolean);
  let kind: CometKind | undefined;
  let txHash: string | undefined;
  let txHeight: number | undefined;
  for (const p of parts) {
    let m = /^tm\.event\s*=\s*'(NewBlock|NewBlockHeader|Tx)'$/.exec(p);
    if (m) {
      kind = m[1] as CometKind;
      continue;
    }
    m = /^tx\.hash\s*=\s*'([0-9A-Fa-f]{64})'$/.exec(p);
    if (m) {
      txHash = m[1]!.toUpperCase();
      continue;
    }
    m = /^tx\.height\s*=\s*'?(\d+)'?$/.exec(p);
    if (m) {
      txHeight = Number(m[1]);
      continue;
    }
    throw new Error(`unsupported query condition "${p}": use tm.event='NewBlock'|'NewBlockHeader'|'Tx', optionally AND tx.hash='HASH' or AND tx.height=N`);
  }
  if (!kind) throw new Error(`query "${q}" needs tm.event='NewBlock', 'NewBlockHeader' or 'Tx'`);
  if (kind !== 'Tx' && (txHash || txHeight !== undefined)) throw new Error('tx.hash / tx.height conditions only apply to tm.event=\'Tx\'');
  return { kind, ...(txHash ? { txHash } : {}), ...(txHeight !== undefined ? { txHeight } : {}) };
}

class CometConn {
  readonly subs = new Map<string, CometSub>();
  constructor(readonly ws: WebSocket) {}
}

// --- Binance /api/ws ---------------------------------------------------------------------------

interface StreamSub {
  topic: Topic;
  /** undefined = every symbol */
  symbols?: Set<string>;
  address?: string;
}

class StreamConn {
  readonly subs = new Map<Topic, StreamSub>();
  constructor(readonly ws: WebSocket) {}
  matches(item: StreamItem): boolean {
    const s = this.subs.get(item.topic);
    return !!s && subMatches(s, item);
  }
}

function subMatches(s: StreamSub, item: StreamItem): boolean {
  if (s.topic !== item.topic) return false;
  if (s.symbols && (!item.symbol || !s.symbols.has(item.symbol))) return false;
  if (s.address && !(item.addresses ?? []).includes(s.address)) return false;
  return true;
}

function topicOf(t: unknown): { topic: Topic; needsAddress: boolean } | undefined {
  if (t === 'orders') return { topic: 'allOrders', needsAddress: true };
  if (t === 'blockheight') return { topic: 'blocks', needsAddress: false };
  if (typeof t === 'string' && (TOPICS as readonly string[]).includes(t)) return { topic: t as Topic, needsAddress: t === 'accounts' };
  return undefined;
}

function streamFrame(item: StreamItem): unknown {
  return { stream: item.topic, height: item.height, ...(item.symbol ? { symbol: item.symbol } : {}), data: item.data };
}

/**
 * A stream item as sent. A block event holds only JSON types (numbers, strings), so it skips the
 * replacer, which would be called for every field of every tx of a full block.
 */
function streamFrameText(item: StreamItem): string {
  return item.topic === 'blocks' ? JSON.stringify(streamFrame(item)) : JSON.stringify(streamFrame(item), jsonReplacer);
}

// --- attach -----------------------------------------------------------------------------------

export function attachWebsocket(server: Server, deps: WebsocketDeps): LiveSockets {
  const maxConnections = deps.maxConnections ?? 200;
  const maxSubs = deps.maxSubscriptions ?? 32;
  const maxBuffered = deps.maxBufferedBytes ?? 8 * 1024 * 1024;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  const comet = new Set<CometConn>();
  const streams = new Set<StreamConn>();
  const alive = new WeakMap<WebSocket, boolean>();
  const { node, hub } = deps;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let path = '/';
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      /* fall through to 404 */
    }
    if (path !== '/websocket' && path !== '/api/ws') {
      if (server.listenerCount('upgrade') === 1) {
        socket.end('HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\n\r\nwebsockets are served at /websocket (CometBFT JSON-RPC) and /api/ws (streams)\n');
      }
      return;
    }
    if (comet.size + streams.size >= maxConnections) {
      socket.end(`HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\r\ntoo many websocket clients (limit ${maxConnections})\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      if (path === '/websocket') openComet(ws);
      else openStream(ws);
    });
  };
  server.on('upgrade', onUpgrade);

  // CometBFT: events are loaded once per block (only when someone listens) and sent in order.
  let cometQueue: Promise<void> = Promise.resolve();
  const cometOnBlock = (ev: BlockEvent): void => {
    if (comet.size === 0) return;
    cometQueue = cometQueue.then(() => deliverComet(ev)).catch((e) => deps.log?.warn({ err: errorMessage(e), height: ev.height }, 'websocket: could not load block for subscribers'));
  };

  async function deliverComet(ev: BlockEvent): Promise<void> {
    const wants = { block: false, header: false, tx: false };
    for (const c of comet)
      for (const s of c.subs.values()) {
        if (s.kind === 'NewBlock') wants.block = true;
        else if (s.kind === 'NewBlockHeader') wants.header = true;
        else wants.tx = true;
      }
    let blockJson: { block: { header: unknown } } | undefined;
    if (wants.block || wants.header) {
      const b = await node.block(ev.height);
      if (b) blockJson = headerJson(b.block, b.hash) as { block: { header: unknown } };
    }
    const txs = wants.tx && ev.numTxs > 0 ? await node.txsByHeight(ev.height) : [];
    for (const c of comet) {
      for (const s of c.subs.values()) {
        if (s.kind === 'NewBlock' && blockJson) {
          send(c.ws, {
            jsonrpc: '2.0',
            id: s.id,
            result: {
              query: s.query,
              data: { type: 'tendermint/event/NewBlock', value: { block: blockJson.block, result_begin_block: {}, result_end_block: { validator_updates: null } } },
              events: { 'tm.event': ['NewBlock'], 'block.height': [String(ev.height)] },
            },
          }, maxBuffered);
        } else if (s.kind === 'NewBlockHeader' && blockJson) {
          send(c.ws, {
            jsonrpc: '2.0',
            id: s.id,
            result: { query: s.query, data: { type: 'tendermint/event/NewBlockHeader', value: { header: blockJson.block.header } }, events: { 'tm.event': ['NewBlockHeader'] } },
          }, maxBuffered);
        } else if (s.kind === 'Tx') {
          if (s.txHeight !== undefined && s.txHeight !== ev.height) continue;
          for (const t of txs) {
            if (s.txHash && s.txHash !== t.hash) continue;
            const events: Record<string, string[]> = { 'tm.event': ['Tx'], 'tx.hash': [t.hash], 'tx.height': [String(t.height)] };
            for (const e of t.result.events) for (const a of e.attributes) (events[`${e.type}.${a.key}`] ??= []).push(a.value);
            send(c.ws, {
              jsonrpc: '2.0',
              id: s.id,
              result: {
                query: s.query,
                data: { type: 'tendermint/event/Tx', value: { TxResult: { height: String(t.height), index: t.index, tx: Buffer.from(t.tx).toString('base64'), result: txResultJson(t.result) } } },
                events,
              },
            }, maxBuffered);
          }
        }
      }
    }
  }

  function openComet(ws: WebSocket): void {
    const conn = new CometConn(ws);
    comet.add(conn);
    ws.on('close', () => comet.delete(conn));
    ws.on('error', () => comet.delete(conn));
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      void (async () => {
        let msg: { id?: unknown; method?: unknown; params?: unknown };
        try {
          msg = JSON.parse(isBinary ? Buffer.from(raw as Buffer).toString('utf8') : raw.toString());
        } catch {
          send(ws, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error', data: 'invalid JSON' } }, maxBuffered);
          return;
        }
        const id = msg?.id ?? null;
        if (!msg || typeof msg.method !== 'string') {
          send(ws, { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid Request', data: 'method missing' } }, maxBuffered);
          return;
        }
        const params = (msg.params && typeof msg.params === 'object' && !Array.isArray(msg.params) ? msg.params : {}) as Params;
        const query = typeof params.query === 'string' ? params.query : undefined;
        try {
          if (msg.method === 'subscribe') {
            if (!query) throw new Error('params.query is required, e.g. "tm.event=\'NewBlock\'"');
            if (conn.subs.size >= maxSubs && !conn.subs.has(query)) throw new Error(`at most ${maxSubs} subscriptions per connection`);
            conn.subs.set(query, { id, query, ...parseCometQuery(query) });
            send(ws, { jsonrpc: '2.0', id, result: {} }, maxBuffered);
          } else if (msg.method === 'unsubscribe') {
            if (!query || !conn.subs.delete(query)) throw new Error(`subscription not found: ${query ?? '(no query)'}`);
            send(ws, { jsonrpc: '2.0', id, result: {} }, maxBuffered);
          } else if (msg.method === 'unsubscribe_all') {
            conn.subs.clear();
            send(ws, { jsonrpc: '2.0', id, result: {} }, maxBuffered);
          } else {
            const result = await handleCometMethod(node, msg.method, params);
            send(ws, { jsonrpc: '2.0', id, result }, maxBuffered);
          }
        } catch (e) {
          const notFound = e instanceof HttpError && e.status === 404 && e.message.startsWith('Method not found');
          send(ws, { jsonrpc: '2.0', id, error: { code: notFound ? -32601 : -32603, message: notFound ? 'Method not found' : 'Internal error', data: errorMessage(e) } }, maxBuffered);
        }
      })();
    });
  }

  function openStream(ws: WebSocket): void {
    const conn = new StreamConn(ws);
    streams.add(conn);
    ws.on('close', () => streams.delete(conn));
    ws.on('error', () => streams.delete(conn));
    send(ws, { stream: 'welcome', height: hub.latest, data: { topics: [...TOPICS, 'orders'], earliest_height: hub.earliest ?? null, latest_height: hub.latest } }, maxBuffered);
    ws.on('message', (raw: RawData) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(raw.toString()) as Record<string, unknown>;
        if (!msg || typeof msg !== 'object' || Array.isArray(msg)) throw new Error();
      } catch {
        send(ws, { error: { code: 400, message: 'invalid JSON: send {"method":"subscribe","topic":"blocks"}' } }, maxBuffered);
        return;
      }
      const method = msg.method;
      const fail = (code: number, message: string, extra: Record<string, unknown> = {}): void =>
        send(ws, { method, topic: msg.topic, error: { code, message, ...extra } }, maxBuffered);
      if (method === 'ping') {
        send(ws, { method: 'pong', height: hub.latest }, maxBuffered);
        return;
      }
      if (method === 'list_subscriptions') {
        send(ws, { method, height: hub.latest, result: [...conn.subs.values()].map((s) => ({ topic: s.topic, symbols: s.symbols ? [...s.symbols] : null, address: s.address ?? null })) }, maxBuffered);
        return;
      }
      if (method !== 'subscribe' && method !== 'unsubscribe') {
        fail(400, `unknown method ${JSON.stringify(method)}: use subscribe, unsubscribe, list_subscriptions or ping`);
        return;
      }
      const t = topicOf(msg.topic);
      if (!t) {
        fail(400, `unknown topic ${JSON.stringify(msg.topic)}: one of ${[...TOPICS, 'orders'].join(', ')}`);
        return;
      }
      let symbols: Set<string> | undefined;
      if (msg.symbols !== undefined) {
        if (!Array.isArray(msg.symbols) || !msg.symbols.every((s) => typeof s === 'string' && s.length > 0 && s.length < 64) || msg.symbols.length > 100) {
          fail(400, 'symbols must be a list of at most 100 pair names like "XYZ-000_BNB"');
          return;
        }
        symbols = new Set(msg.symbols as string[]);
      }
      const address = typeof msg.address === 'string' ? msg.address : undefined;
      if (method === 'unsubscribe') {
        const cur = conn.subs.get(t.topic);
        if (cur && symbols && cur.symbols) {
          for (const s of symbols) cur.symbols.delete(s);
          if (cur.symbols.size === 0) conn.subs.delete(t.topic);
        } else conn.subs.delete(t.topic);
        send(ws, { method, topic: msg.topic, result: 'ok', height: hub.latest }, maxBuffered);
        return;
      }
      if (t.needsAddress && !address) {
        fail(400, `topic ${String(msg.topic)} needs "address"`);
        return;
      }
      if (address !== undefined && !/^[a-z]{1,16}1[02-9ac-hj-np-z]{6,90}$/.test(address)) {
        fail(400, `address ${JSON.stringify(address)} is not a bech32 address`);
        return;
      }
      if (!conn.subs.has(t.topic) && conn.subs.size >= maxSubs) {
        fail(429, `at most ${maxSubs} subscriptions per connection`);
        return;
      }
      // Subscribing again to a topic adds symbols to the same subscription (same address);
      // otherwise the new subscription replaces the old one.
      const prev = conn.subs.get(t.topic);
      const union = symbols && prev?.symbols && prev.address === address ? new Set([...prev.symbols, ...symbols]) : symbols;
      const merged: StreamSub = { topic: t.topic, ...(union ? { symbols: union } : {}), ...(address ? { address } : {}) };
      let replay: StreamItem[] = [];
      if (msg.from_height !== undefined) {
        const fh = msg.from_height;
        if (typeof fh !== 'number' || !Number.isSafeInteger(fh) || fh < 1) {
          fail(400, 'from_height must be a positive integer');
          return;
        }
        try {
          const f = (item: StreamItem): boolean => subMatches(merged, item);
          replay = merged.topic === 'book' ? hub.replayBooks(fh, f) : hub.replay(fh, f);
        } catch (e) {
          if (e instanceof HistoryGoneError) {
            fail(410, e.message, { earliest_height: e.earliest, latest_height: e.latest });
            return;
          }
          throw e;
        }
      }
      conn.subs.set(t.topic, merged);
      send(ws, { method, topic: msg.topic, result: 'ok', height: hub.latest, replayed: replay.length }, maxBuffered);
      for (const item of replay) sendText(ws, streamFrameText(item), maxBuffered);
    });
  }

  const offHub = hub.on((item) => {
    let text: string | undefined;
    for (const c of streams) if (c.matches(item)) sendText(c.ws, (text ??= streamFrameText(item)), maxBuffered);
    if (item.topic === 'blocks') cometOnBlock(item.data as BlockEvent);
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, 30_000);
  heartbeat.unref();

  return {
    get clients() {
      return comet.size + streams.size;
    },
    async close() {
      clearInterval(heartbeat);
      offHub();
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
