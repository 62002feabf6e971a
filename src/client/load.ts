/**
 * The load generator behind `dexchain load`: funds N fresh accounts from a source key, signs
 * every tx ahead of time (native libsecp256k1 when it loads), sends them at a steady rate in
 * batches over `/api/v1/broadcast?sync=false`, follows the chain's blocks to see which were
 * committed, and reports submitted and committed tx/s, p50/p99 commit latency and rejects by
 * code. Operators use it to test their own networks; `npm run bench` uses it too.
 */
import type { Msg } from '../codec/types.js';
import { encodeAddress, encodeTx, stdSignBytes, txHashHex } from '../codec/index.js';
import { parseFixed8 } from '../codec/fixed8.js';
import { addressFromPubKey, sha256, toHex } from '../crypto/hash.js';
import { bulkSigner, publicKeyFromPrivate, randomPrivateKey } from '../crypto/secp256k1.js';
import { NodeClient } from './http.js';
import { signTx } from './sign.js';
import { rootError, type RootCode } from '../errors.js';

const abciRoot = (kind: keyof typeof RootCode): number => rootError(kind, '').code;

export interface LoadOptions {
  rpc: string;
  /** Funded key that pays for the accounts. */
  sourcePriv: Uint8Array;
  accounts: number;
  /** Target txs per second. */
  rate: number;
  durationSec: number;
  mix: { transfer: number; order: number };
  /** Pair for orders, BASE_QUOTE; default: the first listed market whose tokens the source can fund. */
  pair?: string;
  /** Txs per HTTP request. */
  batch?: number;
  /** Extra seconds to wait for the last txs to commit. */
  drainSec?: number;
  onProgress?: (p: LoadProgress) => void;
  log?: (line: string) => void;
}

/** A listed market as `/api/v1/markets` gives it. */
export interface MarketJson {
  base_asset_symbol: string;
  quote_asset_symbol: string;
  list_price: string;
  lot_size: string;
}

/** A market the load places orders on: amounts in base units (1e-8). */
export interface OrderPair {
  base: string;
  quote: string;
  price: bigint;
  lot: bigint;
}

/**
 * What one load account is funded with beyond its BNB for fees: for orders on `pair`, enough base
 * to sell and quote to buy one lot in each of its `perTx` txs, twice over (BNB is funded apart).
 */
export function orderFunding(pair: OrderPair, perTx: number): { denom: string; amount: bigint }[] {
  const out: { denom: string; amount: bigint }[] = [];
  if (pair.base !== 'BNB') out.push({ denom: pair.base, amount: BigInt(perTx) * pair.lot * 2n });
  if (pair.quote !== 'BNB') out.push({ denom: pair.quote, amount: BigInt(perTx) * ((pair.lot * pair.price * 2n) / 100_000_000n + 1n) });
  return out;
}

/**
 * The market orders go to: `wanted` (BASE_QUOTE) when given, else the first listed market whose
 * non-BNB tokens the source holds enough of to fund `accounts` accounts of `perTx` txs. Throws
 * a message naming, per market, what it needs and what the source holds when none fits.
 */
export function chooseOrderPair(markets: readonly MarketJson[], held: ReadonlyMap<string, bigint>, accounts: number, perTx: number, wanted?: string): OrderPair {
  const pairs = markets.map((m) => ({ base: m.base_asset_symbol, quote: m.quote_asset_symbol, price: parseFixed8(m.list_price), lot: parseFixed8(m.lot_size) }));
  const name = (p: OrderPair) => `${p.base}_${p.quote}`;
  const shortfall = (p: OrderPair): string | undefined => {
    const missing = orderFunding(p, perTx)
      .map((c) => ({ ...c, need: c.amount * BigInt(accounts), have: held.get(c.denom) ?? 0n }))
      .filter((c) => c.have < c.need);
    return missing.length === 0 ? undefined : missing.map((c) => `needs ${c.need} ${c.denom} (base units), the source holds ${c.have}`).join(' and ');
  };
  if (wanted !== undefined) {
    const p = pairs.find((x) => name(x) === wanted.toUpperCase());
    if (!p) throw new Error(`pair ${wanted} is not listed`);
    const short = shortfall(p);
    if (short) throw new Error(`orders on ${name(p)} for ${accounts} accounts: ${short}; fund the source, lower --rate/--duration, or pick another --pair`);
    return p;
  }
  if (pairs.length === 0) throw new Error('orders requested but the node lists no market (use --mix transfer:100 or list a pair)');
  const fits = pairs.find((p) => shortfall(p) === undefined);
  if (fits) return fits;
  throw new Error(
    `orders requested but the source cannot fund any listed market for ${accounts} accounts: ` +
      pairs.map((p) => `${name(p)} ${shortfall(p)}`).join('; ') +
      '; fund the source with a listed token, or issue a token and list it against BNB',
  );
}

export interface LoadProgress {
  elapsedSec: number;
  submitted: number;
  accepted: number;
  committed: number;
  rejected: number;
  /** Sends repeated after the node pushed back. */
  retried: number;
  height: number;
}

export interface LoadReport {
  chainId: string;
  signer: string;
  durationSec: number;
  submitted: number;
  accepted: number;
  committed: number;
  committedOk: number;
  submittedPerSec: number;
  /** Committed txs over the span from the first send to the last commit (the pipeline's tail included). */
  committedPerSec: number;
  /**
   * The sustained commit rate: committed txs per second between two block arrivals while the
   * generator was still sending, after a warm-up (a tenth of the run, at least 2 s). Below the
   * offered rate, the node is falling behind; at it, the node keeps up.
   */
  steadyPerSec: number;
  /** Txs sent but not yet in a block when the generator stopped sending: the backlog. */
  pendingAtSendEnd: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  rejectsByCode: Record<string, number>;
  failedInBlockByCode: Record<string, number>;
  blocks: number;
  lost: number;
  /** Sends repeated because the node pushed back (busy), not counted as submitted twice. */
  retried: number;
}

/**
 * Committed txs per second between the first block mark at or after `from` and the last at or
 * before `to`; undefined when those are less than a second apart (too short a window to say).
 */
export function steadyRate(marks: readonly { at: number; committed: number }[], from: number, to: number): number | undefined {
  const a = marks.find((m) => m.at >= from);
  let b: { at: number; committed: number } | undefined;
  for (const m of marks) if (m.at <= to) b = m;
  if (!a || !b || b.at - a.at < 1000) return undefined;
  return (b.committed - a.committed) / ((b.at - a.at) / 1000);
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PushedBlock {
  height: number;
  txs: { hash: string; code: number }[];
}

/** Subscribes to the node's `/api/ws` `blocks` stream; undefined when the node offers none. */
async function followOverWebsocket(rpc: string, onBlock: (b: PushedBlock) => void): Promise<{ close(): void } | undefined> {
  const { default: WebSocket } = await import('ws');
  const url = rpc.replace(/^http/, 'ws').replace(/\/+$/, '') + '/api/ws';
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
    const timer = setTimeout(() => {
      ws.terminate();
      resolve(undefined);
    }, 5000);
    ws.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    ws.on('open', () => ws.send(JSON.stringify({ method: 'subscribe', topic: 'blocks' })));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { stream?: string; result?: string; error?: unknown; data?: PushedBlock };
      if (m.result === 'ok') {
        clearTimeout(timer);
        resolve({ close: () => ws.close() });
      } else if (m.error) {
        clearTimeout(timer);
        ws.terminate();
        resolve(undefined);
      } else if (m.stream === 'blocks' && m.data) onBlock(m.data);
    });
  });
}

/**
 * Lays out signed txs as broadcast bodies ahead of time: per lane, its txs (in index order) as
 * hex lines in one buffer, `start[j]..start[j+1]` the line of its `j`th tx (`txs[j]`), so any
 * run of a lane's txs is one slice, ready to send without per-tx encoding or copying.
 */
export function encodeLanes(signed: readonly Uint8Array[], laneCount: number, laneOf: (k: number) => number): { txs: Int32Array; start: Float64Array; buf: Buffer }[] {
  const counts = new Array<number>(laneCount).fill(0);
  const bytes = new Array<number>(laneCount).fill(0);
  for (let k = 0; k < signed.length; k++) {
    const l = laneOf(k);
    counts[l]!++;
    bytes[l]! += signed[k]!.length * 2 + 1;
  }
  const lanes = counts.map((c, l) => ({ txs: new Int32Array(c), start: new Float64Array(c + 1), buf: Buffer.allocUnsafe(bytes[l]!), n: 0, at: 0 }));
  for (let k = 0; k < signed.length; k++) {
    const lane = lanes[laneOf(k)]!;
    const tx = signed[k]!;
    lane.txs[lane.n] = k;
    lane.start[lane.n] = lane.at;
    lane.at += lane.buf.write(Buffer.from(tx.buffer, tx.byteOffset, tx.length).toString('hex'), lane.at, 'latin1');
    lane.buf[lane.at++] = 0x0a;
    lane.n++;
    lane.start[lane.n] = lane.at;
  }
  return lanes.map(({ txs, start, buf }) => ({ txs, start, buf }));
}

export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const log = o.log ?? (() => {});
  const client = new NodeClient(o.rpc, 60_000);
  const info = await client.nodeInfo();
  const chainId = info.node_info.network;
  const srcPub = publicKeyFromPrivate(o.sourcePriv);
  const srcAddr = addressFromPubKey(srcPub);
  // The address prefix the chain uses (from its genesis).
  const genesis = await client.rpc<{ genesis: { address_prefix: string } }>('genesis');
  const hrp = genesis.genesis.address_prefix;
  const src = await client.account(encodeAddress(srcAddr, hrp));
  if (!src) throw new Error(`source account ${encodeAddress(srcAddr, hrp)} does not exist`);

  const perTx = Math.ceil((o.rate * o.durationSec) / o.accounts) + 2;
  // Order settings: a market whose tokens the source can hand out.
  let pair: OrderPair | undefined;
  if (o.mix.order > 0) {
    const markets = (await client.get<MarketJson[]>('/api/v1/markets?limit=1000')) ?? [];
    const held = new Map(src.balances.map((b) => [b.symbol, parseFixed8(b.free)] as const));
    pair = chooseOrderPair(markets, held, o.accounts, perTx, o.pair);
    log(`orders on ${pair.base}_${pair.quote}`);
  }

  // 1. Accounts, funded by multi-sends of up to 100 outputs.
  const signer = bulkSigner();
  const accts = Array.from({ length: o.accounts }, () => {
    const priv = randomPrivateKey();
    const pub = publicKeyFromPrivate(priv);
    return { priv, pub, addr: addressFromPubKey(pub), accNum: 0n, seq: 0n };
  });
  const bnbEach = BigInt(perTx) * 200_000n + 100_000_000n;
  const coinsEach = [{ denom: 'BNB', amount: bnbEach }, ...(pair ? orderFunding(pair, perTx) : [])].sort((a, b) => (a.denom < b.denom ? -1 : 1));
  let srcSeq = BigInt(src.sequence);
  const srcNum = BigInt(src.account_number);
  log(`funding ${o.accounts} accounts from ${encodeAddress(srcAddr, hrp)}`);
  for (let i = 0; i < accts.length; i += 100) {
    const chunk = accts.slice(i, i + 100);
    const outputs = chunk.map((a) => ({ address: a.addr, coins: coinsEach }));
    const total = new Map<string, bigint>();
    for (const out of outputs) for (const c of out.coins) total.set(c.denom, (total.get(c.denom) ?? 0n) + c.amount);
    const inputs = [{ address: srcAddr, coins: [...total.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([denom, amount]) => ({ denom, amount })) }];
    const s = signTx(o.sourcePriv, { type: 'cosmos-sdk/Send', inputs, outputs }, { chainId, hrp, accountNumber: srcNum, sequence: srcSeq });
    srcSeq++;
    const rows = await client.broadcast([s.bytes], i + 100 >= accts.length);
    if (rows[0]!.code !== 0) throw new Error(`funding failed: ${rows[0]!.log}`);
  }
  for (const a of accts) {
    const j = await client.account(encodeAddress(a.addr, hrp));
    if (!j) throw new Error(`funded account ${encodeAddress(a.addr, hrp)} not found`);
    a.accNum = BigInt(j.account_number);
    a.seq = BigInt(j.sequence);
  }

  // 2. Sign ahead: round-robin over accounts, each with its own sequence. A sender's txs must
  // reach the node in sequence order, and concurrent HTTP requests may be read in any order, so
  // accounts are split over lanes: each lane sends its batches one after another, lanes run in
  // parallel. 8 lanes of at most 500 txs stay under a node's default per-client admission
  // budget (5,000).
  const total = Math.floor(o.rate * o.durationSec);
  const laneCount = Math.max(1, Math.min(8, accts.length));
  const laneOf = (k: number): number => (k % accts.length) % laneCount;
  log(`signing ${total} txs ahead (${signer.backend} signer)`);
  const signed: Uint8Array[] = new Array(total);
  const mixTotal = o.mix.transfer + o.mix.order;
  for (let i = 0; i < total; i++) {
    const a = accts[i % accts.length]!;
    const b = accts[(i + 1) % accts.length]!;
    const isOrder = pair !== undefined && (i * 7919) % mixTotal < o.mix.order;
    let msg: Msg;
    if (isOrder && pair) {
      const side = (i / accts.length) % 2 < 1 ? 1 : 2;
      msg = {
        type: 'dex/NewOrder',
        sender: a.addr,
        id: `${toHex(a.addr).toUpperCase()}-${a.seq + 1n}`,
        symbol: `${pair.base}_${pair.quote}`,
        ordertype: 2,
        side,
        price: pair.price,
        quantity: pair.lot,
        timeinforce: 1,
      };
    } else {
      msg = { type: 'cosmos-sdk/Send', inputs: [{ address: a.addr, coins: [{ denom: 'BNB', amount: 1n }] }], outputs: [{ address: b.addr, coins: [{ denom: 'BNB', amount: 1n }] }] };
    }
    const signBytes = stdSignBytes({ chainId, accountNumber: a.accNum, sequence: a.seq, memo: '', source: 0n, msgs: [msg], hrp });
    const signature = signer.sign(sha256(signBytes), a.priv);
    signed[i] = encodeTx({ msgs: [msg], signatures: [{ pub_key: a.pub, signature, account_number: a.accNum, sequence: a.seq }], memo: '', source: 0n, data: new Uint8Array() });
    a.seq++;
  }
  // The request bodies, ready before the clock starts: each lane's txs as hex lines, one after
  // another in one buffer, so a batch is a slice of it (see encodeLanes).
  const lanes = encodeLanes(signed, laneCount, laneOf).map((l) => ({
    ...l,
    /** Next lane position to send, and how many of the lane's txs the clock has released. */
    head: 0,
    released: 0,
    /** Lane positions to send again, before `head`. */
    retry: [] as number[],
    busy: undefined as Promise<void> | undefined,
    pauseUntil: 0,
    /** Paused for a block: sends resume once a block above this height is seen (-1: not waiting). */
    afterHeight: -1,
  }));
  const senderOf = (k: number): number => k % accts.length;
  // tx hash -> index, and per tx its first send time and state (0 unsent, 1 awaiting its block,
  // 2 committed or refused): no per-tx objects or map churn while the clock runs
  const indexOf = new Map<string, number>();
  for (let i = 0; i < total; i++) indexOf.set(txHashHex(signed[i]!), i);
  signed.length = 0;
  const sentAt = new Float64Array(total);
  const state = new Uint8Array(total);
  let pendingCount = 0;

  // 3. Follow blocks.
  const latencies = new Float64Array(total);
  let latencyCount = 0;
  const failedInBlock: Record<string, number> = {};
  let committed = 0;
  let committedOk = 0;
  let height = Number((await client.rpc<{ sync_info: { latest_block_height: string } }>('status')).sync_info.latest_block_height);
  let following = true;
  let blocks = 0;
  let lastCommitAt = 0;
  /** Per block seen: arrival time and the committed count after it, for the steady rate. */
  const marks: { at: number; committed: number }[] = [];
  const seeTxs = (txs: { hash: string; code: number }[]): void => {
    const now = Date.now();
    blocks++;
    for (const t of txs) {
      const k = indexOf.get(t.hash);
      if (k === undefined || state[k] !== 1) continue;
      state[k] = 2;
      pendingCount--;
      committed++;
      if (t.code === 0) committedOk++;
      else failedInBlock[t.code] = (failedInBlock[t.code] ?? 0) + 1;
      latencies[latencyCount++] = now - sentAt[k]!;
      lastCommitAt = now;
    }
    marks.push({ at: now, committed });
  };
  /** Set once the lanes exist (below): wakes lanes paused for a block. */
  let onBlockSeen = (): void => {};
  // Committed blocks arrive pushed over the node's websocket (`blocks` topic: tx hashes and
  // codes), which costs the node little; without a websocket, the generator polls the RPC.
  const pushed = await followOverWebsocket(o.rpc, (b) => {
    height = Math.max(height, b.height);
    seeTxs(b.txs);
    onBlockSeen();
  });
  const follower = pushed
    ? (async () => {
        while (following) await sleep(100);
        pushed.close();
      })()
    : (async () => {
        while (following) {
          let top = height;
          try {
            top = Number((await client.rpc<{ sync_info: { latest_block_height: string } }>('status')).sync_info.latest_block_height);
          } catch {
            await sleep(200);
            continue;
          }
          for (let h = height + 1; h <= top; h++) {
            const r = await client.rpc<{ txs_results: { code: number }[] }>('block_results', { height: String(h) });
            const b = await client.rpc<{ block: { data: { txs: string[] } } }>('block', { height: String(h) });
            seeTxs(b.block.data.txs.map((t, idx) => ({ hash: txHashHex(new Uint8Array(Buffer.from(t, 'base64'))), code: r.txs_results[idx]?.code ?? 0 })));
          }
          height = top;
          onBlockSeen();
          await sleep(50);
        }
      })();

  // 4. Send at a steady rate: every tick releases the next txs to their lanes.
  const batch = o.batch ?? Math.max(1, Math.min(500, Math.ceil(o.rate / 20)));
  const maxBatch = Math.min(500, Math.max(batch, 100));
  const rejects: Record<string, number> = {};
  let submitted = 0;
  let accepted = 0;
  const t0 = Date.now();
  let lastProgress = 0;
  // Back-pressure is not loss: txs refused because the node is busy (429/503, `rateLimited`,
  // `mempoolFull`) go back to the front of their lane and are sent again after a pause, and so
  // are the txs of the same senders behind them in the batch (they failed only because an
  // earlier sequence was missing). Everything else refused is counted by code.
  const RATE_LIMITED = abciRoot('rateLimited');
  /** Longest wait for a block after a "mempool is full" (then the lane tries again anyway). */
  const FULL_PAUSE_MS = 2000;
  const MEMPOOL_FULL = abciRoot('mempoolFull');
  const SEQUENCE = abciRoot('invalidSequence');
  let retried = 0;
  type Lane = (typeof lanes)[number];
  const send = (lane: Lane): void => {
    if (lane.busy || (lane.retry.length === 0 && lane.head === lane.released) || Date.now() < lane.pauseUntil) return;
    // Lane positions of the batch: retried ones first (they are the lane's oldest), then the
    // next released ones. Without retries the batch is one run of the lane's buffer, sent as is.
    let list: number[] | undefined;
    let from = lane.head;
    let n: number;
    let body: Uint8Array;
    if (lane.retry.length === 0) {
      n = Math.min(lane.released - lane.head, maxBatch);
      body = lane.buf.subarray(lane.start[from]!, lane.start[from + n]!);
      lane.head += n;
    } else {
      list = lane.retry.splice(0, maxBatch);
      while (list.length < maxBatch && lane.head < lane.released) list.push(lane.head++);
      n = list.length;
      from = -1;
      body = Buffer.concat(list.map((j) => lane.buf.subarray(lane.start[j]!, lane.start[j + 1]!)));
    }
    const posAt = (j: number): number => (list ? list[j]! : from + j);
    const now = Date.now();
    for (let j = 0; j < n; j++) {
      const k = lane.txs[posAt(j)]!;
      if (state[k] === 0) {
        state[k] = 1;
        sentAt[k] = now;
        pendingCount++;
      }
    }
    lane.busy = client
      .broadcastBody(body, n, false)
      .then((codes) => {
        let again: number[] | undefined;
        let blocked: Set<number> | undefined;
        let full = false;
        for (let j = 0; j < codes.length && j < n; j++) {
          const k = lane.txs[posAt(j)]!;
          const code = codes[j]!;
          if (code === 0) {
            accepted++;
            submitted++;
          } else if (code === RATE_LIMITED || code === MEMPOOL_FULL || (code === SEQUENCE && blocked?.has(senderOf(k)))) {
            if (code === MEMPOOL_FULL) full = true;
            (blocked ??= new Set()).add(senderOf(k));
            (again ??= []).push(posAt(j));
          } else {
            submitted++;
            rejects[code] = (rejects[code] ?? 0) + 1;
            settle(k);
          }
        }
        if (again) requeue(lane, again, full);
      })
      .catch((e: Error) => {
        const status = (e as { status?: number }).status;
        if (status === 429 || status === 503) requeue(lane, Array.from({ length: n }, (_, j) => posAt(j)));
        else {
          const key = `http:${status ?? 'error'}`;
          submitted += n;
          rejects[key] = (rejects[key] ?? 0) + n;
          for (let j = 0; j < n; j++) settle(lane.txs[posAt(j)]!);
        }
      })
      .finally(() => {
        lane.busy = undefined;
        send(lane);
      });
  };
  /** A refused tx: no longer awaited in a block. */
  const settle = (k: number): void => {
    if (state[k] === 1) {
      state[k] = 2;
      pendingCount--;
    }
  };
  /**
   * Puts lane positions back at the front of their lane, in order, and pauses the lane: a full
   * mempool has room again only once a block takes txs out ("retry after the next block"), so the
   * lane waits for the next block (at most FULL_PAUSE_MS); any other push-back waits 100 ms.
   * Resending into a full pool every 100 ms cost the node and the generator work for nothing
   * (over 100,000 refused resends in a 60 s run on a 4-validator net).
   */
  const requeue = (lane: Lane, positions: number[], full = false): void => {
    retried += positions.length;
    lane.retry.unshift(...positions);
    const pause = full ? FULL_PAUSE_MS : 100;
    lane.afterHeight = full ? height : -1;
    lane.pauseUntil = Date.now() + pause;
    setTimeout(() => send(lane), pause + 10);
  };
  /** A block was seen: lanes waiting for one send again now. */
  onBlockSeen = (): void => {
    for (const lane of lanes) {
      if (lane.afterHeight >= 0 && height > lane.afterHeight) {
        lane.afterHeight = -1;
        lane.pauseUntil = 0;
        send(lane);
      }
    }
  };
  const progress = (): void => {
    o.onProgress?.({ elapsedSec: (Date.now() - t0) / 1000, submitted, accepted, committed, rejected: Object.values(rejects).reduce((x, y) => x + y, 0), retried, height });
  };
  for (let i = 0; i < total; i += batch) {
    const due = t0 + (i / o.rate) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    for (let k = i; k < Math.min(total, i + batch); k++) lanes[laneOf(k)]!.released++;
    for (const lane of lanes) send(lane);
    if (Date.now() - lastProgress > 1000) {
      lastProgress = Date.now();
      progress();
    }
  }
  while (lanes.some((l) => l.busy || l.retry.length > 0 || l.head < l.released)) {
    for (const lane of lanes) send(lane);
    await Promise.race([sleep(50), Promise.all(lanes.map((l) => l.busy))]);
  }
  const sendSec = (Date.now() - t0) / 1000;
  const pendingAtSendEnd = pendingCount;
  const drainUntil = Date.now() + (o.drainSec ?? 30) * 1000;
  while (pendingCount > 0 && Date.now() < drainUntil) {
    await sleep(200);
    if (Date.now() - lastProgress > 1000) {
      lastProgress = Date.now();
      progress();
    }
  }
  following = false;
  await follower;
  client.close();
  const commitSpanSec = Math.max(sendSec, ((lastCommitAt || Date.now()) - t0) / 1000);
  const committedPerSec = committed / commitSpanSec;
  const sorted = Array.from(latencies.subarray(0, latencyCount)).sort((a, b) => a - b);
  return {
    chainId,
    signer: signer.backend,
    durationSec: sendSec,
    submitted,
    accepted,
    committed,
    committedOk,
    submittedPerSec: submitted / sendSec,
    committedPerSec,
    steadyPerSec: steadyRate(marks, t0 + Math.max(2000, o.durationSec * 100), t0 + sendSec * 1000) ?? committedPerSec,
    pendingAtSendEnd,
    latencyP50Ms: pct(sorted, 0.5),
    latencyP99Ms: pct(sorted, 0.99),
    rejectsByCode: rejects,
    failedInBlockByCode: failedInBlock,
    blocks,
    lost: pendingCount,
    retried,
  };
}

