/**
 * Gov module: proposals, deposits, validator votes (spec §C). Queries (`gov/…`, JSON values):
 *   gov/params · gov/proposals[/<status>] · gov/proposal/<id> · gov/votes/<id> · gov/deposits/<id>
 *   gov/vote/<id>/<voter> · gov/deposit/<id>/<depositor> · gov/tally/<id>
 */
export * from './errors.js';
export * from './types.js';
export * from './records.js';
export * from './keeper.js';
export * from './handler.js';
import { rootError } from '../../errors.js';
import { decodeAddress } from '../../codec/index.js';
import type { KVReader } from '../../state/types.js';
import type { AppModule } from '../../app/router.js';
import { EndBlockOrder } from '../../app/router.js';
import type { ChainInfo } from '../../app/context.js';
import { depositHandler, submitProposalHandler, voteHandler } from './handler.js';
import type { GovKeeper } from './keeper.js';
import { depositToJson, govParamsFromJson, govParamsToJson, proposalToJson, voteToJson } from './records.js';

const enc = new TextEncoder();

function parseId(s: string | undefined): bigint {
  if (s === undefined || !/^\d{1,19}$/.test(s)) throw rootError('invalidRequest', `proposal id must be a non-negative integer, got ${JSON.stringify(s)}`);
  return BigInt(s);
}

/** JSON query functions over a store view (used by the abci routes and by the node's HTTP API). */
export function govQuery(gov: GovKeeper, kv: KVReader, parts: string[], chain: ChainInfo): unknown {
  const hrp = chain.hrp;
  const [what, a, b] = parts;
  switch (what) {
    case 'params':
      return govParamsToJson(gov.getParams(kv));
    case 'proposals': {
      const out: object[] = [];
      for (const p of gov.iterateProposals(kv)) if (!a || p.status === a) out.push(proposalToJson(p, hrp));
      return out;
    }
    case 'proposal': {
      const p = gov.getProposal(kv, parseId(a));
      if (!p) throw rootError('notFound', `proposal ${a} does not exist`);
      return proposalToJson(p, hrp);
    }
    case 'votes':
      return gov.votes(kv, parseId(a)).map((v) => voteToJson(v, hrp));
    case 'deposits':
      return gov.deposits(kv, parseId(a)).map((d) => depositToJson(d, hrp));
    case 'vote': {
      const v = gov.getVote(kv, parseId(a), decodeAddress(b ?? '', hrp));
      if (!v) throw rootError('notFound', `no vote of ${b} on proposal ${a}`);
      return voteToJson(v, hrp);
    }
    case 'deposit': {
      const d = gov.getDeposit(kv, parseId(a), decodeAddress(b ?? '', hrp));
      if (!d) throw rootError('notFound', `no deposit of ${b} on proposal ${a}`);
      return depositToJson(d, hrp);
    }
    case 'tally': {
      const p = gov.getProposal(kv, parseId(a));
      if (!p) throw rootError('notFound', `proposal ${a} does not exist`);
      const t = p.status === 'VotingPeriod' ? gov.tally(kv, p).result : p.tally;
      return { yes: t.yes.toString(), abstain: t.abstain.toString(), no: t.no.toString(), no_with_veto: t.noWithVeto.toString() };
    }
    default:
      throw rootError('unknownRequest', `unknown gov query ${parts.join('/')}`);
  }
}

export function govModule(gov: GovKeeper): AppModule {
  return {
    name: 'gov',
    handlers: [submitProposalHandler(gov), depositHandler(gov), voteHandler(gov)],
    initGenesis(kv, genesis) {
      gov.setParams(kv, govParamsFromJson(genesis.appState.gov));
    },
    endBlock: { order: EndBlockOrder.gov, run: (ctx) => gov.endBlock(ctx) },
    queries: [
      {
        route: 'gov',
        handle: (kv, parts, _data, chain) => enc.encode(JSON.stringify(govQuery(gov, kv, parts, chain))),
      },
    ],
  };
}
