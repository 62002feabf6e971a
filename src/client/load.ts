/**
 * The load generator behind `dexchain load`: funds N fresh accounts from a source key, signs
 * every tx ahead of time (native libsecp256k1 when it loads), sends them at a steady rate in
 * batches over `/api/v1/broadcast?sync=false`, follows the chain's blocks to see which were
 * committed, and reports submitted and committed tx/s, p50/p99 commit latency and rejects by
 * code. Operators use it to test their own networks; `npm run bench` uses it too.
 */
import type { Msg } from '../codec/types.js';
import { encodeAddress, encodeTx, stdSignBytes, txHashHex } from '../codec/index.js';
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
  /** Pair for orders, BASE_QUOTE; default: the first listed market. */
  pair?: string;
  /** Txs per HTTP request. */
  batch?: number;
  /** Extra seconds to wait for the last txs to commit. */
  drainSec?: number;
  onProgress?: (p: LoadProgress) => void;
  log?: (line: string) => void;
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
  committedPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  rejectsByCode: Record<string, number>;
  failedInBlockByCode: Record<string, number>;
  blocks: number;
  lost: number;
  /** Sends repeated because the node pushed back (busy), not counted as submitted twice. */
  retried: number;
}

interface Pending {
  sentAt: number;
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

  // Order settings.
  let pair: { base: string; quote: string; price: bigint; lot: bigint } | undefined;
  if (o.mix.order > 0) {
    const markets = (await client.get<{ base_asset_symbol: string; quote_asset_symbol: string; list_price: string; lot_size: string }[]>('/api/v1/markets?limit=1000')) ?? [];
    const m = o.pair ? markets.find((x) => `${x.base_asset_symbol}_${x.quote_asset_symbol}` === o.pair) : markets[0];
    if (!m) throw new Error(o.pair ? `pair ${o.pair} is not listed` : 'orders requested but the node lists no market (use --mix transfer:100 or list a pair)');
    const fx = (s: string) => BigInt(s.replace('.', ''));
    pair = { base: m.base_asset_symbol, quote: m.quote_asset_symbol, price: fx(m.list_price), lot: fx(m.lot_size) };
  }

  // 1. Accounts, funded by multi-sends of up to 100 outputs.
  const signer = bulkSigner();
  const accts = Array.from({ length: o.accounts }, () => {
    const priv = randomPrivateKey();
    const pub = publicKeyFromPrivate(priv);
    return { priv, pub, addr: addressFromPubKey(pub), accNum: 0n, seq: 0n };
  });
  const perTx = Math.ceil((o.rate * o.durationSec) / o.accounts) + 2;
  const bnbEach = BigInt(perTx) * 200_000n + 100_000_000n;
  const fund = (address: Uint8Array) => {
    const coins = [{ denom: 'BNB', amount: bnbEach }];
    if (pair && pair.base !== 'BNB') coins.push({ denom: pair.base, amount: BigInt(perTx) * pair.lot * 2n });
    if (pair && pair.quote !== 'BNB') coins.push({ denom: pair.quote, amount: BigInt(perTx) * ((pair.lot * pair.price * 2n) / 100_000_000n + 1n) });
    return coins.sort((a, b) => (a.denom < b.denom ? -1 : 1));
  };
  let srcSeq = BigInt(src.sequence);
  const srcNum = BigInt(src.account_number);
  log(`funding ${o.accounts} accounts from ${encodeAddress(srcAddr, hrp)}`);
  for (let i = 0; i < accts.length; i += 100) {
    const chunk = accts.slice(i, i + 100);
    const outputs = chunk.map((a) => ({ address: a.addr, coins: fund(a.addr) }));
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

  // 2. Sign ahead: round-robin over accounts, each with its own sequence.
  const total = Math.floor(o.rate * o.durationSec);
  log(`signing ${total} txs ahead (${signer.backend} signer)`);
  const txs: { bytes: Uint8Array; hash: string; sender: number }[] = new Array(total);
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
    const bytes = encodeTx({ msgs: [msg], signatures: [{ pub_key: a.pub, signature, account_number: a.accNum, sequence: a.seq }], memo: '', source: 0n, data: new Uint8Array() });
    a.seq++;
    txs[i] = { bytes, hash: txHashHex(bytes), sender: i % accts.length };
  }

  // 3. Follow blocks.
  const pending = new Map<string, Pending>();
  const latencies: number[] = [];
  const failedInBlock: Record<string, number> = {};
  let committed = 0;
  let committedOk = 0;
  let height = Number((await client.rpc<{ sync_info: { latest_block_height: string } }>('status')).sync_info.latest_block_height);
  let following = true;
  let blocks = 0;
  let lastCommitAt = 0;
  const seeTxs = (txs: { hash: string; code: number }[]): void => {
    const now = Date.now();
    blocks++;
    for (const t of txs) {
      const p = pending.get(t.hash);
      if (!p) continue;
      pending.delete(t.hash);
      committed++;
      if (t.code === 0) committedOk++;
      else failedInBlock[t.code] = (failedInBlock[t.code] ?? 0) + 1;
      latencies.push(now - p.sentAt);
      lastCommitAt = now;
    }
  };
  // Committed blocks arrive pushed over the node's websocket (`blocks` topic: tx hashes and
  // codes), which costs the node little; without a websocket, the generator polls the RPC.
  const pushed = await followOverWebsocket(o.rpc, (b) => {
    height = Math.max(height, b.height);
    seeTxs(b.txs);
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
          await sleep(50);
        }
      })();

  // 4. Send at a steady rate. A sender's txs must reach the node in sequence order, and
  // concurrent HTTP requests may be read in any order, so accounts are split over lanes: each
  // lane sends its batches one after another, lanes run in parallel.
  const batch = o.batch ?? Math.max(1, Math.min(500, Math.ceil(o.rate / 20)));
  // 8 lanes of at most 500 txs stay under a node's default per-client admission budget (5,000)
  const laneCount = Math.max(1, Math.min(8, accts.length));
  const lanes = Array.from({ length: laneCount }, () => ({ buf: [] as { bytes: Uint8Array; hash: string; sender: number }[], busy: undefined as Promise<void> | undefined, pauseUntil: 0 }));
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
  const RETRYABLE = new Set([abciRoot('rateLimited'), abciRoot('mempoolFull')]);
  const SEQUENCE = abciRoot('invalidSequence');
  let retried = 0;
  const send = (lane: (typeof lanes)[number]): void => {
    if (lane.busy || lane.buf.length === 0 || Date.now() < lane.pauseUntil) return;
    const chunk = lane.buf.splice(0, Math.min(lane.buf.length, maxBatch));
    const sentAt = Date.now();
    for (const t of chunk) if (!pending.has(t.hash)) pending.set(t.hash, { sentAt });
    lane.busy = client
      .broadcast(
        chunk.map((t) => t.bytes),
        false,
      )
      .then((rows) => {
        const again: typeof chunk = [];
        const blocked = new Set<number>();
        rows.forEach((r, k) => {
          const t = chunk[k]!;
          if (r.code === 0) {
            accepted++;
            submitted++;
          } else if (RETRYABLE.has(r.code) || (r.code === SEQUENCE && blocked.has(t.sender))) {
            blocked.add(t.sender);
            again.push(t);
          } else {
            submitted++;
            rejects[r.code] = (rejects[r.code] ?? 0) + 1;
            pending.delete(t.hash);
          }
        });
        if (again.length > 0) requeue(lane, again);
      })
      .catch((e: Error) => {
        const status = (e as { status?: number }).status;
        if (status === 429 || status === 503) requeue(lane, chunk);
        else {
          const key = `http:${status ?? 'error'}`;
          submitted += chunk.length;
          rejects[key] = (rejects[key] ?? 0) + chunk.length;
          for (const t of chunk) pending.delete(t.hash);
        }
      })
      .finally(() => {
        lane.busy = undefined;
        send(lane);
      });
  };
  const requeue = (lane: (typeof lanes)[number], txs: typeof lanes[number]['buf']): void => {
    retried += txs.length;
    lane.buf.unshift(...txs);
    lane.pauseUntil = Date.now() + 100;
    setTimeout(() => send(lane), 110);
  };
  const progress = (): void => {
    o.onProgress?.({ elapsedSec: (Date.now() - t0) / 1000, submitted, accepted, committed, rejected: Object.values(rejects).reduce((x, y) => x + y, 0), retried, height });
  };
  for (let i = 0; i < total; i += batch) {
    const due = t0 + (i / o.rate) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    for (let k = i; k < Math.min(total, i + batch); k++) lanes[(k % accts.length) % laneCount]!.buf.push(txs[k]!);
    for (const lane of lanes) send(lane);
    if (Date.now() - lastProgress > 1000) {
      lastProgress = Date.now();
      progress();
    }
  }
  while (lanes.some((l) => l.busy || l.buf.length > 0)) {
    for (const lane of lanes) send(lane);
    await Promise.race([sleep(50), Promise.all(lanes.map((l) => l.busy))]);
  }
  const sendSec = (Date.now() - t0) / 1000;
  const drainUntil = Date.now() + (o.drainSec ?? 30) * 1000;
  while (pending.size > 0 && Date.now() < drainUntil) {
    await sleep(200);
    if (Date.now() - lastProgress > 1000) {
      lastProgress = Date.now();
      progress();
    }
  }
  following = false;
  await follower;
  const commitSpanSec = Math.max(sendSec, ((lastCommitAt || Date.now()) - t0) / 1000);
  latencies.sort((a, b) => a - b);
  return {
    chainId,
    signer: signer.backend,
    durationSec: sendSec,
    submitted,
    accepted,
    committed,
    committedOk,
    submittedPerSec: submitted / sendSec,
    committedPerSec: committed / commitSpanSec,
    latencyP50Ms: pct(latencies, 0.5),
    latencyP99Ms: pct(latencies, 0.99),
    rejectsByCode: rejects,
    failedInBlockByCode: failedInBlock,
    blocks,
    lost: pending.size,
    retried,
  };
}

