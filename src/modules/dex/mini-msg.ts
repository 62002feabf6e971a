/**
 * `dex/ListMiniMsg` (prefix 4C264019): lists a mini-token pair without a proposal (spec §A.10).
 * Registered with the codec registry on import (the module index imports this file). Fields in
 * Go struct order `{from, base_asset_symbol, quote_asset_symbol, init_price}`; the sign JSON is
 * Go `encoding/json` of the struct (int64 as a number), as the SDK's `ListMiniMsg.getSignMsg` builds it.
 */
import { checkAddress, encodeAddress, registerMsg } from '../../codec/index.js';
import type { Address } from '../../codec/types.js';

export interface ListMiniMsg {
  type: 'dex/ListMiniMsg';
  from: Address;
  base_asset_symbol: string;
  quote_asset_symbol: string;
  init_price: bigint;
}

registerMsg<ListMiniMsg>({
  type: 'dex/ListMiniMsg',
  encodeFields(w, m) {
    w.bytes(1, m.from).string(2, m.base_asset_symbol).string(3, m.quote_asset_symbol).uvarint(4, m.init_price);
  },
  decodeFields(r) {
    return {
      type: 'dex/ListMiniMsg',
      from: r.bytes(1),
      base_asset_symbol: r.string(2),
      quote_asset_symbol: r.string(3),
      init_price: r.uvarint(4),
    };
  },
  signJson(m, hrp) {
    return {
      from: encodeAddress(m.from, hrp),
      base_asset_symbol: m.base_asset_symbol,
      quote_asset_symbol: m.quote_asset_symbol,
      init_price: m.init_price,
    };
  },
  validateBasic(m) {
    checkAddress(m.from, 'from');
  },
});
