/**
 * Insurance module: the on-chain fund fed by a share of block fees and paid out only by
 * governance. Importing this file registers `insurance/GovPayout` (via the peg msgs file).
 *
 * Genesis (`app_state.insurance`, optional; absent = a fund that takes no share): `{ fee_share_bps: 1000, gov_authority: "" }`.
 * Governance action (proposal kind `INSURANCE_PROPOSAL_KIND`, or `insurance/GovPayout` from the
 * authority): `{"type":"insurance/payout","recipient":"tbnb1…","amount":[{"denom":"BNB","amount":"100000000"}],"reason":"…"}`.
 */
import '../peg/msgs.js';
export * from './errors.js';
export * from './keeper.js';
export * from './expected_keepers.js';
import { decodeAddress, encodeAddress, formatFixed8, INT64_MAX } from '../../codec/index.js';
import type { Coin } from '../../codec/types.js';
import type { AppModule, MsgHandler } from '../../app/router.js';
import { FeeFor } from '../params/fees.js';
import { rootError } from '../../errors.js';
import { bytesEqual } from '../../crypto/hash.js';
import { sortCoins, validateCoins } from '../bank/coins.js';
import type { InsuranceGovPayoutMsg } from '../peg/types.js';
import { INSURANCE_PROPOSAL_KIND, type GovProposalExecutor } from '../peg/expected_keepers.js';
import { insuranceError } from './errors.js';
import type { InsuranceBankKeeper, InsuranceExecContext } from './expected_keepers.js';
import { INSURANCE_FUND_ADDRESS, InsuranceKeeper, insuranceFundBacked } from './keeper.js';

/** End-block slot: just before the fee distribution (500), so the share leaves the pool first. */
export const INSURANCE_END_BLOCK_ORDER = 490;

const enc = new TextEncoder();
type J = Record<string, unknown>;

function parseCoins(v: unknown, what: string): Coin[] {
  if (!Array.isArray(v) || v.length === 0) throw insuranceError('invalidPayout', `${what} must be a non-empty list of {denom, amount}`);
  const coins = sortCoins(
    v.map((c, i) => {
      const o = c as J;
      const amt = typeof o?.amount === 'number' ? String(o.amount) : o?.amount;
      if (typeof o?.denom !== 'string' || typeof amt !== 'string' || !/^\d{1,19}$/.test(amt) || BigInt(amt) > INT64_MAX || BigInt(amt) === 0n) {
        throw insuranceError('invalidPayout', `${what}[${i}] must be {denom, amount > 0}`);
      }
      return { denom: o.denom, amount: BigInt(amt) };
    }),
  );
  try {
    validateCoins(coins, what);
  } catch (e) {
    throw insuranceError('invalidPayout', (e as Error).message);
  }
  return coins;
}

export function parseInsuranceAction(description: string, hrp: string): { recipient: Uint8Array; amount: Coin[]; reason: string } {
  let j: J;
  try {
    j = JSON.parse(description) as J;
  } catch (e) {
    throw insuranceError('invalidPayout', `the action is not JSON: ${(e as Error).message}`);
  }
  if (!j || typeof j !== 'object' || j.type !== 'insurance/payout') throw insuranceError('invalidPayout', 'the action must be {"type":"insurance/payout", …}');
  let recipient: Uint8Array;
  try {
    recipient = decodeAddress(String(j.recipient ?? ''), hrp);
  } catch (e) {
    throw insuranceError('invalidPayout', `recipient: ${(e as Error).message}`);
  }
  return { recipient, amount: parseCoins(j.amount, 'amount'), reason: typeof j.reason === 'string' ? j.reason : '' };
}

/** The executor the gov module calls for passed `INSURANCE_PROPOSAL_KIND` proposals. */
export function insuranceGovExecutor(keeper: InsuranceKeeper): GovProposalExecutor {
  return {
    kind: INSURANCE_PROPOSAL_KIND,
    actionPrefix: 'insurance/',
    validate(description, chain) {
      parseInsuranceAction(description, chain.hrp);
    },
    execute(ctx: InsuranceExecContext, description, origin) {
      const a = parseInsuranceAction(description, ctx.chain.hrp);
      keeper.payout(ctx, a.recipient, a.amount, a.reason, origin);
    },
  };
}

export interface InsuranceModuleDeps {
  bank: InsuranceBankKeeper;
  keeper?: InsuranceKeeper;
}

export function insuranceModule(deps: InsuranceModuleDeps): AppModule & { keeper: InsuranceKeeper } {
  const keeper = deps.keeper ?? new InsuranceKeeper(deps.bank);
  const govPayout: MsgHandler<InsuranceGovPayoutMsg> = {
    type: 'insurance/GovPayout',
    feeKey: 'insuranceGov',
    route: 'insurance',
    fee: () => ({ amount: 0n, feeFor: FeeFor.Free }),
    handle(ctx, msg) {
      const auth = keeper.params(ctx.kv).govAuthority;
      if (auth.length === 0) throw insuranceError('govDisabled', 'insurance/GovPayout is disabled: no gov_authority is configured (use a governance proposal)');
      if (!bytesEqual(auth, msg.from)) throw insuranceError('notAuthorized', 'only the gov_authority may pay from the insurance fund');
      const p = keeper.payout(ctx, msg.recipient, sortCoins(msg.amount), msg.reason, `authority:${ctx.hash}`);
      return { data: enc.encode(JSON.stringify({ id: p.id.toString() })) };
    },
  };
  return {
    name: 'insurance',
    keeper,
    handlers: [govPayout],
    initGenesis(kv, genesis, chain) {
      const raw = genesis.appState.insurance as J | undefined;
      const base = keeper.params(kv);
      if (raw === undefined) {
        // No insurance section: the fund takes nothing and fees are shared as on the original
        // chain. `dexchain init` writes a section with the 10 % default.
        keeper.setParams(kv, { ...base, feeShareBps: 0n });
        return;
      }
      if (!raw || typeof raw !== 'object') throw insuranceError('invalidGenesis', 'genesis app_state.insurance must be an object');
      let bps = base.feeShareBps;
      if (raw.fee_share_bps !== undefined) {
        const s = String(raw.fee_share_bps);
        if (!/^\d{1,5}$/.test(s) || BigInt(s) > 10_000n) throw insuranceError('invalidGenesis', 'genesis app_state.insurance.fee_share_bps must be 0 to 10000');
        bps = BigInt(s);
      }
      let auth = base.govAuthority;
      if (typeof raw.gov_authority === 'string' && raw.gov_authority !== '') {
        try {
          auth = decodeAddress(raw.gov_authority, chain.hrp);
        } catch (e) {
          throw insuranceError('invalidGenesis', `genesis app_state.insurance.gov_authority: ${(e as Error).message}`);
        }
      }
      keeper.setParams(kv, { feeShareBps: bps, govAuthority: auth });
    },
    endBlock: {
      order: INSURANCE_END_BLOCK_ORDER,
      run(ctx) {
        keeper.takeFeeShare(ctx);
      },
    },
    queries: [
      {
        route: 'insurance',
        handle(kv, parts, _data, chain) {
          const hrp = chain.hrp;
          const fundView = () => {
            const st = keeper.stats(kv);
            const p = keeper.params(kv);
            const denoms = [...new Set([...st.received, ...st.paid].map((c) => c.denom))].sort();
            return {
              address: encodeAddress(INSURANCE_FUND_ADDRESS, hrp),
              fee_share_bps: Number(p.feeShareBps),
              balances: denoms.map((d) => ({ denom: d, amount: formatFixed8(keeper.bank.getBalance(kv, INSURANCE_FUND_ADDRESS, d)) })),
              received: st.received.map((c) => ({ denom: c.denom, amount: formatFixed8(c.amount) })),
              paid: st.paid.map((c) => ({ denom: c.denom, amount: formatFixed8(c.amount) })),
              payouts: keeper.payouts(kv, 100).map(payoutView),
            };
          };
          const payoutView = (p: ReturnType<InsuranceKeeper['payouts']>[number]) => ({
            id: p.id.toString(),
            recipient: encodeAddress(p.recipient, hrp),
            amount: p.amount.map((c) => ({ denom: c.denom, amount: formatFixed8(c.amount) })),
            reason: p.reason,
            origin: p.origin,
            height: p.height.toString(),
          });
          let v: unknown;
          if (parts.length === 0 || parts[0] === '' || parts[0] === 'fund') v = fundView();
          else if (parts[0] === 'payouts') v = keeper.payouts(kv).map(payoutView);
          else if (parts[0] === 'invariants') {
            const r = insuranceFundBacked(kv, keeper);
            v = r ? [r] : [];
          } else throw rootError('unknownRequest', `unknown insurance query ${parts.join('/')}`);
          return enc.encode(JSON.stringify(v));
        },
      },
    ],
  };
}
