/**
 * Deterministic binary encoding and hashing of consensus data.
 *
 * Encoding: protobuf wire format, every field written in field-number order, including
 * defaults (so each value has exactly one encoding). Decoders are strict: they read fields in
 * that order, reject anything else, and finally re-encode and compare bytes, so a hash of
 * decoded data always equals the hash of the bytes received (no malleability). The block
 * decoder reaches the same guarantee without re-encoding its txs (see `decodeBlock`).
 *
 * Hashes: SHA256 of the canonical header bytes is the block id; tx and evidence roots are
 * RFC 6962 Merkle trees (as CometBFT's `merkle.HashFromByteSlices`).
 *
 * Sign bytes are domain separated ("dexchain/vote", "dexchain/proposal") and bind the chain id,
 * type, height, round and block id. Vote/proposal times are deliberately NOT signed: a node
 * that crashes between signing and logging can then re-create a byte-identical signature for
 * the same (height, round, step, block) instead of being refused by the double-sign guard.
 */
import pb from 'protobufjs/minimal.js';
import { rootError } from '../errors.js';
import type { DecodedTx } from '../codec/types.js';
import { sha256, sha256Latin1, sha256HexUpper, bytesEqual } from './crypto-adapter.js';
import {
  CommitFlag,
  VoteType,
  type Block,
  type BlockId,
  type Commit,
  type CommitSig,
  type DuplicateVoteEvidence,
  type Header,
  type Proposal,
  type Validator,
  type Vote,
} from './types.js';

type Writer = pb.Writer;
type Reader = pb.Reader;

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

/** Proposal type in sign bytes (CometBFT SignedMsgType Proposal = 32). */
export const PROPOSAL_TYPE = 32;

// ---------------------------------------------------------------- writer helpers

function wInt(w: Writer, field: number, v: number): void {
  if (!Number.isSafeInteger(v)) throw rootError('overflow', `field ${field}: ${v} is not a safe integer`);
  w.uint32((field << 3) | WIRE_VARINT).int64(v);
}
function wBig(w: Writer, field: number, v: bigint): void {
  if (v > MAX_INT64 || v < MIN_INT64) throw rootError('overflow', `field ${field}: ${v} out of int64 range`);
  w.uint32((field << 3) | WIRE_VARINT).int64(v.toString());
}
function wBytes(w: Writer, field: number, v: Uint8Array): void {
  w.uint32((field << 3) | WIRE_BYTES).bytes(v);
}
function wStr(w: Writer, field: number, v: string): void {
  w.uint32((field << 3) | WIRE_BYTES).string(v);
}
function finish(w: Writer): Uint8Array {
  const b = w.finish();
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

// ---------------------------------------------------------------- strict reader

class StrictReader {
  private readonly r: Reader;
  constructor(private readonly what: string, buf: Uint8Array) {
    this.r = pb.Reader.create(buf);
  }
  private fail(msg: string): never {
    throw rootError('txDecode', `${this.what}: ${msg}`);
  }
  private tag(field: number, wire: number): void {
    if (this.r.pos >= this.r.len) this.fail(`missing field ${field}`);
    const t = this.r.uint32();
    if (t !== ((field << 3) | wire)) this.fail(`expected field ${field}, got tag ${t}`);
  }
  /** Whether the next tag is `field` (for repeated fields), without consuming it. */
  next(field: number): boolean {
    if (this.r.pos >= this.r.len) return false;
    const save = this.r.pos;
    const t = this.r.uint32();
    this.r.pos = save;
    return t >>> 3 === field;
  }
  big(field: number): bigint {
    this.tag(field, WIRE_VARINT);
    return BigInt(this.r.int64().toString());
  }
  int(field: number): number {
    const v = this.big(field);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) this.fail(`field ${field} out of range`);
    return Number(v);
  }
  uint(field: number): number {
    const v = this.int(field);
    if (v < 0) this.fail(`field ${field} negative`);
    return v;
  }
  bytes(field: number): Uint8Array {
    this.tag(field, WIRE_BYTES);
    return new Uint8Array(this.r.bytes());
  }
  str(field: number): string {
    this.tag(field, WIRE_BYTES);
    return this.r.string();
  }
  end(): void {
    if (this.r.pos !== this.r.len) this.fail('trailing bytes');
  }
}

/** Runs a strict decode: any reader error becomes a ChainError, and the value must re-encode byte-identically. */
function strictDecode<T>(what: string, buf: Uint8Array, read: (r: StrictReader) => T, encode: (v: T) => Uint8Array): T {
  if (!(buf instanceof Uint8Array)) throw rootError('txDecode', `${what}: input is not bytes`);
  let v: T;
  try {
    const r = new StrictReader(what, buf);
    v = read(r);
    r.end();
  } catch (e) {
    if (e instanceof Error && e.name === 'ChainError') throw e;
    throw rootError('txDecode', `${what}: malformed (${e instanceof Error ? e.message : String(e)})`);
  }
  let again: Uint8Array;
  try {
    again = encode(v);
  } catch (e) {
    throw rootError('txDecode', `${what}: invalid values (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!bytesEqual(again, buf)) throw rootError('txDecode', `${what}: non-canonical encoding`);
  return v;
}

// ---------------------------------------------------------------- header

function writeHeader(w: Writer, h: Header): void {
  wStr(w, 1, h.chainId);
  wInt(w, 2, h.height);
  wInt(w, 3, h.timeMs);
  wBytes(w, 4, h.lastBlockId.hash);
  wBytes(w, 5, h.lastCommitHash);
  wBytes(w, 6, h.dataHash);
  wBytes(w, 7, h.validatorsHash);
  wBytes(w, 8, h.nextValidatorsHash);
  wBytes(w, 9, h.appHash);
  wBytes(w, 10, h.lastResultsHash);
  wBytes(w, 11, h.evidenceHash);
  wBytes(w, 12, h.proposerAddress);
}
function readHeader(r: StrictReader): Header {
  return {
    chainId: r.str(1),
    height: r.uint(2),
    timeMs: r.int(3),
    lastBlockId: { hash: r.bytes(4) },
    lastCommitHash: r.bytes(5),
    dataHash: r.bytes(6),
    validatorsHash: r.bytes(7),
    nextValidatorsHash: r.bytes(8),
    appHash: r.bytes(9),
    lastResultsHash: r.bytes(10),
    evidenceHash: r.bytes(11),
    proposerAddress: r.bytes(12),
  };
}
export function encodeHeader(h: Header): Uint8Array {
  const w = pb.Writer.create();
  writeHeader(w, h);
  return finish(w);
}
export function decodeHeader(buf: Uint8Array): Header {
  return strictDecode('header', buf, readHeader, encodeHeader);
}

/** Block id = SHA256 of the canonical header encoding. */
export function headerHash(h: Header): Uint8Array {
  return sha256(encodeHeader(h));
}
export function blockId(b: Block): BlockId {
  return { hash: headerHash(b.header) };
}

// ---------------------------------------------------------------- vote

function writeVote(w: Writer, v: Vote): void {
  wInt(w, 1, v.type);
  wInt(w, 2, v.height);
  wInt(w, 3, v.round);
  wBytes(w, 4, v.blockId.hash);
  wInt(w, 5, v.timeMs);
  wBytes(w, 6, v.validatorAddress);
  wInt(w, 7, v.validatorIndex);
  wBytes(w, 8, v.signature);
}
function readVote(r: StrictReader): Vote {
  const type = r.uint(1);
  if (type !== VoteType.Prevote && type !== VoteType.Precommit) throw rootError('txDecode', `vote: bad type ${type}`);
  return {
    type,
    height: r.uint(2),
    round: r.uint(3),
    blockId: { hash: r.bytes(4) },
    timeMs: r.int(5),
    validatorAddress: r.bytes(6),
    validatorIndex: r.uint(7),
    signature: r.bytes(8),
  };
}
export function encodeVote(v: Vote): Uint8Array {
  const w = pb.Writer.create();
  writeVote(w, v);
  return finish(w);
}
export function decodeVote(buf: Uint8Array): Vote {
  return strictDecode('vote', buf, readVote, encodeVote);
}

// ---------------------------------------------------------------- proposal

function writeProposal(w: Writer, p: Proposal): void {
  wInt(w, 1, p.height);
  wInt(w, 2, p.round);
  wInt(w, 3, p.polRound);
  wBytes(w, 4, p.blockId.hash);
  wInt(w, 5, p.timeMs);
  wBytes(w, 6, p.signature);
}
function readProposal(r: StrictReader): Proposal {
  const p: Proposal = {
    height: r.uint(1),
    round: r.uint(2),
    polRound: r.int(3),
    blockId: { hash: r.bytes(4) },
    timeMs: r.int(5),
    signature: r.bytes(6),
  };
  if (p.polRound < -1) throw rootError('txDecode', `proposal: bad polRound ${p.polRound}`);
  return p;
}
export function encodeProposal(p: Proposal): Uint8Array {
  const w = pb.Writer.create();
  writeProposal(w, p);
  return finish(w);
}
export function decodeProposal(buf: Uint8Array): Proposal {
  return strictDecode('proposal', buf, readProposal, encodeProposal);
}

// ---------------------------------------------------------------- commit

function encodeCommitSig(s: CommitSig): Uint8Array {
  const w = pb.Writer.create();
  wInt(w, 1, s.flag);
  wBytes(w, 2, s.validatorAddress);
  wInt(w, 3, s.timeMs);
  wBytes(w, 4, s.signature);
  return finish(w);
}
function readCommitSig(r: StrictReader): CommitSig {
  const flag = r.uint(1);
  if (flag !== CommitFlag.Absent && flag !== CommitFlag.Commit && flag !== CommitFlag.Nil) {
    throw rootError('txDecode', `commit sig: bad flag ${flag}`);
  }
  return { flag, validatorAddress: r.bytes(2), timeMs: r.int(3), signature: r.bytes(4) };
}
function writeCommit(w: Writer, c: Commit): void {
  wInt(w, 1, c.height);
  wInt(w, 2, c.round);
  wBytes(w, 3, c.blockId.hash);
  for (const s of c.signatures) wBytes(w, 4, encodeCommitSig(s));
}
function readCommit(r: StrictReader): Commit {
  const c: Commit = { height: r.uint(1), round: r.uint(2), blockId: { hash: r.bytes(3) }, signatures: [] };
  while (r.next(4)) {
    const sub = new StrictReader('commit sig', r.bytes(4));
    c.signatures.push(readCommitSig(sub));
    sub.end();
  }
  return c;
}
export function encodeCommit(c: Commit): Uint8Array {
  const w = pb.Writer.create();
  writeCommit(w, c);
  return finish(w);
}
export function decodeCommit(buf: Uint8Array): Commit {
  return strictDecode('commit', buf, readCommit, encodeCommit);
}
/** Hash of a commit, stored as the next header's `lastCommitHash`. */
export function commitHash(c: Commit): Uint8Array {
  return sha256(encodeCommit(c));
}
/** The commit a height-1 block carries. */
export function emptyCommit(): Commit {
  return { height: 0, round: 0, blockId: { hash: new Uint8Array(0) }, signatures: [] };
}

// ---------------------------------------------------------------- evidence

export function encodeEvidence(e: DuplicateVoteEvidence): Uint8Array {
  const w = pb.Writer.create();
  wBytes(w, 1, encodeVote(e.voteA));
  wBytes(w, 2, encodeVote(e.voteB));
  wBig(w, 3, e.totalVotingPower);
  wBig(w, 4, e.validatorPower);
  wInt(w, 5, e.timeMs);
  return finish(w);
}
function readEvidence(r: StrictReader): DuplicateVoteEvidence {
  return {
    voteA: decodeVote(r.bytes(1)),
    voteB: decodeVote(r.bytes(2)),
    totalVotingPower: r.big(3),
    validatorPower: r.big(4),
    timeMs: r.int(5),
  };
}
export function decodeEvidence(buf: Uint8Array): DuplicateVoteEvidence {
  return strictDecode('evidence', buf, readEvidence, encodeEvidence);
}
export function evidenceHash(evs: DuplicateVoteEvidence[]): Uint8Array {
  return merkleRoot(evs.map(encodeEvidence));
}

// ---------------------------------------------------------------- block

export function encodeBlock(b: Block): Uint8Array {
  const w = pb.Writer.create();
  wBytes(w, 1, encodeHeader(b.header));
  for (const tx of b.txs) wBytes(w, 2, tx);
  for (const ev of b.evidence) wBytes(w, 3, encodeEvidence(ev));
  wBytes(w, 4, encodeCommit(b.lastCommit));
  return finish(w);
}
/** One-byte tags of the block's fields (field << 3 | length-delimited). */
const TAG_HEADER = (1 << 3) | WIRE_BYTES;
const TAG_TX = (2 << 3) | WIRE_BYTES;
const TAG_EVIDENCE = (3 << 3) | WIRE_BYTES;
const TAG_COMMIT = (4 << 3) | WIRE_BYTES;

/**
 * Walks the block's own envelope (tag, length, body per field) and accepts only the bytes the
 * writer produces: each tag as its single canonical byte and each length as a minimal varint.
 * Bodies are returned as views (txs as copies); nothing is re-encoded here.
 */
class BlockCursor {
  private pos = 0;
  /** Body length of the field `skip` passed last. */
  private lastLen = 0;
  constructor(private readonly buf: Uint8Array) {}
  private fail(msg: string): never {
    throw rootError('txDecode', `block: ${msg}`);
  }
  /** The next tag byte, or -1 at the end. */
  peek(): number {
    return this.pos < this.buf.length ? this.buf[this.pos]! : -1;
  }
  field(tag: number): Uint8Array {
    const end = this.skip(tag);
    return this.buf.subarray(end - this.lastLen, end);
  }
  /** The next field, a tx, as a copy of its bytes. */
  txCopy(): Uint8Array {
    const end = this.skip(TAG_TX);
    return this.buf.slice(end - this.lastLen, end);
  }
  /** Checks the tag and length of the next field and moves past it; returns where its body ends. */
  private skip(tag: number): number {
    const buf = this.buf;
    if (this.pos >= buf.length) this.fail(`missing field ${tag >>> 3}`);
    if (buf[this.pos] !== tag) this.fail(`expected field ${tag >>> 3}, got tag byte ${buf[this.pos]}`);
    let p = this.pos + 1;
    let len = 0;
    let shift = 1;
    for (let i = 0; ; i++) {
      if (p >= buf.length) this.fail('truncated length');
      if (i === 5) this.fail('length varint too long');
      const b = buf[p++]!;
      len += (b & 0x7f) * shift;
      shift *= 128;
      if (b < 0x80) {
        // A last byte of 0 after the first adds nothing: the same length fits in fewer bytes.
        if (b === 0 && i > 0) this.fail('non-canonical encoding (overlong length)');
        break;
      }
    }
    if (len > buf.length - p) this.fail(`field ${tag >>> 3} length ${len} exceeds the input`);
    this.pos = p + len;
    this.lastLen = len;
    return this.pos;
  }
  end(): void {
    if (this.pos !== this.buf.length) this.fail('trailing bytes');
  }
}

/**
 * Strict like every decoder here, without re-encoding the block: `encodeBlock` writes
 * `tag(1) len header`, `tag(2) len tx`..., `tag(3) len evidence`..., `tag(4) len commit`, with
 * one-byte tags and minimal-varint lengths. `BlockCursor` accepts exactly those tags in that
 * order and only minimal lengths; the header, evidence and commit go through their own strict
 * decoders, which guarantee they re-encode to the very bytes read; txs are opaque bytes, which
 * re-encode to themselves. So `encodeBlock(decodeBlock(b))` equals `b` for every `b` accepted,
 * which is what the full re-encode and compare checked, at a cost independent of the txs'
 * bytes (each tx is copied once, so the block does not pin the caller's buffer).
 */
export function decodeBlock(buf: Uint8Array): Block {
  if (!(buf instanceof Uint8Array)) throw rootError('txDecode', 'block: input is not bytes');
  // A plain Uint8Array view, so `slice` below copies (Buffer#slice would return a view).
  const c = new BlockCursor(buf.constructor === Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  const header = decodeHeader(c.field(TAG_HEADER));
  const txs: Uint8Array[] = [];
  while (c.peek() === TAG_TX) txs.push(c.txCopy());
  const evidence: DuplicateVoteEvidence[] = [];
  while (c.peek() === TAG_EVIDENCE) evidence.push(decodeEvidence(c.field(TAG_EVIDENCE)));
  const lastCommit = decodeCommit(c.field(TAG_COMMIT));
  c.end();
  return { header, txs, evidence, lastCommit };
}

// ---------------------------------------------------------------- merkle / hashes

/**
 * RFC 6962 Merkle root (CometBFT `HashFromByteSlices`); empty list → SHA256("").
 *
 * Built bottom-up, pairing neighbours level by level and lifting an odd last node unchanged:
 * for every n that is the same tree as the recursive split at the largest power of two below n,
 * without the recursive slices. Each level's hashes live in one buffer and every inner node is
 * hashed from one scratch buffer, so a block's tree costs at most one SHA-256 per node and no
 * garbage per node. A leaf equal to the previous leaf, or a pair equal to the previous pair,
 * reuses the previous hash: a block's results are mostly the same (code 0, no data), so their
 * tree costs a few hashes per level instead of one per node. Comparing fails on the first byte
 * for distinct leaves (tx hashes), which costs next to nothing.
 */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  const n = leaves.length;
  if (n === 0) return sha256(new Uint8Array(0));
  let level = Buffer.allocUnsafe(n * 32);
  let scratch = Buffer.allocUnsafe(1 + 64);
  for (let i = 0; i < n; i++) {
    const leaf = leaves[i]!;
    if (i > 0 && sameBytes(leaf, leaves[i - 1]!)) {
      level.copy(level, i * 32, (i - 1) * 32, i * 32);
      continue;
    }
    if (scratch.length < leaf.length + 1) scratch = Buffer.allocUnsafe(leaf.length + 1);
    scratch[0] = 0;
    scratch.set(leaf, 1);
    level.write(sha256Latin1(scratch.subarray(0, leaf.length + 1)), i * 32, 'latin1');
  }
  const inner = Buffer.allocUnsafe(65);
  inner[0] = 1;
  for (let width = n; width > 1; ) {
    const next = (width + 1) >> 1;
    const up = Buffer.allocUnsafe(next * 32);
    for (let i = 0; i + 1 < width; i += 2) {
      const at = i * 32;
      if (i > 0 && sameRange(level, at, at - 64, 64)) {
        up.copy(up, (i >> 1) * 32, ((i >> 1) - 1) * 32, (i >> 1) * 32);
        continue;
      }
      level.copy(inner, 1, at, at + 64);
      up.write(sha256Latin1(inner), (i >> 1) * 32, 'latin1');
    }
    if (width & 1) level.copy(up, (next - 1) * 32, (width - 1) * 32, width * 32);
    level = up;
    width = next;
  }
  return new Uint8Array(level.buffer, level.byteOffset, 32);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** buf[a, a+len) equals buf[b, b+len). */
function sameRange(buf: Uint8Array, a: number, b: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

/**
 * UPPERCASE hex SHA-256 of each tx (the tx hashes clients and the block store use), computed
 * once per tx list: a block's list is hashed for its data hash, its duplicate check, and again
 * by the executor, which all get the same array. Lists are never mutated once in a block.
 */
const listHashes = new WeakMap<readonly Uint8Array[], string[]>();
export function blockTxHashes(txs: readonly Uint8Array[]): string[] {
  let hashes = listHashes.get(txs);
  if (!hashes) {
    hashes = txs.map((tx) => sha256HexUpper(tx));
    listHashes.set(txs, hashes);
  }
  return hashes;
}

/** Records hashes the caller computed already (the mempool's) for a tx list it builds a block from. */
export function knownBlockTxHashes(txs: readonly Uint8Array[], hashes: string[]): void {
  if (hashes.length !== txs.length) throw new Error(`knownBlockTxHashes: ${hashes.length} hashes for ${txs.length} txs`);
  listHashes.set(txs, hashes);
}

/** Decoded forms of a tx list's txs that its proposer held (the mempool keeps them), by list. */
const listDecoded = new WeakMap<readonly Uint8Array[], readonly (DecodedTx | undefined)[]>();

/**
 * The txs of `txs` decoded, where a proposer recorded them (`knownReapedTxs`); one slot per tx,
 * `undefined` where unknown. The app uses a slot only for the very bytes it was decoded from.
 */
export function blockDecodedTxs(txs: readonly Uint8Array[]): readonly (DecodedTx | undefined)[] | undefined {
  return listDecoded.get(txs);
}

/**
 * For a proposer: `txs` is what the app kept of the mempool's `candidates`, whose hashes (and
 * decoded forms, when kept) the mempool handed out. When the app kept a prefix (the same tx
 * objects), they serve the block: its header, its duplicate check and its execution; otherwise
 * hashes are computed when first asked for and txs decoded when executed.
 */
export function knownReapedTxs(
  txs: readonly Uint8Array[],
  candidates: readonly Uint8Array[],
  candidateHashes: readonly string[],
  candidateDecoded?: readonly (DecodedTx | undefined)[],
): void {
  if (candidateHashes.length !== candidates.length || txs.length > candidates.length) return;
  for (let i = 0; i < txs.length; i++) if (txs[i] !== candidates[i]) return;
  knownBlockTxHashes(txs, candidateHashes.slice(0, txs.length));
  if (candidateDecoded !== undefined && candidateDecoded.length === candidates.length) listDecoded.set(txs, candidateDecoded.slice(0, txs.length));
}

/** Merkle root over SHA256(tx): the header's `dataHash`. */
export function txsHash(txs: readonly Uint8Array[]): Uint8Array {
  return txsHashFromHex(blockTxHashes(txs));
}

/** The same root from the txs' hex hashes (SHA256(tx), any case), when the caller has them. */
export function txsHashFromHex(hashes: readonly string[]): Uint8Array {
  return merkleRoot(hashes.map((h) => Buffer.from(h, 'hex')));
}

/** Merkle root over (address, pubKey, power) of the validators sorted by address. */
export function validatorsHash(vals: readonly Validator[]): Uint8Array {
  const sorted = [...vals].sort((a, b) => Buffer.compare(a.address, b.address));
  return merkleRoot(
    sorted.map((v) => {
      const w = pb.Writer.create();
      wBytes(w, 1, v.address);
      wBytes(w, 2, v.pubKey);
      wBig(w, 3, v.votingPower);
      return finish(w);
    }),
  );
}

/** Alias used by the node. */
export const validatorSetHash = validatorsHash;

// ---------------------------------------------------------------- sign bytes

export function voteSignBytes(chainId: string, v: Pick<Vote, 'type' | 'height' | 'round' | 'blockId'>): Uint8Array {
  const w = pb.Writer.create();
  wStr(w, 1, 'dexchain/vote');
  wStr(w, 2, chainId);
  wInt(w, 3, v.type);
  wInt(w, 4, v.height);
  wInt(w, 5, v.round);
  wBytes(w, 6, v.blockId.hash);
  return finish(w);
}

export function proposalSignBytes(chainId: string, p: Pick<Proposal, 'height' | 'round' | 'polRound' | 'blockId'>): Uint8Array {
  const w = pb.Writer.create();
  wStr(w, 1, 'dexchain/proposal');
  wStr(w, 2, chainId);
  wInt(w, 3, PROPOSAL_TYPE);
  wInt(w, 4, p.height);
  wInt(w, 5, p.round);
  wInt(w, 6, p.polRound);
  wBytes(w, 7, p.blockId.hash);
  return finish(w);
}

/** Stateless vote checks (CometBFT `Vote.ValidateBasic`): returns a reason or undefined. */
export function validateVoteBasic(v: Vote): string | undefined {
  if (v.type !== VoteType.Prevote && v.type !== VoteType.Precommit) return 'bad vote type';
  if (!Number.isSafeInteger(v.height) || v.height < 1) return 'bad height';
  if (!Number.isSafeInteger(v.round) || v.round < 0) return 'bad round';
  if (!Number.isSafeInteger(v.validatorIndex) || v.validatorIndex < 0) return 'bad validator index';
  if (v.blockId.hash.length !== 0 && v.blockId.hash.length !== 32) return 'bad block id';
  if (v.validatorAddress.length !== 20) return 'bad validator address';
  if (v.signature.length !== 64) return 'bad signature length';
  return undefined;
}

export function validateProposalBasic(p: Proposal): string | undefined {
  if (!Number.isSafeInteger(p.height) || p.height < 1) return 'bad height';
  if (!Number.isSafeInteger(p.round) || p.round < 0) return 'bad round';
  if (!Number.isSafeInteger(p.polRound) || p.polRound < -1 || p.polRound >= p.round) return 'bad polRound';
  if (p.blockId.hash.length !== 32) return 'bad block id';
  if (p.signature.length !== 64) return 'bad signature length';
  return undefined;
}

/** Structural block checks the consensus core does itself (the app checks the rest). */
export function validateBlockBasic(b: Block, chainId: string, height: number): string | undefined {
  const h = b.header;
  if (h.chainId !== chainId) return 'wrong chain id';
  if (h.height !== height) return 'wrong height';
  if (!bytesEqual(h.dataHash, txsHash(b.txs))) return 'data hash mismatch';
  if (!bytesEqual(h.evidenceHash, evidenceHash(b.evidence))) return 'evidence hash mismatch';
  const wantLastCommitHash = height === 1 ? new Uint8Array(0) : commitHash(b.lastCommit);
  if (!bytesEqual(h.lastCommitHash, wantLastCommitHash)) return 'last commit hash mismatch';
  if (height > 1 && b.lastCommit.height !== height - 1) return 'last commit height mismatch';
  if (height > 1 && !bytesEqual(b.lastCommit.blockId.hash, h.lastBlockId.hash)) return 'last commit block id mismatch';
  if (h.proposerAddress.length !== 20) return 'bad proposer address';
  return undefined;
}

export function isNilBlockId(id: BlockId): boolean {
  return id.hash.length === 0;
}
