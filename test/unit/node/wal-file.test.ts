import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalFile, walReplayEntries } from '../../../src/node/wal-file.js';
import type { WalEntry } from '../../../src/consensus/wal.js';

const tmo = (height: number, round: number): WalEntry => ({ kind: 'timeout', height, round, step: 'propose' });

describe('WalFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dexchain-wal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what was written, across reopen', () => {
    const w = WalFile.open(dir);
    w.write(tmo(1, 0), false);
    w.write(tmo(1, 1), true);
    w.endHeight(1);
    w.write(tmo(2, 0), true);
    w.close();
    const r = WalFile.open(dir);
    assert.deepEqual(r.entries, [tmo(1, 0), tmo(1, 1), { kind: 'end_height', height: 1 }, tmo(2, 0)]);
    assert.equal(r.report.truncatedBytes, 0);
    assert.deepEqual(walReplayEntries(r.entries, 2), [tmo(2, 0)]);
    r.close();
  });

  it('cuts a torn tail on open, and appends after the last intact frame', () => {
    const w = WalFile.open(dir);
    w.write(tmo(3, 0), true);
    w.write(tmo(3, 1), true);
    w.close();
    const seg = join(dir, readdirSync(dir)[0]!);
    const full = statSync(seg).size;
    truncateSync(seg, full - 3); // the second frame is torn
    appendFileSync(seg, Buffer.from([1, 2]));
    const r = WalFile.open(dir);
    assert.deepEqual(r.entries, [tmo(3, 0)]);
    assert.ok(r.report.truncatedBytes > 0);
    assert.ok(r.report.error);
    r.write(tmo(3, 2), true);
    r.close();
    const again = WalFile.open(dir);
    assert.deepEqual(again.entries, [tmo(3, 0), tmo(3, 2)]);
    again.close();
  });

  it('replays from the last end_height below the height even if the marker of height-1 is missing', () => {
    const e: WalEntry[] = [tmo(4, 0), { kind: 'end_height', height: 4 }, tmo(5, 0), tmo(5, 1)];
    assert.deepEqual(walReplayEntries(e, 6), [tmo(5, 0), tmo(5, 1)]);
    assert.deepEqual(walReplayEntries(e, 5), [tmo(5, 0), tmo(5, 1)]);
  });

  it('rotates at end_height past the size limit and prunes old segments, keeping what replay needs', () => {
    const w = WalFile.open(dir, { maxSegmentBytes: 200, keepSegments: 2 });
    for (let h = 1; h <= 30; h++) {
      for (let r = 0; r < 3; r++) w.write(tmo(h, r), r === 2);
      w.endHeight(h);
    }
    w.write(tmo(31, 0), true);
    w.close();
    assert.ok(readdirSync(dir).length <= 2, `segments: ${readdirSync(dir).join(',')}`);
    const r = WalFile.open(dir);
    assert.deepEqual(walReplayEntries(r.entries, 31), [tmo(31, 0)]);
    assert.ok(r.entries.length < 31 * 4, 'old entries pruned');
    r.close();
  });
});
