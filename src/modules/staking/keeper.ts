/**
 * Staking: the validator records (consensus key → fee address, power) and their punishment.
 *
 * Evidence of a duplicate vote (arriving as `misbehavior` in the block) jails the validator:
 * its record is kept with `jailed = true`, and the block's validator updates carry power 0 for
 * it, which removes it from the set two heights later (CometBFT's H+2 rule, applied by the node).
 * There is no bond model yet, so the slash takes `slash_fraction` of its operator account's free
 * BNB into the slash pool (an escrow address, so supplies are conserved) and records the amount
 * on the validator. Punishment is idempotent: a jailed validator is not punished again (evidence
 * may be re-proposed after a restart).
 */
import { AminoReader, AminoWriter, escrowAddress, encodeAddress, formatFixed8, parseFixed8 } from '../../codec/index.js';
import type { Address, Coin } from '../../codec/types.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import type { Misbehavior, ValidatorUpdate } from '../../app/abci.js';
import { toHex } from '../../crypto/hash.js';

export interface Validator {
  name: string;
  /** 32-byte ed25519 key. */
  consensusPubKey: Uint8Array;
  /** First 20 bytes of SHA256(consensusPubKey). */
  consensusAddress: Uint8Array;
  /** Account address that receives this validator's fees. */
  operator: Uint8Array;
  power: bigint;
  jailed: boolean;
  /** BNB base units taken from the operator by slashing, in total (0 = never slashed). */
  slashed?: bigint;
  /** Height of the misbehaviour that jailed it (0 = not jailed). */
  jailedAtHeight?: bigint;
}

/** Where slashed coins go: an escrow account nobody holds a key for. */
export const SLASH_POOL = escrowAddress('dexchain/staking/slash-pool');
/** Default fraction of the operator's free BNB slashed for a double sign (genesis `app_state.staking.slash_fraction`). */
export const DEFAULT_SLASH_FRACTION = '0.05';
const SLASH_DENOM = 'BNB';
const FIXED8_ONE = 100_000_000n;

const VAL_PREFIX = new TextEncoder().encode('val/');
const PARAMS_KEY = new TextEncoder().encode('staking/params');

function valKey(consAddr: Uint8Array): Uint8Array {
  const k = new Uint8Array(VAL_PREFIX.length + consAddr.length);
  k.set(VAL_PREFIX, 0);
  k.set(consAddr, VAL_PREFIX.length);
  return k;
}

export function encodeValidator(v: Validator): Uint8Array {
  const w = new AminoWriter();
  w.string(1, v.name).bytes(2, v.consensusPubKey).bytes(3, v.consensusAddress).bytes(4, v.operator);
  w.uvarint(5, v.power).bool(6, v.jailed);
  w.uvarint(7, v.slashed ?? 0n).uvarint(8, v.jailedAtHeight ?? 0n);
  return w.finish();
}

export function decodeValidator(b: Uint8Array): Validator {
  const r = new AminoReader(b);
  const v: Validator = {
    name: r.string(1),
    consensusPubKey: r.bytes(2),
    consensusAddress: r.bytes(3),
    operator: r.bytes(4),
    power: r.uvarint(5),
    jailed: r.bool(6),
  };
  const slashed = r.uvarint(7);
  const jailedAt = r.uvarint(8);
  if (slashed > 0n) v.slashed = slashed;
  if (jailedAt > 0n) v.jailedAtHeight = jailedAt;
  r.finish();
  return v;
}

/** The bank calls slashing needs (narrow keeper interface). */
export interface SlashBank {
  getBalance(kv: KVReader, addr: Address, denom: string): bigint;
  subtractCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): unknown;
  addCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): unknown;
}

export interface PunishResult {
  validator: Validator;
  slashed: bigint;
}

export interface StakingKeeper {
  getByConsensusAddress(kv: KVReader, consAddr: Uint8Array): Validator | undefined;
  setValidator(kv: KVWriter, v: Validator): void;
  /** All validators, ordered by consensus address. */
  validators(kv: KVReader): Validator[];
  /** Validator-set changes of the current block (jailed validators leave with power 0). */
  validatorUpdates(kv: KVReader): ValidatorUpdate[];
}

export class Staking implements StakingKeeper {
  /** Updates produced by the block being executed; reset at its begin-block. */
  private pending: ValidatorUpdate[] = [];

  getByConsensusAddress(kv: KVReader, consAddr: Uint8Array): Validator | undefined {
    const b = kv.get(valKey(consAddr));
    return b ? decodeValidator(b) : undefined;
  }

  setValidator(kv: KVWriter, v: Validator): void {
    kv.set(valKey(v.consensusAddress), encodeValidator(v));
  }

  validators(kv: KVReader): Validator[] {
    const out: Validator[] = [];
    for (const [, b] of kv.iterate(VAL_PREFIX)) out.push(decodeValidator(b));
    return out;
  }

  /** Slash fraction as fixed-8 (1e8 = 100 %). */
  slashFraction(kv: KVReader): bigint {
    const b = kv.get(PARAMS_KEY);
    if (!b) return parseFixed8(DEFAULT_SLASH_FRACTION);
    const j = JSON.parse(new TextDecoder().decode(b)) as { slash_fraction: string };
    return parseFixed8(j.slash_fraction);
  }

  setSlashFraction(kv: KVWriter, fraction: string): void {
    const f = parseFixed8(fraction);
    if (f < 0n || f > FIXED8_ONE) throw new Error(`staking slash_fraction must be between 0 and 1, got ${fraction}`);
    kv.set(PARAMS_KEY, new TextEncoder().encode(JSON.stringify({ slash_fraction: formatFixed8(f) })));
  }

  /** Forgets the previous block's updates (begin-block). */
  resetBlock(): void {
    this.pending = [];
  }

  /**
   * Jails and slashes the validator a duplicate vote names; undefined when it is unknown or
   * already jailed.
   */
  punish(kv: KVWriter, m: Misbehavior, bank?: SlashBank): PunishResult | undefined {
    const v = this.getByConsensusAddress(kv, m.validatorAddress);
    if (!v || v.jailed) return undefined;
    let slashed = 0n;
    if (bank) {
      const free = bank.getBalance(kv, v.operator, SLASH_DENOM);
      slashed = (free * this.slashFraction(kv)) / FIXED8_ONE;
      if (slashed > 0n) {
        bank.subtractCoins(kv, v.operator, [{ denom: SLASH_DENOM, amount: slashed }]);
        bank.addCoins(kv, SLASH_POOL, [{ denom: SLASH_DENOM, amount: slashed }]);
      }
    }
    const next: Validator = { ...v, jailed: true, jailedAtHeight: BigInt(m.height), slashed: (v.slashed ?? 0n) + slashed };
    this.setValidator(kv, next);
    this.pending = this.pending.filter((u) => toHex(u.pubKey) !== toHex(v.consensusPubKey));
    this.pending.push({ pubKey: v.consensusPubKey, power: 0n });
    return { validator: next, slashed };
  }

  /**
   * Sets a validator's power by governance (a new validator, a power change, or power 0 to
   * remove it); the change reaches consensus through this block's validator updates.
   */
  setPower(kv: KVWriter, v: Validator): void {
    this.setValidator(kv, v);
    this.pending = this.pending.filter((u) => toHex(u.pubKey) !== toHex(v.consensusPubKey));
    this.pending.push({ pubKey: v.consensusPubKey, power: v.jailed ? 0n : v.power });
  }

  validatorUpdates(_kv: KVReader): ValidatorUpdate[] {
    return [...this.pending].sort((a, b) => (toHex(a.pubKey) < toHex(b.pubKey) ? -1 : 1));
  }

  /** Event attributes for a punishment. */
  static slashEvent(r: PunishResult, hrp: string, height: number): Record<string, string> {
    return {
      validator: toHex(r.validator.consensusAddress).toUpperCase(),
      operator: encodeAddress(r.validator.operator, hrp),
      reason: 'double_sign',
      infraction_height: String(r.validator.jailedAtHeight ?? 0n),
      height: String(height),
      amount: `${r.slashed}${SLASH_DENOM}`,
      jailed: 'true',
    };
  }
}
