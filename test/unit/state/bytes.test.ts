import assert from 'node:assert/strict';
import { prefixEnd, bigintToBytes8BE, bytes8BEToBigint, concatBytes, utf8, compareBytes } from '../../../src/state/index.js';

describe('state/bytes', () => {
  it('prefixEnd is the exclusive upper bound of a prefix', () => {
    assert.deepEqual(prefixEnd(Uint8Array.of(1, 2, 3)), Uint8Array.of(1, 2, 4));
    assert.deepEqual(prefixEnd(Uint8Array.of(1, 0xff, 0xff)), Uint8Array.of(2));
    assert.equal(prefixEnd(Uint8Array.of(0xff, 0xff)), undefined);
    assert.equal(prefixEnd(new Uint8Array(0)), undefined);
  });

  it('8-byte big-endian heights sort numerically', () => {
    const hs = [0n, 1n, 255n, 256n, 65535n, 1n << 40n, (1n << 64n) - 1n];
    for (const h of hs) assert.equal(bytes8BEToBigint(bigintToBytes8BE(h)), h);
    for (let i = 1; i < hs.length; i++) assert.ok(compareBytes(bigintToBytes8BE(hs[i - 1]), bigintToBytes8BE(hs[i])) < 0);
    assert.throws(() => bigintToBytes8BE(-1n), RangeError);
    assert.throws(() => bigintToBytes8BE(1n << 64n), RangeError);
  });

  it('concatBytes and utf8', () => {
    assert.deepEqual(concatBytes(utf8('ab'), Uint8Array.of(0), utf8('c')), Uint8Array.of(97, 98, 0, 99));
  });
});

describe('bigintToBytes8BE against DataView', () => {
  it('matches setBigUint64 for every uint64 and safe integer, and refuses the rest', async () => {
    const fc = (await import('fast-check')).default;
    const { bigintToBytes8BE: enc8, bytes8BEToBigint: dec8 } = await import('../../../src/state/bytes.js');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (x) => {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, x);
        assert.deepEqual(enc8(x), b);
        assert.equal(dec8(enc8(x)), x);
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.maxSafeNat(), (n) => assert.equal(dec8(enc8(n)), BigInt(n))));
    assert.throws(() => enc8(-1), RangeError);
    assert.throws(() => enc8(1.5), RangeError);
    assert.throws(() => enc8(1n << 64n), RangeError);
    assert.throws(() => enc8(-1n), RangeError);
  });
});

describe('utf8 fast path', () => {
  it('equals TextEncoder for any string, short or long, ASCII or not', async () => {
    const fc = (await import('fast-check')).default;
    const te = new TextEncoder();
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 80 })), (s) => assert.deepEqual(utf8(s), te.encode(s))));
  });
});
