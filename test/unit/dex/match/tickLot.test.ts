import assert from 'node:assert/strict';
import fc from 'fast-check';
import { calcLotSize, calcTickSize, notional } from '../../../../src/modules/dex/match/index.js';

describe('tick size, lot size, notional (§A.8)', () => {
  it('follows the table of pair.go for every power of ten', () => {
    // price 10^d ⇒ tick 10^max(d-5,0), lot 10^max(13-d,0)
    for (let d = 0; d <= 18; d++) {
      const p = 10n ** BigInt(d);
      assert.equal(calcTickSize(p), 10n ** BigInt(Math.max(d - 5, 0)), `tick @1e${d}`);
      assert.equal(calcLotSize(p), 10n ** BigInt(Math.max(13 - d, 0)), `lot @1e${d}`);
      if (d > 0 && d < 15) {
        // just below a power of ten the digit count is still d-1 (exact below ~1e15)
        assert.equal(calcTickSize(p - 1n), 10n ** BigInt(Math.max(d - 6, 0)), `tick @1e${d}-1`);
        assert.equal(calcLotSize(p - 1n), 10n ** BigInt(Math.max(14 - d, 0)), `lot @1e${d}-1`);
      }
    }
    assert.equal(calcTickSize(100000000n), 1000n);
    assert.equal(calcLotSize(100000000n), 100000n);
    assert.equal(calcTickSize(1000000000n), 10000n);
    assert.equal(calcLotSize(1000000000n), 10000n);
  });

  it('non-positive prices: tick 1, lot 1e13', () => {
    assert.equal(calcTickSize(0n), 1n);
    assert.equal(calcTickSize(-5n), 1n);
    assert.equal(calcLotSize(0n), 10n ** 13n);
  });

  it("reproduces Go's float64 Log10 rounding: 999999999999999 counts as 15 digits", () => {
    assert.equal(calcTickSize(999_999_999_999_999n), 10n ** 10n);
    assert.equal(calcLotSize(999_999_999_999_999n), 1n);
    assert.equal(calcTickSize(999_999_999_999_996n), 10n ** 9n);
  });

  it('notional = floor(p*q/1e8), exact beyond int64 products', () => {
    assert.equal(notional(100000000n, 100000000n), 100000000n);
    assert.equal(notional(1n, 99999999n), 0n);
    assert.equal(notional(150000000n, 3n), 4n);
    const big = (1n << 62n) + 12345n;
    assert.equal(notional(big, 3n * 10n ** 8n), big * 3n);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), (p, q) => {
        const n = notional(p, q);
        assert.ok(n * 100000000n <= p * q && (n + 1n) * 100000000n > p * q);
      }),
    );
  });
});
