import assert from 'node:assert/strict';
import { steadyRate } from '../../../src/client/load.js';

describe('load generator: steady commit rate', () => {
  const marks = [
    { at: 1000, committed: 100 },
    { at: 2000, committed: 1100 },
    { at: 3000, committed: 2100 },
    { at: 4000, committed: 2600 },
    { at: 9000, committed: 3000 },
  ];
  it('counts the txs committed between the first mark after the warm-up and the last before the send end', () => {
    assert.equal(steadyRate(marks, 1500, 4500), (2600 - 1100) / 2);
    assert.equal(steadyRate(marks, 2000, 3000), 1000);
  });
  it('ignores blocks arriving after the generator stopped sending (the drain)', () => {
    assert.equal(steadyRate(marks, 1000, 8999), 2500 / 3);
  });
  it('declines a window shorter than a second', () => {
    assert.equal(steadyRate(marks, 2500, 3500), undefined);
    assert.equal(steadyRate([], 0, 10_000), undefined);
    assert.equal(steadyRate(marks, 9500, 20_000), undefined);
  });
});
