/**
 * Glue between the gov module and the peg/insurance executors, shaped as gov's `GovHook`
 * (`validateProposal`) plus the `proposalPassed` call gov makes when a proposal passes.
 * A passed proposal runs in its own overlay: a refused action (say, a refund before the timeout)
 * leaves no trace but a `peg_gov_failed` event, and the proposal stays passed.
 */
import { Overlay } from '../../app/overlay.js';
import { EventSink, type BlockContext, type ChainInfo } from '../../app/context.js';
import type { KVReader } from '../../state/types.js';
import type { GovProposalExecutor } from './expected_keepers.js';

export interface PassedProposal {
  id: bigint;
  kind: number;
  description: string;
}

export interface PegGovHook {
  /** Gov's `GovHook.validateProposal`: rejects malformed peg/insurance proposals at submission. */
  validateProposal(kv: KVReader, blockTimeMs: number, kind: number, description: string): void;
  /** To be called by gov's end block for every proposal that passed. */
  proposalPassed(ctx: BlockContext, p: PassedProposal): void;
}

export function pegGovHook(executors: GovProposalExecutor[], chain: () => ChainInfo): PegGovHook {
  const byKind = new Map(executors.map((e) => [e.kind, e]));
  return {
    validateProposal(_kv, _timeMs, kind, description) {
      byKind.get(kind)?.validate(description, chain());
    },
    proposalPassed(ctx, p) {
      const ex = byKind.get(p.kind);
      if (!ex) return;
      const cache = new Overlay(ctx.kv);
      const events = new EventSink();
      const origin = `proposal:${p.id}`;
      try {
        ex.execute({ kv: cache, chain: ctx.chain, block: ctx.block, events }, p.description, origin);
      } catch (e) {
        cache.discard();
        ctx.events.emit('peg_gov_failed', { proposal_id: p.id.toString(), error: (e as Error).message });
        return;
      }
      cache.write();
      for (const ev of events.events) ctx.events.events.push(ev);
      ctx.events.emit('peg_gov_executed', { proposal_id: p.id.toString(), origin });
    },
  };
}
