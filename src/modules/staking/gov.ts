/**
 * Validator-set changes by governance: a passed `CreateValidator` (0x06) proposal adds a
 * validator or changes its power, a passed `RemoveValidator` (0x07) proposal removes one. The
 * change is one of the block's validator updates, so every node applies it at the same height
 * (H+2, as CometBFT does). Descriptions are JSON:
 *   CreateValidator: {"name":"…","consensus_pub_key":"<base64 ed25519>","operator":"<bech32>","power":"10"}
 *   RemoveValidator: {"consensus_address":"<hex>"}
 */
import { decodeAddress } from '../../codec/index.js';
import { ProposalKind } from '../../codec/types.js';
import { consensusAddress, fromHex } from '../../crypto/hash.js';
import { rootError } from '../../errors.js';
import type { BlockContext, ChainInfo } from '../../app/context.js';
import type { KVReader } from '../../state/types.js';
import type { Staking, Validator } from './keeper.js';

/** Power bounds for a validator added by governance. */
const MAX_POWER = 1n << 40n;

interface CreateSpec { name: string; pubKey: Uint8Array; operator: Uint8Array; power: bigint }

function parseJson(description: string): Record<string, unknown> {
  try {
    const j = JSON.parse(description) as unknown;
    if (!j || typeof j !== 'object' || Array.isArray(j)) throw new Error('not an object');
    return j as Record<string, unknown>;
  } catch (e) {
    throw rootError('invalidRequest', `validator proposal description must be a JSON object: ${(e as Error).message}`);
  }
}

function parseCreate(description: string, chain: ChainInfo): CreateSpec {
  const j = parseJson(description);
  const name = typeof j.name === 'string' ? j.name : '';
  if (name.length < 1 || name.length > 64) throw rootError('invalidRequest', 'validator name must be 1 to 64 characters');
  const pubKey = new Uint8Array(Buffer.from(String(j.consensus_pub_key ?? ''), 'base64'));
  if (pubKey.length !== 32) throw rootError('invalidPubKey', 'consensus_pub_key must be a base64 32-byte ed25519 key');
  const operator = decodeAddress(String(j.operator ?? ''), chain.hrp);
  const p = String(j.power ?? '');
  if (!/^\d+$/.test(p) || BigInt(p) < 1n || BigInt(p) > MAX_POWER) throw rootError('invalidRequest', `power must be an integer from 1 to ${MAX_POWER}`);
  return { name, pubKey, operator, power: BigInt(p) };
}

function parseRemove(description: string): Uint8Array {
  const j = parseJson(description);
  const hex = String(j.consensus_address ?? '');
  if (!/^[0-9a-fA-F]{40}$/.test(hex)) throw rootError('invalidRequest', 'consensus_address must be 40 hex characters');
  return fromHex(hex.toLowerCase());
}

export function stakingGovHook(staking: Staking, chain: () => ChainInfo) {
  return {
    validateProposal(kv: KVReader, _timeMs: number, kind: number, description: string): void {
      if (kind === ProposalKind.CreateValidator) parseCreate(description, chain());
      else if (kind === ProposalKind.RemoveValidator) {
        const addr = parseRemove(description);
        const v = staking.getByConsensusAddress(kv, addr);
        if (!v || v.power === 0n) throw rootError('invalidRequest', `no active validator with consensus address ${description}`);
        const active = staking.validators(kv).filter((x) => x.power > 0n && !x.jailed);
        if (active.length <= 1) throw rootError('invalidRequest', 'the last active validator cannot be removed');
      }
    },
    proposalPassed(ctx: BlockContext, p: { id: bigint; kind: number; description: string }): void {
      try {
        if (p.kind === ProposalKind.CreateValidator) {
          const c = parseCreate(p.description, ctx.chain);
          const addr = consensusAddress(c.pubKey);
          const prev = staking.getByConsensusAddress(ctx.kv, addr);
          if (prev?.jailed) throw rootError('invalidRequest', 'a jailed validator cannot be re-added');
          const v: Validator = { ...(prev ?? { jailed: false }), name: c.name, consensusPubKey: c.pubKey, consensusAddress: addr, operator: c.operator, power: c.power };
          staking.setPower(ctx.kv, v);
          ctx.events.emit('validator_set', { proposal_id: p.id.toString(), validator: Buffer.from(addr).toString('hex').toUpperCase(), power: c.power.toString() });
        } else if (p.kind === ProposalKind.RemoveValidator) {
          const addr = parseRemove(p.description);
          const v = staking.getByConsensusAddress(ctx.kv, addr);
          if (!v) throw rootError('invalidRequest', 'unknown validator');
          const active = staking.validators(ctx.kv).filter((x) => x.power > 0n && !x.jailed);
          if (active.length <= 1 && v.power > 0n) throw rootError('invalidRequest', 'the last active validator cannot be removed');
          staking.setPower(ctx.kv, { ...v, power: 0n });
          ctx.events.emit('validator_removed', { proposal_id: p.id.toString(), validator: Buffer.from(addr).toString('hex').toUpperCase() });
        }
      } catch (e) {
        // A proposal that passed but cannot be applied any more changes nothing.
        ctx.events.emit('validator_proposal_failed', { proposal_id: p.id.toString(), error: (e as Error).message });
      }
    },
  };
}
