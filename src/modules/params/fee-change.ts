/**
 * FeeChange proposals (gov proposal type 0x05, `sdk:x/paramHub`): a passed proposal's fee
 * params replace fees at the next breathe block (spec §E.2 step 3), never mid-day.
 *
 * The description is the original's `FeeChangeParams` JSON:
 *
 *   {"fee_params":[
 *     {"type":"params/FixedFeeParams","value":{"msg_type":"issueMsg","fee":"50000000000","fee_for":2}},
 *     {"type":"params/TransferFeeParams","value":{"fixed_fee_params":{"msg_type":"send","fee":"37500","fee_for":1},
 *                                              "multi_transfer_fee":"30000","lower_limit_as_multi":"2"}},
 *     {"type":"params/DexFeeParam","value":{"dex_fee_fields":[{"fee_name":"FeeRateNative","fee_value":"400"}]}}],
 *   "description":"…"}
 *
 * The entries a proposal lists replace those of the table; unlisted ones keep their fee, so a
 * proposal about one fee cannot make every other msg free by leaving it out. Unknown msg types
 * and DEX fee names are refused at submission (a typo would otherwise pass and change nothing).
 * When several FeeChange proposals pass before a breathe block, the last one to pass applies.
 */
import { ChainError, rootError } from '../../errors.js';
import { ProposalKind } from '../../codec/types.js';
import type { BlockContext } from '../../app/context.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import { feeFor, feeTableFromJson, jsonInt64, type FeeTable, type FeeTableJson, type ParamsKeeper } from './fees.js';

/** DEX fee names of `DexFeeParam.dex_fee_fields` and the fields they set. */
export const DEX_FEE_NAMES = {
  ExpireFee: 'expireFee',
  ExpireFeeNative: 'expireFeeNative',
  CancelFee: 'cancelFee',
  CancelFeeNative: 'cancelFeeNative',
  FeeRate: 'feeRate',
  FeeRateNative: 'feeRateNative',
  IOCExpireFee: 'iocExpireFee',
  IOCExpireFeeNative: 'iocExpireFeeNative',
} as const;
export type DexFeeField = (typeof DEX_FEE_NAMES)[keyof typeof DEX_FEE_NAMES];

/** Trade fee rates are in millionths: above this a trade would pay more than it moves. */
export const MAX_FEE_RATE = 1_000_000n;

export interface FeeChange {
  /** Fixed and transfer entries in the fee table's JSON form (merged over the current table). */
  table: Partial<FeeTableJson>;
  /** DEX fees to set, by field. */
  dex: Partial<Record<DexFeeField, bigint>>;
}

/** Where DEX fees are written (the DEX keeper). */
export interface DexFeeSetter {
  setDexFees(kv: KVWriter, fees: Partial<Record<DexFeeField, bigint>>): void;
}

const bad = (msg: string): ChainError => rootError('invalidRequest', `FeeChange proposal: ${msg}`);

/** `read()`, with the proposal's prefix on the error it throws. */
function checked<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw bad((e as Error).message);
  }
}
const int64 = (v: unknown, what: string): bigint => checked(() => jsonInt64(v, what));

function object(v: unknown, what: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(`${what} must be an object`);
  return v as Record<string, unknown>;
}

/**
 * Parses and checks a FeeChange description against `table` (the msg types it knows); throws a
 * ChainError (`invalidRequest`) that says what is wrong.
 */
export function parseFeeChange(description: string, table: FeeTable): FeeChange {
  let raw: unknown;
  try {
    raw = JSON.parse(description);
  } catch (e) {
    throw bad(`description is not JSON: ${(e as Error).message}`);
  }
  const params = object(raw, 'description').fee_params;
  if (!Array.isArray(params) || params.length === 0) throw bad('fee_params must be a non-empty list');
  const fixed: FeeTableJson['fixed_fee_params'] = [];
  const out: FeeChange = { table: {}, dex: {} };
  const seen = new Set<string>();
  params.forEach((p, i) => {
    const at = `fee_params[${i}]`;
    const { type, value } = object(p, at);
    const v = object(value, `${at}.value`);
    if (type === 'params/FixedFeeParams') {
      const msgType = v.msg_type;
      if (typeof msgType !== 'string' || !msgType) throw bad(`${at}.value.msg_type missing`);
      if (msgType === 'send') throw bad(`${at}: the send fee is set by params/TransferFeeParams`);
      if (!(msgType in table.fixed)) throw bad(`${at}: unknown msg_type ${JSON.stringify(msgType)} (known: ${Object.keys(table.fixed).sort().join(', ')})`);
      if (seen.has(msgType)) throw bad(`${at}: msg_type ${msgType} listed twice`);
      seen.add(msgType);
      fixed.push({ msg_type: msgType, fee: int64(v.fee, `${at}.value.fee`).toString(), fee_for: checked(() => feeFor(v.fee_for, `${at}.value.fee_for`)) });
    } else if (type === 'params/TransferFeeParams') {
      if (out.table.transfer_fee_param) throw bad(`${at}: TransferFeeParams listed twice`);
      const f = object(v.fixed_fee_params, `${at}.value.fixed_fee_params`);
      if (f.msg_type !== 'send') throw bad(`${at}.value.fixed_fee_params.msg_type must be "send"`);
      out.table.transfer_fee_param = {
        fee: int64(f.fee, `${at}.value.fixed_fee_params.fee`).toString(),
        fee_for: checked(() => feeFor(f.fee_for, `${at}.value.fixed_fee_params.fee_for`)),
        multi_transfer_fee: int64(v.multi_transfer_fee, `${at}.value.multi_transfer_fee`).toString(),
        lower_limit_as_multi: int64(v.lower_limit_as_multi, `${at}.value.lower_limit_as_multi`).toString(),
      };
      if (BigInt(out.table.transfer_fee_param.lower_limit_as_multi) < 2n) throw bad(`${at}.value.lower_limit_as_multi must be at least 2`);
    } else if (type === 'params/DexFeeParam') {
      const fields = v.dex_fee_fields;
      if (!Array.isArray(fields) || fields.length === 0) throw bad(`${at}.value.dex_fee_fields must be a non-empty list`);
      fields.forEach((x, j) => {
        const w = `${at}.value.dex_fee_fields[${j}]`;
        const { fee_name: name, fee_value: value } = object(x, w);
        if (typeof name !== 'string' || !Object.hasOwn(DEX_FEE_NAMES, name)) throw bad(`${w}: unknown fee_name ${JSON.stringify(name)} (known: ${Object.keys(DEX_FEE_NAMES).join(', ')})`);
        const field = DEX_FEE_NAMES[name as keyof typeof DEX_FEE_NAMES];
        if (out.dex[field] !== undefined) throw bad(`${w}: ${name} listed twice`);
        const amount = int64(value, `${w}.fee_value`);
        if ((field === 'feeRate' || field === 'feeRateNative') && amount > MAX_FEE_RATE) throw bad(`${w}: ${name} ${amount} exceeds ${MAX_FEE_RATE} (100 %)`);
        out.dex[field] = amount;
      });
    } else {
      throw bad(`${at}.type ${JSON.stringify(type)} is not params/FixedFeeParams, params/TransferFeeParams or params/DexFeeParam`);
    }
  });
  if (fixed.length > 0) out.table.fixed_fee_params = fixed;
  return out;
}

const PENDING_KEY = new TextEncoder().encode('prm/pendingFeeChange');
const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * The gov side (check at submission, record when passed) and the breathe-block step that
 * applies the recorded change. `dexFees` is read lazily: the DEX keeper is made after params.
 */
export class FeeChanges {
  constructor(
    private readonly params: ParamsKeeper,
    private readonly dexFees: () => DexFeeSetter | undefined,
  ) {}

  /** Gov hook: refuses a malformed FeeChange proposal at submission. */
  validateProposal(kv: KVReader, _timeMs: number, kind: number, description: string): void {
    if (kind === ProposalKind.FeeChange) parseFeeChange(description, this.params.getFeeTable(kv));
  }

  /** Gov hook: a passed FeeChange waits for the next breathe block (the last one passed wins). */
  proposalPassed(ctx: BlockContext, p: { id: bigint; kind: number; description: string }): void {
    if (p.kind !== ProposalKind.FeeChange) return;
    ctx.kv.set(PENDING_KEY, enc.encode(JSON.stringify({ proposal_id: p.id.toString(), description: p.description })));
  }

  /** The pending change, if a FeeChange proposal passed since the last breathe block. */
  pending(kv: KVReader): { proposalId: string; description: string } | undefined {
    const raw = kv.get(PENDING_KEY);
    if (!raw) return undefined;
    const j = JSON.parse(dec.decode(raw)) as { proposal_id: string; description: string };
    return { proposalId: j.proposal_id, description: j.description };
  }

  /** EndBlock slot `params`: on a breathe block, applies the pending change. */
  endBlock(ctx: BlockContext): void {
    if (!ctx.block.breathe) return;
    const p = this.pending(ctx.kv);
    if (!p) return;
    ctx.kv.delete(PENDING_KEY);
    const current = this.params.getFeeTable(ctx.kv);
    let change: FeeChange;
    try {
      change = parseFeeChange(p.description, current);
    } catch (e) {
      // checked at submission against the then table; only a msg type gone since could fail
      ctx.events.emit('fee_change_failed', { proposal_id: p.proposalId, reason: (e as Error).message });
      return;
    }
    if (change.table.fixed_fee_params || change.table.transfer_fee_param) this.params.setFeeTable(ctx.kv, feeTableFromJson(change.table, current));
    if (Object.keys(change.dex).length > 0) this.dexFees()?.setDexFees(ctx.kv, change.dex);
    ctx.events.emit('fee_change', { proposal_id: p.proposalId });
  }
}
