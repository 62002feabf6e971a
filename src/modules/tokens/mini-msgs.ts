/**
 * BEP8 mini/tiny token msgs: amino codecs, sign JSON and ValidateBasic, registered with the
 * codec registry on import (the module index imports this file for its side effect).
 *
 * Field order is the Go struct order (`node:plugins/tokens/issue/msg_mini.go`, `msg_tiny.go`,
 * `seturi/msg.go`), which is also the order the SDK's `getMsg()` objects encode. IssueTinyMsg
 * embeds IssueMiniMsg in Go; both SDKs encode it flat, and Go `encoding/json` flattens it in the
 * sign bytes, so binary and sign JSON are the same shape as IssueMiniMsg. Sign JSON is Go
 * `json.Marshal` of the struct: `total_supply` a number, `token_uri` always present (no omitempty).
 */
import { checkAddress, encodeAddress, registerMsg, type AminoReader, type AminoWriter } from '../../codec/index.js';
import type { Address } from '../../codec/types.js';
import { tokenError } from './errors.js';
import {
  MAX_NAME_BYTES,
  MAX_TOKEN_URI_BYTES,
  MINI_MIN_AMOUNT,
  TokenType,
  miniUpperBound,
  validateIssueMiniSymbol,
  validateMiniTokenSymbol,
  type TokenTypeValue,
} from './symbol.js';

interface IssueMiniFields {
  from: Address;
  name: string;
  symbol: string;
  total_supply: bigint;
  mintable: boolean;
  /** Optional; `""` when none (the SDK needs a string here, `undefined` fails its encoder). */
  token_uri: string;
}

/** `tokens/IssueMiniMsg` (prefix A3F16C41), `Type()` = `miniIssueMsg`. */
export interface IssueMiniMsg extends IssueMiniFields {
  type: 'tokens/IssueMiniMsg';
}

/** `tokens/IssueTinyMsg` (prefix ED2832D4), `Type()` = `tinyIssueMsg`. */
export interface IssueTinyMsg extends IssueMiniFields {
  type: 'tokens/IssueTinyMsg';
}

/** `tokens/SetURIMsg` (prefix 7B1D34E7), `Type()` = `miniTokensSetURI`. */
export interface SetURIMsg {
  type: 'tokens/SetURIMsg';
  from: Address;
  symbol: string;
  token_uri: string;
}

export type MiniTokenMsg = IssueMiniMsg | IssueTinyMsg | SetURIMsg;

const enc = new TextEncoder();
const byteLen = (s: string): number => enc.encode(s).length;

export function checkTokenUri(uri: string): void {
  const n = byteLen(uri);
  if (n > MAX_TOKEN_URI_BYTES) throw tokenError('invalidTokenUri', `token URI must be at most ${MAX_TOKEN_URI_BYTES} bytes, got ${n}`);
}

/** Go `IssueMiniMsg.ValidateBasic` / `IssueTinyMsg.ValidateBasic`: symbol, name, URI, supply range. */
export function validateIssueMini(m: IssueMiniFields, tokenType: TokenTypeValue): void {
  checkAddress(m.from, 'from');
  validateIssueMiniSymbol(m.symbol);
  const nameLen = byteLen(m.name);
  if (nameLen < 1 || nameLen > MAX_NAME_BYTES) throw tokenError('invalidName', `token name must be 1 to ${MAX_NAME_BYTES} bytes, got ${nameLen}`);
  checkTokenUri(m.token_uri);
  const max = miniUpperBound(tokenType);
  if (m.total_supply < MINI_MIN_AMOUNT || m.total_supply > max) {
    const kind = tokenType === TokenType.tiny ? 'tiny' : 'mini';
    throw tokenError('invalidAmount', `${kind} token total supply must be between ${MINI_MIN_AMOUNT} and ${max}, got ${m.total_supply}`);
  }
}

function registerIssueMini<M extends IssueMiniMsg | IssueTinyMsg>(type: M['type'], tokenType: TokenTypeValue): void {
  registerMsg<M>({
    type,
    encodeFields(w: AminoWriter, m) {
      w.bytes(1, m.from).string(2, m.name).string(3, m.symbol).uvarint(4, m.total_supply).bool(5, m.mintable).string(6, m.token_uri);
    },
    decodeFields(r: AminoReader) {
      return {
        type,
        from: r.bytes(1),
        name: r.string(2),
        symbol: r.string(3),
        total_supply: r.uvarint(4),
        mintable: r.bool(5),
        token_uri: r.string(6),
      } as M;
    },
    signJson(m, hrp) {
      return {
        from: encodeAddress(m.from, hrp),
        name: m.name,
        symbol: m.symbol,
        total_supply: m.total_supply,
        mintable: m.mintable,
        token_uri: m.token_uri,
      };
    },
    validateBasic(m) {
      validateIssueMini(m, tokenType);
    },
  });
}

registerIssueMini<IssueMiniMsg>('tokens/IssueMiniMsg', TokenType.mini);
registerIssueMini<IssueTinyMsg>('tokens/IssueTinyMsg', TokenType.tiny);

registerMsg<SetURIMsg>({
  type: 'tokens/SetURIMsg',
  encodeFields(w, m) {
    w.bytes(1, m.from).string(2, m.symbol).string(3, m.token_uri);
  },
  decodeFields(r) {
    return { type: 'tokens/SetURIMsg', from: r.bytes(1), symbol: r.string(2), token_uri: r.string(3) };
  },
  signJson(m, hrp) {
    return { from: encodeAddress(m.from, hrp), symbol: m.symbol, token_uri: m.token_uri };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
    validateMiniTokenSymbol(m.symbol);
    // The Go handler rejects an empty URI and one over 2048 bytes; both need no state.
    if (m.token_uri.length === 0) throw tokenError('invalidTokenUri', 'token URI must not be empty');
    checkTokenUri(m.token_uri);
  },
});
