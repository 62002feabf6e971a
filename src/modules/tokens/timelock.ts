/**
 * Time locks (BEP9, spec §B.3): coins move into an escrow account until `lock_time`.
 * Record id = the owner's account sequence after the ante increment, so ids are unique per
 * owner without another counter.
 */
import { AminoReader, AminoWriter, encodeAddress, escrowAddress, readCoins, writeCoins } from '../../codec/index.js';
import type { Address, Coin, TimeLockMsg, TimeRelockMsg, TimeUnlockMsg } from '../../codec/types.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import type { MsgHandler } from '../../app/router.js';
import type { TxContext } from '../../app/context.js';
import type { BankKeeper } from '../bank/keeper.js';
import { coinsString, subCoins, validateCoins, coinsEqual } from '../bank/coins.js';
import { tokenError } from './errors.js';

export const TIME_LOCK_ESCROW = escrowAddress('BinanceChainTimeLockCoins');
export const MIN_LOCK_SECONDS = 60n;
/** Year 10000 (`time.Unix(253402300800)`); later times do not round-trip in Go. */
export const MAX_LOCK_TIME = 253_402_300_800n;
export const MAX_DESCRIPTION_BYTES = 128;

export interface TimeLockRecord {
  id: bigint;
  owner: Address;
  description: string;
  amount: Coin[];
  /** unix seconds */
  lockTime: bigint;
}

const TL_PREFIX = new TextEncoder().encode('tl/');
const enc = new TextEncoder();

function ownerPrefix(owner: Address): Uint8Array {
  const k = new Uint8Array(TL_PREFIX.length + owner.length + 1);
  k.set(TL_PREFIX, 0);
  k.set(owner, TL_PREFIX.length);
  k[k.length - 1] = 0x2f; // '/'
  return k;
}

function recordKey(owner: Address, id: bigint): Uint8Array {
  const p = ownerPrefix(owner);
  const k = new Uint8Array(p.length + 8);
  k.set(p, 0);
  new DataView(k.buffer).setBigUint64(p.length, id);
  return k;
}

function encodeRecord(r: TimeLockRecord): Uint8Array {
  const w = new AminoWriter();
  w.uvarint(1, r.id).bytes(2, r.owner).string(3, r.description);
  writeCoins(w, 4, r.amount);
  w.uvarint(5, r.lockTime);
  return w.finish();
}

function decodeRecord(b: Uint8Array): TimeLockRecord {
  const r = new AminoReader(b);
  const rec: TimeLockRecord = {
    id: r.uvarint(1),
    owner: r.bytes(2),
    description: r.string(3),
    amount: readCoins(r, 4),
    lockTime: r.uvarint(5),
  };
  r.finish();
  return rec;
}

export class TimeLocks {
  get(kv: KVReader, owner: Address, id: bigint): TimeLockRecord | undefined {
    const b = kv.get(recordKey(owner, id));
    return b ? decodeRecord(b) : undefined;
  }

  set(kv: KVWriter, r: TimeLockRecord): void {
    kv.set(recordKey(r.owner, r.id), encodeRecord(r));
  }

  delete(kv: KVWriter, owner: Address, id: bigint): void {
    kv.delete(recordKey(owner, id));
  }

  /** An owner's records by id. */
  list(kv: KVReader, owner: Address): TimeLockRecord[] {
    const out: TimeLockRecord[] = [];
    for (const [, b] of kv.iterate(ownerPrefix(owner))) out.push(decodeRecord(b));
    return out;
  }
}

function checkDescription(d: string): void {
  const n = enc.encode(d).length;
  if (n < 1 || n > MAX_DESCRIPTION_BYTES) {
    throw tokenError('invalidDescription', `description must be 1 to ${MAX_DESCRIPTION_BYTES} bytes, got ${n}`);
  }
}

/** `lock_time` must be more than 60 s after the block time and before year 10000. */
function checkLockTime(ctx: TxContext, lockTime: bigint): void {
  if (lockTime >= MAX_LOCK_TIME) throw tokenError('invalidTimeLock', `lock time ${lockTime} is too far in the future`);
  const min = BigInt(ctx.block.timeMs) + MIN_LOCK_SECONDS * 1000n;
  if (lockTime * 1000n <= min) {
    throw tokenError('invalidTimeLock', `lock time ${lockTime} must be more than ${MIN_LOCK_SECONDS}s after the block time ${Math.floor(ctx.block.timeMs / 1000)}`);
  }
}

function mustGetRecord(locks: TimeLocks, ctx: TxContext, owner: Address, id: bigint): TimeLockRecord {
  const r = locks.get(ctx.kv, owner, id);
  if (!r) throw tokenError('timeLockNotFound', `time lock ${id} of ${encodeAddress(owner, ctx.chain.hrp)} does not exist`);
  return r;
}

export function timeLockHandler(locks: TimeLocks, bank: BankKeeper): MsgHandler<TimeLockMsg> {
  return {
    type: 'tokens/TimeLockMsg',
    feeKey: 'timeLock',
    route: 'timelock',
    validateBasic(msg) {
      checkDescription(msg.description);
      validateCoins(msg.amount, 'time lock amount');
    },
    handle(ctx, msg) {
      checkLockTime(ctx, msg.lock_time);
      const acc = bank.getAccount(ctx.kv, msg.from);
      if (!acc) throw tokenError('timeLockNotFound', 'account does not exist');
      const id = acc.sequence; // already incremented by the ante step
      if (locks.get(ctx.kv, msg.from, id)) throw tokenError('invalidTimeLock', `time lock ${id} already exists`);
      bank.transfer(ctx.kv, msg.from, TIME_LOCK_ESCROW, msg.amount);
      locks.set(ctx.kv, { id, owner: msg.from, description: msg.description, amount: msg.amount, lockTime: msg.lock_time });
      ctx.events.emit('time_lock', {
        from: encodeAddress(msg.from, ctx.chain.hrp),
        time_lock_id: id.toString(),
        amount: coinsString(msg.amount),
        lock_time: msg.lock_time.toString(),
      });
      return { data: enc.encode(id.toString()) };
    },
  };
}

export function timeUnlockHandler(locks: TimeLocks, bank: BankKeeper): MsgHandler<TimeUnlockMsg> {
  return {
    type: 'tokens/TimeUnlockMsg',
    feeKey: 'timeUnlock',
    route: 'timelock',
    handle(ctx, msg) {
      const r = mustGetRecord(locks, ctx, msg.from, msg.time_lock_id);
      if (BigInt(ctx.block.timeMs) < r.lockTime * 1000n) {
        throw tokenError('timeLockNotDue', `time lock ${r.id} cannot be unlocked before ${r.lockTime} (block time ${Math.floor(ctx.block.timeMs / 1000)})`);
      }
      bank.transfer(ctx.kv, TIME_LOCK_ESCROW, msg.from, r.amount);
      locks.delete(ctx.kv, msg.from, r.id);
      ctx.events.emit('time_unlock', {
        from: encodeAddress(msg.from, ctx.chain.hrp),
        time_lock_id: r.id.toString(),
        amount: coinsString(r.amount),
      });
    },
  };
}

export function timeRelockHandler(locks: TimeLocks, bank: BankKeeper): MsgHandler<TimeRelockMsg> {
  return {
    type: 'tokens/TimeRelockMsg',
    feeKey: 'timeRelock',
    route: 'timelock',
    validateBasic(msg) {
      if (msg.description === '' && msg.amount.length === 0 && msg.lock_time === 0n) {
        throw tokenError('invalidTimeLock', 'nothing to relock: description, amount and lock time are all empty');
      }
      if (msg.description !== '') checkDescription(msg.description);
      if (msg.amount.length > 0) validateCoins(msg.amount, 'relock amount');
    },
    handle(ctx, msg) {
      const r = mustGetRecord(locks, ctx, msg.from, msg.time_lock_id);
      const next: TimeLockRecord = { ...r };
      if (msg.description !== '') next.description = msg.description;
      if (msg.lock_time !== 0n) {
        if (msg.lock_time <= r.lockTime) {
          throw tokenError('invalidTimeLock', `new lock time ${msg.lock_time} must be after the current lock time ${r.lockTime}`);
        }
        checkLockTime(ctx, msg.lock_time);
        next.lockTime = msg.lock_time;
      }
      if (msg.amount.length > 0) {
        let extra;
        try {
          extra = subCoins(msg.amount, r.amount);
        } catch {
          extra = undefined;
        }
        if (!extra || extra.length === 0 || coinsEqual(msg.amount, r.amount)) {
          throw tokenError('invalidTimeLock', `new amount ${coinsString(msg.amount)} must be larger than the locked ${coinsString(r.amount)}`);
        }
        bank.transfer(ctx.kv, msg.from, TIME_LOCK_ESCROW, extra);
        next.amount = msg.amount;
      }
      locks.set(ctx.kv, next);
      ctx.events.emit('time_relock', {
        from: encodeAddress(msg.from, ctx.chain.hrp),
        time_lock_id: r.id.toString(),
        amount: coinsString(next.amount),
        lock_time: next.lockTime.toString(),
      });
    },
  };
}
