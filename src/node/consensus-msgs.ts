/**
 * Consensus payloads on the p2p topics. Votes and evidence travel in their canonical block.ts
 * encodings; a proposal travels with its whole block (`{1: proposal, 2: block}`), so a peer can
 * vote as soon as one message arrives. Decoders throw ChainError on any defect; the engine
 * penalises the peer that handed the bytes over.
 */
import pb from 'protobufjs/minimal.js';
import { rootError } from '../errors.js';
import { bytesEqual } from '../crypto/hash.js';
import { decodeBlock, decodeEvidence, decodeProposal, decodeVote, encodeBlock, encodeEvidence, encodeProposal, encodeVote } from '../consensus/block.js';
import type { Block, DuplicateVoteEvidence, Proposal, Vote } from '../consensus/types.js';

/** `blockBytes`: `encodeBlock(block)` when the caller already has it (its own WAL entry). */
export function encodeProposalMsg(proposal: Proposal, block: Block, blockBytes?: Uint8Array): Uint8Array {
  const w = pb.Writer.create();
  w.uint32(10).bytes(encodeProposal(proposal));
  w.uint32(18).bytes(blockBytes ?? encodeBlock(block));
  const b = w.finish();
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * The proposal alone, and its block's bytes still undecoded: a node that holds this very
 * proposal already (a peer re-sent it) need not decode the block, thousands of txs, again.
 */
export function decodeProposalMsgHead(buf: Uint8Array): { proposal: Proposal; blockRaw: Uint8Array } {
  const r = pb.Reader.create(buf);
  let p: Uint8Array | undefined;
  let b: Uint8Array | undefined;
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === 10 && !p) p = r.bytes();
      else if (tag === 18 && !b) b = r.bytes();
      else throw new Error(`unexpected tag ${tag}`);
    }
  } catch (e) {
    throw rootError('txDecode', `proposal message: ${(e as Error).message}`);
  }
  if (!p || !b) throw rootError('txDecode', 'proposal message: missing proposal or block');
  return { proposal: decodeProposal(new Uint8Array(p)), blockRaw: b };
}

/**
 * The block of a proposal message (`blockRaw` from decodeProposalMsgHead), and its bytes as
 * received, which the strict decoder proved canonical.
 */
export function decodeProposalBlock(blockRaw: Uint8Array): { block: Block; blockBytes: Uint8Array } {
  const blockBytes = new Uint8Array(blockRaw);
  return { block: decodeBlock(blockBytes), blockBytes };
}

/** The same signed proposal: height, round, proof-of-lock round, block and signature all equal. */
export function sameSignedProposal(a: Proposal, b: Proposal): boolean {
  return a.height === b.height && a.round === b.round && a.polRound === b.polRound && a.timeMs === b.timeMs && bytesEqual(a.blockId.hash, b.blockId.hash) && bytesEqual(a.signature, b.signature);
}

export const encodeVoteMsg = (v: Vote): Uint8Array => encodeVote(v);
export const decodeVoteMsg = (b: Uint8Array): Vote => decodeVote(b);
export const encodeEvidenceMsg = (e: DuplicateVoteEvidence): Uint8Array => encodeEvidence(e);
export const decodeEvidenceMsg = (b: Uint8Array): DuplicateVoteEvidence => decodeEvidence(b);
