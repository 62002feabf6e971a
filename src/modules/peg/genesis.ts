/**
 * The peg section of the genesis file (`app_state.peg`) and its defaults:
 *
 * ```
 * peg: {
 *   custodians: [{ address, weight }],
 *   params: { attest_threshold: {num, den}, guardian_threshold: {num, den},
 *             custodian_change_delay_blocks, withdrawal_timeout_blocks,
 *             max_queued_mints_per_block, gov_authority },
 *   assets: [{ symbol: "BTC", name, limits: {window_ms, per_account_outflow, outflow_abs,
 *              outflow_pct_bps, inflow_abs, inflow_pct_bps, large_withdrawal, delay_blocks,
 *              min_withdrawal},
 *              networks: [{ name, kind, custody_addresses, confirmations, decimals,
 *                           deposits_enabled, withdrawals_enabled, reserve }] }]
 * }
 * ```
 * Integers may be JSON numbers or decimal strings; amounts are in 1e-8 units. Every field but
 * `symbol`, `name` and the network `name` has a default. The module creates each asset's BEP2
 * token (`pegDenom(symbol)`, supply 0, owned by the module) at genesis.
 */
import { decodeAddress, encodeAddress, INT64_MAX } from '../../codec/index.js';
import type { Address } from '../../codec/types.js';
import type { GenesisDoc } from '../../node/genesis-file.js';
import { pegError } from './errors.js';
import { checkAssetSymbol, checkNetworkName } from './msgs.js';
import type { Asset, AssetLimits, Custodian, Fraction, Network, PegParams } from './types.js';
import { pegDenom } from './keeper.js';

type J = Record<string, unknown>;

const DAY_MS = 86_400_000n;
const COIN = 100_000_000n;

export function defaultPegParams(): PegParams {
  return {
    attestThreshold: { num: 2n, den: 3n },
    guardianThreshold: { num: 0n, den: 1n },
    custodianChangeDelayBlocks: 100_000n, // ≈ a day at ~1 s blocks
    withdrawalTimeoutBlocks: 600_000n, // ≈ a week
    maxQueuedMintsPerBlock: 100n,
    govAuthority: new Uint8Array(0),
  };
}

export function defaultLimits(): AssetLimits {
  return {
    windowMs: DAY_MS,
    perAccountOutflow: 0n,
    outflowAbs: 0n,
    outflowPctBps: 1_000n, // 10 % of supply per day
    inflowAbs: 0n,
    inflowPctBps: 0n,
    largeWithdrawal: 0n,
    delayBlocks: 86_400n,
    minWithdrawal: 1n,
  };
}

function fail(path: string, msg: string): Error {
  return pegError('invalidGenesis', `genesis app_state.peg${path}: ${msg}`);
}

function int(v: unknown, path: string, def?: bigint, min = 0n): bigint {
  if (v === undefined || v === null) {
    if (def === undefined) throw fail(path, 'is required');
    return def;
  }
  if (typeof v === 'number' && Number.isSafeInteger(v)) v = String(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw fail(path, `must be a non-negative integer, got ${JSON.stringify(v)}`);
  const b = BigInt(v);
  if (b > INT64_MAX) throw fail(path, 'overflows int64');
  if (b < min) throw fail(path, `must be at least ${min}`);
  return b;
}

function str(v: unknown, path: string, def?: string): string {
  if (v === undefined && def !== undefined) return def;
  if (typeof v !== 'string') throw fail(path, `must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function bool(v: unknown, path: string, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v !== 'boolean') throw fail(path, 'must be true or false');
  return v;
}

function obj(v: unknown, path: string): J {
  if (v === undefined) return {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw fail(path, 'must be an object');
  return v as J;
}

function addr(v: unknown, path: string, hrp: string): Address {
  try {
    return decodeAddress(str(v, path), hrp);
  } catch (e) {
    throw fail(path, (e as Error).message);
  }
}

export function parseFraction(v: unknown, path: string, def: Fraction): Fraction {
  if (v === undefined) return def;
  const j = obj(v, path);
  return { num: int(j.num, `${path}.num`), den: int(j.den, `${path}.den`, undefined, 1n) };
}

/** Attest threshold must be a fraction above 1/2 and at most 1; guardian threshold at most 1. */
export function checkThresholds(p: { attestThreshold: Fraction; guardianThreshold: Fraction }, where: string): void {
  const t = p.attestThreshold;
  if (t.den <= 0n || t.num > t.den || t.num * 2n <= t.den) throw fail(where, `attest_threshold ${t.num}/${t.den} must be more than 1/2 and at most 1`);
  const g = p.guardianThreshold;
  if (g.den <= 0n || g.num > g.den) throw fail(where, `guardian_threshold ${g.num}/${g.den} must be at most 1`);
}

export function parseParams(v: unknown, hrp: string, base: PegParams = defaultPegParams(), path = '.params'): PegParams {
  const j = obj(v, path);
  const p: PegParams = {
    attestThreshold: parseFraction(j.attest_threshold, `${path}.attest_threshold`, base.attestThreshold),
    guardianThreshold: parseFraction(j.guardian_threshold, `${path}.guardian_threshold`, base.guardianThreshold),
    custodianChangeDelayBlocks: int(j.custodian_change_delay_blocks, `${path}.custodian_change_delay_blocks`, base.custodianChangeDelayBlocks),
    withdrawalTimeoutBlocks: int(j.withdrawal_timeout_blocks, `${path}.withdrawal_timeout_blocks`, base.withdrawalTimeoutBlocks, 1n),
    maxQueuedMintsPerBlock: int(j.max_queued_mints_per_block, `${path}.max_queued_mints_per_block`, base.maxQueuedMintsPerBlock, 1n),
    govAuthority: j.gov_authority === undefined ? base.govAuthority : j.gov_authority === '' ? new Uint8Array(0) : addr(j.gov_authority, `${path}.gov_authority`, hrp),
  };
  checkThresholds(p, path);
  return p;
}

export function parseCustodians(v: unknown, hrp: string, path = '.custodians'): Custodian[] {
  if (!Array.isArray(v)) throw fail(path, 'must be an array');
  const seen = new Set<string>();
  const out = v.map((cv, i) => {
    const c = obj(cv, `${path}[${i}]`);
    const address = addr(c.address, `${path}[${i}].address`, hrp);
    const hex = Buffer.from(address).toString('hex');
    if (seen.has(hex)) throw fail(`${path}[${i}].address`, 'duplicate custodian');
    seen.add(hex);
    return { address, weight: int(c.weight, `${path}[${i}].weight`, 1n, 1n) };
  });
  const total = out.reduce((s, c) => s + c.weight, 0n);
  if (total > INT64_MAX) throw fail(path, 'total weight overflows int64');
  return out;
}

export function parseLimits(v: unknown, path: string, base: AssetLimits = defaultLimits()): AssetLimits {
  const j = obj(v, path);
  const l: AssetLimits = {
    windowMs: int(j.window_ms, `${path}.window_ms`, base.windowMs, 1n),
    perAccountOutflow: int(j.per_account_outflow, `${path}.per_account_outflow`, base.perAccountOutflow),
    outflowAbs: int(j.outflow_abs, `${path}.outflow_abs`, base.outflowAbs),
    outflowPctBps: int(j.outflow_pct_bps, `${path}.outflow_pct_bps`, base.outflowPctBps),
    inflowAbs: int(j.inflow_abs, `${path}.inflow_abs`, base.inflowAbs),
    inflowPctBps: int(j.inflow_pct_bps, `${path}.inflow_pct_bps`, base.inflowPctBps),
    largeWithdrawal: int(j.large_withdrawal, `${path}.large_withdrawal`, base.largeWithdrawal),
    delayBlocks: int(j.delay_blocks, `${path}.delay_blocks`, base.delayBlocks),
    minWithdrawal: int(j.min_withdrawal, `${path}.min_withdrawal`, base.minWithdrawal, 1n),
  };
  for (const [k, bps] of [['outflow_pct_bps', l.outflowPctBps], ['inflow_pct_bps', l.inflowPctBps]] as const) {
    if (bps > 10_000n) throw fail(`${path}.${k}`, 'must be at most 10000 (100 %)');
  }
  return l;
}

export const NETWORK_KINDS = ['evm', 'bitcoin', 'omni', 'other'] as const;

export function parseNetwork(v: unknown, path: string): Network {
  const j = obj(v, path);
  const name = str(j.name, `${path}.name`);
  try {
    checkNetworkName(name);
  } catch (e) {
    throw fail(`${path}.name`, (e as Error).message);
  }
  const kind = str(j.kind, `${path}.kind`, 'other');
  if (!(NETWORK_KINDS as readonly string[]).includes(kind)) throw fail(`${path}.kind`, `must be one of ${NETWORK_KINDS.join(', ')}`);
  const custody = j.custody_addresses === undefined ? [] : j.custody_addresses;
  if (!Array.isArray(custody) || custody.some((c) => typeof c !== 'string')) throw fail(`${path}.custody_addresses`, 'must be an array of strings');
  const decimals = int(j.decimals, `${path}.decimals`, 8n);
  if (decimals > 36n) throw fail(`${path}.decimals`, 'must be at most 36');
  return {
    name,
    kind,
    custodyAddresses: custody as string[],
    confirmations: int(j.confirmations, `${path}.confirmations`, 1n),
    decimals,
    depositsEnabled: bool(j.deposits_enabled, `${path}.deposits_enabled`, true),
    withdrawalsEnabled: bool(j.withdrawals_enabled, `${path}.withdrawals_enabled`, true),
    reserve: int(j.reserve, `${path}.reserve`, 0n),
    reserveExtHeight: 0n,
    reserveHeight: 0n,
    pendingOut: 0n,
    mintedTotal: 0n,
    paidTotal: 0n,
  };
}

export function parseAsset(v: unknown, path: string): Asset {
  const j = obj(v, path);
  const symbol = str(j.symbol, `${path}.symbol`);
  try {
    checkAssetSymbol(symbol);
  } catch (e) {
    throw fail(`${path}.symbol`, (e as Error).message);
  }
  const name = str(j.name, `${path}.name`, symbol);
  if (name.length < 1 || new TextEncoder().encode(name).length > 32) throw fail(`${path}.name`, 'must be 1 to 32 bytes');
  if (!Array.isArray(j.networks) || j.networks.length === 0) throw fail(`${path}.networks`, 'must list at least one network');
  const networks = j.networks.map((n, i) => parseNetwork(n, `${path}.networks[${i}]`));
  if (new Set(networks.map((n) => n.name)).size !== networks.length) throw fail(`${path}.networks`, 'duplicate network name');
  return {
    symbol,
    denom: pegDenom(symbol),
    name,
    networks,
    limits: parseLimits(j.limits, `${path}.limits`),
    pausedDeposits: bool(j.paused_deposits, `${path}.paused_deposits`, false),
    pausedWithdrawals: bool(j.paused_withdrawals, `${path}.paused_withdrawals`, false),
    minted: 0n,
    burned: 0n,
    escrow: 0n,
    coverageLow: false,
  };
}

export interface PegGenesis {
  custodians: Custodian[];
  params: PegParams;
  assets: Asset[];
}

export function parsePegGenesis(raw: unknown, hrp: string): PegGenesis {
  if (raw === undefined) return { custodians: [], params: defaultPegParams(), assets: [] };
  const j = obj(raw, '');
  const custodians = j.custodians === undefined ? [] : parseCustodians(j.custodians, hrp);
  const params = parseParams(j.params, hrp);
  const assetsRaw = j.assets === undefined ? [] : j.assets;
  if (!Array.isArray(assetsRaw)) throw fail('.assets', 'must be an array');
  const assets = assetsRaw.map((a, i) => parseAsset(a, `.assets[${i}]`));
  if (new Set(assets.map((a) => a.symbol)).size !== assets.length) throw fail('.assets', 'duplicate asset symbol');
  if (assets.length > 0 && custodians.length === 0) throw fail('.custodians', 'pegged assets need at least one custodian');
  return { custodians, params, assets };
}

/**
 * Adds a default peg to a genesis document (`dexchain init`): the given custodians with weight
 * 1 (threshold 2/3), BTC on `bitcoin`, USDT on `omni` and `erc20` (6 decimals). Custody
 * addresses start empty: operators publish them with a `peg/network` governance action.
 * Custodians need an on-chain account to sign (attestations are fee-free).
 */
export function addDefaultPegGenesis(doc: GenesisDoc, custodianAddresses: string[]): void {
  if (custodianAddresses.length === 0) throw new Error('addDefaultPegGenesis: at least one custodian address is needed');
  const hrp = doc.address_prefix;
  const custodians = custodianAddresses.map((a) => ({ address: encodeAddress(decodeAddress(a, hrp), hrp), weight: '1' }));
  const limits = (perAccount: bigint, large: bigint) => ({
    window_ms: DAY_MS.toString(),
    per_account_outflow: perAccount.toString(),
    outflow_abs: '0',
    outflow_pct_bps: '1000',
    inflow_abs: '0',
    inflow_pct_bps: '0',
    large_withdrawal: large.toString(),
    delay_blocks: '3600',
    min_withdrawal: (COIN / 10_000n).toString(),
  });
  doc.app_state.peg = {
    custodians,
    params: {
      attest_threshold: { num: '2', den: '3' },
      guardian_threshold: { num: '0', den: '1' },
      custodian_change_delay_blocks: '100000',
      withdrawal_timeout_blocks: '600000',
      max_queued_mints_per_block: '100',
      gov_authority: '',
    },
    assets: [
      {
        symbol: 'BTC',
        name: 'Pegged Bitcoin',
        limits: limits(10n * COIN, 5n * COIN),
        networks: [{ name: 'bitcoin', kind: 'bitcoin', custody_addresses: [], confirmations: '6', decimals: '8' }],
      },
      {
        symbol: 'USDT',
        name: 'Pegged Tether USD',
        limits: limits(1_000_000n * COIN, 250_000n * COIN),
        networks: [
          { name: 'omni', kind: 'omni', custody_addresses: [], confirmations: '6', decimals: '8' },
          { name: 'erc20', kind: 'evm', custody_addresses: [], confirmations: '12', decimals: '6' },
        ],
      },
    ],
  };
}
