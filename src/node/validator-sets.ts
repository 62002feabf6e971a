/**
 * Validator sets by height, as CometBFT's state keeps them: the app's `validatorUpdates` of
 * block H change the set of height H+2 (V(H+2) = V(H+1) + updates, priorities incremented once),
 * so every node knows the proposer and the voters of the next height before it starts.
 *
 * Each set is stored in the block store's meta (`valset/<height>`) when it becomes known, which
 * is during `apply` of block H-2, before that block is saved: after a crash the key exists for
 * every stored block, and rewriting it is idempotent (the block decided at a height is unique).
 * A window of recent sets stays in memory for synchronous lookups (block validation, evidence).
 */
import { ValidatorSet, type ValidatorChange } from '../consensus/validator-set.js';
import type { Validator } from '../consensus/types.js';
import type { ValidatorUpdate } from '../app/abci.js';
import type { BlockStore } from '../store/index.js';
import { consensusAddress, toHex } from '../crypto/hash.js';

/** Heights kept in memory below the latest (evidence older than this is refused anyway). */
export const VALSET_WINDOW = 200;

interface ValJson {
  address: string;
  pub_key: string;
  power: string;
  priority: string;
}

function encodeSet(s: ValidatorSet): Uint8Array {
  const j: ValJson[] = s.validators.map((v) => ({
    address: toHex(v.address),
    pub_key: Buffer.from(v.pubKey).toString('base64'),
    power: v.votingPower.toString(),
    priority: v.proposerPriority.toString(),
  }));
  return new TextEncoder().encode(JSON.stringify(j));
}

function decodeSet(b: Uint8Array): ValidatorSet {
  const j = JSON.parse(new TextDecoder().decode(b)) as ValJson[];
  const vals: Validator[] = j.map((v) => {
    const pubKey = new Uint8Array(Buffer.from(v.pub_key, 'base64'));
    return { address: consensusAddress(pubKey), pubKey, votingPower: BigInt(v.power), proposerPriority: BigInt(v.priority) };
  });
  return ValidatorSet.fromState(vals);
}

const key = (h: number): string => `valset/${h}`;

export interface GenesisValidatorInput {
  pubKey: Uint8Array;
  power: bigint;
}

export class ValidatorSetHistory {
  private readonly sets = new Map<number, ValidatorSet>();

  constructor(private readonly blocks: BlockStore) {}

  /**
   * Loads the sets around `latest` (the last stored block): V(latest-window … latest+2). A store
   * without them (a fresh chain, or one produced before sets were recorded) derives them from
   * genesis with no updates.
   */
  async init(genesis: GenesisValidatorInput[], latest: number): Promise<void> {
    const top = latest + 2;
    const raw = await this.blocks.getMeta(key(top));
    if (!raw) {
      let s = ValidatorSet.create(genesis.map((g) => ({ address: consensusAddress(g.pubKey), pubKey: g.pubKey, votingPower: g.power })));
      for (let h = 1; h <= top; h++) {
        if (h > 1) s = s.copyIncrementProposerPriority(1);
        if (h >= top - VALSET_WINDOW) await this.put(h, s);
      }
      return;
    }
    for (let h = Math.max(1, top - VALSET_WINDOW); h <= top; h++) {
      const b = await this.blocks.getMeta(key(h));
      if (b) this.sets.set(h, decodeSet(b));
    }
  }

  private async put(h: number, s: ValidatorSet): Promise<void> {
    this.sets.set(h, s);
    await this.blocks.putMeta(key(h), encodeSet(s));
  }

  /** The set of height `h` if it is in the window (a copy is not made: do not mutate). */
  get(h: number): ValidatorSet | undefined {
    return this.sets.get(h);
  }

  /** Loads an older set from the store (RPC `validators?height=`). */
  async load(h: number): Promise<ValidatorSet | undefined> {
    const s = this.sets.get(h);
    if (s) return s;
    const b = await this.blocks.getMeta(key(h));
    return b ? decodeSet(b) : undefined;
  }

  /**
   * Records V(height+2) from V(height+1) and the updates block `height` returned. Invalid
   * updates (unknown removal, empty set, overflow) are dropped whole, identically on every node.
   * Returns an error message when they were dropped.
   */
  async recordUpdates(height: number, updates: ValidatorUpdate[]): Promise<string | undefined> {
    const base = this.sets.get(height + 1) ?? (await this.load(height + 1));
    if (!base) throw new Error(`validator set of height ${height + 1} unknown`);
    const next = base.copy();
    let err: string | undefined;
    if (updates.length > 0) {
      const changes: ValidatorChange[] = updates.map((u) => ({ address: consensusAddress(u.pubKey), pubKey: u.pubKey, votingPower: u.power }));
      try {
        next.update(changes);
      } catch (e) {
        err = (e as Error).message;
      }
    }
    next.incrementProposerPriority(1);
    await this.put(height + 2, err ? base.copyIncrementProposerPriority(1) : next);
    for (const h of this.sets.keys()) if (h < height - VALSET_WINDOW) this.sets.delete(h);
    return err;
  }

  /** Address → power of the set at `h` (the executor's lastCommit votes). */
  powers(h: number): Map<string, bigint> {
    const s = this.sets.get(h);
    return new Map((s?.validators ?? []).map((v) => [toHex(v.address), v.votingPower]));
  }
}
