import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeBlock } from '../../../src/consensus/block.js';
import { crc32, crc32Table, decodeWalEntry, encodeWalEntry } from '../../../src/consensus/wal.js';
import { key, makeBlock, signedProposal } from './helpers.js';

describe('consensus/wal: logging a proposal from the bytes received', () => {
  it('the frame with blockBytes is byte-identical to the one that encodes the block', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), fc.boolean(), (txs, own) => {
        const k = key(0);
        const block = makeBlock(2, k.address, txs);
        const proposal = signedProposal(k, 2, 0, -1, block);
        const plain = encodeWalEntry({ kind: 'proposal', own, proposal, block });
        const reused = encodeWalEntry({ kind: 'proposal', own, proposal, block, blockBytes: encodeBlock(block) });
        assert.deepEqual(Buffer.from(reused), Buffer.from(plain));
        assert.deepEqual(decodeWalEntry(reused), { kind: 'proposal', own, proposal, block });
      }),
      { numRuns: 100 },
    );
  });

  it('crc32 (zlib when present) equals the table-driven CRC-32', () => {
    assert.equal(crc32Table(new TextEncoder().encode('123456789')), 0xcbf43926);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (b) => {
        assert.equal(crc32(b), crc32Table(b));
      }),
      { numRuns: 300 },
    );
  });
});
