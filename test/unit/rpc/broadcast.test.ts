/**
 * `POST /api/v1/broadcast` after its hot-path rewrite: the body is read straight from the bytes
 * and the rows are serialized by hand, and both must answer exactly what the plain version did
 * (kept here as the reference): same txs or the same 400, byte-identical JSON replies.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { handleApiV1, parseBroadcastBody } from '../../../src/rpc/api-v1.js';
import { HttpError, JsonText, jsonReplacer } from '../../../src/rpc/http.js';
import type { BroadcastOutcome, RpcNode } from '../../../src/rpc/types.js';
import { abciCode, RootCode } from '../../../src/errors.js';

/** The parser as it was: the whole body as a string, trimmed, split on LF/CR, each line trimmed. */
function referenceParse(body: Buffer): Uint8Array[] | string {
  const raw = body.toString('latin1').trim();
  let lines: string[];
  if (raw.startsWith('[')) {
    try {
      const arr = JSON.parse(raw) as unknown;
      if (!Array.isArray(arr) || !arr.every((x) => typeof x === 'string')) throw new Error('not a list of strings');
      lines = arr as string[];
    } catch (e) {
      return `body must be hex txs (one per line) or a JSON list of hex strings: ${(e as Error).message}`;
    }
  } else {
    lines = raw.split(/[\r\n]/).map((l) => l.trim()).filter((l) => l.length > 0);
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i]!.startsWith('0x') ? lines[i]!.slice(2) : lines[i]!;
    const b = Buffer.from(s, 'hex');
    if (s.length % 2 !== 0 || b.length * 2 !== s.length) return `tx ${i} is not hex`;
    out.push(new Uint8Array(b));
  }
  return out;
}

function parse(body: Buffer): Uint8Array[] | string {
  try {
    return parseBroadcastBody(body).map((t) => new Uint8Array(t));
  } catch (e) {
    assert.ok(e instanceof HttpError && e.status === 400, String(e));
    return e.message;
  }
}

const hexTx = fc.uint8Array({ minLength: 0, maxLength: 24 }).map((b) => Buffer.from(b).toString('hex'));
/** Bodies built from hex txs, separators, blanks and the odd bad byte. */
const piece = fc.oneof(
  { weight: 6, arbitrary: hexTx },
  { weight: 1, arbitrary: hexTx.map((h) => '0x' + h) },
  { weight: 1, arbitrary: hexTx.map((h) => h.toUpperCase()) },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\u000b', '\u000c', '\u00a0', '\r', '\r\n', '\n\n', '') },
  { weight: 1, arbitrary: fc.constantFrom('g', 'abc', '0X12', 'zz', '\u0001', '\u00ff', ' 12 34 ', '[', ']', '"', ',') },
);
const body = fc.array(fc.tuple(piece, fc.constantFrom('\n', '\n', ' \n', '\r\n', '', '\t\n')), { maxLength: 12 }).map((parts) => Buffer.from(parts.map(([a, b]) => a + b).join(''), 'latin1'));

describe('rpc/broadcast: body parsing', () => {
  it('matches the plain string parser on any body', () => {
    fc.assert(fc.property(body, (b) => assert.deepEqual(parse(b), referenceParse(b))), { numRuns: 2000 });
  });

  it('matches it on JSON lists and on raw bytes', () => {
    fc.assert(
      fc.property(fc.array(hexTx, { maxLength: 5 }), fc.constantFrom('', ' ', '\n'), (txs, pad) => {
        const b = Buffer.from(pad + JSON.stringify(txs) + pad, 'latin1');
        assert.deepEqual(parse(b), referenceParse(b));
      }),
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => assert.deepEqual(parse(Buffer.from(bytes)), referenceParse(Buffer.from(bytes)))), { numRuns: 2000 });
  });

  it('reads the usual body: hex lines with a trailing newline', () => {
    const txs = [new Uint8Array([1, 2, 3]), new Uint8Array([255]), new Uint8Array(300).fill(7)];
    const b = Buffer.from(txs.map((t) => Buffer.from(t).toString('hex') + '\n').join(''), 'latin1');
    assert.deepEqual(parse(b), txs);
    assert.deepEqual(parse(Buffer.from('0x0a0b\n\n  0C0d  \n')), [new Uint8Array([10, 11]), new Uint8Array([12, 13])]);
    assert.equal(parse(Buffer.from('0a0b\n0a0\n')), 'tx 1 is not hex');
  });
});

/** The reply rows as they were built before: objects, then JSON.stringify. */
function referenceRows(outcomes: BroadcastOutcome[]): unknown[] {
  return outcomes.map((o) => {
    const res = o.committed && o.committed.code !== undefined ? { code: o.committed.code, log: o.committed.log } : { code: o.check.code, log: o.check.log };
    return {
      code: res.code,
      hash: o.check.hash,
      log: res.log,
      data: o.check.data.length ? Buffer.from(o.check.data).toString('utf8') : '',
      ok: res.code === 0,
      ...(o.committed ? { height: String(o.committed.height) } : {}),
    };
  });
}

function fakeReq(body: string): IncomingMessage {
  return Object.assign(Readable.from([Buffer.from(body, 'latin1')]), { method: 'POST', headers: {}, socket: { remoteAddress: '10.0.0.1' } }) as unknown as IncomingMessage;
}

async function broadcastReply(outcomes: BroadcastOutcome[], sync = false): Promise<{ status: number; text: string; headers?: Record<string, string> }> {
  let seen: { n: number; mode: string; source: string } | undefined;
  const node = {
    broadcastBatch: async (txs: Uint8Array[], mode: string, source: string) => {
      seen = { n: txs.length, mode, source };
      return outcomes;
    },
  } as unknown as RpcNode;
  const body = outcomes.map((_, i) => Buffer.from([i & 255, 1]).toString('hex')).join('\n');
  const r = await handleApiV1(node, fakeReq(body), 'broadcast', new URLSearchParams(sync ? 'sync=true' : 'sync=false'), 1 << 20);
  assert.deepEqual(seen, { n: outcomes.length, mode: sync ? 'commit' : 'sync', source: '10.0.0.1' });
  const text = r.body instanceof JsonText ? r.body.text : JSON.stringify(r.body, r.plain ? undefined : jsonReplacer);
  return { status: r.status, text, ...(r.headers ? { headers: r.headers } : {}) };
}

const RATE_LIMITED = abciCode('root', RootCode.rateLimited);
const outcome: fc.Arbitrary<BroadcastOutcome> = fc.record(
  {
    check: fc.record({
      code: fc.oneof(fc.constant(0), fc.constant(RATE_LIMITED), fc.integer({ min: 1, max: 1 << 24 })),
      hash: fc.stringMatching(/^[0-9A-F]{64}$/),
      log: fc.oneof(fc.constant(''), fc.string(), fc.string({ unit: 'grapheme' })),
      data: fc.oneof(fc.constant(new Uint8Array()), fc.uint8Array({ maxLength: 20 }), fc.string().map((s) => new TextEncoder().encode(s))),
      events: fc.constant([]),
      fee: fc.constant(0n),
    }),
    committed: fc.record({ height: fc.nat(), index: fc.nat(), code: fc.nat({ max: 10 }), log: fc.string() }),
  },
  { requiredKeys: ['check'] },
) as fc.Arbitrary<BroadcastOutcome>;

describe('rpc/broadcast: reply rows', () => {
  it('are byte for byte what JSON.stringify of the row objects gave', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(outcome, { minLength: 1, maxLength: 8 }), async (outs) => {
        const r = await broadcastReply(outs);
        const rows = referenceRows(outs) as { code: number; log: string; hash: string }[];
        if (rows.length === 1 && rows[0]!.code !== 0) {
          const limited = rows[0]!.code === RATE_LIMITED;
          assert.equal(r.status, limited ? 429 : 400);
          assert.equal(r.text, JSON.stringify({ code: rows[0]!.code, message: rows[0]!.log, hash: rows[0]!.hash }));
          return;
        }
        assert.equal(r.text, JSON.stringify(rows));
        const allLimited = rows.every((x) => x.code === RATE_LIMITED);
        assert.equal(r.status, allLimited ? 429 : 200);
        assert.deepEqual(r.headers, allLimited ? { 'retry-after': '1' } : undefined);
      }),
      { numRuns: 500 },
    );
  });

  it('JsonText serializes as its JSON anywhere else', () => {
    const t = new JsonText('[{"code":0,"ok":true}]');
    assert.equal(JSON.stringify({ a: t }), '{"a":[{"code":0,"ok":true}]}');
  });
});
