/**
 * Coin lists (`sdk.Coins`): sorted by denom (byte order), positive, one entry per denom.
 * Arithmetic is bigint with int64 overflow checks.
 */
import { rootError } from '../../errors.js';
import { INT64_MAX } from '../../codec/index.js';
import type { Coin } from '../../codec/types.js';

export function coinsString(coins: readonly Coin[]): string {
  return coins.map((c) => `${c.amount}${c.denom}`).join(',');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortCoins(coins: readonly Coin[]): Coin[] {
  return [...coins].sort((a, b) => cmp(a.denom, b.denom));
}

/** `Coins.IsValid` + positivity: non-empty, sorted strictly by denom, every amount > 0. */
export function validateCoins(coins: readonly Coin[], what: string): void {
  if (coins.length === 0) throw rootError('invalidCoins', `${what}: no coins`);
  for (let i = 0; i < coins.length; i++) {
    const c = coins[i]!;
    if (!c.denom) throw rootError('invalidCoins', `${what}: empty denom`);
    if (c.amount <= 0n) throw rootError('invalidCoins', `${what}: amount of ${c.denom} must be positive, got ${c.amount}`);
    if (c.amount > INT64_MAX) throw rootError('overflow', `${what}: amount of ${c.denom} overflows int64`);
    if (i > 0) {
      const d = cmp(coins[i - 1]!.denom, c.denom);
      if (d === 0) throw rootError('invalidCoins', `${what}: duplicate denom ${c.denom}`);
      if (d > 0) throw rootError('invalidCoins', `${what}: coins not sorted by denom (${coins[i - 1]!.denom} before ${c.denom})`);
    }
  }
}

export function checkedAdd(a: bigint, b: bigint, what: string): bigint {
  const s = a + b;
  if (s > INT64_MAX) throw rootError('overflow', `${what}: ${a} + ${b} overflows int64`);
  return s;
}

/**
 * a ± one coin, both sorted: the common case (a transfer, a fee) without the Map and sorts of
 * the general path; same result and same errors.
 */
function addOne(a: readonly Coin[], c: Coin, sign: 1n | -1n, label: string): Coin[] {
  // coin objects are never mutated (lists are replaced), so unchanged ones are shared; the
  // result has at most a.length + 1 entries: sized once (push on [] reserves 16 slots)
  const out: Coin[] = new Array(a.length + 1);
  let n = 0;
  let done = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (!done && x.denom >= c.denom) {
      done = true;
      if (x.denom === c.denom) {
        const v = sign === 1n ? checkedAdd(x.amount, c.amount, `amount of ${c.denom}`) : x.amount - c.amount;
        if (v < 0n) throw rootError('insufficientCoins', `insufficient ${label}: have ${x.amount}${c.denom}, need ${c.amount}${c.denom}`);
        if (v !== 0n) out[n++] = { denom: c.denom, amount: v };
        continue;
      }
      n = putNew(out, n, c, sign, label);
    }
    if (x.amount !== 0n) out[n++] = x;
  }
  if (!done) n = putNew(out, n, c, sign, label);
  out.length = n;
  return out;
}

/** A denom `a` lacks: + adds it (if non-zero) at out[n]; − fails unless the amount is 0. Returns the new count. */
function putNew(out: Coin[], n: number, c: Coin, sign: 1n | -1n, label: string): number {
  if (sign === -1n && c.amount > 0n) throw rootError('insufficientCoins', `insufficient ${label}: have 0${c.denom}, need ${c.amount}${c.denom}`);
  if (c.amount !== 0n) out[n++] = { denom: c.denom, amount: sign === 1n ? checkedAdd(0n, c.amount, `amount of ${c.denom}`) : -c.amount };
  return n;
}

/**
 * a − `amount` of `denom` (a sorted list, amount ≥ 0): `subCoins(a, [{ denom, amount }])`
 * without building the one-coin list; same result and errors.
 */
export function subCoin(a: readonly Coin[], denom: string, amount: bigint, label = 'coins'): Coin[] {
  if (amount >= 0n && isSortedUnique(a)) return addOne(a, { denom, amount }, -1n, label);
  return subCoins(a, [{ denom, amount }], label);
}

/** a + b, both sorted; result sorted without zero entries. */
export function addCoins(a: readonly Coin[], b: readonly Coin[]): Coin[] {
  if (b.length === 1 && b[0]!.amount >= 0n && isSortedUnique(a)) return addOne(a, b[0]!, 1n, 'coins');
  const m = new Map<string, bigint>();
  for (const c of a) m.set(c.denom, c.amount);
  for (const c of b) m.set(c.denom, checkedAdd(m.get(c.denom) ?? 0n, c.amount, `amount of ${c.denom}`));
  return [...m.entries()]
    .filter(([, v]) => v !== 0n)
    .sort((x, y) => cmp(x[0], y[0]))
    .map(([denom, amount]) => ({ denom, amount }));
}

/** a - b; throws `insufficientCoins` if any denom would go negative. */
export function subCoins(a: readonly Coin[], b: readonly Coin[], label = 'coins'): Coin[] {
  if (b.length === 1 && b[0]!.amount >= 0n && isSortedUnique(a)) return addOne(a, b[0]!, -1n, label);
  const m = new Map<string, bigint>();
  for (const c of a) m.set(c.denom, c.amount);
  for (const c of b) {
    const have = m.get(c.denom) ?? 0n;
    if (have < c.amount) {
      throw rootError('insufficientCoins', `insufficient ${label}: have ${have}${c.denom}, need ${c.amount}${c.denom}`);
    }
    m.set(c.denom, have - c.amount);
  }
  return [...m.entries()]
    .filter(([, v]) => v !== 0n)
    .sort((x, y) => cmp(x[0], y[0]))
    .map(([denom, amount]) => ({ denom, amount }));
}

/** Strictly ascending denoms (what every stored coin list is); the fast paths rely on it. */
function isSortedUnique(a: readonly Coin[]): boolean {
  for (let i = 1; i < a.length; i++) if (!(a[i - 1]!.denom < a[i]!.denom)) return false;
  return true;
}

export function amountOf(coins: readonly Coin[], denom: string): bigint {
  for (const c of coins) if (c.denom === denom) return c.amount;
  return 0n;
}

/** Per-denom totals of several coin lists (int64-checked). */
export function sumCoins(lists: readonly (readonly Coin[])[]): Coin[] {
  let acc: Coin[] = [];
  for (const l of lists) acc = addCoins(acc, l);
  return acc;
}

export function coinsEqual(a: readonly Coin[], b: readonly Coin[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.denom !== b[i]!.denom || a[i]!.amount !== b[i]!.amount) return false;
  return true;
}
