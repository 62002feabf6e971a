/**
 * A small typed HTTP client for a dexchain node (`/api/v1` and CometBFT RPC), used by the CLI,
 * the load generator and tests. Errors from the node come back as `NodeRequestError` with the
 * node's `{code, message}`.
 */
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

export class NodeClient {
  readonly base: string;
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
        // worst refused as a duplicate).
        if (attempt === 0 && (cause === 'UND_ERR_SOCKET' || cause === 'ECONNRESET')) continue;
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
