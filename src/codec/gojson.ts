/**
 * JSON as Go's encoding/json writes it after cosmos `MustSortJSON`: object keys sorted by byte
 * order, no whitespace, HTML-safe escaping. Integers are `bigint` so values above 2^53 are
 * printed verbatim (the post-FixSignBytesOverflow behaviour).
 */

export type JsonValue = null | boolean | string | number | bigint | JsonValue[] | { [key: string]: JsonValue };

const HEX = '0123456789abcdef';
const utf8 = new TextEncoder();

/**
 * A Go JSON string literal. Go escapes `<`, `>`, `&`, U+2028, U+2029 and all control characters
 * as \u00XX except \n \r \t (the chain's Go predates the \b \f short forms); invalid UTF-16
 * (lone surrogates) becomes U+FFFD as Go does for invalid UTF-8.
 */
/** Characters a Go JSON string cannot carry verbatim (everything else is copied as is). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;

export function goJsonString(s: string): string {
  // Sign bytes are built for every signature checked: most strings (addresses, symbols, ids,
  // chain ids) need no escaping, and one regex test is far cheaper than a per-char walk.
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += '\\ufffd';
      }
      continue;
    }
    switch (c) {
      case 0x22: out += '\\"'; continue;
      case 0x5c: out += '\\\\'; continue;
      case 0x0a: out += '\\n'; continue;
      case 0x0d: out += '\\r'; continue;
      case 0x09: out += '\\t'; continue;
    }
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += '\\u' + HEX[(c >> 12) & 15] + HEX[(c >> 8) & 15] + HEX[(c >> 4) & 15] + HEX[c & 15];
      continue;
    }
    out += s[i];
  }
  return out + '"';
}

const NON_ASCII = /[^\u0000-\u007f]/;
function isAscii(k: string): boolean {
  return !NON_ASCII.test(k);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Serialises with keys sorted recursively (UTF-8 byte order, as Go sorts map keys). */
export function sortedJson(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return goJsonString(value);
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`sortedJson: ${value} is not a safe integer; use bigint`);
      return String(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + sortedJson(value[i]!);
    return out + ']';
  }
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  // For ASCII keys (all keys of the chain's messages) UTF-16 order is UTF-8 byte order.
  if (keys.every(isAscii)) keys.sort();
  else keys.sort((x, y) => compareBytes(utf8.encode(x), utf8.encode(y)));
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += (i > 0 ? ',' : '') + goJsonString(keys[i]!) + ':' + sortedJson(value[keys[i]!]!);
  return out + '}';
}
