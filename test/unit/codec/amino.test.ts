import assert from 'node:assert/strict';
import {
  aminoPrefix,
  toHex,
  AminoReader,
  AminoWriter,
  decodeTx,
  decodeMsg,
  encodeMsg,
  encodeTx,
  msgSignJson,
  registerMsg,
  sortedJson,
  goJsonString,
  stdSignBytes,
  encodeAddress,
  decodeAddress,
  escrowAddress,
  formatFixed8,
  parseFixed8,
  txToJson,
  MAX_TX_BYTES,
  type StdTx,
  type Msg,
} from '../../../src/codec/index.js';
import { ChainError as CE, RootCode as RC } from '../../../src/errors.js';
import { hex, loadVectors, utf8 } from './helpers.js';

function throwsCode(fn: () => unknown, kind: keyof typeof RC, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CE, `not a ChainError: ${e}`);
    assert.equal(e.codespace, 'root');
    assert.equal(e.localCode, RC[kind], `code ${e.localCode} (${e.message})`);
    if (re) assert.match(e.message, re);
    return true;
  });
}

const PREFIXES: Record<string, string> = {
  'auth/StdTx': 'F0625DEE', 'tendermint/PubKeySecp256k1': 'EB5AE987', 'cosmos-sdk/Send': '2A2C87FA',
  'tendermint/PubKeyEd25519': '1624DE64', 'dex/NewOrder': 'CE6DC043', 'dex/CancelOrder': '166E681B',
  'dex/ListMsg': 'B41DE13F', 'dex/ListMiniMsg': '4C264019', 'tokens/IssueMsg': '17EFAB80',
  'tokens/MintMsg': '467E0829', 'tokens/BurnMsg': '7ED2D2A0', 'tokens/FreezeMsg': 'E774B32D',
  'tokens/UnfreezeMsg': '6515FF0D', 'tokens/TransferOwnershipMsg': '6D99D273', 'tokens/IssueMiniMsg': 'A3F16C41',
  'tokens/IssueTinyMsg': 'ED2832D4', 'tokens/SetURIMsg': '7B1D34E7', 'tokens/TimeLockMsg': '07921531',
  'tokens/TimeUnlockMsg': 'C4050C6C', 'tokens/TimeRelockMsg': '504711DA', 'tokens/HTLTMsg': 'B33F9A24',
  'tokens/DepositHTLTMsg': '63986496', 'tokens/ClaimHTLTMsg': 'C1665300', 'tokens/RefundHTLTMsg': '3454A27C',
  'scripts/SetAccountFlagsMsg': 'BEA6E301', 'cosmos-sdk/MsgSubmitProposal': 'B42D614E',
  'cosmos-sdk/MsgDeposit': 'A18A56E5', 'cosmos-sdk/MsgVote': 'A1CADD36',
  'cosmos-sdk/MsgCreateValidatorProposal': 'DB6A19FD', 'cosmos-sdk/MsgRemoveValidator': 'C1AFE85F',
  'cosmos-sdk/MsgCreateValidatorOpen': 'E9FB7335', 'cosmos-sdk/MsgEditValidator': 'C2E8BCCD',
  'cosmos-sdk/MsgDelegate': '921D2E4E', 'cosmos-sdk/MsgRedelegate': '47A5ED9C', 'cosmos-sdk/MsgUndelegate': '5C80810D',
  'cosmos-sdk/MsgUnjail': '543AEC70', 'bridge/BindMsg': 'B9AE640C', 'bridge/UnbindMsg': 'E9EEC508',
  'bridge/TransferOutMsg': '800819C0', 'oracle/ClaimMsg': '175A0521', 'bnbchain/Account': '4BDC4C27',
  'bnbchain/Token': '140364E6',
};

describe('codec: amino', () => {
  it('aminoPrefix matches every prefix of spec §D.1', () => {
    for (const [name, p] of Object.entries(PREFIXES)) assert.equal(toHex(aminoPrefix(name)).toUpperCase(), p, name);
  });

  it('writer omits zero values and writes int64 max', () => {
    const w = new AminoWriter().uvarint(1, 0n).string(2, '').bool(3, false).bytes(4, new Uint8Array(0));
    assert.equal(w.finish().length, 0);
    const b = new AminoWriter().uvarint(1, (1n << 63n) - 1n).finish();
    assert.equal(toHex(b), '08ffffffffffffffff7f');
    assert.equal(new AminoReader(b).uvarint(1), (1n << 63n) - 1n);
    assert.throws(() => new AminoWriter().uvarint(1, 1n << 63n), CE);
    assert.throws(() => new AminoWriter().uvarint(1, -1n), CE);
  });

  describe('strict reader', () => {
    const read = (h: string, fn: (r: AminoReader) => unknown) => () => {
      const r = new AminoReader(hex(h));
      fn(r);
      r.finish();
    };
    const f12 = (r: AminoReader) => [r.uvarint(1), r.string(2)];
    it('accepts canonical input', () => {
      const r = new AminoReader(hex('0805120161'));
      assert.deepEqual(f12(r), [5n, 'a']);
      r.finish();
    });
    it('rejects unknown fields', () => throwsCode(read('08051201611801', f12), 'txDecode', /unknown field 3/));
    it('rejects out-of-order / repeated fields', () => {
      throwsCode(read('120161 0805'.replace(' ', ''), f12), 'txDecode', /out of order/);
      throwsCode(read('08050806', f12), 'txDecode', /out of order or repeated/);
    });
    it('rejects wrong wire types', () => throwsCode(read('0a0105', f12), 'txDecode', /wire type 2, expected 0/));
    it('rejects truncated data', () => {
      throwsCode(read('0880', f12), 'txDecode', /truncated varint/);
      throwsCode(read('120561', f12), 'txDecode', /overruns/);
    });
    it('rejects varints above int64 and non-minimal varints', () => {
      throwsCode(read('08ffffffffffffffffff01', f12), 'txDecode', /overflows int64/);
      throwsCode(read('088000', f12), 'txDecode', /non-minimal/);
    });
    it('rejects explicit zero values, bad bools and invalid UTF-8', () => {
      throwsCode(read('0800', f12), 'txDecode', /zero value/);
      throwsCode(read('1200', f12), 'txDecode', /empty value/);
      throwsCode(read('0802', (r) => r.bool(1)), 'txDecode', /invalid bool/);
      throwsCode(read('1201ff', f12), 'txDecode', /UTF-8/);
    });
    it('rejects field number 0', () => throwsCode(read('0005', f12), 'txDecode', /invalid field number/));
  });
});

describe('codec: tx decode rules', () => {
  const v = loadVectors().vectors[0];
  const good = hex(v.tx_bytes_hex);

  it('length prefix must match exactly', () => {
    throwsCode(() => decodeTx(Uint8Array.from([...good, 0])), 'txDecode', /length prefix/);
    throwsCode(() => decodeTx(good.subarray(0, good.length - 1)), 'txDecode', /length prefix/);
    throwsCode(() => decodeTx(new Uint8Array(0)), 'txDecode', /empty/);
  });
  it('StdTx prefix is required', () => {
    const b = good.slice();
    b[2] ^= 1;
    throwsCode(() => decodeTx(b), 'txDecode', /not a StdTx/);
  });
  it('unknown msg prefix is rejected', () => {
    const b = good.slice();
    b[8] ^= 1; // first byte of the msg prefix (uvarint 2 + prefix 4 + key 1 + len 1)
    throwsCode(() => decodeTx(b), 'txDecode', /unknown msg type prefix/);
  });
  it('pub_key must be EB5AE987 21 ‖ 33 bytes and signature 64 bytes', () => {
    const d = decodeTx(good);
    const short: StdTx = { ...d.tx, signatures: [{ ...d.tx.signatures[0]!, signature: new Uint8Array(63).fill(1) }] };
    throwsCode(() => decodeTx(encodeTx(short)), 'txDecode', /signature must be 64/);
    const badKey: StdTx = { ...d.tx, signatures: [{ ...d.tx.signatures[0]!, pub_key: new Uint8Array(32).fill(2) }] };
    throwsCode(() => decodeTx(encodeTx(badKey)), 'txDecode', /pub_key/);
  });
  it('oversized txs are txTooLarge', () => {
    const d = decodeTx(good);
    const big = encodeTx({ ...d.tx, memo: 'x'.repeat(MAX_TX_BYTES) });
    throwsCode(() => decodeTx(big), 'txTooLarge');
  });
  it('data and memo survive the round trip', () => {
    const d = decodeTx(good);
    const tx: StdTx = { ...d.tx, memo: 'héllo <&>', data: Uint8Array.of(1, 2, 3), source: 3n };
    const again = decodeTx(encodeTx(tx));
    assert.deepEqual(again.tx, tx);
  });
  it('txToJson', () => {
    const d = decodeTx(good);
    const j = txToJson(d.tx, 'tbnb') as any;
    assert.equal(j.msgs[0].type, 'cosmos-sdk/Send');
    assert.equal(j.msgs[0].value.inputs[0].address, 'tbnb1ketpmnqsgycqtxnupr6gcerpps0klyryjfyx09');
    assert.equal(j.msgs[0].value.inputs[0].coins[0].amount, '100000000');
    assert.equal(j.signatures[0].address, 'tbnb1ketpmnqsgycqtxnupr6gcerpps0klyryjfyx09');
    assert.equal(j.signatures[0].pub_key_hex, v.pubkey_compressed_hex);
    assert.equal(j.memo, 'test memo');
    assert.equal(j.data, null);
    JSON.stringify(j); // no bigint left
  });
});

describe('codec: msg registry', () => {
  it('lets a module register a new msg type', () => {
    interface PingMsg { type: 'test/PingMsg'; from: Uint8Array; n: bigint }
    registerMsg<PingMsg>({
      type: 'test/PingMsg',
      encodeFields: (w, m) => void w.bytes(1, m.from).uvarint(2, m.n),
      decodeFields: (r) => ({ type: 'test/PingMsg', from: r.bytes(1), n: r.uvarint(2) }),
      signJson: (m, hrp) => ({ from: encodeAddress(m.from, hrp), n: m.n }),
    });
    const m: PingMsg = { type: 'test/PingMsg', from: new Uint8Array(20).fill(7), n: 5n };
    const b = encodeMsg(m as unknown as Msg);
    assert.equal(toHex(b.subarray(0, 4)), toHex(aminoPrefix('test/PingMsg')));
    assert.deepEqual(decodeMsg(b), m);
    assert.throws(() => registerMsg({ ...({} as any), type: 'test/PingMsg' }), /already registered/);
  });
});

describe('codec: Go JSON', () => {
  it('escapes like Go encoding/json', () => {
    assert.equal(goJsonString('<a&b>'), '"\\u003ca\\u0026b\\u003e"');
    assert.equal(goJsonString('\u2028\u2029'), '"\\u2028\\u2029"');
    assert.equal(goJsonString('"\\\n\r\t'), '"\\"\\\\\\n\\r\\t"');
    assert.equal(goJsonString('\b\f\u0001\u001f'), '"\\u0008\\u000c\\u0001\\u001f"');
    assert.equal(goJsonString('\u007f é 😀 /'), '"\u007f é 😀 /"');
    assert.equal(goJsonString('\ud800x'), '"\\ufffdx"');
  });
  it('sorts keys by byte order recursively, bigint verbatim', () => {
    assert.equal(
      sortedJson({ b: [{ z: 1n, a: null }], a: true, B: 'x', aa: 18446744073709551615n }),
      '{"B":"x","a":true,"aa":18446744073709551615,"b":[{"a":null,"z":1}]}',
    );
    assert.equal(sortedJson({ 'é': 1, z: 2 }), '{"z":2,"é":1}');
  });
  it('sign bytes escape the memo and keep large numbers exact', () => {
    const from = new Uint8Array(20).fill(1);
    const sb = utf8(
      stdSignBytes({
        chainId: 'c', accountNumber: 1n, sequence: 2n, memo: '<script>&', source: 3n, hrp: 'bnb',
        msgs: [{ type: 'tokens/MintMsg', from, symbol: 'X-000', amount: 9007199254740993n }],
      }),
    );
    assert.equal(
      sb,
      `{"account_number":"1","chain_id":"c","data":null,"memo":"\\u003cscript\\u003e\\u0026","msgs":[{"amount":9007199254740993,"from":"${encodeAddress(from, 'bnb')}","symbol":"X-000"}],"sequence":"2","source":"3"}`,
    );
  });
  it('gov msgs use amino JSON; empty coin lists are null', () => {
    const a = new Uint8Array(20).fill(3);
    assert.deepEqual(msgSignJson({ type: 'cosmos-sdk/MsgVote', proposal_id: 12n, voter: a, option: 4 }, 'bnb'), {
      proposal_id: '12', voter: encodeAddress(a, 'bnb'), option: 'NoWithVeto',
    });
    const j = sortedJson(msgSignJson({ type: 'tokens/TimeRelockMsg', from: a, time_lock_id: 1n, description: '', amount: [], lock_time: 0n }, 'bnb'));
    assert.match(j, /"amount":null/);
  });
});

describe('codec: addresses', () => {
  const k = loadVectors().keys.sender;
  it('bech32 round trip', () => {
    assert.equal(encodeAddress(hex(k.address_hex), 'tbnb'), k.address_tbnb);
    assert.equal(encodeAddress(hex(k.address_hex), 'bnb'), k.address_bnb);
    assert.deepEqual(decodeAddress(k.address_tbnb, 'tbnb'), hex(k.address_hex));
    assert.deepEqual(decodeAddress(k.address_bnb), hex(k.address_hex));
  });
  it('rejects wrong prefix, bad checksum, wrong length, junk', () => {
    throwsCode(() => decodeAddress(k.address_bnb, 'tbnb'), 'invalidAddress', /prefix/);
    const bad = k.address_tbnb.slice(0, -1) + (k.address_tbnb.endsWith('q') ? 'p' : 'q');
    throwsCode(() => decodeAddress(bad, 'tbnb'), 'invalidAddress');
    throwsCode(() => decodeAddress(encodeAddress(new Uint8Array(19).fill(1), 'tbnb'), 'tbnb'), 'invalidAddress', /19 bytes/);
    throwsCode(() => decodeAddress('hello'), 'invalidAddress');
    throwsCode(() => decodeAddress(k.address_tbnb.toUpperCase().slice(0, 10) + k.address_tbnb.slice(10)), 'invalidAddress');
  });
  it('escrow address of the time-lock module', () => {
    assert.equal(encodeAddress(escrowAddress('BinanceChainTimeLockCoins'), 'bnb'), 'bnb1hn8ym9xht925jkncjpf7lhjnax6z8nv24fv2yq');
  });
});

describe('codec: fixed8', () => {
  it('formats', () => {
    assert.equal(formatFixed8(100000000n), '1.00000000');
    assert.equal(formatFixed8(1n), '0.00000001');
    assert.equal(formatFixed8(-50000000n), '-0.50000000');
    assert.equal(formatFixed8(0n), '0.00000000');
    assert.equal(formatFixed8((1n << 63n) - 1n), '92233720368.54775807');
  });
  it('parses', () => {
    assert.equal(parseFixed8('1'), 100000000n);
    assert.equal(parseFixed8('0.5'), 50000000n);
    assert.equal(parseFixed8('-0.00000001'), -1n);
    assert.equal(parseFixed8('92233720368.54775807'), (1n << 63n) - 1n);
    for (const s of ['', '.5', '1.', '1.123456789', '1e8', ' 1', '+1', 'abc', '1,5', '92233720368.54775808', '0x10']) {
      throwsCode(() => parseFixed8(s), 'invalidCoins');
    }
  });
});
