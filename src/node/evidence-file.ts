/**
 * `data/evidence.bin`: the evidence pool's pending items, so evidence of a double-signing
 * validator survives a restart of the node that holds it (until a block carries it, this node
 * may be the only one that saw both votes).
 *
 * Format (little endian): magic "dxevd01\n" | count u32 | per item: length u32, amino-free
 * protobuf bytes of `encodeEvidence` | crc32 of all before it (u32).
 *
 * Saves replace the file atomically (temporary file, fsync, rename, directory fsync), so a crash
 * leaves either the old list or the new one. Evidence changes rarely (a duplicate vote seen, or
 * a block carrying it), so a full rewrite per change costs nothing on the hot path.
 *
 * A file that fails its checksum or does not decode is set aside as `evidence.bin.bad` and the
 * pool starts empty: losing pending evidence is the situation before this file existed (peers
 * gossip theirs), while refusing to start would stop a validator over a best-effort list.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeEvidence, encodeEvidence } from '../consensus/block.js';
import { crc32 } from '../consensus/wal.js';
import type { DuplicateVoteEvidence } from '../consensus/types.js';

const MAGIC = Buffer.from('dxevd01\n', 'latin1');

export function encodeEvidenceFile(evs: readonly DuplicateVoteEvidence[]): Buffer {
  const items = evs.map((e) => encodeEvidence(e));
  const size = MAGIC.length + 4 + items.reduce((n, b) => n + 4 + b.length, 0) + 4;
  const out = Buffer.alloc(size);
  MAGIC.copy(out, 0);
  let at = MAGIC.length;
  out.writeUInt32LE(items.length, at);
  at += 4;
  for (const b of items) {
    out.writeUInt32LE(b.length, at);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  out.writeUInt32LE(crc32(out.subarray(0, at)), at);
  return out;
}

/** The items of an evidence file; throws with the reason when the bytes are not one. */
export function decodeEvidenceFile(buf: Uint8Array): DuplicateVoteEvidence[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < MAGIC.length + 8 || !b.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not an evidence file (bad magic or too short)');
  const end = b.length - 4;
  if (crc32(b.subarray(0, end)) !== b.readUInt32LE(end)) throw new Error('evidence file checksum mismatch');
  const count = b.readUInt32LE(MAGIC.length);
  let at = MAGIC.length + 4;
  const out: DuplicateVoteEvidence[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 4 > end) throw new Error(`evidence file truncated at item ${i}`);
    const len = b.readUInt32LE(at);
    if (at + 4 + len > end) throw new Error(`evidence file truncated at item ${i}`);
    out.push(decodeEvidence(b.subarray(at + 4, at + 4 + len)));
    at += 4 + len;
  }
  if (at !== end) throw new Error('evidence file has trailing bytes');
  return out;
}

export interface EvidenceFileLoad {
  evidence: DuplicateVoteEvidence[];
  /** Set when the file was damaged and moved aside: the reason. */
  discarded?: string;
}

export class EvidenceFile {
  constructor(readonly path: string) {}

  load(): EvidenceFileLoad {
    if (!existsSync(this.path)) return { evidence: [] };
    try {
      return { evidence: decodeEvidenceFile(readFileSync(this.path)) };
    } catch (e) {
      renameSync(this.path, this.path + '.bad');
      return { evidence: [], discarded: (e as Error).message };
    }
  }

  save(evs: readonly DuplicateVoteEvidence[]): void {
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true });
    const tmp = this.path + '.tmp';
    const fd = openSync(tmp, 'w');
    try {
      const bytes = encodeEvidenceFile(evs);
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }
}
