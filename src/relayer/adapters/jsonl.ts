/**
 * JSON-lines feed adapter, for networks without a local node here (bitcoin, omni): an external
 * watcher (a bitcoind/omnicore script, an exchange back office) appends one JSON object per
 * line to `feed`; the relayer reads complete lines from its byte cursor on. Records:
 *
 *   {"kind":"deposit","ext_tx_id":"<hex>","ext_index":0,"recipient":"tbnb1…","amount":"1.5","ext_height":840000}
 *   {"kind":"reserve","amount":"1200.5","ext_height":840001}
 *   {"kind":"payout","request_id":"7","ext_tx_id":"<hex>","ext_height":840002}
 *
 * Order matters: append a payout before any reserve record observed after it (the chain lowers
 * the reserve when the payout completes; `ext_height` on payouts lets the relayer order them).
 * Amounts are whole tokens with up to 8 decimals. For every ready withdrawal of its asset and
 * network the adapter appends a payout instruction to `instructions` (once per request):
 *
 *   {"kind":"payout_instruction","request_id":"7","asset":"BTC","network":"bitcoin","ext_address":"bc1…","amount":"0.25000000"}
 *
 * The operator's wallet pays it and appends the matching `payout` record to the feed; the
 * relayers then attest it. A malformed line is logged and skipped (never retried).
 */
import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatFixed8, parseFixed8 } from '../../codec/index.js';
import type { AdapterScratch, PollResult, ReadyWithdrawal, RelayEvent, RelayerLogger, SourceAdapter } from '../types.js';
import { quietLogger } from '../types.js';

export interface JsonlAdapterConfig {
  type: 'jsonl';
  asset: string;
  network: string;
  feed: string;
  instructions?: string;
}

interface Cursor {
  offset: number;
  line: number;
}

export class JsonlAdapter implements SourceAdapter {
  readonly id: string;
  readonly asset: string;
  readonly network: string;

  constructor(
    private readonly cfg: JsonlAdapterConfig,
    private readonly log: RelayerLogger = quietLogger,
  ) {
    this.id = `jsonl:${cfg.asset}:${cfg.network}`;
    this.asset = cfg.asset;
    this.network = cfg.network;
    if (cfg.instructions) this.handleReady = this.instruct.bind(this);
  }

  handleReady?: (w: ReadyWithdrawal, s: AdapterScratch, persist: () => void) => Promise<boolean>;

  async poll(cursor: unknown): Promise<PollResult> {
    const c = (cursor as Cursor | undefined) ?? { offset: 0, line: 0 };
    if (!existsSync(this.cfg.feed)) return { events: [], cursor: c };
    const fd = openSync(this.cfg.feed, 'r');
    let text: string;
    try {
      const size = fstatSync(fd).size;
      if (size <= c.offset) return { events: [], cursor: c };
      const buf = Buffer.alloc(size - c.offset);
      readSync(fd, buf, 0, buf.length, c.offset);
      text = buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
    const end = text.lastIndexOf('\n');
    if (end < 0) return { events: [], cursor: c }; // no complete line yet
    const complete = text.slice(0, end + 1);
    const events: RelayEvent[] = [];
    let line = c.line;
    for (const raw of complete.split('\n').slice(0, -1)) {
      line++;
      if (!raw.trim()) continue;
      try {
        events.push(this.parse(JSON.parse(raw) as Record<string, unknown>));
      } catch (e) {
        this.log.warn({ feed: this.cfg.feed, line, err: (e as Error).message }, 'bad feed line skipped');
      }
    }
    return { events, cursor: { offset: c.offset + Buffer.byteLength(complete), line } };
  }

  private parse(j: Record<string, unknown>): RelayEvent {
    const int = (v: unknown, what: string): bigint => {
      if ((typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'string' && /^\d+$/.test(v))) return BigInt(v);
      throw new Error(`${what} must be a non-negative integer`);
    };
    const str = (v: unknown, what: string): string => {
      if (typeof v !== 'string' || !v) throw new Error(`${what} must be a non-empty string`);
      return v;
    };
    switch (j.kind) {
      case 'deposit':
        return {
          kind: 'deposit',
          asset: this.asset,
          network: this.network,
          extTxId: str(j.ext_tx_id, 'ext_tx_id'),
          extIndex: int(j.ext_index ?? 0, 'ext_index'),
          recipient: str(j.recipient, 'recipient'),
          amount: parseFixed8(str(String(j.amount ?? ''), 'amount')),
          extHeight: int(j.ext_height ?? 0, 'ext_height'),
        };
      case 'reserve':
        return { kind: 'reserve', asset: this.asset, network: this.network, amount: parseFixed8(str(String(j.amount ?? ''), 'amount')), extHeight: int(j.ext_height, 'ext_height') };
      case 'payout':
        return {
          kind: 'payout',
          requestId: int(j.request_id, 'request_id'),
          extTxId: str(j.ext_tx_id, 'ext_tx_id'),
          ...(j.ext_height === undefined ? {} : { extHeight: int(j.ext_height, 'ext_height') }),
        };
      default:
        throw new Error(`unknown kind ${JSON.stringify(j.kind)}`);
    }
  }

  private async instruct(w: ReadyWithdrawal): Promise<boolean> {
    const file = this.cfg.instructions!;
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(
      file,
      JSON.stringify({
        kind: 'payout_instruction',
        request_id: w.id.toString(),
        asset: w.asset,
        network: w.network,
        ext_address: w.extAddress,
        amount: formatFixed8(w.amount),
        owner: w.owner,
      }) + '\n',
    );
    return true;
  }
}
