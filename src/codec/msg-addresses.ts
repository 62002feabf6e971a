/**
 * The 20-byte account addresses a tx's messages name (signers, recipients, owners), unique, in
 * first-seen order. Feeds the per-address tx index; nothing in consensus depends on it.
 */
import type { Msg } from './types.js';

function add(out: Uint8Array[], a: Uint8Array): void {
  // a tx names a handful of addresses: a linear scan beats building map keys
  next: for (const o of out) {
    for (let i = 0; i < 20; i++) if (o[i] !== a[i]) continue next;
    return;
  }
  out.push(a);
}

function walk(out: Uint8Array[], v: unknown, depth: number): void {
  if (depth > 6 || v === null || v === undefined) return;
  if (v instanceof Uint8Array) {
    if (v.length === 20) add(out, v);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) walk(out, x, depth + 1);
    return;
  }
  if (typeof v === 'object') for (const k in v as Record<string, unknown>) walk(out, (v as Record<string, unknown>)[k], depth + 1);
}

export function msgAddresses(msgs: readonly Msg[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const m = msgs[0];
  if (msgs.length === 1 && m!.type === 'cosmos-sdk/Send') {
    // what the walk finds in a decoded send: input addresses, then output addresses (coins hold none)
    for (const i of m.inputs) if (i.address.length === 20) add(out, i.address);
    for (const o of m.outputs) if (o.address.length === 20) add(out, o.address);
    return out;
  }
  walk(out, msgs, 0);
  return out;
}
