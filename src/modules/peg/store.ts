/**
 * Peg state layout and record codecs. Records are JSON with a fixed field order (bigints as
 * decimal strings, addresses as hex), so their bytes are deterministic and queries can show
 * them with little conversion. Keys:
 *
 *   peg/params                      PegParams
 *   peg/custodians                  Custodian[] (sorted by address)
 *   peg/custodians/pending          PendingCustodianSet
 *   peg/asset/<SYM>                 Asset
 *   peg/dep/<network>:<txid>:<idx>  DepositClaim            (the deposit key; never deleted)
 *   peg/depq/<key>                  ''                      (approved deposits waiting to mint)
 *   peg/depr/<recipient hex>/<key>  ''                      (deposits by recipient)
 *   peg/wd/<id:20>                  Withdrawal
 *   peg/wdo/<owner hex>/<id:20>     ''                      (withdrawals by owner)
 *   peg/wds/<status>/<id:20>        ''                      (open withdrawals by status)
 *   peg/wdr/<height:20>/<id:20>     ''                      (delayed withdrawals by release height)
 *   peg/payout/<network>:<txid>     id                      (external payouts already used)
 *   peg/nextwd                      next withdrawal id
 *   peg/win/<SYM>/<in|out>          WindowUsage (aggregate)
 *   peg/wacct/<SYM>/<addr hex>      WindowUsage (per account outflow)
 *   peg/res/<SYM>/<network>/<h:20>  ReserveClaim
 *   peg/guard/<action>              Address[] (guardian votes)
 */
import type { Address } from '../../codec/types.js';
import { fromHex, toHex } from '../../crypto/hash.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import type {
  Asset,
  AssetLimits,
  Custodian,
  DepositClaim,
  Fraction,
  Network,
  PegParams,
  PendingCustodianSet,
  ReserveClaim,
  WindowUsage,
  Withdrawal,
} from './types.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const EMPTY = new Uint8Array(0);

export const k = (s: string): Uint8Array => enc.encode(s);
export const pad20 = (n: bigint): string => n.toString().padStart(20, '0');

export const KEYS = {
  params: k('peg/params'),
  custodians: k('peg/custodians'),
  pendingCustodians: k('peg/custodians/pending'),
  nextWithdrawal: k('peg/nextwd'),
  assetPrefix: k('peg/asset/'),
  asset: (sym: string) => k(`peg/asset/${sym}`),
  deposit: (key: string) => k(`peg/dep/${key}`),
  depositPrefix: k('peg/dep/'),
  depositQueuePrefix: k('peg/depq/'),
  depositQueue: (key: string) => k(`peg/depq/${key}`),
  depositByRecipientPrefix: (addr: Address) => k(`peg/depr/${toHex(addr)}/`),
  depositByRecipient: (addr: Address, key: string) => k(`peg/depr/${toHex(addr)}/${key}`),
  withdrawal: (id: bigint) => k(`peg/wd/${pad20(id)}`),
  withdrawalPrefix: k('peg/wd/'),
  withdrawalByOwnerPrefix: (addr: Address) => k(`peg/wdo/${toHex(addr)}/`),
  withdrawalByOwner: (addr: Address, id: bigint) => k(`peg/wdo/${toHex(addr)}/${pad20(id)}`),
  withdrawalByStatusPrefix: (status: string) => k(`peg/wds/${status}/`),
  withdrawalByStatus: (status: string, id: bigint) => k(`peg/wds/${status}/${pad20(id)}`),
  releasePrefix: k('peg/wdr/'),
  release: (height: bigint, id: bigint) => k(`peg/wdr/${pad20(height)}/${pad20(id)}`),
  payout: (network: string, txid: string) => k(`peg/payout/${network}:${txid}`),
  window: (sym: string, dir: 'in' | 'out') => k(`peg/win/${sym}/${dir}`),
  accountWindow: (sym: string, addr: Address) => k(`peg/wacct/${sym}/${toHex(addr)}`),
  accountWindowPrefix: k('peg/wacct/'),
  windowPrefix: k('peg/win/'),
  reserveClaimPrefix: (sym: string, network: string) => k(`peg/res/${sym}/${network}/`),
  reserveClaim: (sym: string, network: string, h: bigint) => k(`peg/res/${sym}/${network}/${pad20(h)}`),
  guard: (action: string) => k(`peg/guard/${action}`),
};

export function keySuffix(key: Uint8Array, prefix: Uint8Array): string {
  return dec.decode(key.subarray(prefix.length));
}

export function putMarker(kv: KVWriter, key: Uint8Array): void {
  kv.set(key, EMPTY);
}

// ---------------------------------------------------------------------------------------------
// JSON helpers

type J = Record<string, unknown>;

function b(v: unknown): bigint {
  return BigInt(v as string);
}
function a(v: unknown): Address {
  return fromHex(v as string);
}
function put(kv: KVWriter, key: Uint8Array, v: unknown): void {
  kv.set(key, enc.encode(JSON.stringify(v)));
}
function get(kv: KVReader, key: Uint8Array): J | undefined {
  const raw = kv.get(key);
  return raw ? (JSON.parse(dec.decode(raw)) as J) : undefined;
}
export function getJsonArray(kv: KVReader, key: Uint8Array): unknown[] | undefined {
  const raw = kv.get(key);
  return raw ? (JSON.parse(dec.decode(raw)) as unknown[]) : undefined;
}

const fracJ = (f: Fraction) => ({ num: f.num.toString(), den: f.den.toString() });
const fracD = (j: J): Fraction => ({ num: b(j.num), den: b(j.den) });

// ---------------------------------------------------------------------------------------------
// params, custodians

export function paramsToJson(p: PegParams): J {
  return {
    attest_threshold: fracJ(p.attestThreshold),
    guardian_threshold: fracJ(p.guardianThreshold),
    custodian_change_delay_blocks: p.custodianChangeDelayBlocks.toString(),
    withdrawal_timeout_blocks: p.withdrawalTimeoutBlocks.toString(),
    max_queued_mints_per_block: p.maxQueuedMintsPerBlock.toString(),
    gov_authority: toHex(p.govAuthority),
  };
}

export function paramsFromJson(j: J): PegParams {
  return {
    attestThreshold: fracD(j.attest_threshold as J),
    guardianThreshold: fracD(j.guardian_threshold as J),
    custodianChangeDelayBlocks: b(j.custodian_change_delay_blocks),
    withdrawalTimeoutBlocks: b(j.withdrawal_timeout_blocks),
    maxQueuedMintsPerBlock: b(j.max_queued_mints_per_block),
    govAuthority: a(j.gov_authority),
  };
}

export function readParams(kv: KVReader): PegParams {
  const j = get(kv, KEYS.params);
  if (!j) throw new Error('peg params missing (no peg genesis)');
  return paramsFromJson(j);
}
export function writeParams(kv: KVWriter, p: PegParams): void {
  put(kv, KEYS.params, paramsToJson(p));
}

const custJ = (c: Custodian) => ({ address: toHex(c.address), weight: c.weight.toString() });
const custD = (j: J): Custodian => ({ address: a(j.address), weight: b(j.weight) });

export function readCustodians(kv: KVReader): Custodian[] {
  return (getJsonArray(kv, KEYS.custodians) ?? []).map((x) => custD(x as J));
}
export function writeCustodians(kv: KVWriter, cs: Custodian[]): void {
  put(kv, KEYS.custodians, cs.map(custJ));
}

export function readPendingCustodians(kv: KVReader): PendingCustodianSet | undefined {
  const j = get(kv, KEYS.pendingCustodians);
  if (!j) return undefined;
  const out: PendingCustodianSet = {
    effectiveHeight: b(j.effective_height),
    custodians: (j.custodians as J[]).map(custD),
    origin: j.origin as string,
  };
  if (j.attest_threshold) out.attestThreshold = fracD(j.attest_threshold as J);
  return out;
}
export function writePendingCustodians(kv: KVWriter, p: PendingCustodianSet | undefined): void {
  if (!p) {
    kv.delete(KEYS.pendingCustodians);
    return;
  }
  put(kv, KEYS.pendingCustodians, {
    effective_height: p.effectiveHeight.toString(),
    custodians: p.custodians.map(custJ),
    ...(p.attestThreshold ? { attest_threshold: fracJ(p.attestThreshold) } : {}),
    origin: p.origin,
  });
}

// ---------------------------------------------------------------------------------------------
// assets

export function limitsToJson(l: AssetLimits): J {
  return {
    window_ms: l.windowMs.toString(),
    per_account_outflow: l.perAccountOutflow.toString(),
    outflow_abs: l.outflowAbs.toString(),
    outflow_pct_bps: l.outflowPctBps.toString(),
    inflow_abs: l.inflowAbs.toString(),
    inflow_pct_bps: l.inflowPctBps.toString(),
    large_withdrawal: l.largeWithdrawal.toString(),
    delay_blocks: l.delayBlocks.toString(),
    min_withdrawal: l.minWithdrawal.toString(),
  };
}

export function limitsFromJson(j: J): AssetLimits {
  return {
    windowMs: b(j.window_ms),
    perAccountOutflow: b(j.per_account_outflow),
    outflowAbs: b(j.outflow_abs),
    outflowPctBps: b(j.outflow_pct_bps),
    inflowAbs: b(j.inflow_abs),
    inflowPctBps: b(j.inflow_pct_bps),
    largeWithdrawal: b(j.large_withdrawal),
    delayBlocks: b(j.delay_blocks),
    minWithdrawal: b(j.min_withdrawal),
  };
}

export function networkToJson(n: Network): J {
  return {
    name: n.name,
    kind: n.kind,
    custody_addresses: n.custodyAddresses,
    confirmations: n.confirmations.toString(),
    decimals: n.decimals.toString(),
    deposits_enabled: n.depositsEnabled,
    withdrawals_enabled: n.withdrawalsEnabled,
    reserve: n.reserve.toString(),
    reserve_ext_height: n.reserveExtHeight.toString(),
    reserve_height: n.reserveHeight.toString(),
    pending_out: n.pendingOut.toString(),
    minted_total: n.mintedTotal.toString(),
    paid_total: n.paidTotal.toString(),
  };
}

function networkFromJson(j: J): Network {
  return {
    name: j.name as string,
    kind: j.kind as string,
    custodyAddresses: j.custody_addresses as string[],
    confirmations: b(j.confirmations),
    decimals: b(j.decimals),
    depositsEnabled: j.deposits_enabled as boolean,
    withdrawalsEnabled: j.withdrawals_enabled as boolean,
    reserve: b(j.reserve),
    reserveExtHeight: b(j.reserve_ext_height),
    reserveHeight: b(j.reserve_height),
    pendingOut: b(j.pending_out),
    mintedTotal: b(j.minted_total),
    paidTotal: b(j.paid_total),
  };
}

export function assetToJson(x: Asset): J {
  return {
    symbol: x.symbol,
    denom: x.denom,
    name: x.name,
    networks: x.networks.map(networkToJson),
    limits: limitsToJson(x.limits),
    paused_deposits: x.pausedDeposits,
    paused_withdrawals: x.pausedWithdrawals,
    minted: x.minted.toString(),
    burned: x.burned.toString(),
    escrow: x.escrow.toString(),
    coverage_low: x.coverageLow,
  };
}

export function assetFromJson(j: J): Asset {
  return {
    symbol: j.symbol as string,
    denom: j.denom as string,
    name: j.name as string,
    networks: (j.networks as J[]).map(networkFromJson),
    limits: limitsFromJson(j.limits as J),
    pausedDeposits: j.paused_deposits as boolean,
    pausedWithdrawals: j.paused_withdrawals as boolean,
    minted: b(j.minted),
    burned: b(j.burned),
    escrow: b(j.escrow),
    coverageLow: j.coverage_low as boolean,
  };
}

export function readAsset(kv: KVReader, sym: string): Asset | undefined {
  const j = get(kv, KEYS.asset(sym));
  return j ? assetFromJson(j) : undefined;
}
export function writeAsset(kv: KVWriter, x: Asset): void {
  put(kv, KEYS.asset(x.symbol), assetToJson(x));
}
export function listAssets(kv: KVReader): Asset[] {
  const out: Asset[] = [];
  for (const [, v] of kv.iterate(KEYS.assetPrefix)) out.push(assetFromJson(JSON.parse(dec.decode(v)) as J));
  return out;
}

// ---------------------------------------------------------------------------------------------
// deposits

export function depositToJson(d: DepositClaim): J {
  return {
    key: d.key,
    network: d.network,
    ext_tx_id: d.extTxId,
    ext_index: d.extIndex.toString(),
    status: d.status,
    payloads: d.payloads.map((p) => ({
      asset: p.asset,
      recipient: toHex(p.recipient),
      amount: p.amount.toString(),
      attesters: p.attesters.map(toHex),
    })),
    first_height: d.firstHeight.toString(),
    done_height: d.doneHeight.toString(),
    note: d.note,
  };
}

export function depositFromJson(j: J): DepositClaim {
  return {
    key: j.key as string,
    network: j.network as string,
    extTxId: j.ext_tx_id as string,
    extIndex: b(j.ext_index),
    status: j.status as DepositClaim['status'],
    payloads: (j.payloads as J[]).map((p) => ({
      asset: p.asset as string,
      recipient: a(p.recipient),
      amount: b(p.amount),
      attesters: (p.attesters as string[]).map(fromHex),
    })),
    firstHeight: b(j.first_height),
    doneHeight: b(j.done_height),
    note: j.note as string,
  };
}

export function readDeposit(kv: KVReader, key: string): DepositClaim | undefined {
  const j = get(kv, KEYS.deposit(key));
  return j ? depositFromJson(j) : undefined;
}
export function writeDeposit(kv: KVWriter, d: DepositClaim): void {
  put(kv, KEYS.deposit(d.key), depositToJson(d));
}

// ---------------------------------------------------------------------------------------------
// withdrawals

export function withdrawalToJson(w: Withdrawal): J {
  return {
    id: w.id.toString(),
    owner: toHex(w.owner),
    asset: w.asset,
    denom: w.denom,
    network: w.network,
    ext_address: w.extAddress,
    amount: w.amount.toString(),
    status: w.status,
    created_height: w.createdHeight.toString(),
    created_time_ms: w.createdTimeMs.toString(),
    release_height: w.releaseHeight.toString(),
    frozen: w.frozen,
    payouts: w.payouts.map((p) => ({ ext_tx_id: p.extTxId, attesters: p.attesters.map(toHex) })),
    ext_tx_id: w.extTxId,
    check: {
      account_used: w.check.accountUsed.toString(),
      account_limit: w.check.accountLimit.toString(),
      aggregate_used: w.check.aggregateUsed.toString(),
      aggregate_quota: w.check.aggregateQuota.toString(),
    },
    history: w.history.map((h) => ({ status: h.status, height: h.height.toString(), note: h.note })),
  };
}

export function withdrawalFromJson(j: J): Withdrawal {
  const c = j.check as J;
  return {
    id: b(j.id),
    owner: a(j.owner),
    asset: j.asset as string,
    denom: j.denom as string,
    network: j.network as string,
    extAddress: j.ext_address as string,
    amount: b(j.amount),
    status: j.status as Withdrawal['status'],
    createdHeight: b(j.created_height),
    createdTimeMs: b(j.created_time_ms),
    releaseHeight: b(j.release_height),
    frozen: j.frozen as boolean,
    payouts: (j.payouts as J[]).map((p) => ({ extTxId: p.ext_tx_id as string, attesters: (p.attesters as string[]).map(fromHex) })),
    extTxId: j.ext_tx_id as string,
    check: { accountUsed: b(c.account_used), accountLimit: b(c.account_limit), aggregateUsed: b(c.aggregate_used), aggregateQuota: b(c.aggregate_quota) },
    history: (j.history as J[]).map((h) => ({ status: h.status as string, height: b(h.height), note: h.note as string })),
  };
}

export function readWithdrawal(kv: KVReader, id: bigint): Withdrawal | undefined {
  const j = get(kv, KEYS.withdrawal(id));
  return j ? withdrawalFromJson(j) : undefined;
}
export function writeWithdrawal(kv: KVWriter, w: Withdrawal): void {
  put(kv, KEYS.withdrawal(w.id), withdrawalToJson(w));
}
export function* iterateWithdrawals(kv: KVReader): Iterable<Withdrawal> {
  for (const [, v] of kv.iterate(KEYS.withdrawalPrefix)) yield withdrawalFromJson(JSON.parse(dec.decode(v)) as J);
}

export function nextWithdrawalId(kv: KVWriter): bigint {
  const raw = kv.get(KEYS.nextWithdrawal);
  const id = raw ? BigInt(dec.decode(raw)) : 1n;
  kv.set(KEYS.nextWithdrawal, enc.encode((id + 1n).toString()));
  return id;
}

// ---------------------------------------------------------------------------------------------
// windows, reserve claims, guardian votes

export function windowToJson(w: WindowUsage): J {
  return { start_ms: w.startMs.toString(), supply_at_start: w.supplyAtStart.toString(), used: w.used.toString(), quota: w.quota.toString() };
}
export function windowFromJson(j: J): WindowUsage {
  return { startMs: b(j.start_ms), supplyAtStart: b(j.supply_at_start), used: b(j.used), quota: b(j.quota) };
}
export function readWindow(kv: KVReader, key: Uint8Array): WindowUsage | undefined {
  const j = get(kv, key);
  return j ? windowFromJson(j) : undefined;
}
export function writeWindow(kv: KVWriter, key: Uint8Array, w: WindowUsage): void {
  put(kv, key, windowToJson(w));
}
export function* iterateWindows(kv: KVReader, prefix: Uint8Array): Iterable<[string, WindowUsage]> {
  for (const [key, v] of kv.iterate(prefix)) yield [keySuffix(key, prefix), windowFromJson(JSON.parse(dec.decode(v)) as J)];
}

export function reserveClaimToJson(r: ReserveClaim): J {
  return {
    asset: r.asset,
    network: r.network,
    ext_height: r.extHeight.toString(),
    status: r.status,
    payloads: r.payloads.map((p) => ({ amount: p.amount.toString(), attesters: p.attesters.map(toHex) })),
  };
}
export function reserveClaimFromJson(j: J): ReserveClaim {
  return {
    asset: j.asset as string,
    network: j.network as string,
    extHeight: b(j.ext_height),
    status: j.status as ReserveClaim['status'],
    payloads: (j.payloads as J[]).map((p) => ({ amount: b(p.amount), attesters: (p.attesters as string[]).map(fromHex) })),
  };
}
export function readReserveClaim(kv: KVReader, sym: string, net: string, h: bigint): ReserveClaim | undefined {
  const j = get(kv, KEYS.reserveClaim(sym, net, h));
  return j ? reserveClaimFromJson(j) : undefined;
}
export function writeReserveClaim(kv: KVWriter, r: ReserveClaim): void {
  put(kv, KEYS.reserveClaim(r.asset, r.network, r.extHeight), reserveClaimToJson(r));
}

export function readGuardVotes(kv: KVReader, action: string): Address[] {
  return ((getJsonArray(kv, KEYS.guard(action)) ?? []) as string[]).map(fromHex);
}
export function writeGuardVotes(kv: KVWriter, action: string, votes: Address[]): void {
  if (votes.length === 0) kv.delete(KEYS.guard(action));
  else put(kv, KEYS.guard(action), votes.map(toHex));
}
