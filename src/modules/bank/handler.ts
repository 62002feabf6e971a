/** Send (multi-in/multi-out) and SetAccountFlags. */
import { rootError } from '../../errors.js';
import { encodeAddress } from '../../codec/index.js';
import type { Address, SendMsg, SetAccountFlagsMsg } from '../../codec/types.js';
import { toHex } from '../../crypto/hash.js';
import type { MsgHandler } from '../../app/router.js';
import { FeeFor, transferFeeAmount } from '../params/fees.js';
import { FLAG_MEMO_CHECK } from './account.js';
import { coinsEqual, coinsString, sumCoins, validateCoins } from './coins.js';
import type { BankKeeper } from './keeper.js';

/** Flags the chain knows (BEP12 memo check only). */
export const KNOWN_FLAGS = FLAG_MEMO_CHECK;

/** Input addresses in order, each once (every input signs). */
export function sendSigners(msg: SendMsg): Address[] {
  if (msg.inputs.length === 1) return [msg.inputs[0]!.address]; // the common case: no set, no hex
  const seen = new Set<string>();
  const out: Address[] = [];
  for (const i of msg.inputs) {
    const k = toHex(i.address);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(i.address);
    }
  }
  return out;
}

export function validateSend(msg: SendMsg): void {
  if (msg.inputs.length === 0) throw rootError('invalidCoins', 'send has no inputs');
  if (msg.outputs.length === 0) throw rootError('invalidCoins', 'send has no outputs');
  msg.inputs.forEach((i, n) => validateCoins(i.coins, `input ${n}`));
  msg.outputs.forEach((o, n) => validateCoins(o.coins, `output ${n}`));
  const inSum = sumCoins(msg.inputs.map((i) => i.coins));
  const outSum = sumCoins(msg.outputs.map((o) => o.coins));
  if (!coinsEqual(inSum, outSum)) {
    throw rootError('invalidCoins', `sum of inputs (${coinsString(inSum)}) does not equal sum of outputs (${coinsString(outSum)})`);
  }
}

const ALL_DIGITS = /^[0-9]+$/;

export function sendHandler(bank: BankKeeper): MsgHandler<SendMsg> {
  return {
    type: 'cosmos-sdk/Send',
    feeKey: 'send',
    route: 'bank',
    signers: sendSigners,
    validateBasic: validateSend,
    fee(msg, table) {
      const nIn = msg.inputs.reduce((n, i) => n + i.coins.length, 0);
      const nOut = msg.outputs.reduce((n, o) => n + o.coins.length, 0);
      const t = table.transfer;
      return { amount: t.feeFor === FeeFor.Free ? 0n : transferFeeAmount(t, nIn, nOut), feeFor: t.feeFor };
    },
    handle(ctx, msg) {
      const hrp = ctx.chain.hrp;
      for (const i of msg.inputs) bank.subtractCoins(ctx.kv, i.address, i.coins);
      for (const o of msg.outputs) {
        const to = bank.getAccount(ctx.kv, o.address);
        if (to && (to.flags & FLAG_MEMO_CHECK) !== 0n) {
          const memo = ctx.tx.tx.memo;
          if (!ALL_DIGITS.test(memo)) {
            throw rootError(
              'invalidRequest',
              `receiver ${encodeAddress(o.address, hrp)} requires a non-empty memo of digits only, got ${JSON.stringify(memo)}`,
            );
          }
        }
        bank.addCoins(ctx.kv, o.address, o.coins);
        if (ctx.mode !== 'deliver') continue; // events are for blocks only
        const sender = msg.inputs.length === 1 ? msg.inputs[0]!.address : undefined;
        ctx.events.emit('transfer', {
          sender: sender ? encodeAddress(sender, hrp) : msg.inputs.map((i) => encodeAddress(i.address, hrp)).join(','),
          recipient: encodeAddress(o.address, hrp),
          amount: coinsString(o.coins),
        });
      }
    },
  };
}

export function setAccountFlagsHandler(bank: BankKeeper): MsgHandler<SetAccountFlagsMsg> {
  return {
    type: 'scripts/SetAccountFlagsMsg',
    feeKey: 'setAccountFlags',
    route: 'accountFlags',
    validateBasic(msg) {
      if ((msg.flags & ~KNOWN_FLAGS) !== 0n) throw rootError('invalidRequest', `unknown account flags 0x${msg.flags.toString(16)}`);
    },
    handle(ctx, msg) {
      const acc = bank.getAccount(ctx.kv, msg.from);
      if (!acc) throw rootError('unknownAddress', `account ${encodeAddress(msg.from, ctx.chain.hrp)} does not exist`);
      acc.flags = msg.flags;
      bank.setAccount(ctx.kv, acc);
      ctx.events.emit('account_flags', { address: encodeAddress(msg.from, ctx.chain.hrp), flags: msg.flags.toString() });
    },
  };
}
