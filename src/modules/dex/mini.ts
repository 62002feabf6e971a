/**
 * BEP8 mini-token pairs in the DEX (spec §A.1, §A.7, §A.10): what makes a symbol "mini", the
 * minimum order quantity, and the per-block choice of which mini pairs run their auction.
 *
 * Mini pairs are not matched every block they get orders: the 8 busiest (by accumulated round
 * orders) plus a round-robin slot of `crc32(symbol) % 16 == height % 16` are. The others keep
 * their round for a later block (`node:plugins/dex/order/symbol_selector.go`, `mini_keeper.go`).
 */
import { crc32 } from '../../crypto/crc32.js';
import { isMiniSymbol } from '../tokens/symbol.js';
import { splitPair } from './types.js';

/** `defaultActiveMiniSymbolCount`: the busiest mini pairs matched every block. */
export const ACTIVE_MINI_PAIRS = 8;
/** `defaultMiniBlockMatchInterval`: every mini pair is matched at least once per this many blocks. */
export const MINI_MATCH_INTERVAL = 16;
/** `MiniTokenMinExecutionAmount`: 1.0 token (an order may be smaller only to sell a whole free balance). */
export const MINI_MIN_QTY = 100_000_000n;

/** The token module's rule for a mini/tiny symbol `BASE-XXXM` (one definition for both modules). */
export { isMiniSymbol };

/** `IsMiniTokenTradingPair`: either asset of `BASE_QUOTE` is a mini token. */
export function isMiniPair(pairSymbol: string): boolean {
  const p = splitPair(pairSymbol);
  return p !== undefined && (isMiniSymbol(p[0]) || isMiniSymbol(p[1]));
}

export { crc32 };

const enc = new TextEncoder();

/** The round-robin slot of a pair: `crc32(utf8(symbol)) % 16`. */
export function miniSlot(pairSymbol: string): number {
  return crc32(enc.encode(pairSymbol)) % MINI_MATCH_INTERVAL;
}

/**
 * The mini pairs to match at `height`: of the pairs with round orders (`counts`: symbol → number
 * of round orders accumulated since the pair last matched), the `ACTIVE_MINI_PAIRS` with the most
 * (ties: ascending symbol) plus every one whose slot is `height % 16`. Returned in ascending
 * symbol order. A pair without round orders is never returned: its auction could only re-check
 * a book that has not changed since it last matched.
 */
export function selectMiniPairs(counts: ReadonlyMap<string, number>, height: number): Set<string> {
  const ranked = [...counts].filter(([, n]) => n > 0);
  ranked.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out = new Set<string>();
  for (let i = 0; i < ranked.length && i < ACTIVE_MINI_PAIRS; i++) out.add(ranked[i]![0]);
  const slot = height % MINI_MATCH_INTERVAL;
  for (const [symbol] of ranked) if (miniSlot(symbol) === slot) out.add(symbol);
  return new Set([...out].sort());
}
