/**
 * `data/priv_validator_state.json`: the last (height, round, step) the validator signed, with the
 * sign bytes and signature (CometBFT `FilePVLastSignState`). The GuardedSigner calls `save`
 * before it releases a signature, so the state must be durable when `save` returns.
 *
 * Format. The file is two fixed-size slots (`SLOT_BYTES` each), one record per slot:
 *
 *   magic "dxpvs01\n" | seq u64 | height u64 | round u64 | step u32 | sig len u16 |
 *   sign bytes len u16 | signature | sign bytes | zero padding | crc32 of all before it (u32)
 *
 * (little endian). Save n writes slot n mod 2 in place with the next `seq` and `fdatasync`s it:
 * one write and one flush of one block per signature, where the JSON format needed a new file,
 * its fsync, a rename and a directory fsync. The file keeps its historical `.json` name (the
 * path comes from the config); its content is binary since the first save by this version.
 *
 * Why this is as safe as the atomic rename (the double-sign argument):
 * - A save returns only after `fdatasync` of its slot. The file's size never changes after it
 *   is created, so the data flush is enough: no metadata is needed to read the slot back.
 * - Saves are strictly sequential, so at most one slot is being written at any time, and the
 *   other slot holds the previous durable state.
 * - A crash during a save can leave that slot torn; its crc32 then fails and the loader takes
 *   the other slot: the state before this save. That is safe because a save that did not
 *   return never released its signature (GuardedSigner persists before returning it).
 * - Otherwise the loader takes the valid slot with the higher `seq`: the last completed save.
 * - No valid slot at all (or a wrong size) is not a crash outcome but damage: the loader
 *   refuses, as it refuses unparsable JSON, instead of signing from a blank state.
 * Bit rot of the newest slot after its save completed would make the loader fall back one save
 * (as a corrupted JSON file would need operator action); disks are trusted not to do that.
 *
 * Upgrade: a file in the previous JSON format (or no file) is read as before; the first save
 * then replaces it with the two-slot file the old way (temporary file, fsync, rename, directory
 * fsync), so no crash leaves neither format readable. Every later save is in place.
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from '../consensus/wal.js';
import { INITIAL_SIGNER_STATE, type SignerStateData } from '../consensus/signer.js';

/** Bytes per slot: records are ~250 bytes (sign bytes grow with the chain id). */
export const SLOT_BYTES = 1024;
const FILE_BYTES = 2 * SLOT_BYTES;
const MAGIC = Buffer.from('dxpvs01\n', 'latin1');
const FIXED = 8 + 8 + 8 + 8 + 4 + 2 + 2;
const CRC_AT = SLOT_BYTES - 4;
/** Longest signature + sign bytes a slot holds. */
export const MAX_RECORD_PAYLOAD = CRC_AT - FIXED;

interface StateJson {
  height: string;
  round: number;
  step: number;
  signature?: string;
  signbytes?: string;
}

interface Slot {
  seq: number;
  state: SignerStateData;
}

function putU64(b: Buffer, at: number, v: number): void {
  b.writeUInt32LE(v % 0x1_0000_0000, at);
  b.writeUInt32LE(Math.floor(v / 0x1_0000_0000), at + 4);
}

function getU64(b: Buffer, at: number): number {
  return b.readUInt32LE(at) + b.readUInt32LE(at + 4) * 0x1_0000_0000;
}

function checkState(s: SignerStateData): void {
  for (const [k, v] of [['height', s.height], ['round', s.round], ['step', s.step]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`signer state: ${k} ${v} is not a non-negative safe integer`);
  }
  if (s.step > 0xffff_ffff) throw new Error(`signer state: step ${s.step} out of range`);
  if (s.signature.length + s.signBytes.length > MAX_RECORD_PAYLOAD) {
    throw new Error(`signer state: signature and sign bytes (${s.signature.length + s.signBytes.length} bytes) exceed a slot (${MAX_RECORD_PAYLOAD})`);
  }
}

/** One slot's bytes for `s` written as save number `seq`. */
export function encodeSlot(seq: number, s: SignerStateData): Buffer {
  checkState(s);
  const b = Buffer.alloc(SLOT_BYTES);
  MAGIC.copy(b, 0);
  putU64(b, 8, seq);
  putU64(b, 16, s.height);
  putU64(b, 24, s.round);
  b.writeUInt32LE(s.step, 32);
  b.writeUInt16LE(s.signature.length, 36);
  b.writeUInt16LE(s.signBytes.length, 38);
  b.set(s.signature, FIXED);
  b.set(s.signBytes, FIXED + s.signature.length);
  b.writeUInt32LE(crc32(b.subarray(0, CRC_AT)), CRC_AT);
  return b;
}

/** The record in one slot, or undefined if the slot is torn, blank or damaged. */
function decodeSlot(b: Buffer): Slot | undefined {
  if (b.length !== SLOT_BYTES || !b.subarray(0, 8).equals(MAGIC)) return undefined;
  if (crc32(b.subarray(0, CRC_AT)) !== b.readUInt32LE(CRC_AT)) return undefined;
  const sigLen = b.readUInt16LE(36);
  const sbLen = b.readUInt16LE(38);
  if (sigLen + sbLen > MAX_RECORD_PAYLOAD) return undefined;
  const seq = getU64(b, 8);
  const height = getU64(b, 16);
  const round = getU64(b, 24);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(height) || !Number.isSafeInteger(round)) return undefined;
  return {
    seq,
    state: {
      height,
      round,
      step: b.readUInt32LE(32),
      signature: new Uint8Array(b.subarray(FIXED, FIXED + sigLen)),
      signBytes: new Uint8Array(b.subarray(FIXED + sigLen, FIXED + sigLen + sbLen)),
    },
  };
}

/**
 * Whether `buf` is in the slot format: either slot starts with the magic. A save tears at most
 * one slot and the other one always holds a record (slot 1 is blank only right after the file
 * was created whole, and the next save writes slot 1, not 0), so a torn slot 0 cannot make the
 * file look like JSON. A JSON file starts with `{`, never with the magic.
 */
function isSlotFile(buf: Buffer): boolean {
  const has = (at: number): boolean => buf.length >= at + MAGIC.length && buf.subarray(at, at + MAGIC.length).equals(MAGIC);
  return has(0) || has(SLOT_BYTES);
}

/** The state and `seq` of the newest valid slot; throws when neither is valid. */
function readSlotFile(path: string, buf: Buffer): Slot {
  if (buf.length !== FILE_BYTES) {
    throw new Error(`signer state ${path} is damaged: ${buf.length} bytes, expected ${FILE_BYTES}; restore it or remove it only if this validator never signed`);
  }
  const a = decodeSlot(buf.subarray(0, SLOT_BYTES));
  const b = decodeSlot(buf.subarray(SLOT_BYTES));
  if (!a && !b) throw new Error(`signer state ${path} is corrupt: no slot passes its checksum; restore it or remove it only if this validator never signed`);
  if (!a) return b!;
  if (!b) return a;
  return a.seq >= b.seq ? a : b;
}

function readJson(path: string, text: string): SignerStateData {
  let j: StateJson;
  try {
    j = JSON.parse(text) as StateJson;
  } catch (e) {
    // Refuse to guess: signing from a blank state could double-sign.
    throw new Error(`cannot parse signer state ${path}: ${(e as Error).message}; restore it or remove it only if this validator never signed`);
  }
  const height = Number(j?.height);
  if (!Number.isSafeInteger(height) || height < 0 || !Number.isSafeInteger(j.round) || j.round < 0 || !Number.isSafeInteger(j.step)) {
    throw new Error(`signer state ${path} has invalid fields`);
  }
  return {
    height,
    round: j.round,
    step: j.step,
    signature: new Uint8Array(Buffer.from(j.signature ?? '', 'base64')),
    signBytes: new Uint8Array(Buffer.from(j.signbytes ?? '', 'hex')),
  };
}

function fsyncDir(dir: string): void {
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* directory fsync unsupported: rename is still atomic */
  }
}

/** Writes all of `data` at `position`. */
function writeAll(fd: number, data: Uint8Array, position: number): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off, position + off);
}

/**
 * An open signer state file: `state` as loaded; `save` is durable when it returns. Keeps the
 * file descriptor open between saves.
 */
export class SignerStateFile {
  private fd: number | undefined;
  private constructor(
    readonly path: string,
    private current: SignerStateData,
    /** seq of the newest slot; -1 while the file is absent or still JSON. */
    private seq: number,
  ) {}

  static open(path: string): SignerStateFile {
    if (!existsSync(path)) return new SignerStateFile(path, INITIAL_SIGNER_STATE, -1);
    const buf = readFileSync(path);
    if (isSlotFile(buf)) {
      const s = readSlotFile(path, buf);
      const f = new SignerStateFile(path, s.state, s.seq);
      f.fd = openSync(path, 'r+');
      return f;
    }
    return new SignerStateFile(path, readJson(path, buf.toString('utf8')), -1);
  }

  /** A handle whose first save replaces the file at `path` whatever it holds. */
  static replacing(path: string): SignerStateFile {
    return new SignerStateFile(path, INITIAL_SIGNER_STATE, -1);
  }

  get state(): SignerStateData {
    return this.current;
  }

  save(s: SignerStateData): void {
    const seq = this.seq + 1;
    if (this.fd === undefined) {
      this.create(encodeSlot(seq, s));
    } else {
      writeAll(this.fd, encodeSlot(seq, s), (seq % 2) * SLOT_BYTES);
      fdatasyncSync(this.fd);
    }
    this.seq = seq;
    this.current = s;
  }

  /** First save (no file, or the JSON format): the whole file, atomically, with `first` in slot 0. */
  private create(first: Buffer): void {
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true });
    const tmp = `${this.path}.tmp`;
    const data = Buffer.alloc(FILE_BYTES);
    first.copy(data, 0);
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeAll(fd, data, 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    fsyncDir(dir);
    this.fd = openSync(this.path, 'r+');
    // The first save is seq 0 in slot 0; the next one goes to slot 1.
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The last signed state at `path` (either format); blank if the file does not exist. */
export function loadSignerState(path: string): SignerStateData {
  const f = SignerStateFile.open(path);
  f.close();
  return f.state;
}

/**
 * One durable save (opens and closes the file; the engine keeps a `SignerStateFile` open
 * instead). Like the JSON version it replaces whatever is there, a damaged file included.
 */
export function saveSignerState(path: string, s: SignerStateData): void {
  let f: SignerStateFile;
  try {
    f = SignerStateFile.open(path);
  } catch {
    f = SignerStateFile.replacing(path);
  }
  try {
    f.save(s);
  } finally {
    f.close();
  }
}
