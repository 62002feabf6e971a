/**
 * The Binance Chain `/api/v1` HTTP API, shaped as the original api-server answered (see
 * shared/spec/client-api.md §2), so `@binance-chain/javascript-sdk`'s BncClient works unchanged.
 */
import type { IncomingMessage } from 'node:http';
import { formatFixed8, decodeAddress, decodeTx, txToJson } from '../codec/index.js';
import { isChainError, abciCode, RootCode } from '../errors.js';
import { HttpError, JsonText, intParam, readBody } from './http.js';
import type { RpcNode, AccountView, TokenView, BroadcastOutcome } from './types.js';
import type { StoredTx } from '../store/index.js';

export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The body holds only JSON types (no bigint, no bytes): serialised without a replacer. */
  plain?: boolean;
}

/**
 * Optional node capabilities the API uses when the node provides them (the node adapter adds
 * them next to `RpcNode`): batch admission through the verify pool, and the recently rejected
 * txs the mempool remembers.
 */
export interface AdmissionNode {
  /**
   * `async`: answer after the cheap checks (decode, size, duplicate), verify and checkTx later;
   * `sync`: after checkTx; `commit`: after the block. `source` is the client IP (per-source budget).
   */
  broadcastBatch(txs: Uint8Array[], mode: 'async' | 'sync' | 'commit', source: string): Promise<BroadcastOutcome[]>;
  /** Why a recent tx was refused or dropped. */
  rejectedTx(hash: string): { code: number; log: string; height: number } | undefined;
}

const RATE_LIMITED = abciCode('root', RootCode.rateLimited);

const ok = (body: unknown): ApiReply => ({ status: 200, body });

export function accountJson(a: AccountView): unknown {
  return {
    account_number: Number(a.accountNumber),
    address: a.address,
    balances: a.balances.map((b) => ({
      free: formatFixed8(b.free),
      frozen: formatFixed8(b.frozen),
      locked: formatFixed8(b.locked),
      symbol: b.symbol,
    })),
    flags: Number(a.flags),
    public_key: a.publicKey ? Array.from(a.publicKey) : null,
    sequence: Number(a.sequence),
  };
}

export function tokenJson(t: TokenView): unknown {
  return {
    name: t.name,
    symbol: t.symbol,
    original_symbol: t.originalSymbol,
    total_supply: formatFixed8(t.totalSupply),
    owner: t.owner,
    mintable: t.mintable,
  };
}

function dataString(data: Uint8Array): string {
  return Buffer.from(data).toString('utf8');
}

export function storedTxJson(t: StoredTx, format: string | null, hrp: string): unknown {
  const out: Record<string, unknown> = {
    code: t.result.code,
    hash: t.hash,
    height: String(t.height),
    index: t.index,
    log: t.result.log,
    data: t.result.data.length ? dataString(t.result.data) : null,
    ok: t.result.code === 0,
    events: t.result.events,
  };
  if (format === 'json') {
    try {
      out.tx = txToJson(decodeTx(t.tx).tx, hrp);
    } catch {
      out.tx = Buffer.from(t.tx).toString('hex');
    }
  } else {
    out.tx = Buffer.from(t.tx).toString('hex');
  }
  return out;
}

function checkAddress(node: RpcNode, addr: string | null | undefined): string {
  if (!addr) throw HttpError.badRequest('address is required');
  try {
    decodeAddress(addr, node.hrp);
  } catch (e) {
    if (isChainError(e)) throw HttpError.fromChain(e);
    throw e;
  }
  return addr;
}

/** One row of the original's `/api/v1/transactions` list. */
function txRow(node: RpcNode, t: StoredTx): unknown {
  let txType = 'UNKNOWN';
  let fromAddr: string | null = null;
  let toAddr: string | null = null;
  let value: string | null = null;
  let asset: string | null = null;
  let memo = '';
  try {
    const d = decodeTx(t.tx);
    const j = txToJson(d.tx, node.hrp) as { msgs?: { type?: string; value?: Record<string, unknown> }[]; memo?: string };
    memo = d.tx.memo;
    const m = j.msgs?.[0];
    txType = m?.type ?? 'UNKNOWN';
    const v = (m?.value ?? {}) as Record<string, unknown>;
    const inputs = v.inputs as { address: string; coins: { denom: string; amount: string }[] }[] | undefined;
    const outputs = v.outputs as { address: string; coins: { denom: string; amount: string }[] }[] | undefined;
    if (inputs?.length) {
      fromAddr = inputs[0]!.address;
      toAddr = outputs?.[0]?.address ?? null;
      const c = outputs?.[0]?.coins[0];
      if (c) {
        asset = c.denom;
        value = formatFixed8(BigInt(c.amount));
      }
    } else {
      fromAddr = (v.from ?? v.sender ?? v.proposer ?? v.voter ?? v.depositor ?? null) as string | null;
      if (typeof v.symbol === 'string') asset = v.symbol;
      if (typeof v.amount === 'string' && /^\d+$/.test(v.amount)) value = formatFixed8(BigInt(v.amount));
    }
  } catch {
    /* keep UNKNOWN */
  }
  return {
    txHash: t.hash,
    blockHeight: t.height,
    txType,
    timeStamp: t.timeMs ? new Date(t.timeMs).toISOString() : null,
    fromAddr,
    toAddr,
    value,
    txAsset: asset,
    txFee: null,
    code: t.result.code,
    log: t.result.log,
    memo,
    data: t.result.data.length ? dataString(t.result.data) : null,
  };
}

/** Non-empty trimmed lines (LF, CRLF or CR), without a regex split and its intermediate arrays. */
function splitLines(raw: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= raw.length; i++) {
    const c = i < raw.length ? raw.charCodeAt(i) : 10;
    if (c !== 10 && c !== 13) continue;
    if (i > start) {
      const line = raw.slice(start, i).trim();
      if (line.length > 0) out.push(line);
    }
    start = i + 1;
  }
  return out;
}

/** Bytes String.prototype.trim removes, besides the line breaks (latin1 view of the body). */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0;
}

function hexTx(s: string, i: number): Uint8Array {
  const h = s.startsWith('0x') ? s.slice(2) : s;
  // Buffer's hex decoder stops at the first pair that is not hex: a short result means bad input
  const b = Buffer.from(h, 'hex');
  if (h.length % 2 !== 0 || b.length * 2 !== h.length) throw HttpError.badRequest(`tx ${i} is not hex`);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * The txs of a broadcast body: hex txs one per line (LF, CRLF or CR; blank lines and spaces
 * around a tx ignored; optional 0x), or a JSON list of hex strings. Bodies are ASCII, read as
 * latin1: any other byte is not hex and is refused. The usual body (LF lines, as clients send
 * it) is cut at its newlines straight from the bytes, so no string of the whole body (megabytes
 * of it per second under load) is ever built.
 */
export function parseBroadcastBody(body: Buffer): Uint8Array[] {
  const n = body.length;
  let p = 0;
  while (p < n && (isBlank(body[p]!) || body[p] === 10 || body[p] === 13)) p++;
  if (p < n && body[p] !== 0x5b /* [ */ && body.indexOf(13, p) < 0) {
    const txs: Uint8Array[] = [];
    while (p < n) {
      let end = body.indexOf(10, p);
      if (end < 0) end = n;
      let s = p;
      let e = end;
      while (s < e && isBlank(body[s]!)) s++;
      while (e > s && isBlank(body[e - 1]!)) e--;
      if (e > s) txs.push(hexTx(body.toString('latin1', s, e), txs.length));
      p = end + 1;
    }
    return txs;
  }
  const raw = body.toString('latin1').trim();
  let lines: string[];
  if (raw.startsWith('[')) {
    try {
      const arr = JSON.parse(raw) as unknown;
      if (!Array.isArray(arr) || !arr.every((x) => typeof x === 'string')) throw new Error('not a list of strings');
      lines = arr as string[];
    } catch (e) {
      throw HttpError.badRequest(`body must be hex txs (one per line) or a JSON list of hex strings: ${(e as Error).message}`);
    }
  } else {
    lines = splitLines(raw);
  }
  return lines.map(hexTx);
}

/** JSON string literal; the usual empty log and data skip the serializer. */
const jsonString = (s: string): string => (s === '' ? '""' : JSON.stringify(s));

/**
 * Broadcast: body is one hex tx, or several separated by newlines (the original accepted a
 * list). `sync=true` waits until each tx is committed and reports the block result. Without it,
 * on a node with batch admission, `sync=false` answers once the batch's signatures are verified
 * (on the worker pool) and checkTx has run: code 0 means "in the mempool". Answering earlier (after
 * the cheap checks only) let an overloaded node accept txs it then had to drop, leaving sequence
 * gaps behind; waiting for admission gives clients honest codes and back-pressure instead.
 */
async function broadcast(node: RpcNode, req: IncomingMessage, query: URLSearchParams, maxBody: number): Promise<ApiReply> {
  const txs = parseBroadcastBody(await readBody(req, maxBody));
  const sync = query.get('sync') === 'true';
  if (txs.length === 0) throw HttpError.badRequest('empty body: send the hex-encoded signed tx');
  const batch = (node as RpcNode & Partial<AdmissionNode>).broadcastBatch;
  const outcomes = batch
    ? await batch.call(node, txs, sync ? 'commit' : 'sync', req.socket.remoteAddress ?? '')
    : await Promise.all(txs.map((tx) => node.broadcast(tx, sync)));
  // A single failing tx answers non-2xx with {code, message}: the SDK turns that into a thrown
  // Error carrying the chain's message (client-api.md §2.1).
  if (outcomes.length === 1) {
    const row = broadcastRow(outcomes[0]!);
    if (row.code !== 0) {
      const limited = row.code === RATE_LIMITED;
      return { status: limited ? 429 : 400, body: { code: row.code, message: row.log, hash: row.hash }, ...(limited ? { headers: { 'retry-after': '1' } } : {}) };
    }
  }
  // The rows `[{code, hash, log, data, ok, height?}]`, serialized by hand: a batch of hundreds
  // of rows per request is cheaper as one string than as objects run through JSON.stringify.
  let text = '[';
  let allLimited = true;
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i]!;
    const committed = o.committed && o.committed.code !== undefined;
    const code = committed ? o.committed!.code : o.check.code;
    const log = committed ? o.committed!.log : o.check.log;
    if (code !== RATE_LIMITED) allLimited = false;
    text += (i === 0 ? '{"code":' : ',{"code":') + code + ',"hash":' + jsonString(o.check.hash) + ',"log":' + jsonString(log) + ',"data":' + jsonString(o.check.data.length ? dataString(o.check.data) : '') + ',"ok":' + (code === 0);
    text += o.committed ? ',"height":' + jsonString(String(o.committed.height)) + '}' : '}';
  }
  const body = new JsonText(text + ']');
  // every tx refused for the client's rate: say so at the HTTP level too
  if (allLimited) return { status: 429, body, headers: { 'retry-after': '1' }, plain: true };
  return { ...ok(body), plain: true };
}

/** One broadcast row as an object (the single-tx error reply and tests). */
export function broadcastRow(o: BroadcastOutcome): { code: number; hash: string; log: string; data: string; ok: boolean; height?: string } {
  const res = o.committed && o.committed.code !== undefined ? { code: o.committed.code, log: o.committed.log } : { code: o.check.code, log: o.check.log };
  return {
    code: res.code,
    hash: o.check.hash,
    log: res.log,
    data: o.check.data.length ? dataString(o.check.data) : '',
    ok: res.code === 0,
    ...(o.committed ? { height: String(o.committed.height) } : {}),
  };
}

export async function handleApiV1(node: RpcNode, req: IncomingMessage, path: string, query: URLSearchParams, maxBody: number): Promise<ApiReply> {
  const parts = path.split('/').filter(Boolean); // after /api/v1
  const [head, arg, sub] = parts;
  if (req.method === 'POST' && head === 'broadcast') return broadcast(node, req, query, maxBody);
  if (req.method !== 'GET') throw new HttpError(405, 0x10000 | 28, `${req.method} not allowed on /api/v1/${path}`);
  switch (head) {
    case 'node-info': {
      const s = node.status();
      return ok({
        node_info: {
          protocol_version: { p2p: 8, block: 11, app: 0 },
          id: s.nodeId,
          listen_addr: s.listenAddr,
          network: s.network,
          version: s.version,
          channels: '',
          moniker: s.moniker,
          other: { tx_index: 'on', rpc_address: s.rpcAddress },
        },
        sync_info: {
          latest_block_hash: s.latestBlockHash,
          latest_app_hash: s.latestAppHash,
          latest_block_height: s.latestBlockHeight,
          latest_block_time: new Date(s.latestBlockTimeMs).toISOString(),
          catching_up: s.catchingUp,
        },
        validator_info: {
          address: Buffer.from(s.validator.address).toString('hex').toUpperCase(),
          pub_key: Array.from(s.validator.pubKey),
          voting_power: Number(s.validator.power),
        },
      });
    }
    case 'time': {
      const s = node.status();
      return ok({ ap_time: new Date().toISOString(), block_time: new Date(s.latestBlockTimeMs).toISOString() });
    }
    case 'account': {
      const addr = checkAddress(node, arg);
      const a = node.account(addr);
      if (sub === 'sequence') return ok({ sequence: a ? Number(a.sequence) : 0 });
      if (sub !== undefined) throw HttpError.notFound(`no route /api/v1/account/${arg}/${sub}`);
      // The original api-server answers 204 with no body for an account it does not know.
      if (!a) return { status: 204, body: undefined };
      return ok(accountJson(a));
    }
    case 'balances': {
      const addr = checkAddress(node, arg);
      const a = node.account(addr);
      return ok(a ? (accountJson(a) as { balances: unknown }).balances : []);
    }
    case 'tx': {
      if (!arg || !/^[0-9a-fA-F]{64}$/.test(arg)) throw HttpError.badRequest('tx hash must be 64 hex characters');
      const hash = arg.toUpperCase();
      const t = await node.getTx(hash);
      if (!t) {
        const r = (node as RpcNode & Partial<AdmissionNode>).rejectedTx?.(hash);
        // refused or dropped before any block: not on chain (404), with the reason
        if (r) return { status: 404, body: { code: r.code, message: `tx ${hash} was rejected: ${r.log}`, hash, log: r.log, ok: false, rejected: true } };
        throw HttpError.notFound(`tx ${hash} not found`);
      }
      return ok(storedTxJson(t, query.get('format'), node.hrp));
    }
    case 'tokens': {
      if (arg) {
        const t = node.token(arg);
        if (!t) throw HttpError.notFound(`token ${arg} not found`);
        return ok(tokenJson(t));
      }
      const limit = intParam('limit', query.get('limit'), 100, 1, 1000);
      const offset = intParam('offset', query.get('offset'), 0, 0);
      return ok(node.tokens(offset, limit).map(tokenJson));
    }
    case 'timelocks': {
      const addr = checkAddress(node, arg);
      return ok(node.timelocks(addr));
    }
    case 'fees':
      return ok(node.fees());
    case 'validators':
      return ok(
        node.validators().map((v) => ({
          address: Buffer.from(v.address).toString('hex').toUpperCase(),
          pub_key: Buffer.from(v.pubKey).toString('base64'),
          voting_power: v.power.toString(),
          name: v.name,
          operator: v.operator,
          jailed: v.jailed ?? false,
        })),
      );
    case 'peers':
      return ok(node.peers());
    case 'markets': {
      const limit = intParam('limit', query.get('limit'), 500, 1, 1000);
      const offset = intParam('offset', query.get('offset'), 0, 0);
      return ok(node.dex ? node.dex.markets(offset, limit) : []);
    }
    case 'depth': {
      const symbol = query.get('symbol');
      if (!symbol) throw HttpError.badRequest('symbol is required (BASE_QUOTE)');
      const limit = intParam('limit', query.get('limit'), 100, 1, 5000);
      const d = node.dex?.depth(symbol, limit);
      if (!d) throw HttpError.notFound(`trading pair ${symbol} not found`);
      return ok(d);
    }
    case 'book': {
      const symbol = query.get('symbol');
      if (!symbol) throw HttpError.badRequest('symbol is required (BASE_QUOTE)');
      const limit = intParam('limit', query.get('limit'), 5000, 1, 5000);
      if (!node.dex?.book) throw HttpError.notFound('the full-depth book is not served by this node');
      const b = node.dex.book(symbol, limit);
      if (!b) throw HttpError.notFound(`trading pair ${symbol} not found`);
      return ok(b);
    }
    case 'orders': {
      if (arg === 'open') {
        const addr = checkAddress(node, query.get('address'));
        const limit = intParam('limit', query.get('limit'), 500, 1, 1000);
        const offset = intParam('offset', query.get('offset'), 0, 0);
        return ok(node.dex ? node.dex.openOrders(addr, query.get('symbol') ?? undefined, offset, limit) : { order: [], total: 0 });
      }
      if (arg === 'closed') {
        checkAddress(node, query.get('address'));
        const q = Object.fromEntries(query.entries());
        return ok(node.dex?.closedOrders ? await node.dex.closedOrders(q) : { order: [], total: 0 });
      }
      if (arg && node.dex?.order) {
        const o = await node.dex.order(arg);
        if (!o) throw HttpError.notFound(`order ${arg} not found (open orders, and closed ones kept in the history)`);
        return ok(o);
      }
      throw HttpError.notFound(`no route /api/v1/orders/${arg ?? ''}`);
    }
    case 'trades': {
      const q = Object.fromEntries(query.entries());
      return ok(node.dex?.trades ? await node.dex.trades(q) : { trade: [], total: 0 });
    }
    case 'ticker': {
      return ok(node.dex?.ticker24h ? await node.dex.ticker24h(query.get('symbol') ?? undefined) : []);
    }
    case 'klines': {
      const q = Object.fromEntries(query.entries());
      return ok(node.dex?.klines ? await node.dex.klines(q) : []);
    }
    case 'transactions': {
      const addr = checkAddress(node, query.get('address'));
      const limit = intParam('limit', query.get('limit'), 25, 1, 1000);
      const offset = intParam('offset', query.get('offset'), 0, 0);
      const r = await node.txsByAddress(addr, { offset, limit });
      return ok({ tx: r.txs.map((t) => txRow(node, t)), total: r.total });
    }
    default: {
      for (const route of node.extraRoutes) {
        const r = route(path, query);
        if (r) return r;
      }
      throw HttpError.notFound(`no route /api/v1/${path}`);
    }
  }
}

/** `/bc/api/v1/txs?address=&startTime=&endTime=` (the SDK's getTxs). */
export async function handleBcTxs(node: RpcNode, query: URLSearchParams): Promise<ApiReply> {
  const addr = checkAddress(node, query.get('address'));
  const limit = intParam('limit', query.get('limit'), 100, 1, 1000);
  const offset = intParam('offset', query.get('offset'), 0, 0);
  const r = await node.txsByAddress(addr, { offset, limit });
  const start = Number(query.get('startTime') ?? 0);
  const end = Number(query.get('endTime') ?? Number.MAX_SAFE_INTEGER);
  const rows = r.txs.filter((t) => !t.timeMs || (t.timeMs >= start && t.timeMs <= end)).map((t) => txRow(node, t));
  return ok({ txs: rows, total: r.total });
}
