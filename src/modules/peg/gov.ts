/**
 * Governance actions of the peg. A passed proposal (or, where enabled, the `gov_authority`
 * through `peg/GovAction`) carries one JSON action:
 *
 * | type                     | fields                                                              |
 * |--------------------------|---------------------------------------------------------------------|
 * | `peg/custodian_set`      | custodians [{address, weight}], attest_threshold? {num, den} — takes effect after `custodian_change_delay_blocks` |
 * | `peg/params`             | params (partial, as in genesis; custodian thresholds included)      |
 * | `peg/limits`             | asset, limits (partial)                                             |
 * | `peg/network`            | asset, network, and any of custody_addresses, confirmations, deposits_enabled, withdrawals_enabled; `add: true` adds a network |
 * | `peg/add_asset`          | asset (as in genesis): creates its token                            |
 * | `peg/unpause`            | asset, direction (deposit, withdraw, both)                          |
 * | `peg/refund`             | request_id — a frozen request, or one older than the timeout        |
 * | `peg/resolve_withdrawal` | request_id, decision (complete, refund), ext_tx_id for complete     |
 * | `peg/resolve_deposit`    | network, ext_tx_id, ext_index, decision (mint, reject), asset/recipient/amount for mint |
 *
 * Integers may be numbers or decimal strings; amounts are 1e-8 units; addresses bech32.
 */
import { decodeAddress } from '../../codec/index.js';
import { bytesEqual } from '../../crypto/hash.js';
import type { ChainInfo } from '../../app/context.js';
import type { KVWriter } from '../../state/types.js';
import { pegError } from './errors.js';
import { PEG_PROPOSAL_KIND, type GovExecContext, type GovProposalExecutor } from './expected_keepers.js';
import { checkThresholds, parseAsset, parseCustodians, parseFraction, parseLimits, parseNetwork, parseParams } from './genesis.js';
import { PEG_MODULE_ADDRESS, depositKey, type PegKeeper } from './keeper.js';
import { checkExtTxId, checkNetworkName } from './msgs.js';
import { writeAsset } from './store.js';
import type { Asset } from './types.js';

type J = Record<string, unknown>;

export function parseAction(description: string): J {
  let j: unknown;
  try {
    j = JSON.parse(description);
  } catch (e) {
    throw pegError('invalidGovAction', `the action is not JSON: ${(e as Error).message}`);
  }
  if (!j || typeof j !== 'object' || Array.isArray(j) || typeof (j as J).type !== 'string') {
    throw pegError('invalidGovAction', 'the action must be a JSON object with a "type"');
  }
  return j as J;
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined || v === null || v === '') throw pegError('invalidGovAction', `${what} is required`);
  return v;
}

function bigintField(v: unknown, what: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d{1,19}$/.test(v)) return BigInt(v);
  throw pegError('invalidGovAction', `${what} must be a non-negative integer`);
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    // genesis parsers name their paths from the genesis root; here the root is the action
    throw pegError('invalidGovAction', (e as Error).message.replace('genesis app_state.peg', 'action'));
  }
}

/** Stateless validation (at proposal submission). */
export function validatePegAction(j: J, chain: ChainInfo): void {
  const hrp = chain.hrp;
  wrap(() => {
    switch (j.type) {
      case 'peg/custodian_set': {
        const cs = parseCustodians(j.custodians, hrp, '.custodians');
        if (cs.length === 0) throw pegError('invalidGovAction', 'the custodian set must not be empty');
        if (j.attest_threshold !== undefined) {
          checkThresholds({ attestThreshold: parseFraction(j.attest_threshold, '.attest_threshold', { num: 2n, den: 3n }), guardianThreshold: { num: 0n, den: 1n } }, '');
        }
        return;
      }
      case 'peg/params':
        parseParams(j.params, hrp);
        return;
      case 'peg/limits':
        need(j.asset, 'asset');
        parseLimits(j.limits, '.limits');
        return;
      case 'peg/network':
        need(j.asset, 'asset');
        checkNetworkName(need(j.network as string, 'network'));
        return;
      case 'peg/add_asset':
        parseAsset(j.asset, '.asset');
        return;
      case 'peg/unpause':
        need(j.asset, 'asset');
        if (!['deposit', 'withdraw', 'both'].includes(j.direction as string)) throw pegError('invalidGovAction', 'direction must be deposit, withdraw or both');
        return;
      case 'peg/refund':
        bigintField(j.request_id, 'request_id');
        return;
      case 'peg/resolve_withdrawal':
        bigintField(j.request_id, 'request_id');
        if (j.decision !== 'complete' && j.decision !== 'refund') throw pegError('invalidGovAction', 'decision must be complete or refund');
        if (j.decision === 'complete') checkExtTxId(need(j.ext_tx_id as string, 'ext_tx_id'));
        return;
      case 'peg/resolve_deposit':
        checkNetworkName(need(j.network as string, 'network'));
        checkExtTxId(need(j.ext_tx_id as string, 'ext_tx_id'));
        bigintField(j.ext_index ?? 0, 'ext_index');
        if (j.decision !== 'mint' && j.decision !== 'reject') throw pegError('invalidGovAction', 'decision must be mint or reject');
        if (j.decision === 'mint') {
          need(j.asset, 'asset');
          decodeAddress(need(j.recipient as string, 'recipient'), hrp);
          if (bigintField(j.amount, 'amount') <= 0n) throw pegError('invalidGovAction', 'amount must be positive');
        }
        return;
      default:
        throw pegError('invalidGovAction', `unknown peg action ${JSON.stringify(j.type)}`);
    }
  });
}

function createAssetToken(keeper: PegKeeper, kv: KVWriter, a: Asset): void {
  if (keeper.asset(kv, a.symbol)) throw pegError('assetExists', `pegged asset ${a.symbol} already exists`);
  if (keeper.tokens.hasToken(kv, a.denom)) throw pegError('assetExists', `token ${a.denom} already exists`);
  keeper.tokens.setToken(kv, { name: a.name, symbol: a.denom, originalSymbol: a.symbol, totalSupply: 0n, owner: PEG_MODULE_ADDRESS, mintable: false });
  writeAsset(kv, a);
}

export { createAssetToken };

/** Runs a validated action. Throws (and the caller drops its cache) when the state refuses it. */
export function executePegAction(keeper: PegKeeper, ctx: GovExecContext, j: J, origin: string): void {
  validatePegAction(j, ctx.chain);
  const hrp = ctx.chain.hrp;
  const kv = ctx.kv;
  switch (j.type) {
    case 'peg/custodian_set': {
      const cs = parseCustodians(j.custodians, hrp, '.custodians');
      const t = j.attest_threshold === undefined ? undefined : parseFraction(j.attest_threshold, '.attest_threshold', { num: 2n, den: 3n });
      keeper.scheduleCustodianSet(ctx, cs, t, origin);
      return;
    }
    case 'peg/params': {
      const p = parseParams(j.params, hrp, keeper.params(kv));
      keeper.setParams(kv, p);
      ctx.events.emit('peg_params_changed', { origin });
      return;
    }
    case 'peg/limits': {
      const a = keeper.mustAsset(kv, j.asset as string);
      a.limits = parseLimits(j.limits, '.limits', a.limits);
      writeAsset(kv, a);
      ctx.events.emit('peg_limits_changed', { asset: a.symbol, origin });
      return;
    }
    case 'peg/network': {
      const a = keeper.mustAsset(kv, j.asset as string);
      const name = j.network as string;
      if (j.add === true) {
        if (a.networks.some((n) => n.name === name)) throw pegError('invalidGovAction', `${a.symbol} already has network ${name}`);
        const { add: _add, asset: _asset, type: _type, network: _network, ...rest } = j;
        a.networks.push(parseNetwork({ ...rest, name, reserve: 0 }, '.network'));
      } else {
        const n = keeper.mustNetwork(a, name);
        const upd = parseNetwork(
          {
            name,
            kind: n.kind,
            custody_addresses: j.custody_addresses ?? n.custodyAddresses,
            confirmations: j.confirmations ?? n.confirmations.toString(),
            decimals: n.decimals.toString(),
            deposits_enabled: j.deposits_enabled ?? n.depositsEnabled,
            withdrawals_enabled: j.withdrawals_enabled ?? n.withdrawalsEnabled,
          },
          '.network',
        );
        n.custodyAddresses = upd.custodyAddresses;
        n.confirmations = upd.confirmations;
        n.depositsEnabled = upd.depositsEnabled;
        n.withdrawalsEnabled = upd.withdrawalsEnabled;
      }
      writeAsset(kv, a);
      ctx.events.emit('peg_network_changed', { asset: a.symbol, network: name, origin });
      return;
    }
    case 'peg/add_asset': {
      const a = parseAsset(j.asset, '.asset');
      a.networks.forEach((n) => (n.reserve = 0n));
      createAssetToken(keeper, kv, a);
      ctx.events.emit('peg_asset_added', { asset: a.symbol, denom: a.denom, origin });
      return;
    }
    case 'peg/unpause': {
      const a = keeper.mustAsset(kv, j.asset as string);
      keeper.setPaused(ctx, a, j.direction as string, false, origin);
      return;
    }
    case 'peg/refund':
      keeper.govRefund(ctx, bigintField(j.request_id, 'request_id'), origin);
      return;
    case 'peg/resolve_withdrawal':
      keeper.govResolveWithdrawal(ctx, bigintField(j.request_id, 'request_id'), j.decision as 'complete' | 'refund', (j.ext_tx_id as string) ?? '', origin);
      return;
    case 'peg/resolve_deposit': {
      const key = depositKey(j.network as string, j.ext_tx_id as string, bigintField(j.ext_index ?? 0, 'ext_index'));
      const payload =
        j.decision === 'mint'
          ? { asset: j.asset as string, recipient: decodeAddress(j.recipient as string, hrp), amount: bigintField(j.amount, 'amount') }
          : undefined;
      keeper.govResolveDeposit(ctx, key, j.decision as 'mint' | 'reject', payload, origin);
      return;
    }
  }
}

/** The executor the gov module calls for passed `PEG_PROPOSAL_KIND` proposals. */
export function pegGovExecutor(keeper: PegKeeper): GovProposalExecutor {
  return {
    kind: PEG_PROPOSAL_KIND,
    actionPrefix: 'peg/',
    validate(description, chain) {
      validatePegAction(parseAction(description), chain);
    },
    execute(ctx, description, origin) {
      executePegAction(keeper, ctx, parseAction(description), origin);
    },
  };
}

/** The direct path: only the configured authority, and only when one is configured. */
export function checkGovAuthority(authority: Uint8Array, from: Uint8Array, what: string): void {
  if (authority.length === 0) throw pegError('govDisabled', `${what} is disabled: no gov_authority is configured (use a governance proposal)`);
  if (!bytesEqual(authority, from)) throw pegError('notAuthorized', `only the gov_authority may send ${what}`);
}
