/**
 * CRC-32 (IEEE 802.3, as zlib and Go's `crc32.ChecksumIEEE`): the WAL's and state files' record
 * checksums, and the DEX's mini-pair round-robin slot (BEP8).
 */
import * as zlib from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * zlib's native CRC-32 (Node >= 20.15) is an order of magnitude faster than the table loop,
 * which matters because a WAL proposal entry holds the whole block.
 */
const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export function crc32(data: Uint8Array): number {
  return zlibCrc32 ? zlibCrc32(data) : crc32Table(data);
}

/** The table-driven CRC-32 (fallback, and the reference the tests compare zlib's with). */
export function crc32Table(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

