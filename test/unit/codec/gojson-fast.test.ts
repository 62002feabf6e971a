import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { goJsonString, sortedJson } from '../../../src/codec/gojson.js';

const utf8 = new TextEncoder();
function byteCompare(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

describe('Go JSON fast paths', () => {
  it('goJsonString reads back as the input and never carries <, >, &, U+2028/9 or controls raw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 40 }), (u, a) => {
        for (const s of [u, a, `${a}<${u}>&\u2028\n`]) {
          const j = goJsonString(s);
          assert.equal(JSON.parse(j), s);
          assert.ok(!/[<>&\u2028\u2029\u0000-\u001f]/.test(j.slice(1, -1)), j);
        }
      }),
    );
  });

  it('lone surrogates become U+FFFD on both paths', () => {
    assert.equal(goJsonString('a\ud800b'), '"a\\ufffdb"');
    assert.equal(goJsonString('plain'), '"plain"');
  });

  it('sortedJson orders keys by UTF-8 bytes, ASCII or not', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'grapheme', maxLength: 6 }), { maxLength: 8 }), fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 8 }), (ks1, ks2) => {
        for (const ks of [ks1, ks2]) {
          const obj = Object.fromEntries(ks.map((k, i) => [k, i]));
          const parsed = Object.keys(JSON.parse(sortedJson(obj)));
          const text = sortedJson(obj);
          const order = [...ks].sort(byteCompare);
          // keys appear in the text in byte order
          let at = 0;
          for (const k of order) {
            const pos = text.indexOf(goJsonString(k) + ':', at);
            assert.ok(pos >= at, `key ${JSON.stringify(k)} out of order in ${text}`);
            at = pos + 1;
          }
          assert.equal(parsed.length, ks.length);
        }
      }),
    );
  });
});
