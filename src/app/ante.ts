/**
 * The ante step (`node:common/tx/ante.go`, `sdk:x/auth/ante.go`), run before every handler in
 * the tx's own cache: tx shape (one msg, no data, memo ≤ 128 bytes), stateless msg checks,
 * signers and signatures (pubkey ↔ address, account number, sequence, signature over this
 * chain's sign bytes), sequence + 1, then the fee in BNB from the first signer.
 * Any throw discards the whole cache, so a failed tx changes nothing and pays nothing.
 */
import { rootError } from '../errors.js';
import { encodeAddress, txSignBytes, validateMsgBasic } from '../codec/index.js';
import type { Address, StdTx } from '../codec/types.js';
import { addressFromPubKey, bytesEqual, sha256 } from '../crypto/hash.js';
import { isLowS } from '../crypto/secp256k1.js';
import type { SignatureVerifier } from '../crypto/verifier.js';
import type { BankKeeper } from '../modules/bank/keeper.js';
import { amountOf, subCoin } from '../modules/bank/coins.js';
import { FeeFor, type FeeTable, type ParamsKeeper } from '../modules/params/fees.js';
import { defaultSigners, type Fee, type MsgHandler, type Router } from './router.js';
import type { ChainInfo, TxContext } from './context.js';
import type { VerifyJob } from '../crypto/pool.js';
import type { SigCache } from './sigcache.js';

export const MAX_MEMO_BYTES = 128;
export const FEE_DENOM = 'BNB';

export interface AnteDeps {
  router: Router;
  bank: BankKeeper;
  params: ParamsKeeper;
  verifier: SignatureVerifier;
  sigCache: SigCache;
}

export interface AnteResult {
  handler: MsgHandler<{ type: string }>;
  signers: Address[];
  fee: Fee;
}

const enc = new TextEncoder();

export function feeFor(handler: MsgHandler<{ type: string }>, msg: { type: string }, table: FeeTable): Fee {
  if (handler.fee) return handler.fee(msg, table);
  const f = table.fixed[handler.feeKey];
  if (!f || f.feeFor === FeeFor.Free || f.fee <= 0n) return { amount: 0n, feeFor: FeeFor.Free };
  return { amount: f.fee, feeFor: f.feeFor };
}

const FREE: Fee = Object.freeze({ amount: 0n, feeFor: FeeFor.Free });

/**
 * @param feeTable the fee table of `ctx.kv` when the caller already has it (the app keeps it
 *   per block: only a breathe-block proposal changes it); read from the state otherwise
 */
export function runAnte(ctx: TxContext, deps: AnteDeps, feeTable?: FeeTable): AnteResult {
  const tx = ctx.tx.tx;
  const hrp = ctx.chain.hrp;
  if (tx.msgs.length !== 1) throw rootError('unknownRequest', `a tx must carry exactly one msg, got ${tx.msgs.length}`);
  if (tx.data.length > 0) throw rootError('unknownRequest', 'tx data must be empty');
  // a UTF-16 unit is at most 3 UTF-8 bytes: short memos (most are empty) need no encoding
  if (tx.memo.length * 3 > MAX_MEMO_BYTES) {
    const memoBytes = enc.encode(tx.memo).length;
    if (memoBytes > MAX_MEMO_BYTES) throw rootError('memoTooLarge', `memo is ${memoBytes} bytes, the maximum is ${MAX_MEMO_BYTES}`);
  }

  const msg = tx.msgs[0]!;
  const handler = deps.router.handler(msg.type);
  validateMsgBasic(msg);
  handler.validateBasic?.(msg, ctx.chain);

  const signers = handler.signers ? handler.signers(msg) : defaultSigners(msg);
  if (signers.length === 0) throw rootError('unauthorized', 'msg has no signers');
  if (tx.signatures.length !== signers.length) {
    throw rootError('unauthorized', `wrong number of signatures: expected ${signers.length}, got ${tx.signatures.length}`);
  }

  const f = feeFor(handler, msg, feeTable ?? deps.params.getFeeTable(ctx.kv));
  const fee: Fee = f.feeFor === FeeFor.Free || f.amount <= 0n ? FREE : f;

  // undefined: not verified yet; -1: all signatures verify; i: signature i is the first bad one
  const known = deps.sigCache.status(ctx.hash);
  for (let i = 0; i < signers.length; i++) {
    const signer = signers[i]!;
    const sig = tx.signatures[i]!;
    const acc = deps.bank.getAccount(ctx.kv, signer);
    if (!acc) throw rootError('unknownAddress', `account ${encodeAddress(signer, hrp)} does not exist`);
    if (acc.pubKey) {
      if (!bytesEqual(acc.pubKey, sig.pub_key)) throw rootError('invalidPubKey', `signature ${i}: public key does not match the one of account ${encodeAddress(signer, hrp)}`);
    } else {
      if (!bytesEqual(addressFromPubKey(sig.pub_key), signer)) {
        throw rootError('invalidPubKey', `signature ${i}: public key does not belong to signer ${encodeAddress(signer, hrp)}`);
      }
      // a copy: the decoded key is a view into the tx bytes, and the account outlives them
      acc.pubKey = sig.pub_key.slice();
    }
    if (sig.account_number !== acc.accountNumber) {
      throw rootError('invalidAccountNumber', `Invalid account number. Got ${sig.account_number}, expected ${acc.accountNumber}.`);
    }
    if (sig.sequence !== acc.sequence) {
      throw rootError('invalidSequence', `Invalid sequence. Got ${sig.sequence}, expected ${acc.sequence}.`);
    }
    if (known === undefined || known === i) {
      if (!isLowS(sig.signature)) throw rootError('invalidSignature', `signature ${i} is not canonical (high S)`);
      // a known-bad signature fails with the error its verification gave, without verifying again
      const ok = known === i ? false : deps.verifier.verify(sig.signature, sha256(txSignBytes(tx, sig, ctx.chain.chainId, hrp)), sig.pub_key);
      if (!ok) {
        if (known === undefined) deps.sigCache.markInvalid(ctx.hash, i);
        throw rootError('unauthorized', `signature verification failed for ${encodeAddress(signer, hrp)}; check account number, sequence and chain id (${ctx.chain.chainId})`);
      }
    }
    acc.sequence += 1n;
    if (i === 0 && fee.amount > 0n) {
      // the first signer pays, in the same account write as its sequence bump
      const have = amountOf(acc.coins, FEE_DENOM);
      if (have < fee.amount) {
        throw rootError('insufficientFunds', `insufficient funds to pay for fees; ${have}${FEE_DENOM} < ${fee.amount}${FEE_DENOM}`);
      }
      acc.coins = subCoin(acc.coins, FEE_DENOM, fee.amount);
    }
    deps.bank.setAccount(ctx.kv, acc);
  }
  if (known === undefined) deps.sigCache.markVerified(ctx.hash);
  return { handler, signers, fee };
}

/**
 * The verify jobs of a tx's signatures, in signature order: (signature, SHA-256 of this
 * chain's sign bytes, key). `undefined` marks a signature that fails without verifying
 * (not canonical: high S). Used to verify ahead of the ante step, in parallel.
 */
export function signatureJobs(tx: StdTx, chain: ChainInfo): (VerifyJob | undefined)[] {
  return tx.signatures.map((sig) => (isLowS(sig.signature) ? { sig: sig.signature, hash: sha256(txSignBytes(tx, sig, chain.chainId, chain.hrp)), pub: sig.pub_key } : undefined));
}
