/**
 * The shared record buffer (`RecordBuffer`) under the block store's `BytesWriter`: records
 * written back to back through growth (a tiny first buffer, records larger than it) equal
 * their plain concatenation, and every record handed out stays intact while more are written.
 * (The DEX record writer's slab roll-over is checked in hot-paths.test.ts.)
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BytesReader, BytesWriter } from '../../../../src/store/bytes-writer.js';

type Field = { t: 'u8'; v: number } | { t: 'u32'; v: number } | { t: 'u64'; v: number } | { t: 'bytes'; v: Uint8Array } | { t: 'str'; v: string };

const fieldArb: fc.Arbitrary<Field> = fc.oneof(
  fc.record({ t: fc.constant('u8' as const), v: fc.nat({ max: 255 }) }),
  fc.record({ t: fc.constant('u32' as const), v: fc.nat({ max: 0xffffffff }) }),
  fc.record({ t: fc.constant('u64' as const), v: fc.nat({ max: Number.MAX_SAFE_INTEGER }) }),
  fc.record({ t: fc.constant('bytes' as const), v: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ t: fc.constant('str' as const), v: fc.string({ maxLength: 120, unit: 'grapheme' }) }),
);

/** The plain definition of each field's bytes. */
function plain(f: Field): Uint8Array {
  const b = Buffer.alloc(f.t === 'u8' ? 1 : f.t === 'u32' ? 4 : 8);
  switch (f.t) {
    case 'u8':
      b[0] = f.v;
      return b;
    case 'u32':
      b.writeUInt32BE(f.v);
      return b;
    case 'u64':
      b.writeBigUInt64BE(BigInt(f.v));
      return b;
    case 'bytes':
      return f.v;
    case 'str': {
      const s = Buffer.from(f.v, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(s.length);
      return Buffer.concat([len, s]);
    }
  }
}

describe('record buffer (BytesWriter)', () => {
  it('records equal their plain bytes through growth, and stay intact while more are written', () => {
    fc.assert(
      fc.property(fc.nat({ max: 200 }), fc.array(fc.array(fieldArb, { maxLength: 12 }), { minLength: 1, maxLength: 40 }), (capacity, records) => {
        const w = new BytesWriter(capacity);
        const out: Uint8Array[] = [];
        const want: Buffer[] = [];
        for (const fields of records) {
          w.begin();
          for (const f of fields) {
            if (f.t === 'u8') w.u8(f.v);
            else if (f.t === 'u32') w.u32(f.v);
            else if (f.t === 'u64') w.u64(f.v);
            else if (f.t === 'bytes') w.bytes(f.v);
            else w.str(f.v);
          }
          out.push(w.end());
          want.push(Buffer.concat(fields.map(plain)));
        }
        for (let i = 0; i < out.length; i++) assert.deepEqual(Buffer.from(out[i]!), want[i], `record ${i}`);
        // and they read back
        const last = records[records.length - 1]!;
        const r = new BytesReader(out[out.length - 1]!);
        for (const f of last) {
          if (f.t === 'u32') assert.equal(r.u32(), f.v);
          else if (f.t === 'u64') assert.equal(r.u64(), f.v);
          else if (f.t === 'str') assert.equal(r.str(), Buffer.from(f.v, 'utf8').toString('utf8'));
          else if (f.t === 'bytes') assert.deepEqual(r.bytes(f.v.length), f.v);
          else r.bytes(1);
        }
        assert.ok(r.done);
      }),
      { numRuns: 300 },
    );
  });
});
