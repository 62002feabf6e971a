/**
 * Minimal staking: the validator records fee distribution needs (consensus key → fee address,
 * power). Validator-set changes, jailing and slashing come with consensus.
 */
import { AminoReader, AminoWriter } from '../../codec/index.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import type { ValidatorUpdate } from '../../app/abci.js';

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
}

const VAL_PREFIX = new TextEncoder().encode('val/');

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
  r.finish();
  return v;
}

export interface StakingKeeper {
  getByConsensusAddress(kv: KVReader, consAddr: Uint8Array): Validator | undefined;
  setValidator(kv: KVWriter, v: Validator): void;
  /** All validators, ordered by consensus address. */
  validators(kv: KVReader): Validator[];
  /** Validator-set changes of the current block (none yet: the set is fixed by genesis). */
  validatorUpdates(kv: KVReader): ValidatorUpdate[];
}

export class Staking implements StakingKeeper {
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

  validatorUpdates(_kv: KVReader): ValidatorUpdate[] {
    return [];
  }
}
