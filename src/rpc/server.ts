/**
 * The node's one HTTP server: CometBFT-style RPC (URI and JSON-RPC), the Binance `/api/v1`
 * API, `/metrics`, and (when enabled) the web page. Limits: request body size, open
 * connections, requests per IP; over-limit requests get a clear 413/429/503.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RpcNode } from './types.js';
import { handleApiV1, handleBcTxs } from './api-v1.js';
import { handleCometMethod, type Params } from './cometbft.js';
import { HttpError, RateLimiter, readBody, sendJson, sendText } from './http.js';
import { abciCode, RootCode, isChainError } from '../errors.js';
import type { Logger } from '../node/logger.js';

export interface RpcServerConfig {
  host: string;
  port: number;
  maxBodyBytes: number;
  maxOpenConnections: number;
  requestsPerSecondPerIp: number;
  /** Open connections one IP may hold (default: no cap beyond maxOpenConnections). */
  maxConnectionsPerIp?: number;
}

/** Extra handlers mounted by other parts of the node (web page, websocket upgrade). */
export interface RpcMount {
  /** Returns true when it handled the request. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean | Promise<boolean>;
}

export class RpcServer {
  private server: Server | undefined;
  private readonly limiter: RateLimiter;
  private readonly mounts: RpcMount[] = [];
  /** Requests served, by outcome (for metrics). */
  readonly stats = { requests: 0, errors: 0, limited: 0, refusedConnections: 0 };
  private open = 0;
  private readonly openPerIp = new Map<string, number>();

  constructor(private readonly node: RpcNode, private readonly cfg: RpcServerConfig, private readonly log: Logger) {
    this.limiter = new RateLimiter(cfg.requestsPerSecondPerIp);
  }

  mount(m: RpcMount): void {
    this.mounts.push(m);
  }

  get httpServer(): Server | undefined {
    return this.server;
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
      void this.handle(req, res);
    });
    // Connection limits enforced here rather than with server.maxConnections, which drops the
    // socket silently: an over-limit client gets a clear 503 it can act on.
    server.on('connection', (sock) => {
      const ip = sock.remoteAddress ?? '?';
      const mine = (this.openPerIp.get(ip) ?? 0) + 1;
      this.open++;
      this.openPerIp.set(ip, mine);
      sock.once('close', () => {
        this.open--;
        const n = (this.openPerIp.get(ip) ?? 1) - 1;
        if (n <= 0) this.openPerIp.delete(ip);
        else this.openPerIp.set(ip, n);
      });
      const perIp = this.cfg.maxConnectionsPerIp ?? 0;
      const why =
        this.cfg.maxOpenConnections > 0 && this.open > this.cfg.maxOpenConnections
          ? `too many open connections (${this.cfg.maxOpenConnections}); retry later`
          : perIp > 0 && mine > perIp
            ? `too many open connections from ${ip} (limit ${perIp}); reuse a keep-alive connection`
            : undefined;
      if (why) {
        this.stats.refusedConnections++;
        const body = JSON.stringify({ code: abciCode('root', RootCode.rateLimited), message: why });
        sock.end(`HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nretry-after: 1\r\nconnection: close\r\n\r\n${body}`, () => sock.destroy());
        sock.pause(); // its request, if any, is never served
      }
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.cfg.port, this.cfg.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const a = server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const ip = req.socket.remoteAddress ?? '?';
    if (!this.limiter.allow(ip)) {
      this.stats.limited++;
      sendJson(
        res,
        429,
        { code: abciCode('root', RootCode.rateLimited), message: `too many requests from ${ip} (limit ${this.cfg.requestsPerSecondPerIp}/s); slow down and retry` },
        { 'retry-after': '1' },
      );
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendJson(res, 400, { code: abciCode('root', RootCode.invalidRequest), message: 'malformed URL' });
      return;
    }
    try {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type' });
        res.end();
        return;
      }
      const path = url.pathname;
      if (path.startsWith('/api/v1/')) {
        const r = await handleApiV1(this.node, req, path.slice('/api/v1/'.length), url.searchParams, this.cfg.maxBodyBytes);
        if (r.status === 204) {
          res.writeHead(204, { 'access-control-allow-origin': '*' });
          res.end();
        } else sendJson(res, r.status, r.body, r.headers, r.plain);
        return;
      }
      if (path === '/bc/api/v1/txs') {
        const r = await handleBcTxs(this.node, url.searchParams);
        sendJson(res, r.status, r.body);
        return;
      }
      if (path === '/metrics') {
        sendText(res, 200, await this.node.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
        return;
      }
      for (const m of this.mounts) if (await m.handle(req, res, url)) return;
      if (req.method === 'POST' && (path === '/' || path === '')) {
        await this.jsonRpc(req, res);
        return;
      }
      if (req.method === 'GET' && path.length > 1 && !path.slice(1).includes('/')) {
        const params: Params = Object.fromEntries(url.searchParams.entries());
        const id = -1;
        try {
          const result = await handleCometMethod(this.node, path.slice(1), params);
          sendJson(res, 200, { jsonrpc: '2.0', id, result });
        } catch (e) {
          const he = this.toHttp(e);
          sendJson(res, he.status === 404 && he.message.startsWith('Method not found') ? 404 : 200, {
            jsonrpc: '2.0',
            id,
            error: { code: -32603, message: he.message, data: he.message, abci_code: he.code },
          });
        }
        return;
      }
      if (req.method === 'GET' && path === '/') {
        sendJson(res, 200, { name: 'dexchain', rpc: 'CometBFT-style (GET /status, /abci_query, /tx, /block, …; JSON-RPC POST /)', api: '/api/v1/…', metrics: '/metrics' });
        return;
      }
      throw HttpError.notFound(`no route ${req.method} ${path}`);
    } catch (e) {
      const he = this.toHttp(e);
      if (he.status >= 500) this.log.warn({ err: (e as Error).stack, path: url.pathname }, 'rpc handler failed');
      this.stats.errors++;
      sendJson(res, he.status, { code: he.code, message: he.message });
    }
  }

  private toHttp(e: unknown): HttpError {
    if (e instanceof HttpError) return e;
    if (isChainError(e)) return HttpError.fromChain(e);
    return new HttpError(500, abciCode('root', RootCode.internal), (e as Error)?.message ?? String(e));
  }

  private async jsonRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, this.cfg.maxBodyBytes);
    let msg: unknown;
    try {
      msg = JSON.parse(body.toString('utf8'));
    } catch {
      sendJson(res, 200, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error', data: 'invalid JSON' } });
      return;
    }
    const one = async (m: unknown): Promise<unknown> => {
      const r = m as { id?: unknown; method?: unknown; params?: unknown };
      const id = r?.id ?? null;
      if (!r || typeof r.method !== 'string') return { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid Request', data: 'method missing' } };
      const params = (Array.isArray(r.params) ? {} : ((r.params as Params) ?? {})) as Params;
      try {
        return { jsonrpc: '2.0', id, result: await handleCometMethod(this.node, r.method, params) };
      } catch (e) {
        const he = this.toHttp(e);
        const code = he.status === 404 && he.message.startsWith('Method not found') ? -32601 : -32603;
        return { jsonrpc: '2.0', id, error: { code, message: code === -32601 ? 'Method not found' : 'Internal error', data: he.message, abci_code: he.code } };
      }
    };
    if (Array.isArray(msg)) {
      if (msg.length > 100) {
        sendJson(res, 200, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request', data: 'batch larger than 100' } });
        return;
      }
      sendJson(res, 200, await Promise.all(msg.map(one)));
    } else sendJson(res, 200, await one(msg));
  }
}
