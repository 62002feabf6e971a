/**
 * The node's HTTP routes for BEP8 tokens (`ExtraRoute`s under `/api/v1/`), as Binance's API
 * served them:
 *
 *   GET /api/v1/mini/tokens?offset=&limit=      mini and tiny tokens (with token_type, token_uri)
 *   GET /api/v1/mini/tokens/{symbol}            one of them
 *
 * (`/api/v1/tokens/{symbol}` also finds a mini symbol, in the BEP2 shape.) Each maps onto the
 * abci query `mini-tokens/...`, so HTTP and `abci_query` never disagree.
 */
import type { QueryResponse } from '../../app/abci.js';
import type { ExtraRoute } from '../../rpc/types.js';
import { RootCode, abciCode } from '../../errors.js';

/** The slice of the app the routes use (`DexApp.query`). */
export interface TokensQueryApp {
  query(path: string, data: Uint8Array, height?: number): QueryResponse;
}

const EMPTY = new Uint8Array(0);
const dec = new TextDecoder();
const NOT_FOUND = abciCode('root', RootCode.notFound);
const INDEX = /^\d{1,9}$/;

function answer(app: TokensQueryApp, path: string): { status: number; body: unknown } {
  const r = app.query(path, EMPTY);
  if (r.code !== 0) return { status: r.code === NOT_FOUND ? 404 : 400, body: { code: r.code, message: r.log } };
  return { status: 200, body: JSON.parse(dec.decode(r.value)) };
}

function badRequest(message: string): { status: number; body: unknown } {
  return { status: 400, body: { code: abciCode('root', RootCode.invalidRequest), message } };
}

export function tokensRoutes(app: TokensQueryApp): ExtraRoute {
  return (path, query) => {
    const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
    if (parts[0] !== 'mini' || parts[1] !== 'tokens' || parts.length > 3) return undefined;
    if (parts.length === 3) {
      if (parts[2]!.includes('/')) return { status: 404, body: { code: NOT_FOUND, message: `mini token ${parts[2]} does not exist` } };
      return answer(app, `mini-tokens/info/${parts[2]}`);
    }
    const offset = query.get('offset') ?? '0';
    const limit = query.get('limit') ?? '100';
    if (!INDEX.test(offset) || !INDEX.test(limit)) return badRequest('offset and limit must be non-negative integers');
    return answer(app, `mini-tokens/list/${offset}/${limit}`);
  };
}
