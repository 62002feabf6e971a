/**
 * Peg invariants (named checks, Cosmos style). Each returns `undefined` when it holds or a
 * description of the breach. Tests run them after every block; a node can run them in a debug
 * mode through the `peg/invariants` query.
 */
import type { KVReader } from '../../state/types.js';
import { encodeAddress } from '../../codec/index.js';
import type { InvariantResult } from '../bank/invariants.js';
import { PEG_ESCROW_ADDRESS, depositKey, type PegKeeper } from './keeper.js';
import { UNLIMITED } from './limits.js';
import { KEYS, iterateWindows, iterateWithdrawals, depositFromJson, keySuffix } from './store.js';
import { OPEN_WITHDRAWAL } from './types.js';

const dec = new TextDecoder();

/**
 * supply(asset) = Σ minted − Σ burned. Holders may also burn pegged tokens with the tokens
 * module's BurnMsg (it accepts any holder), which lowers the supply without a payout, so the
 * safety property is `supply ≤ minted − burned` (never unbacked); `strict` demands equality.
 */
export function pegSupplyMatchesMintBurn(kv: KVReader, keeper: PegKeeper, strict = true): InvariantResult {
  for (const a of keeper.assets(kv)) {
    const supply = keeper.supply(kv, a);
    const net = a.minted - a.burned;
    if (supply > net || (strict && supply !== net)) return `${a.symbol}: supply ${supply} ≠ minted ${a.minted} − burned ${a.burned}`;
    const perNet = a.networks.reduce((s, n) => s + n.mintedTotal, 0n);
    if (perNet !== a.minted) return `${a.symbol}: networks minted ${perNet}, asset minted ${a.minted}`;
  }
  return undefined;
}

/** escrow(asset) = Σ open requests = the escrow account's balance = Σ networks' pending payouts. */
export function pegEscrowMatchesOpenRequests(kv: KVReader, keeper: PegKeeper): InvariantResult {
  const open = new Map<string, bigint>();
  const openNet = new Map<string, bigint>();
  for (const w of iterateWithdrawals(kv)) {
    if (!OPEN_WITHDRAWAL.includes(w.status)) continue;
    open.set(w.asset, (open.get(w.asset) ?? 0n) + w.amount);
    openNet.set(`${w.asset}/${w.network}`, (openNet.get(`${w.asset}/${w.network}`) ?? 0n) + w.amount);
  }
  for (const a of keeper.assets(kv)) {
    const sum = open.get(a.symbol) ?? 0n;
    if (a.escrow !== sum) return `${a.symbol}: escrow ${a.escrow} ≠ Σ open requests ${sum}`;
    const held = keeper.bank.getBalance(kv, PEG_ESCROW_ADDRESS, a.denom);
    if (held !== sum) return `${a.symbol}: escrow account holds ${held} ≠ Σ open requests ${sum}`;
    for (const n of a.networks) {
      const s = openNet.get(`${a.symbol}/${n.name}`) ?? 0n;
      if (n.pendingOut !== s) return `${a.symbol}/${n.name}: pending_out ${n.pendingOut} ≠ Σ open requests ${s}`;
    }
  }
  return undefined;
}

/**
 * Every minted deposit key is unique and canonical (a key spelled two ways would be two mints
 * of one deposit), minted once, and the minted amounts add up to the asset's `minted`.
 */
export function pegMintedKeysUnique(kv: KVReader, keeper: PegKeeper): InvariantResult {
  const seen = new Set<string>();
  const sums = new Map<string, bigint>();
  for (const [k, v] of kv.iterate(KEYS.depositPrefix)) {
    const key = keySuffix(k, KEYS.depositPrefix);
    const d = depositFromJson(JSON.parse(dec.decode(v)) as Record<string, unknown>);
    if (d.key !== key) return `deposit stored under ${key} names itself ${d.key}`;
    const canonical = depositKey(d.network, d.extTxId, d.extIndex);
    if (canonical !== key) return `deposit key ${key} is not canonical (${canonical})`;
    if (d.status !== 'minted') continue;
    if (seen.has(canonical)) return `deposit ${canonical} minted twice`;
    seen.add(canonical);
    // the minted payload is the last one governance added, or the one the custodians agreed on
    const p = d.payloads.length === 1 ? d.payloads[0]! : d.payloads[d.payloads.length - 1]!;
    sums.set(p.asset, (sums.get(p.asset) ?? 0n) + p.amount);
  }
  for (const a of keeper.assets(kv)) {
    const s = sums.get(a.symbol) ?? 0n;
    if (s !== a.minted) return `${a.symbol}: minted deposits sum to ${s}, asset minted ${a.minted}`;
  }
  return undefined;
}

/** No window went over the quota in force when it was used; no request passed over its limits. */
export function pegLimitsRespected(kv: KVReader, keeper: PegKeeper, hrp = 'addr'): InvariantResult {
  for (const prefix of [KEYS.windowPrefix, KEYS.accountWindowPrefix]) {
    for (const [name, w] of iterateWindows(kv, prefix)) {
      if (w.quota !== UNLIMITED && w.used > w.quota) return `window ${name}: used ${w.used} > quota ${w.quota}`;
    }
  }
  for (const w of iterateWithdrawals(kv)) {
    const c = w.check;
    if (c.accountLimit !== UNLIMITED && c.accountUsed > c.accountLimit) {
      return `withdrawal ${w.id} of ${encodeAddress(w.owner, hrp)}: account used ${c.accountUsed} > limit ${c.accountLimit}`;
    }
    if (c.aggregateQuota !== UNLIMITED && c.aggregateUsed > c.aggregateQuota) return `withdrawal ${w.id}: aggregate ${c.aggregateUsed} > quota ${c.aggregateQuota}`;
  }
  void keeper;
  return undefined;
}

/** All peg invariants; returns the breaches. */
export function pegInvariants(kv: KVReader, keeper: PegKeeper, strict = true): string[] {
  const out: string[] = [];
  const checks: [string, InvariantResult][] = [
    ['pegSupplyMatchesMintBurn', pegSupplyMatchesMintBurn(kv, keeper, strict)],
    ['pegEscrowMatchesOpenRequests', pegEscrowMatchesOpenRequests(kv, keeper)],
    ['pegMintedKeysUnique', pegMintedKeysUnique(kv, keeper)],
    ['pegLimitsRespected', pegLimitsRespected(kv, keeper)],
  ];
  for (const [name, r] of checks) if (r) out.push(`${name}: ${r}`);
  return out;
}
