import { sha256, ed25519PublicKey, ed25519Sign, consensusAddress } from '../../../src/consensus/crypto-adapter.js';
import { commitHash, emptyCommit, evidenceHash, headerHash, proposalSignBytes, txsHash, voteSignBytes } from '../../../src/consensus/block.js';
import { ValidatorSet } from '../../../src/consensus/validator-set.js';
import type { Block, BlockId, Commit, Proposal, Vote, VoteTypeValue } from '../../../src/consensus/types.js';

export const CHAIN = 'test-chain';

export interface Key {
  priv: Uint8Array;
  pub: Uint8Array;
  address: Uint8Array;
}

export function key(i: number): Key {
  const priv = sha256(new TextEncoder().encode(`validator-${i}`));
  const pub = ed25519PublicKey(priv);
  return { priv, pub, address: consensusAddress(pub) };
}

export function makeSet(keys: Key[], powers: number[]): ValidatorSet {
  return ValidatorSet.create(keys.map((k, i) => ({ address: k.address, pubKey: k.pub, votingPower: BigInt(powers[i]!) })));
}

export function makeBlock(height: number, proposer: Uint8Array, txs: Uint8Array[] = [], timeMs = 1000, lastCommit: Commit = emptyCommit()): Block {
  const E = new Uint8Array(0);
  return {
    header: {
      chainId: CHAIN,
      height,
      timeMs,
      lastBlockId: { hash: height === 1 ? E : lastCommit.blockId.hash },
      lastCommitHash: height === 1 ? E : commitHash(lastCommit),
      dataHash: txsHash(txs),
      validatorsHash: new Uint8Array(32),
      nextValidatorsHash: new Uint8Array(32),
      appHash: new Uint8Array(32),
      lastResultsHash: new Uint8Array(32),
      evidenceHash: evidenceHash([]),
      proposerAddress: proposer,
    },
    txs,
    evidence: [],
    lastCommit,
  };
}

export function signedVote(k: Key, set: ValidatorSet, type: VoteTypeValue, height: number, round: number, blockId: BlockId): Vote {
  const idx = set.getByAddress(k.address)!.index;
  const v: Vote = { type, height, round, blockId, timeMs: 5, validatorAddress: k.address, validatorIndex: idx, signature: new Uint8Array(0) };
  v.signature = ed25519Sign(k.priv, voteSignBytes(CHAIN, v));
  return v;
}

export function signedProposal(k: Key, height: number, round: number, polRound: number, block: Block): Proposal {
  const p: Proposal = { height, round, polRound, blockId: { hash: headerHash(block.header) }, timeMs: 5, signature: new Uint8Array(0) };
  p.signature = ed25519Sign(k.priv, proposalSignBytes(CHAIN, p));
  return p;
}
