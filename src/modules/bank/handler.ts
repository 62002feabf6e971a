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
  for (let n = 0; n < msg.inputs.length; n++) validateCoins(msg.inputs[n]!.coins, `input ${n}`);
  for (let n = 0; n < msg.outputs.length; n++) validateCoins(msg.outputs[n]!.coins, `output ${n}`);
  if (msg.inputs.length === 1 && msg.outputs.length === 1) {
    // one valid (sorted, positive, unique) list on each side is its own sum
    const a = msg.inputs[0]!.coins;
    const b = msg.outputs[0]!.coins;
    if (!coinsEqual(a, b)) throw rootError('invalidCoins', `sum of inputs (${coinsString(a)}) does not equal sum of outputs (${coinsString(b)})`);
    return;
  }
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
      let nIn = 0;
      let nOut = 0;
      for (const i of msg.inputs) nIn += i.coins.length;
      for (const o of msg.outputs) nOut += o.coins.length;
      const t = table.transfer;
      return { amount: t.feeFor === FeeFor.Free ? 0n : transferFeeAmount(t, nIn, nOut), feeFor: t.feeFor };
    },
    handle(ctx, msg) {
      const hrp = ctx.chain.hrp;
      for (const i of msg.inputs) bank.subtractCoins(ctx.kv, i.address, i.coins);
      for (const o of msg.outputs) {
        const to = bank.peekAccount(ctx.kv, o.address);
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
        const sender = msg.inputs.length === 1 ? encodeAddress(msg.inputs[0]!.address, hrp) : msg.inputs.map((i) => encodeAddress(i.address, hrp)).join(',');
        ctx.events.events.push({
          type: 'transfer',
          attributes: [
            { key: 'sender', value: sender },
            { key: 'recipient', value: encodeAddress(o.address, hrp) },
            { key: 'amount', value: o.coins.length === 1 ? `${o.coins[0]!.amount}${o.coins[0]!.denom}` : coinsString(o.coins) },
          ],
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
