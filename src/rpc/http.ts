/**
 * HTTP plumbing shared by the API handlers: typed HTTP errors, JSON replies (bigint-safe),
 * bounded body reading and a per-IP token bucket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ChainError, RootCode, abciCode } from '../errors.js';

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
  static badRequest(message: string, code = abciCode('root', RootCode.invalidRequest)): HttpError {
    return new HttpError(400, code, message);
  }
  static notFound(message: string): HttpError {
    return new HttpError(404, abciCode('root', RootCode.notFound), message);
  }
  static fromChain(e: ChainError, status = 400): HttpError {
    return new HttpError(status, e.code, e.message);
  }
}

export function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return v;
}

/**
 * A reply body already serialized as JSON (hot replies built by hand, e.g. broadcast rows):
 * sendJson writes the text as is. `toJSON` keeps it correct in any other serializer.
 */
export class JsonText {
  constructor(readonly text: string) {}
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/**
 * `plain`: the caller vouches the body holds only JSON types; V8 serialises such a body several
 * times faster without a replacer function (hot replies: broadcast rows).
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>, plain = false): void {
  if (res.headersSent) return;
  const text = body === undefined ? '' : body instanceof JsonText ? body.text : plain ? JSON.stringify(body) : JSON.stringify(body, jsonReplacer);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'access-control-allow-origin': '*',
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      reject(new HttpError(413, abciCode('root', RootCode.txTooLarge), `request body of ${declared} bytes exceeds the limit of ${maxBytes}`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(new HttpError(413, abciCode('root', RootCode.txTooLarge), `request body exceeds the limit of ${maxBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Token bucket per client IP: `rate` requests/s with a burst of `2*rate`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly rate: number) {}
  allow(ip: string, now = Date.now()): boolean {
    if (this.rate <= 0) return true;
    const burst = this.rate * 2;
    let b = this.buckets.get(ip);
    if (!b) {
      b = { tokens: burst, at: now };
      this.buckets.set(ip, b);
      if (this.buckets.size > 100_000) this.buckets.clear();
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/** Parses a hex string with optional 0x; throws HttpError on junk. */
export function parseHexParam(name: string, v: string): Uint8Array {
  let s = v.trim();
  if (s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  if (s.startsWith('0x') || s.startsWith('0X')) s = s.slice(2);
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw HttpError.badRequest(`${name} must be hex`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

/** CometBFT URI params: strings may come wrapped in double quotes. */
export function unquote(v: string | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = v.trim();
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1);
  return s;
}

export function intParam(name: string, v: string | undefined | null, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const s = unquote(v);
  if (s === undefined || s === '') return def;
  if (!/^-?\d+$/.test(s)) throw HttpError.badRequest(`${name} must be an integer, got "${s}"`);
  const n = Number(s);
  if (n < min || n > max) throw HttpError.badRequest(`${name} must be between ${min} and ${max}`);
  return n;
}
