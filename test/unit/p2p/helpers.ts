/** Shared test plumbing: polling with a deadline, temp dirs, a silent logger. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { P2PLogger } from '../../../src/p2p/types.js';

export const quiet: P2PLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Polls `cond` until true; fails with `what` after `timeoutMs` (a bound, not a timing assertion). */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Timers short enough for tests; the defaults are for production. */
export const TEST_LIMITS = {
  reconnectBaseMs: 100,
  reconnectMaxMs: 500,
  statusTimeoutMs: 3000,
  blocksTimeoutMs: 5000,
  handshakeTimeoutMs: 5000,
};

/** The TCP port a host listens on (from its multiaddrs). */
export function portOf(host: { listenAddrs(): string[] }): number {
  const addr = host.listenAddrs().find((a) => a.includes('/tcp/'))!;
  return Number(/\/tcp\/(\d+)/.exec(addr)![1]);
}
