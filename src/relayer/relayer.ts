/**
 * The custodian relayer: one loop per custodian key. Each tick it
 *  1. polls every adapter from its cursor and queues what it saw in external-height order
 *     (see `orderEvents`), saving cursor + queue atomically;
 *  2. submits the queued claims one by one (AttestReserves / AttestDeposit / AttestWithdrawal);
 *     a claim leaves the queue when the chain accepts it or says it is settled (already
 *     attested, minted, frozen, stale…); anything else is retried on the next tick;
 *  3. lists the chain's ready withdrawals for each adapter's asset and network and lets the
 *     adapter handle them once (the paying EVM relayer pays; the JSON-lines adapter writes a
 *     payout instruction). Payouts come back as events through step 1 and are attested by every
 *     relayer, the payer included.
 */
import { decodeAddress, parseFixed8 } from '../codec/index.js';
import { PegCode } from '../modules/peg/errors.js';
import type { PegMsg } from '../modules/peg/types.js';
import { abciCode } from '../errors.js';
import type { TxSigner } from './chain.js';
import { RelayerState, claimId } from './state.js';
import type { ReadyWithdrawal, RelayEvent, RelayerLogger, SourceAdapter } from './types.js';
import { quietLogger } from './types.js';

const peg = (k: keyof typeof PegCode) => abciCode('peg', PegCode[k]);

/** Answers meaning "nothing more to do for this claim". */
const SETTLED = new Set([
  peg('duplicateAttestation'),
  peg('depositAlreadyMinted'),
  peg('depositFrozen'),
  peg('depositRejected'),
  peg('staleReserve'),
  peg('reserveConflict'),
  peg('payoutReused'),
  peg('withdrawalFrozen'),
]);

const RANK = { payout: 0, reserve: 1, deposit: 2 } as const;

/**
 * The order to attest a poll's events in: by external height, and at one height payouts, then
 * reserves, then deposits. A deposit mints only once attested reserves cover it, so the reserve
 * of its block goes first. A completed payout lowers the chain's reserve by its amount, so it
 * goes before any reserve observed at or after its block (that balance already lacks the
 * amount; the other way round the amount is taken off twice), and after reserves observed
 * before it. Each relayer submits in this order and waits for each block, so by the time a
 * threshold of custodians has attested the reserve, the same custodians have attested the
 * payout. Events without a height (absent or 0, as feed lines may be) take the height of the
 * event before them, so they keep their place in the source's order.
 */
export function orderEvents(events: RelayEvent[]): RelayEvent[] {
  let h = 0n;
  const keyed = events.map((e, i) => {
    if (e.extHeight) h = e.extHeight; // undefined or 0: not known
    return { e, h, rank: RANK[e.kind], i };
  });
  keyed.sort((a, b) => (a.h !== b.h ? (a.h < b.h ? -1 : 1) : a.rank !== b.rank ? a.rank - b.rank : a.i - b.i));
  return keyed.map((k) => k.e);
}

export interface RelayerOptions {
  signer: TxSigner;
  adapters: SourceAdapter[];
  state: RelayerState;
  logger?: RelayerLogger;
  /** Give up on a claim after this many failed submissions (default 50). */
  maxAttempts?: number;
}

export class Relayer {
  private readonly log: RelayerLogger;
  private readonly maxAttempts: number;
  private stopped = false;

  constructor(private readonly o: RelayerOptions) {
    this.log = o.logger ?? quietLogger;
    this.maxAttempts = o.maxAttempts ?? 50;
  }

  get state(): RelayerState {
    return this.o.state;
  }

  msgFor(e: RelayEvent): PegMsg {
    const from = this.o.signer.address;
    const hrp = this.o.signer.port.hrp;
    switch (e.kind) {
      case 'deposit':
        return {
          type: 'peg/AttestDeposit',
          from,
          asset: e.asset,
          network: e.network,
          ext_tx_id: e.extTxId.replace(/^0x/, '').toLowerCase(),
          ext_index: e.extIndex,
          recipient: decodeAddress(e.recipient, hrp),
          amount: e.amount,
        };
      case 'reserve':
        return { type: 'peg/AttestReserves', from, asset: e.asset, network: e.network, amount: e.amount, ext_height: e.extHeight };
      case 'payout':
        return { type: 'peg/AttestWithdrawal', from, request_id: e.requestId, ext_tx_id: e.extTxId.replace(/^0x/, '').toLowerCase() };
    }
  }

  /** One pass: poll, submit, handle ready withdrawals. */
  async tick(): Promise<void> {
    const st = this.o.state;
    for (const a of this.o.adapters) {
      let res;
      try {
        res = await a.poll(st.data.cursors[a.id]);
      } catch (e) {
        this.log.warn({ adapter: a.id, err: (e as Error).message }, 'poll failed; retrying next tick');
        continue;
      }
      const fresh = orderEvents(res.events.filter((e) => !st.isDone(claimId(e)) && !st.data.pending.some((p) => claimId(p.event) === claimId(e))));
      for (const e of fresh) st.data.pending.push({ event: e, attempts: 0, lastError: '' });
      st.data.cursors[a.id] = res.cursor;
      st.save();
      if (fresh.length) this.log.info({ adapter: a.id, events: fresh.length }, 'queued external events');
    }
    await this.submitPending();
    await this.handleReady();
  }

  private async submitPending(): Promise<void> {
    const st = this.o.state;
    const items = [...st.data.pending];
    const keep: typeof items = [];
    for (let i = 0; i < items.length; i++) {
      const p = items[i]!;
      if (this.stopped) {
        keep.push(...items.slice(i));
        break;
      }
      const id = claimId(p.event);
      let r;
      try {
        r = await this.o.signer.submit(this.msgFor(p.event));
      } catch (e) {
        p.attempts++;
        p.lastError = (e as Error).message;
        keep.push(p);
        continue;
      }
      const settled = SETTLED.has(r.code) || (r.code === peg('invalidWithdrawalState') && /is (completed|refunded|cancelled)/.test(r.log));
      if (r.code === 0 || settled) {
        this.log.info({ claim: id, code: r.code, log: r.code ? r.log : undefined, hash: r.hash }, r.code === 0 ? 'attested' : 'already settled');
        st.markDone(id);
      } else if (++p.attempts >= this.maxAttempts) {
        this.log.error({ claim: id, code: r.code, log: r.log }, 'giving up on a claim');
        st.markDone(id);
      } else {
        p.lastError = r.log;
        this.log.debug({ claim: id, code: r.code, log: r.log }, 'claim not accepted yet; retrying');
        keep.push(p);
      }
      // persist after every answer: a crash here repeats at most this one submission
      st.data.pending = [...keep, ...items.slice(i + 1)];
      st.save();
    }
    st.data.pending = keep;
    st.save();
  }

  private async handleReady(): Promise<void> {
    const handlers = this.o.adapters.filter((a) => a.handleReady);
    if (handlers.length === 0) return;
    let ready: ReadyWithdrawal[];
    let assets: { symbol: string; paused_withdrawals: boolean }[];
    try {
      const rows = ((await this.o.signer.port.query('peg/withdrawals/-/ready/0/1000')) ?? []) as Record<string, string | boolean>[];
      ready = rows.map((r) => ({
        id: BigInt(r.id as string),
        asset: r.asset as string,
        network: r.network as string,
        extAddress: r.ext_address as string,
        amount: parseFixed8(r.amount as string),
        owner: r.owner as string,
        frozen: r.frozen as boolean,
      }));
      assets = ((await this.o.signer.port.query('peg/assets')) ?? []) as typeof assets;
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'cannot list ready withdrawals');
      return;
    }
    const st = this.o.state;
    for (const a of handlers) {
      if (assets.find((x) => x.symbol === a.asset)?.paused_withdrawals) continue; // guardians paused: pay nothing
      const done = st.handled(a.id);
      for (const w of ready) {
        if (w.asset !== a.asset || w.network !== a.network || w.frozen || done.has(w.id.toString())) continue;
        try {
          if (await a.handleReady!(w, st.scratch(a.id), () => st.save())) {
            st.addHandled(a.id, w.id);
            this.log.info({ adapter: a.id, request: w.id.toString() }, 'handled ready withdrawal');
          }
        } catch (e) {
          this.log.warn({ adapter: a.id, request: w.id.toString(), err: (e as Error).message }, 'payout failed; retrying next tick');
        }
        st.save();
      }
    }
  }

  /** Ticks every `intervalMs` until `stop()`. */
  async run(intervalMs: number): Promise<void> {
    while (!this.stopped) {
      try {
        await this.tick();
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'tick failed');
      }
      if (this.stopped) break;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
