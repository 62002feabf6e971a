/**
 * Typed chain errors. Every error that can reach a client carries a stable numeric ABCI code
 * (`codespace << 16 | code`, as Binance Chain's cosmos-sdk fork reported them, e.g. 65546 for
 * insufficient coins) and a human message. Handlers throw these; the app turns them into
 * tx results `{code, log}` and the RPC into `{code, message}`.
 */

export const Codespace = {
  root: 1,
  tokens: 2,
  dex: 3,
  gov: 4,
  peg: 5,
  staking: 6,
  node: 7,
  insurance: 8,
} as const;
export type CodespaceName = keyof typeof Codespace;

/** Root (sdk) codes, numbered as cosmos-sdk v0.26 numbered them. */
export const RootCode = {
  internal: 1,
  txDecode: 2,
  invalidSequence: 3,
  unauthorized: 4,
  insufficientFunds: 5,
  unknownRequest: 6,
  invalidAddress: 7,
  invalidPubKey: 8,
  unknownAddress: 9,
  insufficientCoins: 10,
  invalidCoins: 11,
  outOfGas: 12,
  memoTooLarge: 13,
  insufficientFee: 14,
  tooManySignatures: 15,
  // dexchain additions (root space, numbered after the sdk's)
  invalidChainId: 20,
  txTooLarge: 21,
  invalidSignature: 22,
  overflow: 23,
  mempoolFull: 24,
  duplicateTx: 25,
  invalidAccountNumber: 26,
  rateLimited: 27,
  invalidRequest: 28,
  notFound: 29,
} as const;

export function abciCode(space: CodespaceName, code: number): number {
  return ((Codespace[space] << 16) | code) >>> 0;
}

export class ChainError extends Error {
  /** ABCI code, `codespace << 16 | code`; never 0. */
  readonly code: number;
  readonly codespace: CodespaceName;
  readonly localCode: number;
  constructor(space: CodespaceName, localCode: number, message: string) {
    // A ChainError is an expected outcome (a tx refused), made thousands of times a second under
    // load; capturing a stack trace for each cost ~9 µs and told nobody anything.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'ChainError';
    this.codespace = space;
    this.localCode = localCode;
    this.code = abciCode(space, localCode);
  }
}

/** Root-space error helper: `err('insufficientCoins', '...')`. */
export function rootError(kind: keyof typeof RootCode, message: string): ChainError {
  return new ChainError('root', RootCode[kind], message);
}

const ROOT_NAMES = new Map<number, string>(Object.entries(RootCode).map(([k, v]) => [v, k]));

/** A short stable name for an ABCI code, for metric labels: `mempoolFull`, or `dex/7` outside the root space. */
export function codeName(code: number): string {
  const space = code >>> 16;
  const local = code & 0xffff;
  const spaceName = (Object.keys(Codespace) as CodespaceName[]).find((k) => Codespace[k] === space);
  if (spaceName === 'root') return ROOT_NAMES.get(local) ?? `root/${local}`;
  return `${spaceName ?? space}/${local}`;
}

export function isChainError(e: unknown): e is ChainError {
  return e instanceof ChainError;
}

/** Converts anything thrown into a ChainError (unknown errors become `internal`). */
export function toChainError(e: unknown): ChainError {
  if (e instanceof ChainError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return rootError('internal', msg);
}
