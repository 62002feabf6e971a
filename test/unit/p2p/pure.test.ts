import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameDecoder, FrameError, FrameReader, encodeFrame } from '../../../src/p2p/frame.js';
import { listenToMultiaddr, parsePeerAddress, splitPeerList } from '../../../src/p2p/peer-addr.js';
import { PeerScores } from '../../../src/p2p/scoring.js';
import { SeenCache } from '../../../src/p2p/seen-cache.js';
import {
  WireError, checkBlocksResponse, decodeBlockEntry, decodeBlocksRequest, decodeMessage, decodeStatus,
  encodeBlockEntry, encodeBlocksRequest, encodeMessage, encodeStatus,
} from '../../../src/p2p/wire.js';
import { isChainError } from '../../../src/errors.js';

const ID = '12D3KooWBpUNCcNQWUKcSQ3CGCCU2LcYQjwvL5bfwgAe8cH9wWj9';

describe('p2p frames', () => {
  it('decode what was encoded, however the bytes are split', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
      (payloads, cuts) => {
        const wire = Buffer.concat(payloads.map(encodeFrame));
        const dec = new FrameDecoder(1000);
        const out: Uint8Array[] = [];
        let off = 0;
        let k = 0;
        while (off < wire.length) {
          const n = cuts[k++ % cuts.length]!;
          out.push(...dec.push(wire.subarray(off, off + n)));
          off += n;
        }
        dec.end();
        assert.deepEqual(out.map((b) => Buffer.from(b)), payloads.map((b) => Buffer.from(b)));
      },
    ));
  });

  it('reject an oversized header before buffering the body, and a truncated end', () => {
    const dec = new FrameDecoder(10);
    assert.throws(() => dec.push(encodeFrame(new Uint8Array(11)).subarray(0, 4)), (e) => e instanceof FrameError && e.kind === 'oversized');
    const d2 = new FrameDecoder(10);
    d2.push(encodeFrame(new Uint8Array(5)).subarray(0, 6));
    assert.throws(() => d2.end(), (e) => e instanceof FrameError && e.kind === 'truncated');
  });

  it('never crash on garbage: frames or a FrameError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (junk) => {
      const dec = new FrameDecoder(64);
      try {
        dec.push(junk);
        dec.end();
      } catch (e) {
        assert.ok(e instanceof FrameError);
      }
    }));
  });

  it('FrameReader pulls frames from an async source', async () => {
    async function* src() {
      const w = Buffer.concat([encodeFrame(Uint8Array.of(1, 2)), encodeFrame(Uint8Array.of(3))]);
      yield w.subarray(0, 3);
      yield { subarray: () => w.subarray(3) };
    }
    const r = new FrameReader(src(), 100);
    assert.deepEqual(await r.next(), Uint8Array.of(1, 2));
    assert.deepEqual(await r.next(), Uint8Array.of(3));
    assert.equal(await r.next(), null);
  });
});

describe('p2p wire', () => {
  it('messages round-trip and unknown topics are refused', () => {
    const m = decodeMessage(encodeMessage('votes', Uint8Array.of(9, 8)));
    assert.equal(m.topic, 'votes');
    assert.deepEqual(m.data, Uint8Array.of(9, 8));
    assert.throws(() => decodeMessage(Uint8Array.of(0)), WireError);
    assert.throws(() => decodeMessage(Uint8Array.of(5, 1)), WireError);
    assert.throws(() => decodeMessage(new Uint8Array(0)), WireError);
  });

  it('status round-trips and rejects bad fields', () => {
    const s = { chainId: 'c-1', height: 5, baseHeight: 1 };
    assert.deepEqual(decodeStatus(encodeStatus(s)), s);
    for (const bad of ['{', '[]', '{"chainId":"","height":1,"baseHeight":1}', '{"chainId":"c","height":-1,"baseHeight":0}', '{"chainId":"c","height":1.5,"baseHeight":0}']) {
      assert.throws(() => decodeStatus(new TextEncoder().encode(bad)), WireError, bad);
    }
    assert.throws(() => decodeStatus(Uint8Array.of(0xff, 0xfe)), WireError);
  });

  it('block requests and entries round-trip; responses are checked', () => {
    assert.deepEqual(decodeBlocksRequest(encodeBlocksRequest(7, 30)), { fromHeight: 7, maxCount: 30 });
    assert.throws(() => decodeBlocksRequest(encodeBlocksRequest(0, 1)), WireError);
    assert.throws(() => decodeBlocksRequest(new Uint8Array(3)), WireError);
    const e = { height: 12, block: Uint8Array.of(1, 2, 3), commit: Uint8Array.of(4) };
    assert.deepEqual(decodeBlockEntry(encodeBlockEntry(e)), e);
    const bad = encodeBlockEntry(e);
    new DataView(bad.buffer).setUint32(8, 99, false);
    assert.throws(() => decodeBlockEntry(bad), WireError);
    const mk = (h: number) => ({ height: h, block: new Uint8Array(0), commit: new Uint8Array(0) });
    assert.equal(checkBlocksResponse([mk(3), mk(4)], 3, 2), null);
    assert.match(checkBlocksResponse([mk(3), mk(5)], 3, 5)!, /expected height 4/);
    assert.match(checkBlocksResponse([mk(3), mk(4), mk(5)], 3, 2)!, /at most 2/);
  });
});

describe('p2p addresses', () => {
  it('parses CometBFT-style and multiaddr peers', () => {
    assert.deepEqual(parsePeerAddress(`${ID}@127.0.0.1:26656`), { id: ID, multiaddr: `/ip4/127.0.0.1/tcp/26656/p2p/${ID}` });
    assert.deepEqual(parsePeerAddress(`${ID}@validator-2:26656`), { id: ID, multiaddr: `/dns4/validator-2/tcp/26656/p2p/${ID}` });
    assert.deepEqual(parsePeerAddress(`${ID}@[::1]:1`), { id: ID, multiaddr: `/ip6/::1/tcp/1/p2p/${ID}` });
    assert.deepEqual(parsePeerAddress(`/ip4/10.0.0.1/tcp/5/p2p/${ID}`), { id: ID, multiaddr: `/ip4/10.0.0.1/tcp/5/p2p/${ID}` });
    assert.deepEqual(parsePeerAddress('/ip4/10.0.0.1/tcp/5'), { id: null, multiaddr: '/ip4/10.0.0.1/tcp/5' });
    for (const bad of ['127.0.0.1:26656', `${ID}@127.0.0.1`, `${ID}@127.0.0.1:99999`, `bad!id@1.2.3.4:1`, `${ID}@1.2.3.4:0`]) {
      assert.throws(() => parsePeerAddress(bad), (e) => isChainError(e), bad);
    }
  });

  it('converts listen addresses and splits lists', () => {
    assert.equal(listenToMultiaddr('tcp://0.0.0.0:26656'), '/ip4/0.0.0.0/tcp/26656');
    assert.equal(listenToMultiaddr('127.0.0.1:0'), '/ip4/127.0.0.1/tcp/0');
    assert.equal(listenToMultiaddr('/ip4/1.2.3.4/tcp/1'), '/ip4/1.2.3.4/tcp/1');
    assert.throws(() => listenToMultiaddr('tcp://localhost:1'));
    assert.deepEqual(splitPeerList(' a@b:1 , ,c@d:2'), ['a@b:1', 'c@d:2']);
    assert.deepEqual(splitPeerList(undefined), []);
  });
});

describe('p2p scoring and dedup', () => {
  it('bans at the threshold, recovers over time, and lifts the ban after its duration', () => {
    let t = 1_000_000;
    const s = new PeerScores({ banThreshold: -100, banDurationMs: 60_000, scoreRecoveryPerMinute: 10 }, () => t);
    assert.equal(s.penalize('p', 50), false);
    t += 30_000; // +5 points
    assert.equal(s.score('p'), -45);
    assert.equal(s.penalize('p', 50), false);
    assert.equal(s.score('p'), -95);
    assert.equal(s.penalize('p', 5), true);
    assert.equal(s.banned('p'), true);
    assert.equal(s.score('p'), 0);
    t += 60_000;
    assert.equal(s.banned('p'), false);
    s.penalize('q', 30);
    t += 10 * 60_000;
    assert.equal(s.score('q'), 0);
    s.prune();
  });

  it('recovery is not lost to frequent small penalties', () => {
    let t = 0;
    const s = new PeerScores({ banThreshold: -100, banDurationMs: 1, scoreRecoveryPerMinute: 10 }, () => t);
    s.penalize('p', 50);
    for (let i = 0; i < 12; i++) { t += 5_000; s.penalize('p', 0.0001); }
    assert.ok(s.score('p') >= -41, `score ${s.score('p')}`);
  });

  it('SeenCache drops duplicates, expires, and stays bounded', () => {
    let t = 0;
    const c = new SeenCache(1000, 3, () => t);
    assert.equal(c.add('a'), true);
    assert.equal(c.add('a'), false);
    t = 1001;
    assert.equal(c.add('a'), true);
    c.add('b'); c.add('c'); c.add('d');
    assert.ok(c.size <= 3);
    assert.equal(c.has('a'), false);
  });
});
