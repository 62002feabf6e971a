/**
 * Message routing and module registration. Each module hands the app one `AppModule`:
 * its msg handlers (by amino type), its genesis step, its begin/end-block hooks with a fixed
 * order number, and its query routes. Later modules (dex, gov, peg) plug in the same way
 * through `app.registerModule(...)`.
 */
import { rootError } from '../errors.js';
import type { Address, Msg } from '../codec/types.js';
import type { KVReader, KVWriter } from '../state/types.js';
import type { BlockContext, ChainInfo, TxContext } from './context.js';
import type { FeeTable, FeeForValue } from '../modules/params/fees.js';
import type { ValidatedGenesis } from './genesis.js';

export interface Fee {
  /** BNB base units (0 = free). */
  amount: bigint;
  feeFor: FeeForValue;
}

export interface HandlerResult {
  /** Handler output returned as the tx result `data`. */
  data?: Uint8Array;
}

export interface MsgHandler<M extends { type: string } = Msg> {
  /** Amino name (`msg.type`). */
  type: M['type'];
  /** `msg.Type()` of the original: selects the fixed fee and is the `message.action` event. */
  feeKey: string;
  /** Module route (`message.module` event). */
  route: string;
  /** Required signers in order; default: the msg's `from`/`sender`/`proposer`/`depositor`/`voter`. */
  signers?(msg: M): Address[];
  /** Stateless checks beyond the codec's (ValidateBasic); throws a ChainError. */
  validateBasic?(msg: M, chain: ChainInfo): void;
  /** Fee calculator; default: the fixed fee of `feeKey` (free when the table has no entry). */
  fee?(msg: M, table: FeeTable): Fee;
  handle(ctx: TxContext, msg: M): HandlerResult | void;
}

/** A block hook; lower `order` runs first (ties: registration order). */
export interface BlockHook {
  order: number;
  run(ctx: BlockContext): void;
}

/** Well-known end-block slots (spec §E.2 order). */
export const EndBlockOrder = {
  dexMatch: 100,
  dexBreathe: 200,
  params: 300,
  timelock: 350,
  fees: 500,
  gov: 600,
  staking: 700,
} as const;

export interface QueryRoute {
  /** First path segment (`account`, `tokens`, …). */
  route: string;
  /** `parts` are the segments after the route. Returns the value bytes; throws ChainError. */
  handle(kv: KVReader, parts: string[], data: Uint8Array, chain: ChainInfo): Uint8Array;
}

export interface AppModule {
  name: string;
  handlers?: MsgHandler<any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  initGenesis?(kv: KVWriter, genesis: ValidatedGenesis, chain: ChainInfo): void;
  beginBlock?: BlockHook;
  endBlock?: BlockHook;
  queries?: QueryRoute[];
}

export class Router {
  private readonly modules: AppModule[] = [];
  private readonly handlers = new Map<string, MsgHandler<{ type: string }>>();
  private readonly queryRoutes = new Map<string, QueryRoute>();

  registerModule(m: AppModule): void {
    if (this.modules.some((x) => x.name === m.name)) throw new Error(`module ${m.name} already registered`);
    for (const h of m.handlers ?? []) {
      if (this.handlers.has(h.type)) throw new Error(`msg type ${h.type} already has a handler`);
    }
    for (const q of m.queries ?? []) {
      if (this.queryRoutes.has(q.route)) throw new Error(`query route ${q.route} already registered`);
    }
    this.modules.push(m);
    for (const h of m.handlers ?? []) this.handlers.set(h.type, h as MsgHandler<{ type: string }>);
    for (const q of m.queries ?? []) this.queryRoutes.set(q.route, q);
  }

  handler(type: string): MsgHandler<{ type: string }> {
    const h = this.handlers.get(type);
    if (!h) throw rootError('unknownRequest', `no handler for msg type ${type}`);
    return h;
  }

  hasHandler(type: string): boolean {
    return this.handlers.has(type);
  }

  queryRoute(route: string): QueryRoute | undefined {
    return this.queryRoutes.get(route);
  }

  list(): readonly AppModule[] {
    return this.modules;
  }

  beginBlockers(): BlockHook[] {
    return this.hooks('beginBlock');
  }

  endBlockers(): BlockHook[] {
    return this.hooks('endBlock');
  }

  private hooks(kind: 'beginBlock' | 'endBlock'): BlockHook[] {
    return this.modules
      .map((m, i) => ({ h: m[kind], i }))
      .filter((x): x is { h: BlockHook; i: number } => x.h !== undefined)
      .sort((a, b) => a.h.order - b.h.order || a.i - b.i)
      .map((x) => x.h);
  }
}

/** Default signers: the msg's single signing address field. */
export function defaultSigners(msg: { type: string }): Address[] {
  const m = msg as Record<string, unknown>;
  for (const k of ['from', 'sender', 'proposer', 'depositor', 'voter']) {
    const v = m[k];
    if (v instanceof Uint8Array) return [v];
  }
  throw rootError('unknownRequest', `msg ${msg.type} names no signer`);
}
