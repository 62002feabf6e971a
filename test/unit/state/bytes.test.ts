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
