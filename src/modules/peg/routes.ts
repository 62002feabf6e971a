/**
 * The node's HTTP routes for the peg and the insurance fund (`ExtraRoute`s under `/api/v1/`):
 *
 *   GET /api/v1/peg/assets
 *   GET /api/v1/peg/deposits/{network:txid:index}
 *   GET /api/v1/peg/withdrawals?address=&status=&offset=&limit=
 *   GET /api/v1/peg/withdrawals/{id}
 *   GET /api/v1/peg/reserves
 *   GET /api/v1/peg/limits?asset=&address=
 *   GET /api/v1/peg/params
 *   GET /api/v1/insurance            (fund balance, totals, payouts)
 *
 * Each maps onto the abci query of the same data, so HTTP and `abci_query` never disagree.
 */
import type { QueryResponse } from '../../app/abci.js';
import type { ExtraRoute } from '../../rpc/types.js';
import { RootCode, abciCode } from '../../errors.js';

/** The slice of the app the routes use (`DexApp.query`). */
export interface QueryApp {
  query(path: string, data: Uint8Array, height?: number): QueryResponse;
}

const EMPTY = new Uint8Array(0);
const dec = new TextDecoder();
const NOT_FOUND = abciCode('root', RootCode.notFound);

function answer(app: QueryApp, path: string): { status: number; body: unknown } {
  const r = app.query(path, EMPTY);
  if (r.code !== 0) return { status: r.code === NOT_FOUND ? 404 : 400, body: { code: r.code, message: r.log } };
  return { status: 200, body: JSON.parse(dec.decode(r.value)) };
}

/** A value as one abci path segment (a `/` inside it can only make the lookup miss). */
const seg = (s: string): string => s.replace(/\//g, '%2F');

export function pegRoutes(app: QueryApp): ExtraRoute {
  return (path, query) => {
    const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
    if (parts[0] === 'insurance') {
      if (parts.length === 1) return answer(app, 'insurance/fund');
      if (parts[1] === 'payouts') return answer(app, 'insurance/payouts');
      return undefined;
    }
    if (parts[0] !== 'peg') return undefined;
    switch (parts[1]) {
      case 'assets':
        return answer(app, parts[2] ? `peg/asset/${seg(parts[2])}` : 'peg/assets');
      case 'deposits':
        if (parts[2]) return answer(app, `peg/deposit/${seg(parts.slice(2).join('/'))}`);
        if (query.get('recipient')) return answer(app, `peg/deposits/${seg(query.get('recipient')!)}`);
        return { status: 400, body: { code: abciCode('root', RootCode.invalidRequest), message: 'use /api/v1/peg/deposits/{network:txid:index} or ?recipient=ADDRESS' } };
      case 'withdrawals': {
        if (parts[2]) return answer(app, `peg/withdrawal/${seg(parts[2])}`);
        const addr = query.get('address') || '-';
        const status = query.get('status') || '-';
        const offset = query.get('offset') ?? '0';
        const limit = query.get('limit') ?? '100';
        return answer(app, `peg/withdrawals/${seg(addr)}/${seg(status)}/${seg(offset)}/${seg(limit)}`);
      }
      case 'reserves':
        return answer(app, 'peg/reserves');
      case 'limits': {
        const asset = query.get('asset');
        const addr = query.get('address');
        if (!asset) return answer(app, 'peg/limits');
        return answer(app, `peg/limits/${seg(asset)}${addr ? '/' + seg(addr) : ''}`);
      }
      case 'params':
        return answer(app, 'peg/params');
      case 'custodians':
        return answer(app, 'peg/custodians');
      default:
        return undefined;
    }
  };
}
