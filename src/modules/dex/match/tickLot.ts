/**
 * Tick size, lot size and notional (spec §A.8, conventions; `node:plugins/dex/utils/pair.go`,
 * `numbers.go CalBigNotionalInt64`).
 *
 * The original takes `floor(math.Log10(float64(price)))`. Go's portable `Log10` is
 * `Log2(x) * (Ln2/Ln10)` with `Log2` built from `Frexp` (exact for powers of two) and `Log` of
 * the mantissa; it is reproduced here step by step so the float64 rounding is the same (e.g.
 * 999999999999999 gives 15, not 14; plain `Math.log10` disagrees with this construction for
 * about 1 in 160 prices within ±5000 of a power of ten ≥ 1e15). Caveat: Go's `Log` has an amd64
 * assembly version and JS `Math.log` is V8's fdlibm port; neither is specified to the last bit,
 * so for prices ≥ ~1e15 just below a power of ten a 1-ulp difference could still flip the digit
 * count (not checked against a Go binary). The result equals the exact digit count for every
 * price below 999999999999997 (checked around every power of ten).
 * Prices above 2^53 are rounded by `float64(price)` first, exactly as in Go.
 */

/** Go `Ln2/Ln10` and `1/Ln2`, rounded to float64 from the exact constants (as Go's compiler does). */
const LN2_OVER_LN10 = 0.30102999566398119521373889472449302676818988146210854131;
const INV_LN2 = 1.44269504088896340735992468100189213742664595415298593413;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian ⇒ high word at index 1

/** Go `math.Frexp` for finite x > 0: x = frac * 2^exp with frac in [0.5, 1). */
function frexp(x: number): [number, number] {
  let exp = 0;
  if (x < 2.2250738585072014e-308) {
    // subnormal: normalise first (Go does the same)
    x *= 2 ** 52;
    exp = -52;
  }
  f64[0] = x;
  const hi = u32[HI]!;
  exp += ((hi >>> 20) & 0x7ff) - 1022;
  u32[HI] = (hi & ~(0x7ff << 20)) | (1022 << 20);
  return [f64[0], exp];
}

/** Go's portable `math.Log10` for finite x > 0. */
export function goLog10(x: number): number {
  const [frac, exp] = frexp(x);
  const log2 = frac === 0.5 ? exp - 1 : Math.log(frac) * INV_LN2 + exp;
  return log2 * LN2_OVER_LN10;
}

function pow10(d: number): bigint {
  return 10n ** BigInt(d);
}

function priceDigits(price: bigint): number {
  return Math.floor(goLog10(Number(price)));
}

/** `10^max(floor(log10(price)) - 5, 0)`; 1 for price <= 0. */
export function calcTickSize(price: bigint): bigint {
  if (price <= 0n) return 1n;
  return pow10(Math.max(priceDigits(price) - 5, 0));
}

/** `10^max(13 - floor(log10(price)), 0)`; 1e13 for price <= 0. */
export function calcLotSize(price: bigint): bigint {
  if (price <= 0n) return 10n ** 13n;
  return pow10(Math.max(13 - priceDigits(price), 0));
}

/** `floor(p * q / 1e8)`, exact (the original falls back to big.Int when p*q overflows int64). */
export function notional(p: bigint, q: bigint): bigint {
  return (p * q) / 100_000_000n;
}
