/**
 * Peg keeper: custodians, assets, deposit claims, withdrawals, limits, pause, reserves. Stateless
 * like the other keepers: every call names the store view it works on. Handlers, the end-block
 * hook and governance actions all go through here, so every path enforces the same rules.
 */
import { encodeAddress, escrowAddress, formatFixed8 } from '../../codec/index.js';
import type { Address } from '../../codec/types.js';
import { bytesEqual, sha256, toHex } from '../../crypto/hash.js';
import { rootError } from '../../errors.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import { MAX_TOTAL_SUPPLY } from '../tokens/symbol.js';
import { pegError } from './errors.js';
import type { GovExecContext, PegBankKeeper, PegTokenKeeper } from './expected_keepers.js';
import { UNLIMITED, aggregateQuota, coverageBps, currentWindow, fits } from './limits.js';
import { normaliseExtTxId } from './msgs.js';
import {
  KEYS,
  keySuffix,
  listAssets,
  nextWithdrawalId,
  putMarker,
  readAsset,
  readCustodians,
  readDeposit,
  readGuardVotes,
  readParams,
  readPendingCustodians,
  readReserveClaim,
  readWindow,
  readWithdrawal,
  writeAsset,
  writeCustodians,
  writeDeposit,
  writeGuardVotes,
  writeParams,
  writePendingCustodians,
  writeReserveClaim,
  writeWindow,
  writeWithdrawal,
} from './store.js';
import type {
  Asset,
  AttestDepositMsg,
  AttestReservesMsg,
  AttestWithdrawalMsg,
  CancelWithdrawalMsg,
  Custodian,
  DepositClaim,
  DepositPayload,
  Fraction,
  Network,
  PauseMsg,
  PegParams,
  WithdrawMsg,
  Withdrawal,
  WindowUsage,
} from './types.js';

/** Owner of every pegged token: an address without a key, so only this module can mint. */
export const PEG_MODULE_ADDRESS = escrowAddress('dexchain/peg');
/** Holds the tokens of open withdrawal requests. */
export const PEG_ESCROW_ADDRESS = escrowAddress('dexchain/peg/escrow');

const enc = new TextEncoder();

/** The module's BEP2 denom of a base symbol: `BTC-` + first 3 hex (upper) of SHA256('peg:BTC'). */
export function pegDenom(symbol: string): string {
  return `${symbol}-${toHex(sha256(enc.encode(`peg:${symbol}`))).slice(0, 3).toUpperCase()}`;
}

export function depositKey(network: string, extTxId: string, extIndex: bigint): string {
  return `${network}:${normaliseExtTxId(extTxId)}:${extIndex}`;
}

export function reached(weight: bigint, total: bigint, f: Fraction): boolean {
  return weight > 0n && total > 0n && weight * f.den >= total * f.num;
}

const EXT_ADDRESS_RULES: Record<string, RegExp> = {
  evm: /^0x[0-9a-fA-F]{40}$/,
  bitcoin: /^(?:(?:bc1|tb1|bcrt1)[02-9ac-hj-np-z]{6,87}|[123mn][1-9A-HJ-NP-Za-km-z]{25,34})$/,
  omni: /^[123mn][1-9A-HJ-NP-Za-km-z]{25,34}$/,
  other: /^[\x21-\x7e]{1,128}$/,
};

export function checkExtAddress(kind: string, address: string): void {
  const re = EXT_ADDRESS_RULES[kind] ?? EXT_ADDRESS_RULES.other!;
  if (!re.test(address)) throw pegError('invalidExtAddress', `${JSON.stringify(address)} is not a valid ${kind} address`);
}

function fx(v: bigint): string {
  return formatFixed8(v);
}

function isoTime(ms: bigint): string {
  return new Date(Number(ms)).toISOString();
}

function emit(ctx: GovExecContext, type: string, attrs: Record<string, string>): void {
  ctx.events.emit(type, attrs);
}

function hasAddr(list: Address[], a: Address): boolean {
  return list.some((x) => bytesEqual(x, a));
}

export class PegKeeper {
  constructor(
    readonly bank: PegBankKeeper,
    readonly tokens: PegTokenKeeper,
  ) {}

  // -------------------------------------------------------------------------------------------
  // custodians and params

  params(kv: KVReader): PegParams {
    return readParams(kv);
  }

  setParams(kv: KVWriter, p: PegParams): void {
    writeParams(kv, p);
  }

  custodians(kv: KVReader): Custodian[] {
    return readCustodians(kv);
  }

  setCustodians(kv: KVWriter, cs: Custodian[]): void {
    writeCustodians(kv, [...cs].sort((x, y) => (toHex(x.address) < toHex(y.address) ? -1 : 1)));
  }

  /** Weight of the attesters that are custodians now (a removed custodian's claims stop counting). */
  weightOf(cs: Custodian[], attesters: Address[]): bigint {
    let w = 0n;
    for (const c of cs) if (hasAddr(attesters, c.address)) w += c.weight;
    return w;
  }

  totalWeight(cs: Custodian[]): bigint {
    return cs.reduce((s, c) => s + c.weight, 0n);
  }

  mustCustodian(kv: KVReader, who: Address, hrp: string): Custodian[] {
    const cs = this.custodians(kv);
    if (!cs.some((c) => bytesEqual(c.address, who))) throw pegError('notCustodian', `${encodeAddress(who, hrp)} is not a custodian`);
    return cs;
  }

  // -------------------------------------------------------------------------------------------
  // assets

  asset(kv: KVReader, symbol: string): Asset | undefined {
    return readAsset(kv, symbol);
  }

  assets(kv: KVReader): Asset[] {
    return listAssets(kv);
  }

  mustAsset(kv: KVReader, symbol: string): Asset {
    const a = readAsset(kv, symbol);
    if (!a) throw pegError('unknownAsset', `no pegged asset ${symbol} (known: ${listAssets(kv).map((x) => x.symbol).join(', ') || 'none'})`);
    return a;
  }

  mustNetwork(a: Asset, name: string): Network {
    const n = a.networks.find((x) => x.name === name);
    if (!n) throw pegError('unknownNetwork', `${a.symbol} has no network ${name} (networks: ${a.networks.map((x) => x.name).join(', ')})`);
    return n;
  }

  supply(kv: KVReader, a: Asset): bigint {
    return this.tokens.getToken(kv, a.denom)?.totalSupply ?? 0n;
  }

  totalReserves(a: Asset): bigint {
    return a.networks.reduce((s, n) => s + n.reserve, 0n);
  }

  /** Emits the low-coverage event on the edge into (and out of) coverage below 100 %. */
  private updateCoverage(ctx: GovExecContext, a: Asset): void {
    const supply = this.supply(ctx.kv, a);
    const reserves = this.totalReserves(a);
    const low = reserves < supply;
    if (low === a.coverageLow) return;
    a.coverageLow = low;
    const bps = coverageBps(reserves, supply);
    emit(ctx, low ? 'peg_coverage_low' : 'peg_coverage_restored', {
      asset: a.symbol,
      supply: fx(supply),
      reserves: fx(reserves),
      coverage_bps: bps === undefined ? '' : bps.toString(),
    });
  }

  // -------------------------------------------------------------------------------------------
  // deposits

  attestDeposit(ctx: GovExecContext, m: AttestDepositMsg): DepositClaim {
    const hrp = ctx.chain.hrp;
    const cs = this.mustCustodian(ctx.kv, m.from, hrp);
    const a = this.mustAsset(ctx.kv, m.asset);
    const net = this.mustNetwork(a, m.network);
    if (!net.depositsEnabled) throw pegError('networkDisabled', `deposits of ${a.symbol} on ${net.name} are disabled`);
    const key = depositKey(m.network, m.ext_tx_id, m.ext_index);
    const height = BigInt(ctx.block.height);
    const claim: DepositClaim = readDeposit(ctx.kv, key) ?? {
      key,
      network: m.network,
      extTxId: normaliseExtTxId(m.ext_tx_id),
      extIndex: m.ext_index,
      status: 'pending',
      payloads: [],
      firstHeight: height,
      doneHeight: 0n,
      note: '',
    };
    if (claim.status === 'minted') throw pegError('depositAlreadyMinted', `deposit ${key} was already minted at height ${claim.doneHeight}`);
    if (claim.status === 'frozen') throw pegError('depositFrozen', `deposit ${key} is frozen after conflicting attestations; governance resolves it`);
    if (claim.status === 'rejected') throw pegError('depositRejected', `deposit ${key} was rejected by governance`);

    const same = (p: DepositPayload) => p.asset === m.asset && bytesEqual(p.recipient, m.recipient) && p.amount === m.amount;
    const mine = claim.payloads.find((p) => hasAddr(p.attesters, m.from));
    if (mine && same(mine)) throw pegError('duplicateAttestation', `${encodeAddress(m.from, hrp)} already attested deposit ${key}`);
    let payload = claim.payloads.find(same);
    if (!payload) {
      payload = { asset: m.asset, recipient: m.recipient, amount: m.amount, attesters: [] };
      claim.payloads.push(payload);
      putMarker(ctx.kv, KEYS.depositByRecipient(m.recipient, key));
    }
    payload.attesters.push(m.from);

    if (claim.payloads.length > 1) {
      // Two different stories about one external deposit: nobody gets minted anything for it
      // until governance looks at the evidence.
      claim.status = 'frozen';
      claim.doneHeight = height;
      claim.note = 'conflicting attestations';
      ctx.kv.delete(KEYS.depositQueue(key));
      const attrs: Record<string, string> = { key, asset: m.asset, payloads: String(claim.payloads.length) };
      claim.payloads.forEach((p, i) => {
        attrs[`payload_${i}`] = `${p.asset} ${fx(p.amount)} to ${encodeAddress(p.recipient, hrp)}`;
        attrs[`custodians_${i}`] = p.attesters.map((x) => encodeAddress(x, hrp)).join(',');
      });
      attrs.custodians = [...new Set(claim.payloads.flatMap((p) => p.attesters.map((x) => encodeAddress(x, hrp))))].sort().join(',');
      emit(ctx, 'peg_deposit_conflict', attrs);
      writeDeposit(ctx.kv, claim);
      return claim;
    }

    const weight = this.weightOf(cs, payload.attesters);
    emit(ctx, 'peg_deposit_attested', {
      key,
      asset: m.asset,
      custodian: encodeAddress(m.from, hrp),
      weight: weight.toString(),
      total_weight: this.totalWeight(cs).toString(),
    });
    if (claim.status === 'pending' && reached(weight, this.totalWeight(cs), this.params(ctx.kv).attestThreshold)) {
      const why = this.tryMint(ctx, a, claim, payload);
      if (why) this.queue(ctx, claim, why);
      writeAsset(ctx.kv, a);
    }
    writeDeposit(ctx.kv, claim);
    return claim;
  }

  private queue(ctx: GovExecContext, claim: DepositClaim, why: string): void {
    claim.status = 'queued';
    claim.note = why;
    putMarker(ctx.kv, KEYS.depositQueue(claim.key));
    emit(ctx, 'peg_deposit_queued', { key: claim.key, reason: why });
  }

  /**
   * Mints an approved payload unless a rule holds it back; returns the reason it waits, if so.
   * The caller writes the asset and the claim.
   */
  private tryMint(ctx: GovExecContext, a: Asset, claim: DepositClaim, p: DepositPayload, opts: { skipInflowQuota?: boolean } = {}): string | undefined {
    if (a.pausedDeposits) return `deposits of ${a.symbol} are paused`;
    const supply = this.supply(ctx.kv, a);
    const now = BigInt(ctx.block.timeMs);
    const win = currentWindow(readWindow(ctx.kv, KEYS.window(a.symbol, 'in')), now, a.limits.windowMs, supply);
    const quota = aggregateQuota(a.limits.inflowAbs, a.limits.inflowPctBps, win.supplyAtStart);
    if (!opts.skipInflowQuota && !fits(win.used, p.amount, quota)) {
      return `inflow quota of ${a.symbol}: ${fx(win.used)} of ${fx(quota)} minted in the window since ${isoTime(win.startMs)}, ${fx(p.amount)} more does not fit`;
    }
    const reserves = this.totalReserves(a);
    if (supply + p.amount > reserves) {
      return `reserves of ${a.symbol} (${fx(reserves)}) do not cover the supply ${fx(supply)} plus ${fx(p.amount)}; custodians must attest reserves first`;
    }
    const t = this.tokens.getToken(ctx.kv, a.denom);
    if (!t) throw rootError('internal', `token ${a.denom} of pegged asset ${a.symbol} is missing`);
    if (p.amount > MAX_TOTAL_SUPPLY - t.totalSupply) return `the supply of ${a.denom} would exceed the maximum`;
    t.totalSupply += p.amount;
    this.tokens.setToken(ctx.kv, t);
    this.bank.addCoins(ctx.kv, p.recipient, [{ denom: a.denom, amount: p.amount }]);
    a.minted += p.amount;
    const net = this.mustNetwork(a, claim.network);
    net.mintedTotal += p.amount;
    win.used += p.amount;
    win.quota = quota;
    writeWindow(ctx.kv, KEYS.window(a.symbol, 'in'), win);
    claim.status = 'minted';
    claim.doneHeight = BigInt(ctx.block.height);
    claim.note = '';
    ctx.kv.delete(KEYS.depositQueue(claim.key));
    emit(ctx, 'peg_deposit_minted', {
      key: claim.key,
      asset: a.symbol,
      denom: a.denom,
      recipient: encodeAddress(p.recipient, ctx.chain.hrp),
      amount: p.amount.toString(),
      total_supply: t.totalSupply.toString(),
    });
    return undefined;
  }

  /** Retries approved deposits held back by a pause, a quota or the reserves (end of block). */
  processDepositQueue(ctx: GovExecContext): void {
    const max = Number(this.params(ctx.kv).maxQueuedMintsPerBlock);
    const keys: string[] = [];
    for (const [k] of ctx.kv.iterate(KEYS.depositQueuePrefix, { limit: max })) keys.push(keySuffix(k, KEYS.depositQueuePrefix));
    if (keys.length === 0) return;
    const cs = this.custodians(ctx.kv);
    const total = this.totalWeight(cs);
    const threshold = this.params(ctx.kv).attestThreshold;
    for (const key of keys) {
      const claim = readDeposit(ctx.kv, key);
      if (!claim || claim.status !== 'queued') {
        ctx.kv.delete(KEYS.depositQueue(key));
        continue;
      }
      const p = claim.payloads.find((x) => reached(this.weightOf(cs, x.attesters), total, threshold));
      if (!p) continue; // the custodian set changed under it; more attestations will come
      const a = this.mustAsset(ctx.kv, p.asset);
      const why = this.tryMint(ctx, a, claim, p);
      if (why) claim.note = why;
      writeAsset(ctx.kv, a);
      writeDeposit(ctx.kv, claim);
    }
  }

  // -------------------------------------------------------------------------------------------
  // withdrawals

  withdraw(ctx: GovExecContext, m: WithdrawMsg): Withdrawal {
    const a = this.mustAsset(ctx.kv, m.asset);
    const net = this.mustNetwork(a, m.network);
    if (a.pausedWithdrawals) throw pegError('paused', `withdrawals of ${a.symbol} are paused (DEX trading of ${a.denom} continues)`);
    if (!net.withdrawalsEnabled) throw pegError('networkDisabled', `withdrawals of ${a.symbol} to ${net.name} are disabled`);
    const L = a.limits;
    if (m.amount < L.minWithdrawal) throw pegError('invalidAmount', `the smallest ${a.symbol} withdrawal is ${fx(L.minWithdrawal)}, got ${fx(m.amount)}`);
    if (net.decimals < 8n) {
      const unit = 10n ** (8n - net.decimals);
      if (m.amount % unit !== 0n) throw pegError('invalidAmount', `${net.name} has ${net.decimals} decimals: the amount must be a multiple of ${fx(unit)}`);
    }
    checkExtAddress(net.kind, m.ext_address);

    const now = BigInt(ctx.block.timeMs);
    const supply = this.supply(ctx.kv, a);
    const acctKey = KEYS.accountWindow(a.symbol, m.from);
    const acct = currentWindow(readWindow(ctx.kv, acctKey), now, L.windowMs, 0n);
    const acctLimit = L.perAccountOutflow > 0n ? L.perAccountOutflow : UNLIMITED;
    if (!fits(acct.used, m.amount, acctLimit)) {
      throw pegError(
        'accountLimit',
        `per-account ${a.symbol} withdrawal limit: ${fx(acct.used)} of ${fx(acctLimit)} used in the window since ${isoTime(acct.startMs)}, ${fx(m.amount)} more does not fit (the window ends at ${isoTime(acct.startMs + L.windowMs)})`,
      );
    }
    const aggKey = KEYS.window(a.symbol, 'out');
    const agg = currentWindow(readWindow(ctx.kv, aggKey), now, L.windowMs, supply);
    const quota = aggregateQuota(L.outflowAbs, L.outflowPctBps, agg.supplyAtStart);
    if (!fits(agg.used, m.amount, quota)) {
      throw pegError(
        'aggregateQuota',
        `aggregate ${a.symbol} withdrawal quota exhausted: ${fx(agg.used)} of ${fx(quota)} withdrawn by all accounts in the window since ${isoTime(agg.startMs)}, ${fx(m.amount)} more does not fit (the window ends at ${isoTime(agg.startMs + L.windowMs)})`,
      );
    }
    const available = net.reserve - net.pendingOut;
    if (m.amount > available) {
      const others = a.networks
        .filter((n) => n.name !== net.name && n.withdrawalsEnabled)
        .map((n) => `${n.name} has ${fx(n.reserve - n.pendingOut > 0n ? n.reserve - n.pendingOut : 0n)} available`);
      throw pegError(
        'reserveExceeded',
        `${net.name} can pay at most ${fx(available > 0n ? available : 0n)} ${a.symbol} (attested reserve ${fx(net.reserve)}, ${fx(net.pendingOut)} already owed)${others.length ? '; ' + others.join(', ') : ''}`,
      );
    }

    this.bank.transfer(ctx.kv, m.from, PEG_ESCROW_ADDRESS, [{ denom: a.denom, amount: m.amount }]);
    acct.used += m.amount;
    acct.quota = acctLimit;
    agg.used += m.amount;
    agg.quota = quota;
    writeWindow(ctx.kv, acctKey, acct);
    writeWindow(ctx.kv, aggKey, agg);
    a.escrow += m.amount;
    net.pendingOut += m.amount;
    writeAsset(ctx.kv, a);

    const height = BigInt(ctx.block.height);
    const w: Withdrawal = {
      id: nextWithdrawalId(ctx.kv),
      owner: m.from,
      asset: a.symbol,
      denom: a.denom,
      network: net.name,
      extAddress: m.ext_address,
      amount: m.amount,
      status: 'pending',
      createdHeight: height,
      createdTimeMs: now,
      releaseHeight: 0n,
      frozen: false,
      payouts: [],
      extTxId: '',
      check: { accountUsed: acct.used, accountLimit: acctLimit, aggregateUsed: agg.used, aggregateQuota: quota },
      history: [{ status: 'pending', height, note: '' }],
    };
    writeWithdrawal(ctx.kv, w);
    putMarker(ctx.kv, KEYS.withdrawalByOwner(m.from, w.id));
    putMarker(ctx.kv, KEYS.withdrawalByStatus('pending', w.id));
    emit(ctx, 'peg_withdrawal_requested', {
      id: w.id.toString(),
      owner: encodeAddress(m.from, ctx.chain.hrp),
      asset: a.symbol,
      denom: a.denom,
      network: net.name,
      ext_address: m.ext_address,
      amount: m.amount.toString(),
    });
    return w;
  }

  private setStatus(ctx: GovExecContext, w: Withdrawal, status: Withdrawal['status'], note = ''): void {
    ctx.kv.delete(KEYS.withdrawalByStatus(w.status, w.id));
    w.status = status;
    w.history.push({ status, height: BigInt(ctx.block.height), note });
    if (status === 'pending' || status === 'delayed' || status === 'ready') putMarker(ctx.kv, KEYS.withdrawalByStatus(status, w.id));
    emit(ctx, `peg_withdrawal_${status}`, {
      id: w.id.toString(),
      asset: w.asset,
      network: w.network,
      amount: w.amount.toString(),
      ...(note ? { note } : {}),
      ...(status === 'delayed' ? { release_height: w.releaseHeight.toString() } : {}),
    });
  }

  /** End of block: new requests become ready (or delayed when large); delays that ran out release. */
  advanceWithdrawals(ctx: GovExecContext): void {
    const height = BigInt(ctx.block.height);
    const pending: bigint[] = [];
    for (const [k] of ctx.kv.iterate(KEYS.withdrawalByStatusPrefix('pending'))) pending.push(BigInt(keySuffix(k, KEYS.withdrawalByStatusPrefix('pending'))));
    for (const id of pending) {
      const w = readWithdrawal(ctx.kv, id)!;
      const a = this.mustAsset(ctx.kv, w.asset);
      if (a.limits.largeWithdrawal > 0n && w.amount > a.limits.largeWithdrawal && a.limits.delayBlocks > 0n) {
        w.releaseHeight = height + a.limits.delayBlocks;
        putMarker(ctx.kv, KEYS.release(w.releaseHeight, w.id));
        this.setStatus(ctx, w, 'delayed', `above the large-withdrawal size ${fx(a.limits.largeWithdrawal)}`);
      } else {
        this.setStatus(ctx, w, 'ready');
      }
      writeWithdrawal(ctx.kv, w);
    }
    const due: [Uint8Array, bigint][] = [];
    for (const [k] of ctx.kv.iterate(KEYS.releasePrefix)) {
      const [h, id] = keySuffix(k, KEYS.releasePrefix).split('/');
      if (BigInt(h!) > height) break;
      due.push([k, BigInt(id!)]);
    }
    for (const [k, id] of due) {
      ctx.kv.delete(k);
      const w = readWithdrawal(ctx.kv, id);
      if (!w || w.status !== 'delayed') continue;
      this.setStatus(ctx, w, 'ready', 'delay over');
      writeWithdrawal(ctx.kv, w);
    }
  }

  mustWithdrawal(kv: KVReader, id: bigint): Withdrawal {
    const w = readWithdrawal(kv, id);
    if (!w) throw pegError('unknownWithdrawal', `no withdrawal request ${id}`);
    return w;
  }

  attestWithdrawal(ctx: GovExecContext, m: AttestWithdrawalMsg): Withdrawal {
    const hrp = ctx.chain.hrp;
    const cs = this.mustCustodian(ctx.kv, m.from, hrp);
    const w = this.mustWithdrawal(ctx.kv, m.request_id);
    if (w.status !== 'ready') {
      const why = w.status === 'delayed' ? `is delayed until height ${w.releaseHeight}` : `is ${w.status}`;
      throw pegError('invalidWithdrawalState', `withdrawal ${w.id} ${why}; only ready requests are paid out`);
    }
    if (w.frozen) throw pegError('withdrawalFrozen', `withdrawal ${w.id} is frozen after conflicting payout attestations; governance resolves it`);
    const txid = normaliseExtTxId(m.ext_tx_id);
    const used = ctx.kv.get(KEYS.payout(w.network, txid));
    if (used) throw pegError('payoutReused', `external tx ${txid} on ${w.network} already completed withdrawal ${new TextDecoder().decode(used)}`);
    const mine = w.payouts.find((p) => hasAddr(p.attesters, m.from));
    if (mine && mine.extTxId === txid) throw pegError('duplicateAttestation', `${encodeAddress(m.from, hrp)} already attested the payout of withdrawal ${w.id}`);
    let p = w.payouts.find((x) => x.extTxId === txid);
    if (!p) {
      p = { extTxId: txid, attesters: [] };
      w.payouts.push(p);
    }
    p.attesters.push(m.from);
    if (w.payouts.length > 1) {
      w.frozen = true;
      w.history.push({ status: w.status, height: BigInt(ctx.block.height), note: 'frozen: conflicting payout attestations' });
      const attrs: Record<string, string> = { id: w.id.toString(), asset: w.asset, network: w.network };
      w.payouts.forEach((x, i) => {
        attrs[`ext_tx_id_${i}`] = x.extTxId;
        attrs[`custodians_${i}`] = x.attesters.map((y) => encodeAddress(y, hrp)).join(',');
      });
      emit(ctx, 'peg_withdrawal_conflict', attrs);
      writeWithdrawal(ctx.kv, w);
      return w;
    }
    const weight = this.weightOf(cs, p.attesters);
    emit(ctx, 'peg_withdrawal_attested', { id: w.id.toString(), custodian: encodeAddress(m.from, hrp), ext_tx_id: txid, weight: weight.toString() });
    if (reached(weight, this.totalWeight(cs), this.params(ctx.kv).attestThreshold)) this.complete(ctx, w, txid, '');
    writeWithdrawal(ctx.kv, w);
    return w;
  }

  /** Burns the escrow of a paid request. The caller writes `w`. */
  private complete(ctx: GovExecContext, w: Withdrawal, txid: string, note: string): void {
    const a = this.mustAsset(ctx.kv, w.asset);
    const net = this.mustNetwork(a, w.network);
    const t = this.tokens.getToken(ctx.kv, a.denom);
    if (!t) throw rootError('internal', `token ${a.denom} is missing`);
    this.bank.subtractCoins(ctx.kv, PEG_ESCROW_ADDRESS, [{ denom: a.denom, amount: w.amount }]);
    t.totalSupply -= w.amount;
    this.tokens.setToken(ctx.kv, t);
    a.burned += w.amount;
    a.escrow -= w.amount;
    net.pendingOut -= w.amount;
    net.paidTotal += w.amount;
    // the payout left custody; until the next attestation the reserve is the last one less it
    net.reserve = net.reserve > w.amount ? net.reserve - w.amount : 0n;
    w.extTxId = txid;
    w.frozen = false;
    ctx.kv.set(KEYS.payout(w.network, txid), enc.encode(w.id.toString()));
    this.setStatus(ctx, w, 'completed', note);
    emit(ctx, 'peg_burn', { id: w.id.toString(), denom: a.denom, amount: w.amount.toString(), ext_tx_id: txid, total_supply: t.totalSupply.toString() });
    this.updateCoverage(ctx, a);
    writeAsset(ctx.kv, a);
  }

  /** Cancels and refunds an open request. The caller writes `w`. */
  private refund(ctx: GovExecContext, w: Withdrawal, note: string): void {
    const a = this.mustAsset(ctx.kv, w.asset);
    const net = this.mustNetwork(a, w.network);
    this.bank.transfer(ctx.kv, PEG_ESCROW_ADDRESS, w.owner, [{ denom: a.denom, amount: w.amount }]);
    a.escrow -= w.amount;
    net.pendingOut -= w.amount;
    writeAsset(ctx.kv, a);
    if (w.status === 'delayed') ctx.kv.delete(KEYS.release(w.releaseHeight, w.id));
    w.frozen = false;
    this.setStatus(ctx, w, 'cancelled', note);
    this.setStatus(ctx, w, 'refunded', '');
  }

  cancel(ctx: GovExecContext, m: CancelWithdrawalMsg): Withdrawal {
    const hrp = ctx.chain.hrp;
    const w = this.mustWithdrawal(ctx.kv, m.request_id);
    if (w.status !== 'pending' && w.status !== 'delayed') {
      throw pegError(
        'invalidWithdrawalState',
        `withdrawal ${w.id} is ${w.status}: only pending or delayed requests can be cancelled (a ready one may already be paid; governance refunds it after the timeout)`,
      );
    }
    const note = `cancelled by ${encodeAddress(m.from, hrp)}${m.reason ? ': ' + m.reason : ''}`;
    if (bytesEqual(m.from, w.owner)) {
      this.refund(ctx, w, note);
      writeWithdrawal(ctx.kv, w);
      return w;
    }
    const cs = this.custodians(ctx.kv);
    if (!cs.some((c) => bytesEqual(c.address, m.from))) throw pegError('notGuardian', `${encodeAddress(m.from, hrp)} is neither a guardian nor the owner of withdrawal ${w.id}`);
    if (this.guardianVote(ctx, cs, `cancel:${w.id}`, m.from)) {
      this.refund(ctx, w, note);
      writeWithdrawal(ctx.kv, w);
    }
    return w;
  }

  /** Records a guardian vote; true (and the votes cleared) once the guardian threshold is reached. */
  private guardianVote(ctx: GovExecContext, cs: Custodian[], action: string, who: Address): boolean {
    const votes = readGuardVotes(ctx.kv, action);
    if (hasAddr(votes, who)) throw pegError('duplicateAttestation', `${encodeAddress(who, ctx.chain.hrp)} already voted for ${action}`);
    votes.push(who);
    const weight = this.weightOf(cs, votes);
    emit(ctx, 'peg_guardian_vote', { action, guardian: encodeAddress(who, ctx.chain.hrp), weight: weight.toString() });
    if (reached(weight, this.totalWeight(cs), this.params(ctx.kv).guardianThreshold)) {
      writeGuardVotes(ctx.kv, action, []);
      return true;
    }
    writeGuardVotes(ctx.kv, action, votes);
    return false;
  }

  pause(ctx: GovExecContext, m: PauseMsg): void {
    const cs = this.mustCustodian(ctx.kv, m.from, ctx.chain.hrp);
    const a = this.mustAsset(ctx.kv, m.asset);
    if (this.guardianVote(ctx, cs, `pause:${a.symbol}:${m.direction}`, m.from)) {
      this.setPaused(ctx, a, m.direction, true, `guardians (last: ${encodeAddress(m.from, ctx.chain.hrp)})`);
    }
  }

  setPaused(ctx: GovExecContext, a: Asset, direction: string, paused: boolean, by: string): void {
    if (direction === 'deposit' || direction === 'both') a.pausedDeposits = paused;
    if (direction === 'withdraw' || direction === 'both') a.pausedWithdrawals = paused;
    writeAsset(ctx.kv, a);
    emit(ctx, paused ? 'peg_paused' : 'peg_unpaused', { asset: a.symbol, direction, by });
  }

  // -------------------------------------------------------------------------------------------
  // reserves

  attestReserves(ctx: GovExecContext, m: AttestReservesMsg): void {
    const hrp = ctx.chain.hrp;
    const cs = this.mustCustodian(ctx.kv, m.from, hrp);
    const a = this.mustAsset(ctx.kv, m.asset);
    const net = this.mustNetwork(a, m.network);
    if (m.ext_height <= net.reserveExtHeight) {
      throw pegError('staleReserve', `reserves of ${a.symbol} on ${net.name} are already attested at external height ${net.reserveExtHeight} ≥ ${m.ext_height}`);
    }
    const claim = readReserveClaim(ctx.kv, a.symbol, net.name, m.ext_height) ?? { asset: a.symbol, network: net.name, extHeight: m.ext_height, status: 'pending' as const, payloads: [] };
    if (claim.status === 'conflict') throw pegError('reserveConflict', `reserve claims for ${a.symbol}/${net.name} at ${m.ext_height} conflict; attest a later height`);
    const mine = claim.payloads.find((p) => hasAddr(p.attesters, m.from));
    if (mine && mine.amount === m.amount) throw pegError('duplicateAttestation', `${encodeAddress(m.from, hrp)} already attested this reserve`);
    let p = claim.payloads.find((x) => x.amount === m.amount);
    if (!p) {
      p = { amount: m.amount, attesters: [] };
      claim.payloads.push(p);
    }
    p.attesters.push(m.from);
    if (claim.payloads.length > 1) {
      claim.status = 'conflict';
      const attrs: Record<string, string> = { asset: a.symbol, network: net.name, ext_height: m.ext_height.toString() };
      claim.payloads.forEach((x, i) => {
        attrs[`amount_${i}`] = fx(x.amount);
        attrs[`custodians_${i}`] = x.attesters.map((y) => encodeAddress(y, hrp)).join(',');
      });
      emit(ctx, 'peg_reserve_conflict', attrs);
      writeReserveClaim(ctx.kv, claim);
      return;
    }
    if (!reached(this.weightOf(cs, p.attesters), this.totalWeight(cs), this.params(ctx.kv).attestThreshold)) {
      writeReserveClaim(ctx.kv, claim);
      return;
    }
    net.reserve = m.amount;
    net.reserveExtHeight = m.ext_height;
    net.reserveHeight = BigInt(ctx.block.height);
    // settled: this claim and every older one for the network
    const prefix = KEYS.reserveClaimPrefix(a.symbol, net.name);
    const old: Uint8Array[] = [];
    for (const [k] of ctx.kv.iterate(prefix)) {
      if (BigInt(keySuffix(k, prefix)) > m.ext_height) break;
      old.push(k);
    }
    for (const k of old) ctx.kv.delete(k);
    emit(ctx, 'peg_reserves_applied', { asset: a.symbol, network: net.name, reserve: m.amount.toString(), ext_height: m.ext_height.toString() });
    this.updateCoverage(ctx, a);
    writeAsset(ctx.kv, a);
  }

  // -------------------------------------------------------------------------------------------
  // governance-driven changes (see gov.ts for the action format)

  scheduleCustodianSet(ctx: GovExecContext, custodians: Custodian[], threshold: Fraction | undefined, origin: string): bigint {
    const p = this.params(ctx.kv);
    const effective = BigInt(ctx.block.height) + p.custodianChangeDelayBlocks;
    writePendingCustodians(ctx.kv, { effectiveHeight: effective, custodians, ...(threshold ? { attestThreshold: threshold } : {}), origin });
    emit(ctx, 'peg_custodian_set_scheduled', {
      effective_height: effective.toString(),
      custodians: custodians.map((c) => `${encodeAddress(c.address, ctx.chain.hrp)}:${c.weight}`).join(','),
      origin,
    });
    return effective;
  }

  /** End of block: a scheduled custodian set whose delay ran out takes over. */
  applyCustodianChange(ctx: GovExecContext): void {
    const pend = readPendingCustodians(ctx.kv);
    if (!pend || pend.effectiveHeight > BigInt(ctx.block.height)) return;
    this.setCustodians(ctx.kv, pend.custodians);
    if (pend.attestThreshold) {
      const p = this.params(ctx.kv);
      p.attestThreshold = pend.attestThreshold;
      writeParams(ctx.kv, p);
    }
    writePendingCustodians(ctx.kv, undefined);
    emit(ctx, 'peg_custodian_set_applied', {
      custodians: pend.custodians.map((c) => `${encodeAddress(c.address, ctx.chain.hrp)}:${c.weight}`).join(','),
      origin: pend.origin,
    });
  }

  /** Governance refund: a frozen request, or one open longer than the timeout. */
  govRefund(ctx: GovExecContext, id: bigint, origin: string): void {
    const w = this.mustWithdrawal(ctx.kv, id);
    if (w.status !== 'pending' && w.status !== 'delayed' && w.status !== 'ready') {
      throw pegError('invalidWithdrawalState', `withdrawal ${id} is ${w.status}; only open requests can be refunded`);
    }
    const timeout = this.params(ctx.kv).withdrawalTimeoutBlocks;
    const age = BigInt(ctx.block.height) - w.createdHeight;
    if (!w.frozen && age < timeout) {
      throw pegError('timeoutNotReached', `withdrawal ${id} is ${age} blocks old; governance may refund it after ${timeout} blocks (or when frozen)`);
    }
    this.refund(ctx, w, `refunded by governance (${origin})`);
    writeWithdrawal(ctx.kv, w);
  }

  /** Governance resolution of a frozen payout: complete it with one external tx, or refund. */
  govResolveWithdrawal(ctx: GovExecContext, id: bigint, decision: 'complete' | 'refund', extTxId: string, origin: string): void {
    const w = this.mustWithdrawal(ctx.kv, id);
    if (w.status !== 'ready' && w.status !== 'pending' && w.status !== 'delayed') throw pegError('invalidWithdrawalState', `withdrawal ${id} is ${w.status}`);
    if (decision === 'refund') {
      this.refund(ctx, w, `refunded by governance (${origin})`);
    } else {
      const txid = normaliseExtTxId(extTxId);
      if (ctx.kv.get(KEYS.payout(w.network, txid))) throw pegError('payoutReused', `external tx ${txid} already completed another withdrawal`);
      this.complete(ctx, w, txid, `completed by governance (${origin})`);
    }
    writeWithdrawal(ctx.kv, w);
  }

  /** Governance resolution of a frozen deposit key: mint one payload (or a corrected one), or reject. */
  govResolveDeposit(
    ctx: GovExecContext,
    key: string,
    decision: 'mint' | 'reject',
    payload: { asset: string; recipient: Address; amount: bigint } | undefined,
    origin: string,
  ): void {
    const claim = readDeposit(ctx.kv, key);
    if (!claim) throw pegError('invalidGovAction', `no deposit ${key}`);
    if (claim.status === 'minted' || claim.status === 'rejected') throw pegError('invalidGovAction', `deposit ${key} is already ${claim.status}`);
    if (decision === 'reject') {
      claim.status = 'rejected';
      claim.doneHeight = BigInt(ctx.block.height);
      claim.note = `rejected by governance (${origin})`;
      ctx.kv.delete(KEYS.depositQueue(key));
      emit(ctx, 'peg_deposit_rejected', { key, origin });
      writeDeposit(ctx.kv, claim);
      return;
    }
    if (!payload) throw pegError('invalidGovAction', 'a mint resolution needs asset, recipient and amount');
    const a = this.mustAsset(ctx.kv, payload.asset);
    this.mustNetwork(a, claim.network);
    const p: DepositPayload = { asset: payload.asset, recipient: payload.recipient, amount: payload.amount, attesters: [] };
    claim.payloads.push(p);
    putMarker(ctx.kv, KEYS.depositByRecipient(payload.recipient, key));
    // governance may lift the inflow quota, never the reserve cover
    const why = this.tryMint(ctx, a, claim, p, { skipInflowQuota: true });
    if (why) throw pegError('invalidGovAction', `cannot mint ${key}: ${why}`);
    claim.note = `minted by governance (${origin})`;
    writeAsset(ctx.kv, a);
    writeDeposit(ctx.kv, claim);
  }
}

export type { WindowUsage };
