/**
 * A small typed HTTP client for a dexchain node (`/api/v1` and CometBFT RPC), used by the CLI,
 * the load generator and tests. Errors from the node come back as `NodeRequestError` with the
 * node's `{code, message}`.
 */
import * as http from 'node:http';
import * as https from 'node:https';

export class NodeRequestError extends Error {
  constructor(readonly status: number, readonly code: number | undefined, message: string) {
    super(message);
  }
}

export interface AccountJson {
  account_number: number;
  address: string;
  balances: { free: string; frozen: string; locked: string; symbol: string }[];
  flags: number;
  public_key: number[] | null;
  sequence: number;
}

export interface BroadcastRow {
  code: number;
  hash: string;
  log: string;
  data: string;
  ok: boolean;
  height?: string;
}

/**
 * The codes of a `/api/v1/broadcast` reply (a JSON array of `{code, hash, log, data, ok}`), in
 * order, without building the rows: the node writes `code` first, and in valid JSON `{"code":`
 * can only open an object (a quote inside a string is escaped), so counting those is exact.
 * Anything else (another key order, a count that does not match) goes through JSON.parse.
 */
export function broadcastCodes(text: string, count: number): number[] {
  const codes: number[] = [];
  if (text.charCodeAt(0) === 0x5b /* [ */) {
    const key = '{"code":';
    for (let i = text.indexOf(key); i >= 0; i = text.indexOf(key, i)) {
      i += key.length;
      let neg = false;
      if (text.charCodeAt(i) === 0x2d /* - */) {
        neg = true;
        i++;
      }
      let n = 0;
      const start = i;
      for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i)) n = n * 10 + (c - 0x30);
      if (i === start) break;
      codes.push(neg ? -n : n);
    }
    if (codes.length === count) return codes;
  }
  const rows = JSON.parse(text) as unknown;
  if (!Array.isArray(rows)) throw new NodeRequestError(200, undefined, 'broadcast reply is not a list');
  return rows.map((r) => Number((r as BroadcastRow).code));
}

export class NodeClient {
  readonly base: string;
  /** Kept-alive sockets for {@link broadcastBody}, the load generator's hot path. */
  private agent: http.Agent | undefined;
  constructor(url: string, private readonly timeoutMs = 30_000) {
    let u = url.trim();
    if (u.startsWith('tcp://')) u = 'http://' + u.slice(6);
    if (!/^https?:\/\//.test(u)) u = 'http://' + u;
    this.base = u.replace(/\/+$/, '');
  }

  private async request(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
    let res: Response | undefined;
    for (let attempt = 0; !res; attempt++) {
      try {
        res = await fetch(this.base + path, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
        // A kept-alive connection the node closed while we were idle fails on reuse before the
        // request reaches it: one retry on a fresh connection is safe (a broadcast resent is at
        // worst refused as a duplicate). A long synchronous stretch (signing ahead) can leave a
        // socket the node closed in the pool, which fails the same way with EPIPE.
        if (attempt === 0 && (cause === 'UND_ERR_SOCKET' || cause === 'ECONNRESET' || cause === 'EPIPE')) continue;
        throw new NodeRequestError(0, undefined, `cannot reach the node at ${this.base} (${cause})`);
      }
    }
    const text = await res.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (res.status >= 400) {
      const b = body as { code?: number; message?: string } | undefined;
      throw new NodeRequestError(res.status, b?.code, b?.message ?? `HTTP ${res.status}`);
    }
    return { status: res.status, body };
  }

  async get<T>(path: string): Promise<T> {
    return (await this.request(path)).body as T;
  }

  async nodeInfo(): Promise<{ node_info: { network: string; moniker: string }; sync_info: { latest_block_height: number } }> {
    return this.get('/api/v1/node-info');
  }

  /** `undefined` for an account the chain does not know (HTTP 204). */
  async account(address: string): Promise<AccountJson | undefined> {
    const r = await this.request(`/api/v1/account/${address}`);
    return r.status === 204 ? undefined : (r.body as AccountJson);
  }

  async broadcast(txs: Uint8Array[], sync = true): Promise<BroadcastRow[]> {
    const body = txs.map((t) => Buffer.from(t).toString('hex')).join('\n');
    const r = await this.request(`/api/v1/broadcast?sync=${sync}`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    return r.body as BroadcastRow[];
  }

  /**
   * Sends a ready broadcast body (hex txs, each followed by a newline) and returns each tx's
   * code. Built for the load generator: node:http on kept-alive sockets costs a fraction of
   * fetch's per-request CPU, the body is sent as is and the reply is not turned into rows.
   * Errors as {@link broadcast}: a status of 400 or more throws a `NodeRequestError`.
   */
  broadcastBody(body: Uint8Array, count: number, sync = false): Promise<number[]> {
    const url = new URL(this.base);
    const mod = url.protocol === 'https:' ? https : http;
    this.agent ??= new mod.Agent({ keepAlive: true, maxSockets: 64 });
    const opts: http.RequestOptions = {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || undefined,
      path: `${url.pathname.replace(/\/+$/, '')}/api/v1/broadcast?sync=${sync}`,
      agent: this.agent,
      headers: { 'content-type': 'text/plain', 'content-length': body.length },
    };
    const attempt = (first: boolean): Promise<number[]> =>
      new Promise((resolve, reject) => {
        const req = mod.request(opts, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
            const status = res.statusCode ?? 0;
            try {
              if (status >= 400) {
                let b: { code?: number; message?: string } | undefined;
                try {
                  b = JSON.parse(text) as { code?: number; message?: string };
                } catch {
                  b = undefined;
                }
                throw new NodeRequestError(status, b?.code, b?.message ?? `HTTP ${status}`);
              }
              resolve(broadcastCodes(text, count));
            } catch (e) {
              reject(e);
            }
          });
        });
        req.setTimeout(this.timeoutMs, () => req.destroy(new Error('timeout')));
        req.on('error', (e: Error & { code?: string }) => {
          // a kept-alive socket the node closed while idle fails before the request reaches
          // it: one retry on a fresh socket (a resent tx is at worst refused as a duplicate)
          if (first && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.message === 'socket hang up')) {
            attempt(false).then(resolve, reject);
            return;
          }
          reject(new NodeRequestError(0, undefined, `cannot reach the node at ${this.base} (${e.code ?? e.message})`));
        });
        req.end(body);
      });
    return attempt(true);
  }

  /** Closes the kept-alive sockets of {@link broadcastBody}. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  async tx(hash: string, format?: 'json'): Promise<unknown> {
    return this.get(`/api/v1/tx/${hash}${format ? '?format=json' : ''}`);
  }

  async rpc<T>(method: string, params: Record<string, string> = {}): Promise<T> {
    const qs = new URLSearchParams(params).toString();
    const r = (await this.get<{ result?: T; error?: { data?: string; message: string } }>(`/${method}${qs ? '?' + qs : ''}`));
    if (r.error) throw new NodeRequestError(200, undefined, r.error.data ?? r.error.message);
    return r.result as T;
  }
}
