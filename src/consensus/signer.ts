/**
 * The validator signer and its double-sign guard (CometBFT privval `FilePV` / `LastSignState`).
 * The guard is pure: `check` says whether signing is allowed (or an earlier identical signature
 * must be reused), `record` returns the new state, which the node persists (fsync) BEFORE the
 * signature is released. Persistence is a callback so this module stays free of I/O.
 */
import { rootError } from '../errors.js';
import { bytesEqual, consensusAddress, ed25519PublicKey, ed25519Signer } from './crypto-adapter.js';
import { proposalSignBytes, voteSignBytes } from './block.js';
import { VoteType, type Proposal, type Vote } from './types.js';

/** Steps in signing order within a round (CometBFT stepPropose/stepPrevote/stepPrecommit). */
export const SignStep = { Propose: 1, Prevote: 2, Precommit: 3 } as const;
export type SignStepValue = (typeof SignStep)[keyof typeof SignStep];

export interface SignerStateData {
  height: number;
  round: number;
  /** 0 = nothing signed yet. */
  step: number;
  signBytes: Uint8Array;
  signature: Uint8Array;
}

export const INITIAL_SIGNER_STATE: SignerStateData = {
  height: 0,
  round: 0,
  step: 0,
  signBytes: new Uint8Array(0),
  signature: new Uint8Array(0),
};

export type GuardDecision = { kind: 'sign' } | { kind: 'reuse'; signature: Uint8Array };

export class SignerState {
  constructor(private state: SignerStateData = INITIAL_SIGNER_STATE) {}

  get data(): SignerStateData {
    return this.state;
  }

  /**
   * Refuses to sign at a lower (height, round, step) than the last signature, or different bytes
   * at the same one; identical bytes at the same one reuse the stored signature.
   */
  check(height: number, round: number, step: SignStepValue, signBytes: Uint8Array): GuardDecision {
    const s = this.state;
    if (height < s.height) throw rootError('unauthorized', `double-sign guard: height regression ${height} < ${s.height}`);
    if (height === s.height) {
      if (round < s.round) throw rootError('unauthorized', `double-sign guard: round regression at ${height}: ${round} < ${s.round}`);
      if (round === s.round) {
        if (step < s.step) throw rootError('unauthorized', `double-sign guard: step regression at ${height}/${round}`);
        if (step === s.step) {
          if (s.signature.length > 0 && bytesEqual(s.signBytes, signBytes)) return { kind: 'reuse', signature: s.signature };
          throw rootError('unauthorized', `double-sign guard: conflicting data at ${height}/${round}/${step}`);
        }
      }
    }
    return { kind: 'sign' };
  }

  /** Returns (and adopts) the state to persist after signing. */
  record(height: number, round: number, step: SignStepValue, signBytes: Uint8Array, signature: Uint8Array): SignerStateData {
    this.state = { height, round, step, signBytes, signature };
    return this.state;
  }
}

/** What the consensus core needs from a signer. Both methods throw when the guard refuses. */
export interface PrivValidator {
  readonly address: Uint8Array;
  readonly pubKey: Uint8Array;
  signVote(chainId: string, vote: Vote): Uint8Array;
  signProposal(chainId: string, p: Proposal): Uint8Array;
}

/**
 * ed25519 key + guard. `persist` must durably store the state before returning; if it throws,
 * the signature is not released.
 */
export class GuardedSigner implements PrivValidator {
  readonly address: Uint8Array;
  readonly pubKey: Uint8Array;
  private readonly guard: SignerState;
  private readonly sign: (msg: Uint8Array) => Uint8Array;

  constructor(
    privKey: Uint8Array,
    state: SignerStateData,
    private readonly persist: (s: SignerStateData) => void,
  ) {
    this.pubKey = ed25519PublicKey(privKey);
    this.address = consensusAddress(this.pubKey);
    this.sign = ed25519Signer(privKey);
    this.guard = new SignerState(state);
  }

  get state(): SignerStateData {
    return this.guard.data;
  }

  private signGuarded(height: number, round: number, step: SignStepValue, bytes: Uint8Array): Uint8Array {
    const d = this.guard.check(height, round, step, bytes);
    if (d.kind === 'reuse') return d.signature;
    const sig = this.sign(bytes);
    const next = { height, round, step, signBytes: bytes, signature: sig };
    this.persist(next);
    this.guard.record(height, round, step, bytes, sig);
    return sig;
  }

  signVote(chainId: string, vote: Vote): Uint8Array {
    const step = vote.type === VoteType.Prevote ? SignStep.Prevote : SignStep.Precommit;
    return this.signGuarded(vote.height, vote.round, step, voteSignBytes(chainId, vote));
  }

  signProposal(chainId: string, p: Proposal): Uint8Array {
    return this.signGuarded(p.height, p.round, SignStep.Propose, proposalSignBytes(chainId, p));
  }
}
