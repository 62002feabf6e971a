/**
 * The live websocket over a real HTTP server and real sockets (`ws` clients), with a small
 * in-memory node view: CometBFT `/websocket` subscriptions and methods, Binance-style `/api/ws`
 * streams with `from_height` replay, and the bounded history.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { attachWebsocket, blockEventOf, HistoryGoneError, LiveHub, parseCometQuery, type LiveSockets } from '../../src/rpc/websocket.js';
import type { RpcNode } from '../../src/rpc/types.js';
import { sha256, toHex } from '../../src/crypto/hash.js';

const z = (n: number) => new Uint8Array(n);

function fakeBlock(height: number, txs: Uint8Array[]) {
  return {
    header: {
      chainId: 'ws-test',
      height,
      timeMs: 1_700_000_000_000 + height * 1000,
      lastBlockId: { hash: z(32) },
      lastCommitHash: z(32),
      dataHash: z(32),
      validatorsHash: z(32),
      nextValidatorsHash: z(32),
      appHash: z(32),
      lastResultsHash: z(32),
      evidenceHash: z(32),
      proposerAddress: z(20),
    },
    txs,
    evidence: [],
    lastCommit: { height: height - 1, round: 0, blockId: { hash: z(32) }, signatures: [] },
  };
}

/** A chain in memory: block h carries one tx "tx-h" when h is even. */
function fakeNode() {
  const blocks = new Map<number, ReturnType<typeof fakeBlock>>();
  let latest = 0;
  const node = {
    chainId: 'ws-test',
    hrp: 'tbnb',
    latestHeight: () => latest,
    baseHeight: () => 1,
    status: () => ({
      nodeId: 'n',
      moniker: 'm',
      network: 'ws-test',
      version: '0',
      listenAddr: '',
      rpcAddress: '',
      latestBlockHash: '',
      latestAppHash: '',
      latestBlockHeight: latest,
      latestBlockTimeMs: 0,
      earliestBlockHeight: 1,
      catchingUp: false,
      validator: { address: z(20), pubKey: z(32), power: 10n },
    }),
    block: async (h: number) => (blocks.has(h) ? { block: blocks.get(h)!, hash: sha256(new Uint8Array([h])) } : undefined),
    txsByHeight: async (h: number) =>
      (blocks.get(h)?.txs ?? []).map((tx, index) => ({
        hash: toHex(sha256(tx)).toUpperCase(),
        height: h,
        index,
        tx,
        timeMs: 0,
        result: { code: 0, log: '', data: z(0), events: [{ type: 'transfer', attributes: [{ key: 'sender', value: 'tbnb1abc' }] }] },
      })),
  };
  const produce = (hub: LiveHub): number => {
    latest++;
    const txs = latest % 2 === 0 ? [new TextEncoder().encode(`tx-${latest}`)] : [];
    const b = fakeBlock(latest, txs);
    blocks.set(latest, b);
    hub.publishBlock(blockEventOf({ block: b, hash: sha256(new Uint8Array([latest])), results: txs.map(() => ({ code: 0 })) }));
    return latest;
  };
  return { node: node as unknown as RpcNode, produce };
}

class Client {
  readonly msgs: Record<string, unknown>[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (m) => {
      this.msgs.push(JSON.parse(m.toString()));
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    const c = new Client(ws);
    return new Promise((res, rej) => {
      ws.once('open', () => res(c));
      ws.once('error', rej);
    });
  }
  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }
  /** Waits for (and removes) the first message matching `pred`. */
  async next(pred: (m: Record<string, unknown>) => boolean, timeoutMs = 3000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.msgs.findIndex(pred);
      if (i >= 0) return this.msgs.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(this.msgs).slice(0, 500)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  close(): void {
    this.ws.close();
  }
}

describe('live websocket (/websocket and /api/ws)', () => {
  let server: Server;
  let sockets: LiveSockets;
  let hub: LiveHub;
  let chain: ReturnType<typeof fakeNode>;
  let base: string;

  beforeEach(async () => {
    hub = new LiveHub({ keepHeights: 5 });
    chain = fakeNode();
    server = createServer((_req, res) => res.end('x'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sockets = attachWebsocket(server, { node: chain.node, hub, maxConnections: 4 });
  });

  afterEach(async () => {
    await sockets.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('CometBFT: subscribe NewBlock and Tx (with a hash filter), and plain methods', async () => {
    const c = await Client.open(`${base}/websocket`);
    c.send({ jsonrpc: '2.0', id: 1, method: 'subscribe', params: { query: "tm.event='NewBlock'" } });
    const want = toHex(sha256(new TextEncoder().encode('tx-4'))).toUpperCase();
    c.send({ jsonrpc: '2.0', id: 2, method: 'subscribe', params: { query: `tm.event='Tx' AND tx.hash='${want}'` } });
    c.send({ jsonrpc: '2.0', id: 3, method: 'status', params: {} });
    await c.next((m) => m.id === 1 && !!m.result && Object.keys(m.result as object).length === 0);
    await c.next((m) => m.id === 2 && !!m.result && Object.keys(m.result as object).length === 0);
    const st = (await c.next((m) => m.id === 3)) as { result: { node_info: { network: string } } };
    assert.equal(st.result.node_info.network, 'ws-test');
    for (let i = 0; i < 4; i++) chain.produce(hub);
    const nb = (await c.next((m) => m.id === 1 && (m.result as { query?: string })?.query !== undefined)) as {
      result: { data: { type: string; value: { block: { header: { height: string } } } }; events: Record<string, string[]> };
    };
    assert.equal(nb.result.data.type, 'tendermint/event/NewBlock');
    assert.equal(nb.result.data.value.block.header.height, '1');
    const tx = (await c.next((m) => m.id === 2 && (m.result as { query?: string })?.query !== undefined)) as {
      result: { data: { value: { TxResult: { height: string } } }; events: Record<string, string[]> };
    };
    assert.deepEqual(tx.result.events['tx.hash'], [want]);
    assert.equal(tx.result.data.value.TxResult.height, '4');
    assert.deepEqual(tx.result.events['transfer.sender'], ['tbnb1abc']);
    // tx-2 did not match the hash filter
    assert.equal(c.msgs.filter((m) => m.id === 2).length, 0);
    c.send({ jsonrpc: '2.0', id: 4, method: 'subscribe', params: { query: "tm.event='Vote'" } });
    const bad = (await c.next((m) => m.id === 4)) as { error: { data: string } };
    assert.match(bad.error.data, /unsupported query/);
    c.send({ jsonrpc: '2.0', id: 5, method: 'no_such_method' });
    assert.equal(((await c.next((m) => m.id === 5)) as { error: { code: number } }).error.code, -32601);
    c.close();
  });

  it('/api/ws: live blocks carry their height; from_height replays what was missed', async () => {
    for (let i = 0; i < 3; i++) chain.produce(hub);
    const c = await Client.open(`${base}/api/ws`);
    await c.next((m) => m.stream === 'welcome');
    c.send({ method: 'subscribe', topic: 'blocks', from_height: 2 });
    const ack = await c.next((m) => m.method === 'subscribe');
    assert.equal(ack.replayed, 2);
    assert.equal((await c.next((m) => m.stream === 'blocks')).height, 2);
    assert.equal((await c.next((m) => m.stream === 'blocks')).height, 3);
    chain.produce(hub);
    const live = (await c.next((m) => m.stream === 'blocks')) as { height: number; data: { numTxs: number; txs: { hash: string }[] } };
    assert.equal(live.height, 4);
    assert.equal(live.data.numTxs, 1);
    assert.equal(live.data.txs[0]!.hash, toHex(sha256(new TextEncoder().encode('tx-4'))).toUpperCase());
    c.close();
  });

  it('/api/ws: from_height older than the kept history is a clear 410 error', async () => {
    for (let i = 0; i < 9; i++) chain.produce(hub); // keeps heights 5..9
    const c = await Client.open(`${base}/api/ws`);
    c.send({ method: 'subscribe', topic: 'blocks', from_height: 2 });
    const e = (await c.next((m) => !!m.error)) as { error: { code: number; message: string; earliest_height: number } };
    assert.equal(e.error.code, 410);
    assert.equal(e.error.earliest_height, 5);
    assert.match(e.error.message, /older than the history/);
    c.send({ method: 'subscribe', topic: 'blocks', from_height: 5 });
    assert.equal((await c.next((m) => m.method === 'subscribe' && !m.error)).replayed, 5);
    c.close();
  });

  it('/api/ws: trades filtered by symbol, accounts by address; bad requests answered clearly', async () => {
    const c = await Client.open(`${base}/api/ws`);
    c.send({ method: 'subscribe', topic: 'trades', symbols: ['AAA-000_BNB'] });
    c.send({ method: 'subscribe', topic: 'accounts', address: 'tbnb1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq' });
    await c.next((m) => m.method === 'subscribe' && m.topic === 'trades');
    await c.next((m) => m.method === 'subscribe' && m.topic === 'accounts');
    const h = chain.produce(hub);
    hub.publishTrades({
      height: h,
      trades: [
        { symbol: 'BBB-000_BNB', price: '1.00000000', quantity: '2.00000000' },
        { symbol: 'AAA-000_BNB', price: '0.50000000', quantity: '3.00000000' },
      ],
    });
    hub.publishAccount({ height: h, address: 'tbnb1other', balances: [] });
    hub.publishAccount({ height: h, address: 'tbnb1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq', balances: [{ symbol: 'BNB', free: '1.00000000', frozen: '0.00000000', locked: '0.00000000' }] });
    const t = (await c.next((m) => m.stream === 'trades')) as { symbol: string; height: number; data: { trades: { price: string }[] } };
    assert.equal(t.symbol, 'AAA-000_BNB');
    assert.equal(t.height, h);
    assert.equal(t.data.trades[0]!.price, '0.50000000');
    const a = (await c.next((m) => m.stream === 'accounts')) as { data: { address: string } };
    assert.equal(a.data.address, 'tbnb1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.msgs.filter((m) => m.stream === 'trades' || m.stream === 'accounts').length, 0, 'other symbols / addresses are not sent');

    c.send({ method: 'subscribe', topic: 'nope' });
    assert.match(((await c.next((m) => !!m.error)) as { error: { message: string } }).error.message, /unknown topic/);
    c.send({ method: 'subscribe', topic: 'accounts' });
    assert.match(((await c.next((m) => !!m.error)) as { error: { message: string } }).error.message, /needs "address"/);
    c.ws.send('{not json');
    assert.match(((await c.next((m) => !!m.error)) as { error: { message: string } }).error.message, /invalid JSON/);
    c.send({ method: 'unsubscribe', topic: 'trades' });
    await c.next((m) => m.method === 'unsubscribe');
    hub.publishTrades({ height: h, trades: [{ symbol: 'AAA-000_BNB', price: '1', quantity: '1' }] });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.msgs.filter((m) => m.stream === 'trades').length, 0, 'nothing after unsubscribe');
    c.close();
  });

  it('/api/ws book: full-depth snapshots per symbol with their height; from_height sends the latest snapshots', async () => {
    const order = (id: string, price: string, qty: string, h: number) => ({ id, owner: 'tbnb1owner', price, quantity: qty, cumulativeQuantity: '0.00000000', createdHeight: h });
    const h1 = chain.produce(hub);
    hub.publishBook({ height: h1, symbol: 'AAA-000_BNB', bids: [order('O-1', '1.00000000', '2.00000000', h1)], asks: [] });
    hub.publishBook({ height: h1, symbol: 'BBB-000_BNB', bids: [], asks: [order('O-2', '3.00000000', '1.00000000', h1)] });
    const h2 = chain.produce(hub);
    const book2 = { height: h2, symbol: 'AAA-000_BNB', bids: [order('O-1', '1.00000000', '2.00000000', h1), order('O-3', '1.00000000', '5.00000000', h2)], asks: [order('O-4', '1.10000000', '1.00000000', h2)] };
    hub.publishBook(book2);

    const c = await Client.open(`${base}/api/ws`);
    const welcome = (await c.next((m) => m.stream === 'welcome')) as { data: { topics: string[] } };
    assert.ok(welcome.data.topics.includes('book'));
    // replay: only the latest AAA snapshot (h2), not the superseded one at h1 nor BBB's
    c.send({ method: 'subscribe', topic: 'book', symbols: ['AAA-000_BNB'], from_height: h1 });
    const ack = await c.next((m) => m.method === 'subscribe');
    assert.equal(ack.error, undefined);
    assert.equal(ack.replayed, 1);
    const r = (await c.next((m) => m.stream === 'book')) as { height: number; symbol: string; data: typeof book2 };
    assert.equal(r.height, h2);
    assert.equal(r.symbol, 'AAA-000_BNB');
    assert.deepEqual(r.data, book2);

    // live: only the subscribed symbol, every message carries its height
    const h3 = chain.produce(hub);
    hub.publishBook({ height: h3, symbol: 'BBB-000_BNB', bids: [], asks: [] });
    hub.publishBook({ height: h3, symbol: 'AAA-000_BNB', bids: [], asks: [] });
    const live = (await c.next((m) => m.stream === 'book')) as { height: number; symbol: string; data: { height: number; bids: unknown[] } };
    assert.equal(live.symbol, 'AAA-000_BNB');
    assert.equal(live.height, h3);
    assert.equal(live.data.height, h3);
    assert.deepEqual(live.data.bids, []);
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(c.msgs.filter((m) => m.stream === 'book').length, 0, 'BBB was not subscribed');
    c.close();
  });

  it('refuses other paths and connections past the limit', async () => {
    await assert.rejects(Client.open(`${base}/elsewhere`), /404/);
    const open = await Promise.all([1, 2, 3, 4].map(() => Client.open(`${base}/api/ws`)));
    await assert.rejects(Client.open(`${base}/api/ws`), /503/);
    assert.equal(sockets.clients, 4);
    for (const c of open) c.close();
  });
});

describe('LiveHub history', () => {
  it('keeps whole heights within the bounds and replays in order', () => {
    const hub = new LiveHub({ keepHeights: 100, maxItems: 10 });
    for (let h = 1; h <= 6; h++) {
      hub.publishBlock({ height: h, hash: 'H', timeMs: h, numTxs: 0, txs: [] });
      hub.publishTrades({ height: h, trades: [{ symbol: 'A_B', price: '1', quantity: '1' }] });
    }
    // 12 items > 10: height 1 dropped whole, so the earliest complete height is 2
    assert.ok(hub.earliest! >= 2);
    assert.throws(() => hub.replay(1, () => true), HistoryGoneError);
    const items = hub.replay(hub.earliest!, () => true);
    assert.ok(items.length <= 10);
    assert.deepEqual(
      items.map((i) => i.height),
      [...items.map((i) => i.height)].sort((a, b) => a - b),
    );
    assert.equal(items[0]!.height, hub.earliest);
    assert.deepEqual(hub.replay(7, () => true), []);
  });

  it('keeps only the latest book per pair, outside the per-height history', () => {
    const hub = new LiveHub({ keepHeights: 2, maxItems: 10 });
    for (let h = 1; h <= 5; h++) {
      hub.publishBlock({ height: h, hash: 'H', timeMs: h, numTxs: 0, txs: [] });
      hub.publishBook({ height: h, symbol: h % 2 ? 'A_B' : 'C_B', bids: [], asks: [] });
    }
    // heights 1..3 are gone from the history, yet the books at 4 (C_B) and 5 (A_B) replay
    assert.throws(() => hub.replay(1, () => true), HistoryGoneError);
    assert.deepEqual(hub.replay(4, () => true).map((i) => i.topic), ['blocks', 'blocks']);
    const books = hub.replayBooks(1, (i) => i.topic === 'book');
    assert.deepEqual(books.map((i) => [i.symbol, i.height]), [['C_B', 4], ['A_B', 5]]);
    assert.deepEqual(hub.replayBooks(5, () => true).map((i) => i.symbol), ['A_B']);
    // an older snapshot (a block replayed after a restart) does not replace a newer one
    hub.publishBook({ height: 3, symbol: 'A_B', bids: [], asks: [] });
    assert.equal(hub.replayBooks(1, () => true).find((i) => i.symbol === 'A_B')!.height, 5);
  });

  it('parses the CometBFT queries it serves', () => {
    assert.deepEqual(parseCometQuery("tm.event='NewBlock'"), { kind: 'NewBlock' });
    assert.deepEqual(parseCometQuery("tm.event = 'Tx' AND tx.height=5"), { kind: 'Tx', txHeight: 5 });
    assert.throws(() => parseCometQuery("tx.hash='AA'"), /unsupported|needs/);
    assert.throws(() => parseCometQuery("tm.event='NewBlock' AND tx.height=3"), /only apply/);
  });
});
