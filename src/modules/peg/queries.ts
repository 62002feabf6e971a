/**
 * Peg queries: plain JSON views (amounts as fixed-8 decimal strings, addresses bech32) served
 * over the abci query route `peg/…` and the node's `/api/v1/peg/…` routes.
 *
 *   peg/params                         params, custodians, scheduled custodian change
 *   peg/assets | peg/asset/<SYM>       assets with supply, escrow, networks, pause state
 *   peg/deposit/<network:txid:index>   one deposit key (its claims and status)
 *   peg/deposits/<address>             deposits naming a recipient
 *   peg/withdrawal/<id>                one request and its history
 *   peg/withdrawals/<address|->/<status|->[/<offset>/<limit>]
 *   peg/reserves                       supply, escrow, reserves per network, coverage
 *   peg/limits[/<SYM>[/<address>]]     limits and the current windows' usage
 *   peg/invariants                     the invariant breaches (empty when healthy)
 */
import { decodeAddress, encodeAddress, formatFixed8 } from '../../codec/index.js';
import type { KVReader } from '../../state/types.js';
import type { ChainInfo } from '../../app/context.js';
import type { QueryRoute } from '../../app/router.js';
import { rootError } from '../../errors.js';
import { toHex } from '../../crypto/hash.js';
import { pegInvariants } from './invariants.js';
import { PEG_ESCROW_ADDRESS, PEG_MODULE_ADDRESS, type PegKeeper } from './keeper.js';
import { UNLIMITED, aggregateQuota, coverageBps, currentWindow } from './limits.js';
import { KEYS, keySuffix, readDeposit, readPendingCustodians, readWindow, readWithdrawal } from './store.js';
import type { Asset, DepositClaim, Withdrawal } from './types.js';

const fx = formatFixed8;
const enc = new TextEncoder();
const MAX_LIST = 1000;

function limitStr(v: bigint): string | null {
  return v === UNLIMITED ? null : fx(v);
}

export function assetView(kv: KVReader, keeper: PegKeeper, a: Asset): Record<string, unknown> {
  const supply = keeper.supply(kv, a);
  const reserves = keeper.totalReserves(a);
  const bps = coverageBps(reserves, supply);
  return {
    symbol: a.symbol,
    denom: a.denom,
    name: a.name,
    supply: fx(supply),
    minted: fx(a.minted),
    burned: fx(a.burned),
    escrow: fx(a.escrow),
    reserves: fx(reserves),
    coverage_bps: bps === undefined ? null : Number(bps > 1_000_000_000n ? 1_000_000_000n : bps),
    paused_deposits: a.pausedDeposits,
    paused_withdrawals: a.pausedWithdrawals,
    networks: a.networks.map((n) => ({
      name: n.name,
      kind: n.kind,
      custody_addresses: n.custodyAddresses,
      confirmations: Number(n.confirmations),
      decimals: Number(n.decimals),
      deposits_enabled: n.depositsEnabled,
      withdrawals_enabled: n.withdrawalsEnabled,
      reserve: fx(n.reserve),
      reserve_ext_height: n.reserveExtHeight.toString(),
      reserve_height: n.reserveHeight.toString(),
      pending_out: fx(n.pendingOut),
      available: fx(n.reserve > n.pendingOut ? n.reserve - n.pendingOut : 0n),
      minted_total: fx(n.mintedTotal),
      paid_total: fx(n.paidTotal),
    })),
  };
}

export function depositView(d: DepositClaim, hrp: string): Record<string, unknown> {
  return {
    key: d.key,
    network: d.network,
    ext_tx_id: d.extTxId,
    ext_index: d.extIndex.toString(),
    status: d.status,
    note: d.note,
    first_height: d.firstHeight.toString(),
    done_height: d.doneHeight.toString(),
    claims: d.payloads.map((p) => ({
      asset: p.asset,
      recipient: encodeAddress(p.recipient, hrp),
      amount: fx(p.amount),
      custodians: p.attesters.map((x) => encodeAddress(x, hrp)),
    })),
  };
}

export function withdrawalView(w: Withdrawal, hrp: string): Record<string, unknown> {
  return {
    id: w.id.toString(),
    owner: encodeAddress(w.owner, hrp),
    asset: w.asset,
    denom: w.denom,
    network: w.network,
    ext_address: w.extAddress,
    amount: fx(w.amount),
    status: w.status,
    frozen: w.frozen,
    created_height: w.createdHeight.toString(),
    created_time: new Date(Number(w.createdTimeMs)).toISOString(),
    release_height: w.releaseHeight.toString(),
    ext_tx_id: w.extTxId,
    payout_claims: w.payouts.map((p) => ({ ext_tx_id: p.extTxId, custodians: p.attesters.map((x) => encodeAddress(x, hrp)) })),
    limits_at_request: {
      account_used: fx(w.check.accountUsed),
      account_limit: limitStr(w.check.accountLimit),
      aggregate_used: fx(w.check.aggregateUsed),
      aggregate_quota: limitStr(w.check.aggregateQuota),
    },
    history: w.history.map((h) => ({ status: h.status, height: h.height.toString(), note: h.note })),
  };
}

function limitsView(kv: KVReader, keeper: PegKeeper, a: Asset, nowMs: bigint, account?: Uint8Array): Record<string, unknown> {
  const L = a.limits;
  const supply = keeper.supply(kv, a);
  const out = currentWindow(readWindow(kv, KEYS.window(a.symbol, 'out')), nowMs, L.windowMs, supply);
  const inn = currentWindow(readWindow(kv, KEYS.window(a.symbol, 'in')), nowMs, L.windowMs, supply);
  const view: Record<string, unknown> = {
    asset: a.symbol,
    window_ms: L.windowMs.toString(),
    per_account_outflow: L.perAccountOutflow > 0n ? fx(L.perAccountOutflow) : null,
    outflow_abs: L.outflowAbs > 0n ? fx(L.outflowAbs) : null,
    outflow_pct_bps: Number(L.outflowPctBps),
    inflow_abs: L.inflowAbs > 0n ? fx(L.inflowAbs) : null,
    inflow_pct_bps: Number(L.inflowPctBps),
    large_withdrawal: L.largeWithdrawal > 0n ? fx(L.largeWithdrawal) : null,
    delay_blocks: L.delayBlocks.toString(),
    min_withdrawal: fx(L.minWithdrawal),
    outflow_window: {
      start: new Date(Number(out.startMs)).toISOString(),
      used: fx(out.used),
      quota: limitStr(aggregateQuota(L.outflowAbs, L.outflowPctBps, out.supplyAtStart)),
    },
    inflow_window: {
      start: new Date(Number(inn.startMs)).toISOString(),
      used: fx(inn.used),
      quota: limitStr(aggregateQuota(L.inflowAbs, L.inflowPctBps, inn.supplyAtStart)),
    },
  };
  if (account) {
    const w = currentWindow(readWindow(kv, KEYS.accountWindow(a.symbol, account)), nowMs, L.windowMs, 0n);
    view.account_window = { used: fx(w.used), limit: L.perAccountOutflow > 0n ? fx(L.perAccountOutflow) : null };
  }
  return view;
}

function listWithdrawals(kv: KVReader, owner: Uint8Array | undefined, status: string | undefined, offset: number, limit: number): Withdrawal[] {
  const out: Withdrawal[] = [];
  let skipped = 0;
  const take = (id: bigint): boolean => {
    const w = readWithdrawal(kv, id);
    if (!w) return true;
    if (status && w.status !== status) return true;
    if (skipped++ < offset) return true;
    out.push(w);
    return out.length < limit;
  };
  if (owner) {
    const prefix = KEYS.withdrawalByOwnerPrefix(owner);
    for (const [k] of kv.iterate(prefix)) if (!take(BigInt(keySuffix(k, prefix)))) break;
  } else if (status === 'pending' || status === 'delayed' || status === 'ready') {
    const prefix = KEYS.withdrawalByStatusPrefix(status);
    for (const [k] of kv.iterate(prefix)) if (!take(BigInt(keySuffix(k, prefix)))) break;
  } else {
    for (const [k] of kv.iterate(KEYS.withdrawalPrefix)) if (!take(BigInt(keySuffix(k, KEYS.withdrawalPrefix)))) break;
  }
  return out;
}

function intPart(s: string | undefined, what: string, def: number, max: number): number {
  if (s === undefined || s === '') return def;
  if (!/^\d{1,9}$/.test(s)) throw rootError('invalidRequest', `${what} must be a non-negative integer`);
  const n = Number(s);
  if (n > max) throw rootError('invalidRequest', `${what} must be at most ${max}`);
  return n;
}

/**
 * Answers a peg query path (the segments after `peg/`) with a JSON value. `nowMs` is the last
 * block time (for the current windows).
 */
export function pegQuery(kv: KVReader, keeper: PegKeeper, parts: string[], chain: ChainInfo, nowMs: bigint): unknown {
  const hrp = chain.hrp;
  const [head, ...rest] = parts;
  switch (head) {
    case 'params': {
      const p = keeper.params(kv);
      const pend = readPendingCustodians(kv);
      return {
        attest_threshold: { num: p.attestThreshold.num.toString(), den: p.attestThreshold.den.toString() },
        guardian_threshold: { num: p.guardianThreshold.num.toString(), den: p.guardianThreshold.den.toString() },
        custodian_change_delay_blocks: p.custodianChangeDelayBlocks.toString(),
        withdrawal_timeout_blocks: p.withdrawalTimeoutBlocks.toString(),
        max_queued_mints_per_block: p.maxQueuedMintsPerBlock.toString(),
        gov_authority: p.govAuthority.length ? encodeAddress(p.govAuthority, hrp) : '',
        module_address: encodeAddress(PEG_MODULE_ADDRESS, hrp),
        escrow_address: encodeAddress(PEG_ESCROW_ADDRESS, hrp),
        custodians: keeper.custodians(kv).map((c) => ({ address: encodeAddress(c.address, hrp), weight: c.weight.toString() })),
        pending_custodian_set: pend
          ? {
              effective_height: pend.effectiveHeight.toString(),
              custodians: pend.custodians.map((c) => ({ address: encodeAddress(c.address, hrp), weight: c.weight.toString() })),
              origin: pend.origin,
            }
          : null,
      };
    }
    case 'custodians':
      return keeper.custodians(kv).map((c) => ({ address: encodeAddress(c.address, hrp), weight: c.weight.toString() }));
    case 'assets':
      return keeper.assets(kv).map((a) => assetView(kv, keeper, a));
    case 'asset': {
      const a = keeper.asset(kv, rest[0] ?? '');
      if (!a) throw rootError('notFound', `no pegged asset ${rest[0]}`);
      return assetView(kv, keeper, a);
    }
    case 'deposit': {
      const key = rest.join('/');
      const d = readDeposit(kv, key);
      if (!d) throw rootError('notFound', `no deposit ${key} (keys are network:txid:index, txid in lower-case hex without 0x)`);
      return depositView(d, hrp);
    }
    case 'deposits': {
      const who = decodeAddress(rest[0] ?? '', hrp);
      const prefix = KEYS.depositByRecipientPrefix(who);
      const out: unknown[] = [];
      for (const [k] of kv.iterate(prefix, { limit: MAX_LIST })) {
        const d = readDeposit(kv, keySuffix(k, prefix));
        if (d) out.push(depositView(d, hrp));
      }
      return out;
    }
    case 'withdrawal': {
      const id = BigInt(intPart(rest[0], 'id', 0, 999_999_999));
      const w = readWithdrawal(kv, id);
      if (!w) throw rootError('notFound', `no withdrawal ${id}`);
      return withdrawalView(w, hrp);
    }
    case 'withdrawals': {
      const owner = rest[0] && rest[0] !== '-' ? decodeAddress(rest[0], hrp) : undefined;
      const status = rest[1] && rest[1] !== '-' ? rest[1] : undefined;
      const offset = intPart(rest[2], 'offset', 0, 1_000_000_000);
      const limit = intPart(rest[3], 'limit', 100, MAX_LIST);
      return listWithdrawals(kv, owner, status, offset, limit).map((w) => withdrawalView(w, hrp));
    }
    case 'reserves':
      return keeper.assets(kv).map((a) => {
        const v = assetView(kv, keeper, a);
        return {
          asset: v.symbol,
          denom: v.denom,
          supply: v.supply,
          escrow: v.escrow,
          reserves: v.reserves,
          coverage_bps: v.coverage_bps,
          coverage_low: a.coverageLow,
          networks: (v.networks as Record<string, unknown>[]).map((n) => ({
            name: n.name,
            reserve: n.reserve,
            reserve_ext_height: n.reserve_ext_height,
            pending_out: n.pending_out,
            available: n.available,
          })),
        };
      });
    case 'limits': {
      const assets = rest[0] ? [keeper.mustAsset(kv, rest[0])] : keeper.assets(kv);
      const acct = rest[1] ? decodeAddress(rest[1], hrp) : undefined;
      const views = assets.map((a) => limitsView(kv, keeper, a, nowMs, acct));
      return rest[0] ? views[0] : views;
    }
    case 'invariants':
      return pegInvariants(kv, keeper, false);
    default:
      throw rootError('unknownRequest', `unknown peg query ${parts.join('/')}`);
  }
}

export function pegQueryRoute(keeper: PegKeeper, nowMs: (kv: KVReader) => bigint): QueryRoute {
  return {
    route: 'peg',
    handle(kv, parts, _data, chain) {
      return enc.encode(JSON.stringify(pegQuery(kv, keeper, parts, chain, nowMs(kv))));
    },
  };
}

export { toHex };
