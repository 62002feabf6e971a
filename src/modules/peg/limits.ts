/**
 * Quota windows (pure). Windows are fixed epochs of block time, `⌊time / window⌋ · window`
 * (Axelar's flow-limit epochs), so every node agrees on where a window starts without storing
 * a history; the record of the current window is overwritten when a new one starts.
 */
import type { WindowUsage } from './types.js';

/** Sentinel for "no quota" in a stored window (0 is a real, exhausted quota). */
export const UNLIMITED = -1n;
export const BPS = 10_000n;

export function windowStart(timeMs: bigint, windowMs: bigint): bigint {
  return windowMs > 0n ? (timeMs / windowMs) * windowMs : 0n;
}

/** The usage of the window containing `timeMs`; a fresh one when the stored record is older. */
export function currentWindow(stored: WindowUsage | undefined, timeMs: bigint, windowMs: bigint, supplyNow: bigint): WindowUsage {
  const start = windowStart(timeMs, windowMs);
  if (!stored || stored.startMs !== start) return { startMs: start, supplyAtStart: supplyNow, used: 0n, quota: UNLIMITED };
  return { ...stored };
}

/**
 * Aggregate quota: the smaller of the absolute amount and the share of the supply at the
 * window's start; a limit of 0 is "not set". The share applies only once the asset has a
 * supply (a new asset could never take its first deposit otherwise); the absolute quota
 * always applies.
 */
export function aggregateQuota(abs: bigint, pctBps: bigint, supplyAtStart: bigint): bigint {
  let q = UNLIMITED;
  if (abs > 0n) q = abs;
  if (pctBps > 0n && supplyAtStart > 0n) {
    const p = (supplyAtStart * pctBps) / BPS;
    q = q === UNLIMITED ? p : q < p ? q : p;
  }
  return q;
}

export function fits(used: bigint, amount: bigint, quota: bigint): boolean {
  return quota === UNLIMITED || used + amount <= quota;
}

/** Coverage in basis points (reserves / supply); undefined without a supply. */
export function coverageBps(reserves: bigint, supply: bigint): bigint | undefined {
  return supply > 0n ? (reserves * BPS) / supply : undefined;
}
