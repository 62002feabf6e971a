/**
 * The relayer's state file: adapter cursors, the claims it has read but not yet got accepted,
 * and what it must never do twice (payouts, instructions). Written atomically (temp file +
 * rename) after every change, and always *with* the events a cursor move produced, so a crash
 * at any point either keeps both or neither: a restart never re-reads a range it queued, and
 * never drops a claim it had not submitted. The chain's replay protection is the last line.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AdapterScratch, RelayEvent } from './types.js';

export interface PendingClaim {
  event: RelayEvent;
  attempts: number;
  lastError: string;
}

export interface RelayerStateData {
  version: 1;
  cursors: Record<string, unknown>;
  pending: PendingClaim[];
  /** Withdrawal ids already handled (paid or instructed), per adapter. */
  handled: Record<string, string[]>;
  scratch: Record<string, AdapterScratch>;
  /** Recently finished claim ids (bounded), to skip anything seen twice. */
  done: string[];
}

const MAX_DONE = 20_000;

function eventToJson(e: RelayEvent): unknown {
  return JSON.parse(JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? { $big: v.toString() } : v)));
}

function eventFromJson(j: unknown): RelayEvent {
  return JSON.parse(JSON.stringify(j), (_k, v) => (v && typeof v === 'object' && typeof v.$big === 'string' ? BigInt(v.$big) : v)) as RelayEvent;
}

export function claimId(e: RelayEvent): string {
  switch (e.kind) {
    case 'deposit':
      return `deposit:${e.network}:${e.extTxId.replace(/^0x/, '').toLowerCase()}:${e.extIndex}`;
    case 'reserve':
      return `reserve:${e.asset}:${e.network}:${e.extHeight}`;
    case 'payout':
      return `payout:${e.requestId}`;
  }
}

export class RelayerState {
  data: RelayerStateData;
  constructor(private readonly path: string | undefined) {
    this.data = { version: 1, cursors: {}, pending: [], handled: {}, scratch: {}, done: [] };
    if (path && existsSync(path)) {
      const raw = JSON.parse(readFileSync(path, 'utf8')) as RelayerStateData;
      this.data = { ...raw, pending: raw.pending.map((p) => ({ ...p, event: eventFromJson(p.event) })) };
    }
  }

  save(): void {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const out = { ...this.data, pending: this.data.pending.map((p) => ({ ...p, event: eventToJson(p.event) })) };
    writeFileSync(tmp, JSON.stringify(out, null, 1));
    renameSync(tmp, this.path);
  }

  isDone(id: string): boolean {
    return this.data.done.includes(id);
  }

  markDone(id: string): void {
    this.data.done.push(id);
    if (this.data.done.length > MAX_DONE) this.data.done.splice(0, this.data.done.length - MAX_DONE);
  }

  handled(adapter: string): Set<string> {
    return new Set(this.data.handled[adapter] ?? []);
  }

  addHandled(adapter: string, id: bigint): void {
    (this.data.handled[adapter] ??= []).push(id.toString());
  }

  scratch(adapter: string): AdapterScratch {
    return (this.data.scratch[adapter] ??= {});
  }
}
