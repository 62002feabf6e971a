/**
 * The 20-byte account addresses a tx's messages name (signers, recipients, owners), unique, in
 * first-seen order. Feeds the per-address tx index; nothing in consensus depends on it.
 */
import type { Msg } from './types.js';

export function msgAddresses(msgs: readonly Msg[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const add = (a: Uint8Array): void => {
    // a tx names a handful of addresses: a linear scan beats building map keys
    next: for (const o of out) {
      for (let i = 0; i < 20; i++) if (o[i] !== a[i]) continue next;
      return;
    }
    out.push(a);
  };
  const walk = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || v === undefined) return;
    if (v instanceof Uint8Array) {
      if (v.length === 20) add(v);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    if (typeof v === 'object') for (const k in v as Record<string, unknown>) walk((v as Record<string, unknown>)[k], depth + 1);
  };
  walk(msgs, 0);
  return out;
}
