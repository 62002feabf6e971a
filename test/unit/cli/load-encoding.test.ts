/**
 * The load generator's hot path helpers: the broadcast reply's codes read without building rows
 * (same answer as JSON.parse for any reply), and the per-lane hex bodies laid out ahead of time
 * (every run of a lane's txs is the same body the plain hex encoding gives).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { broadcastCodes } from '../../../src/client/http.js';
import { encodeLanes } from '../../../src/client/load.js';

const row = fc.record({
  code: fc.integer({ min: -5, max: 1 << 20 }),
  hash: fc.stringMatching(/^[0-9A-F]{64}$/),
  log: fc.string(),
  data: fc.string(),
  ok: fc.boolean(),
});

describe('cli/load: broadcastCodes', () => {
  it('equals the codes JSON.parse gives, whatever log and data hold', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 30 }), fc.boolean(), (rows, withHeight) => {
        const body = JSON.stringify(rows.map((r) => (withHeight ? { ...r, height: '7' } : r)));
        assert.deepEqual(broadcastCodes(body, rows.length), rows.map((r) => r.code));
      }),
    );
  });

  it('a log that mimics a row does not fool it', () => {
    const rows = [{ code: 0, hash: 'A', log: '{"code":5}', data: '', ok: true }, { code: 65540, hash: 'B', log: 'x"},{"code":9', data: '{"code":1,', ok: false }];
    assert.deepEqual(broadcastCodes(JSON.stringify(rows), 2), [0, 65540]);
  });

  it('falls back to JSON.parse for another key order or a count mismatch', () => {
    assert.deepEqual(broadcastCodes('[{"hash":"A","code":3},{"ok":true,"code":0}]', 2), [3, 0]);
    assert.deepEqual(broadcastCodes('[{"code":3,"hash":"A"}]', 2), [3]);
    assert.deepEqual(broadcastCodes(' [ {"code" : 4} ]', 1), [4]);
    assert.throws(() => broadcastCodes('{"code":1}', 1));
    assert.throws(() => broadcastCodes('not json', 1), SyntaxError);
  });
});

describe('cli/load: encodeLanes', () => {
  it('each lane holds its txs in order; any run is the joined hex lines', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 13 }), (txs, laneCount, accounts) => {
        const laneOf = (k: number): number => (k % accounts) % laneCount;
        const lanes = encodeLanes(txs, laneCount, laneOf);
        assert.equal(lanes.length, laneCount);
        const seen: number[] = [];
        lanes.forEach((lane, l) => {
          const expect = txs.map((_, k) => k).filter((k) => laneOf(k) === l);
          assert.deepEqual(Array.from(lane.txs), expect);
          seen.push(...expect);
          assert.equal(lane.start[0], 0);
          assert.equal(lane.start[lane.txs.length], lane.buf.length);
          for (let a = 0; a < lane.txs.length; a++)
            for (let b = a + 1; b <= lane.txs.length; b++) {
              const body = lane.buf.subarray(lane.start[a]!, lane.start[b]!).toString('latin1');
              const want = expect.slice(a, b).map((k) => Buffer.from(txs[k]!).toString('hex') + '\n').join('');
              assert.equal(body, want);
            }
        });
        assert.equal(seen.length, txs.length);
      }),
      { numRuns: 60 },
    );
  });
});
