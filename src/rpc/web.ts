/**
 * Serves the built web page (`web/dist`, made by `vite build web`) from the RPC server.
 *
 * - `GET /` answers `index.html` to browsers (Accept: text/html); other clients (curl, scripts)
 *   keep getting the JSON description of the node's APIs, so nothing that read `/` breaks.
 * - `/assets/*` carry content hashes in their names: cached for a year, immutable.
 *   `index.html` is revalidated on every load (ETag), so a rebuilt page shows up at once.
 * - Only files inside the dist folder are served (no `..`, no symlinks out); everything else
 *   falls through to the RPC routes.
 * - A Content-Security-Policy keeps every request on the node's own origin.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RpcMount } from './server.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** The package root: the nearest folder above this file holding dexchain's package.json. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'dexchain') return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) return resolve(from, '..', '..');
    dir = up;
  }
}

/** `web/dist` of this package (same answer from `src/` under tsx and from compiled `dist/`). */
export function defaultWebDist(): string {
  return join(packageRoot(), 'web', 'dist');
}

interface CachedFile {
  mtimeMs: number;
  size: number;
  body: Buffer;
  gz?: Buffer;
  etag: string;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>dexchain</title>
<body style="font:16px system-ui;margin:3rem;max-width:40rem">
<h1>The web page is not built</h1>
<p>This node serves its explorer from <code>web/dist</code>, which is missing. Build it with
<code>npm run build</code> (or <code>npx vite build web</code>) and reload.</p>
<p>The APIs work without it: <a href="status">/status</a>, <a href="api/v1/node-info">/api/v1/node-info</a>.</p>`;

export function webMount(distDir: string): RpcMount {
  const root = resolve(distDir);
  const cache = new Map<string, CachedFile>();

  const load = (file: string): CachedFile | undefined => {
    let st;
    try {
      st = statSync(file);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
    // refuse symlinks that leave the dist folder
    let real: string;
    let realRoot: string;
    try {
      real = realpathSync(file);
      realRoot = realpathSync(root);
    } catch {
      return undefined;
    }
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return undefined;
    const body = readFileSync(file);
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const compressible = /^(text\/|application\/(json|manifest)|image\/svg)/.test(type) && body.length > 1024;
    const entry: CachedFile = {
      mtimeMs: st.mtimeMs,
      size: st.size,
      body,
      etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
      ...(compressible ? { gz: gzipSync(body, { level: 9 }) } : {}),
    };
    if (cache.size > 500) cache.clear();
    cache.set(file, entry);
    return entry;
  };

  const serve = (req: IncomingMessage, res: ServerResponse, file: string, immutable: boolean): boolean => {
    const f = load(file);
    if (!f) return false;
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const headers: Record<string, string | number> = {
      'content-type': type,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: f.etag,
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
    };
    if (type.startsWith('text/html')) {
      headers['content-security-policy'] = CSP;
      headers['referrer-policy'] = 'no-referrer';
      headers['x-frame-options'] = 'DENY';
    }
    if (req.headers['if-none-match'] === f.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    const gz = f.gz && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gz ? f.gz! : f.body;
    if (gz) headers['content-encoding'] = 'gzip';
    headers['content-length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };

  return {
    handle(req, res, url) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const path = url.pathname;
      if (path === '/' || path === '/index.html') {
        const accept = String(req.headers.accept ?? '');
        if (path === '/' && !accept.includes('text/html')) return false; // scripts keep the JSON index
        if (serve(req, res, join(root, 'index.html'), false)) return true;
        res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
        res.end(NOT_BUILT);
        return true;
      }
      // static files: assets/<hashed>, plus top-level files with an extension (favicon.svg…)
      let rel: string;
      try {
        rel = decodeURIComponent(path.slice(1));
      } catch {
        return false;
      }
      if (rel.includes('\0') || rel.split('/').some((p) => p === '..' || p === '.' || p === '')) return false;
      const isAsset = rel.startsWith('assets/');
      if (!isAsset && (rel.includes('/') || !TYPES[extname(rel).toLowerCase()])) return false;
      const file = resolve(root, rel);
      if (!file.startsWith(root + sep)) return false;
      return serve(req, res, file, isAsset);
    },
  };
}
