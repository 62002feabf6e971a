/**
 * The fee table (`sdk:x/paramHub`): one fixed fee per msg type plus the transfer rule for Send.
 * Defaults are the mainnet genesis values plus the values upgrades added (`spec/fees.json`).
 * Stored as canonical JSON under one key so it is part of the app hash and a FeeChange
 * proposal (gov, later) can replace it at a breathe block.
 */
import { rootError } from '../../errors.js';
import { INT64_MAX } from '../../codec/index.js';
import type { KVReader, KVWriter, ValueCodec } from '../../state/types.js';

export const FeeFor = { Proposer: 1, All: 2, Free: 3 } as const;
export type FeeForValue = (typeof FeeFor)[keyof typeof FeeFor];

export interface FixedFee {
  fee: bigint;
  feeFor: FeeForValue;
}

export interface TransferFee {
  fee: bigint;
  feeFor: FeeForValue;
  multiTransferFee: bigint;
  lowerLimitAsMulti: bigint;
}

export interface FeeTable {
  /** keyed by `msg.Type()` (`send` excluded: see `transfer`). */
  fixed: Record<string, FixedFee>;
  transfer: TransferFee;
}

const P = FeeFor.Proposer;
const A = FeeFor.All;
const F = FeeFor.Free;

/** Genesis fee values (fees.json `mainnet_genesis_2019_04_18` + the upgrade-added ones this chain uses). */
export function defaultFeeTable(): FeeTable {
  const fixed: Record<string, FixedFee> = {
    submit_proposal: { fee: 1_000_000_000n, feeFor: P },
    deposit: { fee: 125_000n, feeFor: P },
    vote: { fee: 0n, feeFor: F },
    create_validator: { fee: 1_000_000_000n, feeFor: P },
    remove_validator: { fee: 100_000_000n, feeFor: P },
    dexList: { fee: 200_000_000_000n, feeFor: A },
    orderNew: { fee: 0n, feeFor: F },
    orderCancel: { fee: 0n, feeFor: F },
    issueMsg: { fee: 100_000_000_000n, feeFor: A },
    mintMsg: { fee: 20_000_000_000n, feeFor: A },
    tokensBurn: { fee: 100_000_000n, feeFor: P },
    tokensFreeze: { fee: 1_000_000n, feeFor: P },
    timeLock: { fee: 1_000_000n, feeFor: P },
    timeUnlock: { fee: 1_000_000n, feeFor: P },
    timeRelock: { fee: 1_000_000n, feeFor: P },
    setAccountFlags: { fee: 100_000_000n, feeFor: P },
    transferOwnership: { fee: 1_000_000n, feeFor: P },
    // BEP8 mini and tiny tokens
    tinyIssueMsg: { fee: 200_000_000n, feeFor: A },
    miniIssueMsg: { fee: 300_000_000n, feeFor: A },
    miniTokensSetURI: { fee: 37_500n, feeFor: P },
    dexListMini: { fee: 800_000_000n, feeFor: A },
  };
  return {
    fixed,
    transfer: { fee: 62_500n, feeFor: P, multiTransferFee: 50_000n, lowerLimitAsMulti: 2n },
  };
}

/** Send fee (`bank/fee_calculator.go`): `n = max(#coins in inputs, #coins in outputs)`. */
export function transferFeeAmount(t: TransferFee, inputCoins: number, outputCoins: number): bigint {
  const n = BigInt(Math.max(inputCoins, outputCoins));
  if (n >= t.lowerLimitAsMulti) {
    const fee = t.multiTransferFee * n;
    return fee > 9_000_000_000_000_000_000n ? 9_000_000_000_000_000_000n : fee;
  }
  return t.fee;
}

// ---------------------------------------------------------------------------------------------
// genesis / JSON form (fees.json naming)

export interface FeeTableJson {
  fixed_fee_params: { msg_type: string; fee: string | number; fee_for: number }[];
  transfer_fee_param: {
    fee: string | number;
    fee_for: number;
    multi_transfer_fee: string | number;
    lower_limit_as_multi: string | number;
  };
}

/** A non-negative int64 given in JSON as a decimal string or a safe integer. */
export function jsonInt64(v: unknown, what: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) v = String(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw rootError('invalidRequest', `${what}: expected a non-negative int64, got ${JSON.stringify(v)}`);
  const b = BigInt(v);
  if (b > INT64_MAX) throw rootError('overflow', `${what}: ${v} overflows int64 (expected a non-negative int64)`);
  return b;
}
const amount = jsonInt64;

/** A `fee_for` value: 1 (proposer), 2 (all validators) or 3 (free). */
export function feeFor(v: unknown, what: string): FeeForValue {
  if (v !== 1 && v !== 2 && v !== 3) throw rootError('invalidRequest', `${what}: fee_for must be 1 (proposer), 2 (all) or 3 (free), got ${JSON.stringify(v)}`);
  return v;
}

/** Parses a (partial) fee table; entries given replace the defaults, missing ones keep them. */
export function feeTableFromJson(raw: unknown, base: FeeTable = defaultFeeTable()): FeeTable {
  if (raw === undefined || raw === null) return base;
  if (typeof raw !== 'object') throw rootError('invalidRequest', 'params.fees must be an object');
  const j = raw as Partial<FeeTableJson>;
  const out: FeeTable = { fixed: { ...base.fixed }, transfer: { ...base.transfer } };
  if (j.fixed_fee_params !== undefined) {
    if (!Array.isArray(j.fixed_fee_params)) throw rootError('invalidRequest', 'params.fees.fixed_fee_params must be an array');
    for (const [i, p] of j.fixed_fee_params.entries()) {
      const what = `params.fees.fixed_fee_params[${i}]`;
      if (!p || typeof p.msg_type !== 'string' || !p.msg_type) throw rootError('invalidRequest', `${what}: msg_type missing`);
      if (p.msg_type === 'send') throw rootError('invalidRequest', `${what}: the send fee goes in transfer_fee_param`);
      out.fixed[p.msg_type] = { fee: amount(p.fee, `${what}.fee`), feeFor: feeFor(p.fee_for, `${what}.fee_for`) };
    }
  }
  if (j.transfer_fee_param !== undefined) {
    const t = j.transfer_fee_param;
    const w = 'params.fees.transfer_fee_param';
    if (!t || typeof t !== 'object') throw rootError('invalidRequest', `${w} must be an object`);
    out.transfer = {
      fee: amount(t.fee, `${w}.fee`),
      feeFor: feeFor(t.fee_for, `${w}.fee_for`),
      multiTransferFee: amount(t.multi_transfer_fee, `${w}.multi_transfer_fee`),
      lowerLimitAsMulti: amount(t.lower_limit_as_multi, `${w}.lower_limit_as_multi`),
    };
  }
  return out;
}

export function feeTableToJson(t: FeeTable): FeeTableJson {
  return {
    fixed_fee_params: Object.keys(t.fixed)
      .sort()
      .map((k) => ({ msg_type: k, fee: t.fixed[k]!.fee.toString(), fee_for: t.fixed[k]!.feeFor })),
    transfer_fee_param: {
      fee: t.transfer.fee.toString(),
      fee_for: t.transfer.feeFor,
      multi_transfer_fee: t.transfer.multiTransferFee.toString(),
      lower_limit_as_multi: t.transfer.lowerLimitAsMulti.toString(),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// keeper

const FEES_KEY = new TextEncoder().encode('prm/fees');
const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Reads and writes the fee table. Every tx looks the table up and it changes at most once a
 * day, so it is read through the views' decoded-record cache (no bytes copied per tx) and the
 * parse is memoised on the stored bytes for views without that cache. The returned table is
 * shared: read-only.
 */
export class ParamsKeeper {
  private lastRaw: Uint8Array | undefined;
  private lastTable: FeeTable | undefined;
  private readonly codec: ValueCodec<FeeTable> = {
    encode: (t) => enc.encode(JSON.stringify(feeTableToJson(t))),
    decode: (raw) => this.parse(raw),
  };

  getFeeTable(kv: KVReader): FeeTable {
    if (kv.getDecoded) return kv.getDecoded(FEES_KEY, this.codec) ?? defaultFeeTable();
    const raw = kv.get(FEES_KEY);
    return raw ? this.parse(raw) : defaultFeeTable();
  }

  private parse(raw: Uint8Array): FeeTable {
    if (this.lastRaw && this.lastTable && Buffer.compare(this.lastRaw, raw) === 0) return this.lastTable;
    const table = feeTableFromJson(JSON.parse(dec.decode(raw)), { fixed: {}, transfer: defaultFeeTable().transfer });
    this.lastRaw = raw.slice();
    this.lastTable = table;
    return table;
  }

  private gen = 0;

  /**
   * Bumped by every `setFeeTable` (the only writer of the table's key): a table read under an
   * older generation may be stale, one read under the current generation is what the same
   * view still holds. Lets the app read the table once per block instead of once per tx.
   */
  get generation(): number {
    return this.gen;
  }

  setFeeTable(kv: KVWriter, t: FeeTable): void {
    this.gen++;
    kv.set(FEES_KEY, enc.encode(JSON.stringify(feeTableToJson(t))));
  }
}
