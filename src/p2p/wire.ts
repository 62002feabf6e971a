/**
 * Payload encodings inside frames. Binary where size matters (messages, blocks), JSON where it
 * does not (status). Decoders throw `WireError` on anything malformed; callers penalise.
 */
import { TOPICS, type BlockEntry, type StatusInfo, type TopicName } from './types.js';
import { MAX_COMMIT_BYTES, MAX_MESSAGE_BYTES } from './limits.js';

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/** Protocol ids. Status is chain-independent so a peer on another chain can be told apart. */
export function protocolIds(chainId: string) {
  return {
    status: '/dexchain/status/1',
    gossip: `/dexchain/${chainId}/gossip/2`,
    direct: `/dexchain/${chainId}/direct/1`,
    blocks: `/dexchain/${chainId}/blocks/1`,
  };
}

/** The per-chain name of a topic, as the design names it (also the namespace of its message ids). */
export function topicId(chainId: string, topic: TopicName): string {
  return `/dexchain/${chainId}/${topic}/1`;
}

// ---- messages (gossip and direct): [topic code: 1 byte][data] ----

export function encodeMessage(topic: TopicName, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + data.length);
  out[0] = TOPICS.indexOf(topic) + 1;
  out.set(data, 1);
  return out;
}

export function decodeMessage(frame: Uint8Array): { topic: TopicName; data: Uint8Array } {
  if (frame.length < 1) throw new WireError('empty message frame');
  const topic = TOPICS[frame[0]! - 1];
  if (topic === undefined) throw new WireError(`unknown topic code ${frame[0]}`);
  if (frame.length - 1 > MAX_MESSAGE_BYTES) throw new WireError('message too large');
  return { topic, data: frame.subarray(1) };
}

// ---- gossip control (gossip streams only): [code: 1 byte][message id: 32 bytes] ----
//
// A node relays a large message by announcing its id (IHAVE) rather than sending it in full; a
// peer that has not seen the id asks for it (IWANT) and gets the ordinary message frame. The
// codes sit far above the topic codes so neither can be read as the other.

export const GOSSIP_IHAVE = 0xf0;
export const GOSSIP_IWANT = 0xf1;
export const MESSAGE_ID_BYTES = 32;

export type GossipFrame =
  | { kind: 'message'; topic: TopicName; data: Uint8Array }
  | { kind: 'ihave' | 'iwant'; id: Uint8Array };

export function encodeGossipControl(code: typeof GOSSIP_IHAVE | typeof GOSSIP_IWANT, id: Uint8Array): Uint8Array {
  if (id.length !== MESSAGE_ID_BYTES) throw new WireError(`message id must be ${MESSAGE_ID_BYTES} bytes`);
  const out = new Uint8Array(1 + MESSAGE_ID_BYTES);
  out[0] = code;
  out.set(id, 1);
  return out;
}

/** A frame of a gossip stream: a message (as `decodeMessage`) or an IHAVE/IWANT. */
export function decodeGossipFrame(frame: Uint8Array): GossipFrame {
  const code = frame[0];
  if (code === GOSSIP_IHAVE || code === GOSSIP_IWANT) {
    if (frame.length !== 1 + MESSAGE_ID_BYTES) throw new WireError('gossip control frame must carry one 32-byte id');
    return { kind: code === GOSSIP_IHAVE ? 'ihave' : 'iwant', id: frame.subarray(1) };
  }
  return { kind: 'message', ...decodeMessage(frame) };
}

// ---- status: UTF-8 JSON {chainId, height, baseHeight} ----

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

function isHeight(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

export function encodeStatus(s: StatusInfo): Uint8Array {
  return enc.encode(JSON.stringify({ chainId: s.chainId, height: s.height, baseHeight: s.baseHeight }));
}

export function decodeStatus(b: Uint8Array): StatusInfo {
  let v: unknown;
  try {
    v = JSON.parse(dec.decode(b));
  } catch {
    throw new WireError('status is not JSON');
  }
  if (typeof v !== 'object' || v === null) throw new WireError('status is not an object');
  const o = v as Record<string, unknown>;
  if (typeof o.chainId !== 'string' || o.chainId.length === 0 || o.chainId.length > 128) {
    throw new WireError('status chainId invalid');
  }
  if (!isHeight(o.height) || !isHeight(o.baseHeight)) throw new WireError('status heights invalid');
  return { chainId: o.chainId, height: o.height, baseHeight: o.baseHeight };
}

// ---- blocks request: [fromHeight: u64 BE][maxCount: u32 BE] ----

export function encodeBlocksRequest(fromHeight: number, maxCount: number): Uint8Array {
  const out = new Uint8Array(12);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(fromHeight), false);
  dv.setUint32(8, maxCount, false);
  return out;
}

export function decodeBlocksRequest(b: Uint8Array): { fromHeight: number; maxCount: number } {
  if (b.length !== 12) throw new WireError('blocks request must be 12 bytes');
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const h = dv.getBigUint64(0, false);
  if (h < 1n || h > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireError('blocks request height out of range');
  return { fromHeight: Number(h), maxCount: dv.getUint32(8, false) };
}

// ---- blocks response entry: [height: u64 BE][blockLen: u32 BE][block][commit] ----

export const BLOCK_ENTRY_HEADER_BYTES = 12;
export const MAX_BLOCK_ENTRY_BYTES = BLOCK_ENTRY_HEADER_BYTES + MAX_MESSAGE_BYTES + MAX_COMMIT_BYTES;

export function blockEntrySize(e: BlockEntry): number {
  return BLOCK_ENTRY_HEADER_BYTES + e.block.length + e.commit.length;
}

export function encodeBlockEntry(e: BlockEntry): Uint8Array {
  if (e.block.length > MAX_MESSAGE_BYTES) throw new WireError(`block at height ${e.height} exceeds ${MAX_MESSAGE_BYTES} bytes`);
  if (e.commit.length > MAX_COMMIT_BYTES) throw new WireError(`commit at height ${e.height} exceeds ${MAX_COMMIT_BYTES} bytes`);
  const out = new Uint8Array(blockEntrySize(e));
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(e.height), false);
  dv.setUint32(8, e.block.length, false);
  out.set(e.block, BLOCK_ENTRY_HEADER_BYTES);
  out.set(e.commit, BLOCK_ENTRY_HEADER_BYTES + e.block.length);
  return out;
}

export function decodeBlockEntry(b: Uint8Array): BlockEntry {
  if (b.length < BLOCK_ENTRY_HEADER_BYTES) throw new WireError('block entry too short');
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const h = dv.getBigUint64(0, false);
  if (h < 1n || h > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireError('block entry height out of range');
  const blockLen = dv.getUint32(8, false);
  const rest = b.length - BLOCK_ENTRY_HEADER_BYTES;
  if (blockLen > rest || blockLen > MAX_MESSAGE_BYTES) throw new WireError('block entry length invalid');
  if (rest - blockLen > MAX_COMMIT_BYTES) throw new WireError('block entry commit too large');
  return {
    height: Number(h),
    block: b.slice(BLOCK_ENTRY_HEADER_BYTES, BLOCK_ENTRY_HEADER_BYTES + blockLen),
    commit: b.slice(BLOCK_ENTRY_HEADER_BYTES + blockLen),
  };
}

/**
 * Checks a block-sync response against its request: consecutive heights from `fromHeight`, no
 * more than asked. Returns a reason, or null when valid (the caller decides to penalise).
 */
export function checkBlocksResponse(entries: BlockEntry[], fromHeight: number, maxCount: number): string | null {
  if (entries.length > maxCount) return `sent ${entries.length} blocks, asked for at most ${maxCount}`;
  for (let i = 0; i < entries.length; i++) {
    if (entries[i]!.height !== fromHeight + i) return `expected height ${fromHeight + i}, got ${entries[i]!.height}`;
  }
  return null;
}
