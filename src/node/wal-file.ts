/**
 * The consensus write-ahead log on disk (`data/cs.wal/`): append-only segment files of framed
 * entries (framing and CRC in `consensus/wal.ts`).
 *
 * - `write(entry, sync)` appends with a synchronous write and, for `sync` entries (our own
 *   votes and proposals), fsyncs before returning. The engine performs the core's actions in
 *   order, so an own message is durable before the broadcast that follows it.
 * - On open, a torn or corrupt tail of the last segment (a crash in the middle of a write) is
 *   cut off, so later appends follow the last intact frame.
 * - Segments rotate at an `end_height` boundary once the current one exceeds `maxSegmentBytes`;
 *   replay only ever needs entries after the last `end_height`, so all but the newest
 *   `keepSegments` segments are deleted.
 *
 * Synchronous I/O on purpose: the engine's event loop must not handle another input between
 * logging a message and acting on it, exactly as CometBFT's receiveRoutine.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWalFrames, encodeWalEntry, type WalEntry } from '../consensus/wal.js';

export interface WalFileOptions {
  /** Rotate after an end_height once the segment is this big (default 16 MiB). */
  maxSegmentBytes?: number;
  /** Segments kept after a rotation, newest included (default 2). */
  keepSegments?: number;
}

export interface WalOpenReport {
  segments: number;
  entries: number;
  /** Bytes cut from a torn tail (0 if none). */
  truncatedBytes: number;
  error?: string;
}

const SEGMENT_RE = /^wal\.(\d{8})$/;

function segmentName(seq: number): string {
  return `wal.${String(seq).padStart(8, '0')}`;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* some filesystems refuse fsync on directories; the rename/creation is still ordered */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export class WalFile {
  private fd: number;
  private seq: number;
  private size: number;
  private readonly maxSegmentBytes: number;
  private readonly keepSegments: number;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly entries: WalEntry[],
    readonly report: WalOpenReport,
    seq: number,
    opts: WalFileOptions,
  ) {
    this.seq = seq;
    this.maxSegmentBytes = opts.maxSegmentBytes ?? 16 * 1024 * 1024;
    this.keepSegments = Math.max(1, opts.keepSegments ?? 2);
    const path = join(dir, segmentName(seq));
    const created = !existsSync(path);
    this.fd = openSync(path, 'a');
    if (created) fsyncDir(dir);
    this.size = fstatSync(this.fd).size;
  }

  /** Opens (creating if needed) the WAL in `dir`, reads every entry and repairs a torn tail. */
  static open(dir: string, opts: WalFileOptions = {}): WalFile {
    mkdirSync(dir, { recursive: true });
    const seqs = WalFile.segments(dir);
    const entries: WalEntry[] = [];
    let truncatedBytes = 0;
    let error: string | undefined;
    for (let i = 0; i < seqs.length; i++) {
      const path = join(dir, segmentName(seqs[i]!));
      const buf = new Uint8Array(readFileSync(path));
      const r = decodeWalFrames(buf);
      entries.push(...r.entries);
      if (r.validLength < buf.length) {
        error = `${segmentName(seqs[i]!)}: ${r.error ?? 'corrupt'}`;
        if (i === seqs.length - 1) {
          const fd = openSync(path, 'r+');
          try {
            ftruncateSync(fd, r.validLength);
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
          truncatedBytes = buf.length - r.validLength;
        } else {
          // A damaged older segment: what follows it cannot be trusted to be contiguous.
          break;
        }
      }
    }
    const seq = seqs.length ? seqs[seqs.length - 1]! : 0;
    const report: WalOpenReport = { segments: Math.max(1, seqs.length), entries: entries.length, truncatedBytes };
    if (error) report.error = error;
    return new WalFile(dir, entries, report, seq, opts);
  }

  private static segments(dir: string): number[] {
    return readdirSync(dir)
      .map((n) => SEGMENT_RE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** Appends one entry; with `sync` it is on disk when this returns. */
  write(entry: WalEntry, sync: boolean): void {
    if (this.closed) throw new Error('WAL is closed');
    const frame = encodeWalEntry(entry);
    let off = 0;
    while (off < frame.length) off += writeSync(this.fd, frame, off, frame.length - off);
    this.size += frame.length;
    if (sync) fsyncSync(this.fd);
  }

  /** Marks `height` as saved and applied (fsynced), then rotates/prunes if the segment is big. */
  endHeight(height: number): void {
    this.write({ kind: 'end_height', height }, true);
    if (this.size >= this.maxSegmentBytes) this.rotate();
  }

  private rotate(): void {
    closeSync(this.fd);
    this.seq++;
    this.fd = openSync(join(this.dir, segmentName(this.seq)), 'a');
    this.size = 0;
    fsyncDir(this.dir);
    const seqs = WalFile.segments(this.dir);
    for (const s of seqs.slice(0, Math.max(0, seqs.length - this.keepSegments))) {
      try {
        unlinkSync(join(this.dir, segmentName(s)));
      } catch {
        /* already gone */
      }
    }
  }

  /** Current segment number (tests, logs). */
  get segment(): number {
    return this.seq;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }
}

/**
 * Entries to feed back after a restart at `height`: those after the last `end_height` below
 * `height`. Unlike `entriesToReplay` it also bounds the replay when the marker of `height-1`
 * is missing (crash between saving a block and logging its end).
 */
export function walReplayEntries(entries: readonly WalEntry[], height: number): WalEntry[] {
  let start = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.kind === 'end_height' && e.height < height) start = i + 1;
  }
  return entries.slice(start).filter((e) => e.kind !== 'end_height');
}
