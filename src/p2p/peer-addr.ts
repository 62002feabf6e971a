/**
 * Address parsing: CometBFT-style config strings to multiaddr text. Kept free of libp2p so the
 * config layer and the memory network can use it too.
 */
import { isIP } from 'node:net';
import { p2pError } from './errors.js';

/** Base58btc peer ids as libp2p prints them (Ed25519 `12D3KooW…`, RSA `Qm…`). */
const PEER_ID_RE = /^[1-9A-HJ-NP-Za-km-z]{32,128}$/;

export function isPeerIdText(s: string): boolean {
  return PEER_ID_RE.test(s);
}

function hostPart(host: string): string {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const v = isIP(h);
  if (v === 4) return `/ip4/${h}`;
  if (v === 6) return `/ip6/${h}`;
  if (/^[A-Za-z0-9.-]+$/.test(h) && h.length > 0) return `/dns4/${h}`;
  throw p2pError('config', `invalid host '${host}'`);
}

function splitHostPort(hp: string): { host: string; port: number } {
  const i = hp.lastIndexOf(':');
  if (i <= 0) throw p2pError('config', `address '${hp}' must be host:port`);
  const port = Number(hp.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw p2pError('config', `invalid port in '${hp}'`);
  return { host: hp.slice(0, i), port };
}

/** `tcp://0.0.0.0:26656` (or `0.0.0.0:26656`, or a multiaddr) → `/ip4/0.0.0.0/tcp/26656`. */
export function listenToMultiaddr(listen: string): string {
  const s = listen.trim();
  if (s.startsWith('/')) return s;
  const hp = s.startsWith('tcp://') ? s.slice('tcp://'.length) : s;
  const { host, port } = splitHostPort(hp);
  const h = hostPart(host);
  if (h.startsWith('/dns4/')) throw p2pError('config', `listen address needs an IP, got '${host}'`);
  return `${h}/tcp/${port}`;
}

export interface PeerAddress {
  /** Expected peer id (null when a bare multiaddr without /p2p/ was given). */
  id: string | null;
  /** Multiaddr text to dial, including `/p2p/<id>` when the id is known. */
  multiaddr: string;
}

/** `PEERID@host:port` or a multiaddr (`/ip4/…/tcp/…/p2p/PEERID`) → what to dial. */
export function parsePeerAddress(entry: string): PeerAddress {
  const s = entry.trim();
  if (s.startsWith('/')) {
    const m = /\/p2p\/([^/]+)$/.exec(s);
    const id = m ? m[1]! : null;
    if (id !== null && !isPeerIdText(id)) throw p2pError('config', `invalid peer id in '${entry}'`);
    return { id, multiaddr: s };
  }
  const at = s.indexOf('@');
  if (at <= 0) throw p2pError('config', `peer '${entry}' must be PEERID@host:port or a multiaddr`);
  const id = s.slice(0, at);
  if (!isPeerIdText(id)) throw p2pError('config', `invalid peer id '${id}'`);
  const hp = s.slice(at + 1).replace(/^tcp:\/\//, '');
  const { host, port } = splitHostPort(hp);
  if (port === 0) throw p2pError('config', `peer '${entry}' has port 0`);
  return { id, multiaddr: `${hostPart(host)}/tcp/${port}/p2p/${id}` };
}

/** Splits a comma-separated config value (`persistent_peers = "a@h:1,b@h:2"`). */
export function splitPeerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const parts = Array.isArray(value) ? value : value.split(',');
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}
