/**
 * Write-ahead-log entries and their framing (pure part; file I/O lives in the node).
 *
 * The WAL holds every input the core accepted for the current height (peer proposals and votes,
 * timeouts, synced commits) and the core's own proposals/votes, which must be written (fsync)
 * BEFORE they are broadcast. After a crash the node starts the core at its last committed
 * height + 1 and feeds back every entry after the last `end_height` marker for the previous
 * height (see `walEntryToEvent`), which rebuilds the locks; the signer's guard plus the core's
 * "already voted in this round" check make sure nothing is signed twice.
 *
 * Frame: crc32(payload) u32 BE | length u32 BE | payload. A torn or corrupt tail is detected by
 * `decodeWalFrames` and reported as `validLength`, so the node can truncate the file there.
 */
import pb from 'protobufjs/minimal.js';
import { rootError } from '../errors.js';
import { crc32, crc32Table } from '../crypto/crc32.js';
import { decodeBlock, decodeCommit, decodeProposal, decodeVote, encodeBlock, encodeCommit, encodeProposal, encodeVote } from './block.js';
import type { Block, Commit, Proposal, Vote } from './types.js';

export type TimeoutStep = 'new_height' | 'propose' | 'prevote' | 'precommit';
const TIMEOUT_STEPS: readonly TimeoutStep[] = ['new_height', 'propose', 'prevote', 'precommit'];

export type WalEntry =
  | {
      kind: 'proposal';
      own: boolean;
      proposal: Proposal;
      block: Block;
      /**
       * `encodeBlock(block)` when the caller already has it (the bytes a peer sent, which the
       * strict decoder proved canonical): logged as they are instead of re-encoding the block.
       */
      blockBytes?: Uint8Array;
    }
  | { kind: 'vote'; own: boolean; vote: Vote }
  | { kind: 'timeout'; height: number; round: number; step: TimeoutStep }
  | { kind: 'commit_sync'; block: Block; commit: Commit }
  /** Written by the node once block `height` is saved and applied. */
  | { kind: 'end_height'; height: number };

const KIND = { proposal: 1, vote: 2, timeout: 3, commit_sync: 4, end_height: 5 } as const;

/** Frame header size: crc32 + length. */
export const WAL_FRAME_HEADER = 8;
/** Refuse absurd lengths so a corrupt length field cannot make the reader allocate gigabytes. */
export const WAL_MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/** Re-exported for the files that frame their records like the WAL (evidence, signer state). */
export { crc32, crc32Table };

function encodePayload(e: WalEntry): Uint8Array {
  const w = pb.Writer.create();
  w.uint32(8).uint32(KIND[e.kind]);
  switch (e.kind) {
    case 'proposal':
      w.uint32(16).bool(e.own);
      w.uint32(26).bytes(encodeProposal(e.proposal));
      w.uint32(34).bytes(e.blockBytes ?? encodeBlock(e.block));
      break;
    case 'vote':
      w.uint32(16).bool(e.own);
      w.uint32(26).bytes(encodeVote(e.vote));
      break;
    case 'timeout':
      w.uint32(16).int64(e.height).uint32(24).int64(e.round).uint32(32).uint32(TIMEOUT_STEPS.indexOf(e.step));
      break;
    case 'commit_sync':
      w.uint32(26).bytes(encodeBlock(e.block));
      w.uint32(34).bytes(encodeCommit(e.commit));
      break;
    case 'end_height':
      w.uint32(16).int64(e.height);
      break;
  }
  const b = w.finish();
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function decodePayload(buf: Uint8Array): WalEntry {
  const r = pb.Reader.create(buf);
  const fields = new Map<number, unknown>();
  while (r.pos < r.len) {
    const tag = r.uint32();
    const f = tag >>> 3;
    const wt = tag & 7;
    if (wt === 0) fields.set(f, Number(r.int64().toString()));
    else if (wt === 2) fields.set(f, new Uint8Array(r.bytes()));
    else throw rootError('txDecode', `wal entry: bad wire type ${wt}`);
  }
  const num = (f: number): number => {
    const v = fields.get(f);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw rootError('txDecode', `wal entry: field ${f} missing`);
    return v;
  };
  const bytes = (f: number): Uint8Array => {
    const v = fields.get(f);
    if (!(v instanceof Uint8Array)) throw rootError('txDecode', `wal entry: field ${f} missing`);
    return v;
  };
  switch (num(1)) {
    case KIND.proposal:
      return { kind: 'proposal', own: num(2) === 1, proposal: decodeProposal(bytes(3)), block: decodeBlock(bytes(4)) };
    case KIND.vote:
      return { kind: 'vote', own: num(2) === 1, vote: decodeVote(bytes(3)) };
    case KIND.timeout: {
      const step = TIMEOUT_STEPS[num(4)];
      if (!step) throw rootError('txDecode', 'wal entry: bad timeout step');
      return { kind: 'timeout', height: num(2), round: num(3), step };
    }
    case KIND.commit_sync:
      return { kind: 'commit_sync', block: decodeBlock(bytes(3)), commit: decodeCommit(bytes(4)) };
    case KIND.end_height:
      return { kind: 'end_height', height: num(2) };
    default:
      throw rootError('txDecode', 'wal entry: unknown kind');
  }
}

/** One framed entry, ready to append. */
export function encodeWalEntry(e: WalEntry): Uint8Array {
  const payload = encodePayload(e);
  const out = new Uint8Array(WAL_FRAME_HEADER + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, crc32(payload));
  dv.setUint32(4, payload.length);
  out.set(payload, WAL_FRAME_HEADER);
  return out;
}

/** Decodes exactly one framed entry (throws ChainError on any defect). */
export function decodeWalEntry(frame: Uint8Array): WalEntry {
  const res = decodeWalFrames(frame);
  if (res.entries.length !== 1 || res.validLength !== frame.length) throw rootError('txDecode', `wal entry: ${res.error ?? 'not exactly one frame'}`);
  return res.entries[0]!;
}

export interface WalReadResult {
  entries: WalEntry[];
  /** Bytes of intact frames from the start; truncate the file to this length. */
  validLength: number;
  /** Why reading stopped early (torn/corrupt tail), if it did. */
  error?: string;
}

/** Reads frames until the end or the first torn/corrupt one. Never throws. */
export function decodeWalFrames(buf: Uint8Array): WalReadResult {
  const entries: WalEntry[] = [];
  let pos = 0;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (pos < buf.length) {
    if (buf.length - pos < WAL_FRAME_HEADER) return { entries, validLength: pos, error: 'torn frame header' };
    const crc = dv.getUint32(pos);
    const len = dv.getUint32(pos + 4);
    if (len > WAL_MAX_ENTRY_BYTES) return { entries, validLength: pos, error: 'frame length too large' };
    if (buf.length - pos - WAL_FRAME_HEADER < len) return { entries, validLength: pos, error: 'torn frame body' };
    const payload = buf.subarray(pos + WAL_FRAME_HEADER, pos + WAL_FRAME_HEADER + len);
    if (crc32(payload) !== crc) return { entries, validLength: pos, error: 'crc mismatch' };
    try {
      entries.push(decodePayload(payload));
    } catch (e) {
      return { entries, validLength: pos, error: e instanceof Error ? e.message : String(e) };
    }
    pos += WAL_FRAME_HEADER + len;
  }
  return { entries, validLength: pos };
}

/** Entries to replay after a restart at `height`: everything after the `end_height(height-1)` marker. */
export function entriesToReplay(entries: readonly WalEntry[], height: number): WalEntry[] {
  let start = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.kind === 'end_height' && e.height === height - 1) start = i + 1;
  }
  return entries.slice(start).filter((e) => e.kind !== 'end_height');
}
