/**
 * Block, vote and commit data shared by consensus, the block store, the node and the RPC.
 * Plain data; encoding and hashing live in `consensus/block.ts`, checks in `validate*`.
 * Heights and times are JS numbers (safe integers: heights < 2^53, unix ms).
 */

export const VoteType = { Prevote: 1, Precommit: 2 } as const;
export type VoteTypeValue = (typeof VoteType)[keyof typeof VoteType];

export interface BlockId {
  /** 32-byte block (header) hash; empty = nil. */
  hash: Uint8Array;
}

export interface Header {
  chainId: string;
  height: number;
  /** Unix milliseconds, proposer-chosen, monotonic (> previous block's time). */
  timeMs: number;
  lastBlockId: BlockId;
  /** Hash of the last commit (empty at height 1). */
  lastCommitHash: Uint8Array;
  /** Merkle root of the txs' SHA256 hashes. */
  dataHash: Uint8Array;
  validatorsHash: Uint8Array;
  nextValidatorsHash: Uint8Array;
  /** App hash after executing the previous block. */
  appHash: Uint8Array;
  /** Hash of the previous block's tx results (code + data). */
  lastResultsHash: Uint8Array;
  evidenceHash: Uint8Array;
  /** 20-byte consensus address of the proposer. */
  proposerAddress: Uint8Array;
}

export interface Vote {
  type: VoteTypeValue;
  height: number;
  round: number;
  /** Empty hash = vote for nil. */
  blockId: BlockId;
  timeMs: number;
  validatorAddress: Uint8Array;
  validatorIndex: number;
  /** ed25519 signature over `voteSignBytes(chainId, vote)`. */
  signature: Uint8Array;
}

export const CommitFlag = { Absent: 1, Commit: 2, Nil: 3 } as const;
export type CommitFlagValue = (typeof CommitFlag)[keyof typeof CommitFlag];

export interface CommitSig {
  flag: CommitFlagValue;
  validatorAddress: Uint8Array;
  timeMs: number;
  signature: Uint8Array;
}

/** +2/3 precommits for a block: stored as the next block's `lastCommit`. */
export interface Commit {
  height: number;
  round: number;
  blockId: BlockId;
  /** One entry per validator of that height's set, in set order. */
  signatures: CommitSig[];
}

export interface DuplicateVoteEvidence {
  voteA: Vote;
  voteB: Vote;
  totalVotingPower: bigint;
  validatorPower: bigint;
  timeMs: number;
}

export interface Block {
  header: Header;
  txs: Uint8Array[];
  evidence: DuplicateVoteEvidence[];
  /** Commit for height-1 (empty signatures at height 1). */
  lastCommit: Commit;
}

export interface Validator {
  /** 20-byte consensus address = SHA256(pubKey)[0:20]. */
  address: Uint8Array;
  /** 32-byte ed25519 public key. */
  pubKey: Uint8Array;
  votingPower: bigint;
  proposerPriority: bigint;
}

export interface Proposal {
  height: number;
  round: number;
  /** Round of the proof-of-lock, -1 if none. */
  polRound: number;
  blockId: BlockId;
  timeMs: number;
  signature: Uint8Array;
}
