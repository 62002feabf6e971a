/**
 * StdSignBytes (`sdk:x/auth/stdtx.go`): amino JSON of the sign doc with every key sorted,
 * `account_number`/`sequence`/`source` as strings, `data` null, each msg as its GetSignBytes JSON.
 */
import { msgSignJson } from './msgs.js';
import { sortedJson, type JsonValue } from './gojson.js';
import type { Msg, StdSignature, StdTx } from './types.js';

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

export function stdSignBytes(a: SignDocInput): Uint8Array {
  return new TextEncoder().encode(sortedJson(stdSignDoc(a)));
}

/** Sign bytes a given signature of `tx` must cover. */
export function txSignBytes(tx: StdTx, sig: Pick<StdSignature, 'account_number' | 'sequence'>, chainId: string, hrp: string): Uint8Array {
  return stdSignBytes({
    chainId,
    accountNumber: sig.account_number,
    sequence: sig.sequence,
    memo: tx.memo,
    source: tx.source,
    msgs: tx.msgs,
    hrp,
    data: tx.data,
  });
}
