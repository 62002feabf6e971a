import assert from 'node:assert/strict';
import {
  decodeTx,
  encodeTx,
  encodeMsg,
  stdSignBytes,
  txSignBytes,
  txHashHex,
  msgPrefix,
  toHex,
  type SendMsg,
  type NewOrderMsg,
} from '../../../src/codec/index.js';
import { hex, loadVectors, toVectorShape, utf8, verifySig, toHexStr } from './helpers.js';

const file = loadVectors();

describe('codec: SDK vectors (sdk-tx.json)', () => {
  it('has the 12 vectors', () => assert.equal(file.vectors.length, 12));

  for (const v of file.vectors) {
    describe(v.name, () => {
      const bytes = hex(v.tx_bytes_hex);
      const d = decodeTx(bytes);
      const msg = d.tx.msgs[0]!;

      it('decodes and re-encodes byte-identically', () => {
        assert.equal(bytes.length, v.tx_bytes_len);
        assert.equal(toHexStr(encodeTx(d.tx)), v.tx_bytes_hex);
      });
      it('hash', () => {
        assert.equal(d.hash, v.tx_hash);
        assert.equal(txHashHex(bytes), v.tx_hash);
      });
      it('msg prefix and amino bytes', () => {
        assert.equal(d.tx.msgs.length, 1);
        assert.equal(toHex(msgPrefix(msg.type)).toUpperCase(), v.msg_type_prefix_hex);
        assert.equal(toHexStr(encodeMsg(msg)), v.msg_amino_hex);
      });
      it('msg fields equal the vector msg', () => {
        const { aminoPrefix: _p, ...expected } = v.msg;
        assert.deepEqual(toVectorShape(msg), expected);
      });
      it('memo, source, signature', () => {
        assert.equal(d.tx.memo, v.memo);
        assert.equal(d.tx.source, BigInt(v.source));
        assert.equal(d.tx.data.length, 0);
        const s = d.tx.signatures[0]!;
        assert.equal(toHexStr(s.pub_key), v.pubkey_compressed_hex);
        assert.equal(toHexStr(s.signature), v.signature_hex);
        assert.equal(s.account_number, BigInt(v.account_number));
        assert.equal(s.sequence, BigInt(v.sequence));
      });
      it('sign bytes rebuilt exactly and the signature verifies', () => {
        const sb = stdSignBytes({
          chainId: v.chain_id,
          accountNumber: BigInt(v.account_number),
          sequence: BigInt(v.sequence),
          memo: d.tx.memo,
          source: d.tx.source,
          msgs: d.tx.msgs,
          hrp: 'tbnb',
        });
        assert.equal(utf8(sb), v.sign_bytes);
        assert.equal(toHexStr(sb), v.sign_bytes_hex);
        const s = d.tx.signatures[0]!;
        assert.deepEqual(txSignBytes(d.tx, s, v.chain_id, 'tbnb'), sb);
        assert.ok(verifySig(s.signature, sb, s.pub_key));
      });
    });
  }
});

describe('codec: golden txs of spec §D.4', () => {
  it('mainnet bnb transfer', () => {
    const bytes = hex(
      'c701f0625dee0a462a2c87fa0a1f0a1441462c3f2a924f94c4012f4c7bbc3b0ed9213b6b12070a03424e421002121f0a14ade844d9f3a577086211bc93c0c306540b94bb4a12070a03424e421002126a0a26eb5ae987210381a2a87abf9fdd30512b9f40e9ed88516f2ef96a00ed02754a78793bf73f97b81240c926d1d93ea89730836f186a88fbe3b3719d516b8f849d414c38fc9d906ac77b7bb460f2f36564b74317aa0e3e6d9570db07763760effec15a5c600e5fb671041a0d54657374207472616e73666572',
    );
    const d = decodeTx(bytes);
    assert.equal(d.hash, '3592BB385569BBFE346907365CFAED9341B85BAD2920B5E0B174484ECA3CD16C');
    assert.deepEqual(encodeTx(d.tx), bytes);
    const m = d.tx.msgs[0] as SendMsg;
    assert.equal(m.type, 'cosmos-sdk/Send');
    assert.equal(m.inputs[0]!.coins[0]!.amount, 2n);
    const s = d.tx.signatures[0]!;
    assert.equal(s.account_number, 0n);
    assert.equal(s.sequence, 0n);
    const sb = txSignBytes(d.tx, s, 'Binance-Chain-Tigris', 'bnb');
    assert.equal(
      utf8(sb),
      '{"account_number":"0","chain_id":"Binance-Chain-Tigris","data":null,"memo":"Test transfer","msgs":[{"inputs":[{"address":"bnb1g9rzc0e2jf8ef3qp9ax8h0pmpmvjzwmtwqmzfj","coins":[{"amount":2,"denom":"BNB"}]}],"outputs":[{"address":"bnb14h5yfk0n54msscs3hjfupscx2s9efw62sg3phh","coins":[{"amount":2,"denom":"BNB"}]}]}],"sequence":"0","source":"0"}',
    );
    assert.ok(verifySig(s.signature, sb, s.pub_key));
  });

  it('Nile NewOrder', () => {
    const bytes = hex(
      'db01f0625dee0a63ce6dc0430a14813e4939f1567b219704ffc2ad4df58bde010879122b383133453439333946313536374232313937303446464332414434444635384244453031303837392d34331a0d5a454252412d3136445f424e422002280130c0843d38904e400112700a26eb5ae9872102139bdd95de72c22ac2a2b0f87853b1cca2e8adf9c58a4a689c75d3263013441a1240598c3a74dc08d82d97668ed3523a105a2afb752c5be34d09fb5f3158d55db2f545a2466263cf80f02d1184dd50efc4d8a636a262909a632ebeddeaa426c092b218d2e518202a',
    );
    const d = decodeTx(bytes);
    assert.equal(d.hash, 'AB1B84C7C0B0B195941DCE9CFE1A54214B72D5DB54AD388D8B146A6B62911E8E');
    assert.deepEqual(encodeTx(d.tx), bytes);
    const m = d.tx.msgs[0] as NewOrderMsg;
    assert.equal(m.type, 'dex/NewOrder');
    assert.deepEqual(
      [m.ordertype, m.side, m.price, m.quantity, m.timeinforce, m.id],
      [2, 1, 1000000n, 10000n, 1, '813E4939F1567B219704FFC2AD4DF58BDE010879-43'],
    );
    const s = d.tx.signatures[0]!;
    assert.equal(s.account_number, 406226n);
    assert.equal(s.sequence, 42n);
    const sb = txSignBytes(d.tx, s, 'Binance-Chain-Nile', 'tbnb');
    assert.equal(
      utf8(sb),
      '{"account_number":"406226","chain_id":"Binance-Chain-Nile","data":null,"memo":"","msgs":[{"id":"813E4939F1567B219704FFC2AD4DF58BDE010879-43","ordertype":2,"price":1000000,"quantity":10000,"sender":"tbnb1sylyjw032eajr9cyllp26n04300qzzre38qyv5","side":1,"symbol":"ZEBRA-16D_BNB","timeinforce":1}],"sequence":"42","source":"0"}',
    );
    assert.ok(verifySig(s.signature, sb, s.pub_key));
  });
});
