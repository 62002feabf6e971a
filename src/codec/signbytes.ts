/**
 * StdSignBytes (`sdk:x/auth/stdtx.go`): amino JSON of the sign doc with every key sorted,
 * `account_number`/`sequence`/`source` as strings, `data` null, each msg as its GetSignBytes JSON.
 *
 * Two constructions that must agree byte for byte (a unit property test holds them together):
 *  - the generic one, `sortedJson(stdSignDoc(a))`: a value tree, keys sorted at run time;
 *  - the direct one (`stdSignText`), used everywhere: the text is written in its sorted order
 *    straight away, and the hot msg types (transfers, orders, cancels) skip the value tree. Sign
 *    bytes are built for every signature a node checks, so this is per-tx CPU on the verify
 *    workers; any other msg goes through its registered `signJson` and `sortedJson`.
 */
import { msgSignJson } from './msgs.js';
import { encodeAddress } from './address.js';
import { goJsonString, sortedJson, type JsonValue } from './gojson.js';
import type { CancelOrderMsg, Coin, Msg, NewOrderMsg, SendMsg, StdSignature, StdTx } from './types.js';

export { sortedJson, goJsonString, type JsonValue } from './gojson.js';

export interface SignDocInput {
  chainId: string;
  accountNumber: bigint;
  sequence: bigint;
  memo: string;
  source: bigint;
  msgs: Msg[];
  hrp: string;
  data?: Uint8Array;
}

/** The sign doc as a value tree (the reference construction; `stdSignText` writes the same text directly). */
export function stdSignDoc(a: SignDocInput): JsonValue {
  return {
    account_number: a.accountNumber.toString(),
    chain_id: a.chainId,
    // amino JSON of []byte: nil → null, else base64 (a valid tx has no data)
    data: a.data && a.data.length > 0 ? Buffer.from(a.data).toString('base64') : null,
    memo: a.memo,
    msgs: a.msgs.length === 0 ? null : a.msgs.map((m) => msgSignJson(m, a.hrp)),
    sequence: a.sequence.toString(),
    source: a.source.toString(),
  };
}

const utf8 = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// direct writers of the hot msgs' sign JSON (keys already in byte order). Each mirrors the
// msg's `signJson` in msgs.ts + `sortedJson`; on any value outside the typed shape (a number
// where a bigint belongs, …) it returns undefined and the generic path decides, throw included.

/** Go encoding/json of sdk.Coins (`coinsJson`): `[{"amount":N,"denom":"…"}]`, nil → null. */
function coinsText(coins: readonly Coin[]): string | undefined {
  const n = coins.length;
  if (n === 0) return 'null';
  let out = '[';
  for (let i = 0; i < n; i++) {
    const c = coins[i]!;
    if (typeof c.amount !== 'bigint' || typeof c.denom !== 'string') return undefined;
    out += (i > 0 ? ',{"amount":' : '{"amount":') + c.amount.toString() + ',"denom":' + goJsonString(c.denom) + '}';
  }
  return out + ']';
}

/** The last hrp seen whose addresses need no JSON escaping. */
let plainHrp: string | undefined;

/**
 * `goJsonString(encodeAddress(a, hrp))`. A bech32 string is the hrp (printable ASCII, lowercased)
 * ‖ '1' ‖ alphabet characters, so it needs escaping exactly when the hrp does: checked once per
 * hrp instead of once per address.
 */
function addressText(a: Uint8Array, hrp: string): string {
  const s = encodeAddress(a, hrp);
  if (hrp === plainHrp) return '"' + s + '"';
  if (goJsonString(hrp).length !== hrp.length + 2) return goJsonString(s);
  plainHrp = hrp;
  return '"' + s + '"';
}

/** `{"address":…,"coins":…}` list of a Send's inputs or outputs; nil → null. */
function ioText(list: SendMsg['inputs'], hrp: string): string | undefined {
  const n = list.length;
  if (n === 0) return 'null';
  let out = '[';
  for (let i = 0; i < n; i++) {
    const io = list[i]!;
    const address = addressText(io.address, hrp);
    const coins = coinsText(io.coins);
    if (coins === undefined) return undefined;
    out += (i > 0 ? ',{"address":' : '{"address":') + address + ',"coins":' + coins + '}';
  }
  return out + ']';
}

function sendText(m: SendMsg, hrp: string): string | undefined {
  if (!Array.isArray(m.inputs) || !Array.isArray(m.outputs)) return undefined;
  const inputs = ioText(m.inputs, hrp);
  if (inputs === undefined) return undefined;
  const outputs = ioText(m.outputs, hrp);
  if (outputs === undefined) return undefined;
  return '{"inputs":' + inputs + ',"outputs":' + outputs + '}';
}

/** An int8 enum field printed by `sortedJson` (a safe integer number); undefined for anything else. */
function intText(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined;
}

function newOrderText(m: NewOrderMsg, hrp: string): string | undefined {
  if (typeof m.id !== 'string' || typeof m.symbol !== 'string' || typeof m.price !== 'bigint' || typeof m.quantity !== 'bigint') return undefined;
  const ordertype = intText(m.ordertype);
  const side = intText(m.side);
  const tif = intText(m.timeinforce);
  if (ordertype === undefined || side === undefined || tif === undefined) return undefined;
  return (
    '{"id":' + goJsonString(m.id) +
    ',"ordertype":' + ordertype +
    ',"price":' + m.price.toString() +
    ',"quantity":' + m.quantity.toString() +
    ',"sender":' + addressText(m.sender, hrp) +
    ',"side":' + side +
    ',"symbol":' + goJsonString(m.symbol) +
    ',"timeinforce":' + tif + '}'
  );
}

function cancelOrderText(m: CancelOrderMsg, hrp: string): string | undefined {
  if (typeof m.refid !== 'string' || typeof m.symbol !== 'string') return undefined;
  return '{"refid":' + goJsonString(m.refid) + ',"sender":' + addressText(m.sender, hrp) + ',"symbol":' + goJsonString(m.symbol) + '}';
}

/** One msg's sign JSON text: the direct writer for hot types, else its registered signJson sorted. */
export function msgSignText(m: Msg | { type: string }, hrp: string): string {
  let t: string | undefined;
  switch (m.type) {
    case 'cosmos-sdk/Send':
      t = sendText(m as SendMsg, hrp);
      break;
    case 'dex/NewOrder':
      t = newOrderText(m as NewOrderMsg, hrp);
      break;
    case 'dex/CancelOrder':
      t = cancelOrderText(m as CancelOrderMsg, hrp);
      break;
  }
  return t ?? sortedJson(msgSignJson(m, hrp));
}

/**
 * The sign doc's JSON text (its UTF-8 encoding is the sign bytes; the text is always
 * well-formed UTF-16, lone surrogates having been escaped by `goJsonString`, so any UTF-8
 * encoder gives the same bytes). Fields in byte order: account_number, chain_id, data, memo,
 * msgs, sequence, source.
 */
export function stdSignText(a: SignDocInput): string {
  // A sign doc outside the typed shape (e.g. a memo left undefined, which sortedJson omits):
  // the generic construction decides. Never the case for a decoded tx.
  if (typeof a.chainId !== 'string' || typeof a.memo !== 'string' || !Array.isArray(a.msgs)) return sortedJson(stdSignDoc(a));
  const msgs = a.msgs;
  let msgsText: string;
  if (msgs.length === 0) msgsText = 'null';
  else {
    msgsText = '[';
    for (let i = 0; i < msgs.length; i++) msgsText += (i > 0 ? ',' : '') + msgSignText(msgs[i]!, a.hrp);
    msgsText += ']';
  }
  return (
    '{"account_number":' + goJsonString(a.accountNumber.toString()) +
    ',"chain_id":' + goJsonString(a.chainId) +
    ',"data":' + (a.data && a.data.length > 0 ? goJsonString(Buffer.from(a.data).toString('base64')) : 'null') +
    ',"memo":' + goJsonString(a.memo) +
    ',"msgs":' + msgsText +
    ',"sequence":' + goJsonString(a.sequence.toString()) +
    ',"source":' + goJsonString(a.source.toString()) + '}'
  );
}

export function stdSignBytes(a: SignDocInput): Uint8Array {
  return utf8.encode(stdSignText(a));
}

function txSignDoc(tx: StdTx, sig: Pick<StdSignature, 'account_number' | 'sequence'>, chainId: string, hrp: string): SignDocInput {
  return {
    chainId,
    accountNumber: sig.account_number,
    sequence: sig.sequence,
    memo: tx.memo,
    source: tx.source,
    msgs: tx.msgs,
    hrp,
    data: tx.data,
  };
}

/** The JSON text of the sign bytes a given signature of `tx` must cover (hash its UTF-8 encoding). */
export function txSignText(tx: StdTx, sig: Pick<StdSignature, 'account_number' | 'sequence'>, chainId: string, hrp: string): string {
  return stdSignText(txSignDoc(tx, sig, chainId, hrp));
}

/** Sign bytes a given signature of `tx` must cover. */
export function txSignBytes(tx: StdTx, sig: Pick<StdSignature, 'account_number' | 'sequence'>, chainId: string, hrp: string): Uint8Array {
  return utf8.encode(txSignText(tx, sig, chainId, hrp));
}
