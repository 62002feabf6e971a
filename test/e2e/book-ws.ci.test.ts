/**
 * The full-depth book against a real node: two orders placed through `dexchain tx order` on a
 * pair listed at genesis must arrive, in matching priority, on the `/api/ws` `book` stream and
 * read the same through `GET /api/v1/book`.
 */
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { NodeProcess, cleanup, cliJson, freePort, tempDir } from './harness.js';

interface BookOrder {
  id: string;
  owner: string;
  price: string;
  quantity: string;
  cumulativeQuantity: string;
  createdHeight: number;
}
interface Book {
  symbol: string;
  height: number;
  bids: BookOrder[];
  asks: BookOrder[];
}

describe('e2e: full-depth book stream (/api/ws topic "book") and /api/v1/book', function () {
  this.timeout(120_000);
  let home: string;
  let node: NodeProcess;
  let alice: string;
  let pair: string;
  let common: string[];

  before(async () => {
    home = tempDir('book');
    cliJson(['init', '--home', home, '--chain-id', `e2e-book-${process.pid}`, '--moniker', 'book-e2e']);
    alice = cliJson<{ address: string }>(['keys', 'add', 'alice', '--keyring-backend', 'test', '--home', home]).address;
    cliJson(['genesis', 'add-account', alice, '100000:BNB', '--home', home]);
    const symbol = cliJson<{ symbol: string }>(['genesis', 'add-token', 'BOOK', '1000000', '--owner', alice, '--name', 'Book Token', '--home', home]).symbol;
    cliJson(['genesis', 'add-pair', symbol, 'BNB', '--price', '1', '--home', home]);
    pair = `${symbol}_BNB`;
    node = new NodeProcess(home, await freePort(), ['--consensus.timeout_commit_ms', '200']);
    node.start();
    await node.waitReady(1);
    common = ['--keyring-backend', 'test', '--home', home, '--node', node.url];
  });

  after(async () => {
    await node?.stop();
    if (home) cleanup(home);
  });

  it('streams every resting order of the pair after each block that changed it', async () => {
    const ws = new WebSocket(`${node.url.replace('http', 'ws')}/api/ws`);
    const frames: { stream?: string; height?: number; symbol?: string; data?: Book; method?: string; error?: unknown }[] = [];
    ws.on('message', (m) => frames.push(JSON.parse(m.toString())));
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    ws.send(JSON.stringify({ method: 'subscribe', topic: 'book', symbols: [pair] }));
    const waitFor = async <T>(pred: () => T | undefined, what: string): Promise<T> => {
      for (let i = 0; i < 300; i++) {
        const v = pred();
        if (v !== undefined) return v;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(frames).slice(0, 800)}\n${node.tail()}`);
    };
    const ack = await waitFor(() => frames.find((f) => f.method === 'subscribe'), 'the subscribe ack');
    assert.equal(ack.error, undefined);

    // two bids at the same price: arrival decides their order in the book
    for (const quantity of ['1', '2']) {
      const r = cliJson<{ code: number; log?: string }>(['tx', 'order', '--symbol', pair, '--side', 'buy', '--price', '1', '--quantity', quantity, '--from', 'alice', ...common]);
      assert.equal(r.code, 0, r.log);
    }
    const frame = await waitFor(() => frames.find((f) => f.stream === 'book' && (f.data?.bids.length ?? 0) >= 2), 'a book frame with both bids');
    assert.equal(frame.symbol, pair);
    assert.equal(typeof frame.height, 'number');
    const book = frame.data!;
    assert.equal(book.height, frame.height);
    assert.equal(book.symbol, pair);
    assert.deepEqual(book.asks, []);
    assert.deepEqual(
      book.bids.map((o) => [o.owner, o.price, o.quantity, o.cumulativeQuantity]),
      [
        [alice, '1.00000000', '1.00000000', '0.00000000'],
        [alice, '1.00000000', '2.00000000', '0.00000000'],
      ],
    );
    assert.ok(book.bids[0]!.createdHeight <= book.bids[1]!.createdHeight);
    assert.notEqual(book.bids[0]!.id, book.bids[1]!.id);
    ws.close();

    // the same book over HTTP, from committed state
    const http = (await (await fetch(`${node.url}/api/v1/book?symbol=${pair}`)).json()) as Book;
    assert.deepEqual(http.bids.map((o) => o.id), book.bids.map((o) => o.id));
    assert.ok(http.height >= book.height);
    const one = (await (await fetch(`${node.url}/api/v1/book?symbol=${pair}&limit=1`)).json()) as Book;
    assert.deepEqual(one.bids.map((o) => o.id), [book.bids[0]!.id]);
    assert.equal((await fetch(`${node.url}/api/v1/book?symbol=NOPE_BNB`)).status, 404);
    assert.equal((await fetch(`${node.url}/api/v1/book`)).status, 400);
  });
});
