/**
 * BEP8 mini/tiny tokens: the three msgs' codecs (against the SDK's own encoder and sign bytes),
 * issue/SetURI through the real app, and the BEP2 ops on a mini token (mint cap, 1-token minimum).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { abciCode, RootCode } from '../../../../src/errors.js';
import { decodeMsg, decodeTx, encodeAddress, encodeMsg, msgPrefix, stdSignBytes, toHex, txSignBytes, type Msg } from '../../../../src/codec/index.js';
import {
  TokenCode,
  decodeTokenRecord,
  encodeTokenRecord,
  isMiniSymbol,
  validateTokenSymbol,
  type IssueMiniMsg,
  type IssueTinyMsg,
  type SetURIMsg,
  type Token,
} from '../../../../src/modules/tokens/index.js';
import { BNB, bal, deliverOk, expectRejected, genesisDoc, key, newApp, signNext, view, type Harness } from '../../app/helpers.js';
import { validateGenesis } from '../../../../src/app/genesis.js';
import { verifySig } from '../../codec/helpers.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sdk: any = require('@binance-chain/javascript-sdk');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sdkTypes: any = require('@binance-chain/javascript-sdk/lib/types');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sdkAmino: any = require('@binance-chain/javascript-sdk/lib/amino/encoder');

const tok = (k: keyof typeof TokenCode) => abciCode('tokens', TokenCode[k]);
const root = (k: keyof typeof RootCode) => abciCode('root', RootCode[k]);
const alice = key('mini-alice');
const bob = key('mini-bob');
const HRP = 'tbnb';
const CHAIN = 'Binance-Chain-Ganges';
const MINI_FEE = 300_000_000n;
const TINY_FEE = 200_000_000n;
const SET_URI_FEE = 37_500n;
const dec = new TextDecoder();
const START = 10_000n * BNB;

const issueMini = (symbol: string, supply: bigint, o: Partial<IssueMiniMsg> = {}): IssueMiniMsg => ({
  type: 'tokens/IssueMiniMsg',
  from: alice.addr,
  name: 'Mini Token',
  symbol,
  total_supply: supply,
  mintable: false,
  token_uri: 'https://example.org/mini.json',
  ...o,
});
const issueTiny = (symbol: string, supply: bigint, o: Partial<IssueTinyMsg> = {}): IssueTinyMsg => ({
  ...issueMini(symbol, supply),
  type: 'tokens/IssueTinyMsg',
  ...o,
});
const setUri = (symbol: string, uri: string, from = alice.addr): SetURIMsg => ({ type: 'tokens/SetURIMsg', from, symbol, token_uri: uri });
const amountMsg = (type: 'tokens/MintMsg' | 'tokens/BurnMsg' | 'tokens/FreezeMsg' | 'tokens/UnfreezeMsg', from: Uint8Array, symbol: string, amount: bigint): Msg =>
  ({ type, from, symbol, amount }) as Msg;
const send = (from: Uint8Array, to: Uint8Array, denom: string, amount: bigint): Msg => ({
  type: 'cosmos-sdk/Send',
  inputs: [{ address: from, coins: [{ denom, amount }] }],
  outputs: [{ address: to, coins: [{ denom, amount }] }],
});

/** The SDK's msg object for one of ours (its classes take bech32 and JS numbers). */
function sdkMsg(m: IssueMiniMsg | IssueTinyMsg | SetURIMsg) {
  const from = encodeAddress(m.from, HRP);
  if (m.type === 'tokens/SetURIMsg') return new sdkTypes.SetTokenUriMsg({ from, symbol: m.symbol, token_uri: m.token_uri });
  const Cls = m.type === 'tokens/IssueMiniMsg' ? sdkTypes.IssueMiniTokenMsg : sdkTypes.IssueTinyTokenMsg;
  return new Cls({ from, name: m.name, symbol: m.symbol, total_supply: Number(m.total_supply), mintable: m.mintable, token_uri: m.token_uri });
}

function sdkSignBytes(m: IssueMiniMsg | IssueTinyMsg | SetURIMsg, accountNumber: number, sequence: number, memo: string): string {
  const tx = new sdk.Transaction({ chainId: CHAIN, accountNumber, sequence, memo, source: 0, baseMsg: sdkMsg(m) });
  return tx.getSignBytes().toString('utf8');
}

function ourSignBytes(m: Msg | { type: string }, accountNumber: number, sequence: number, memo: string): string {
  return dec.decode(stdSignBytes({ chainId: CHAIN, accountNumber: BigInt(accountNumber), sequence: BigInt(sequence), memo, source: 0n, msgs: [m as Msg], hrp: HRP }));
}

describe('modules/tokens BEP8: symbols and records', () => {
  it('mini symbols BASE-XXXM are referenced symbols; malformed ones are not', () => {
    for (const ok of ['ABC-14AM', 'XYZ12345-000M']) {
      validateTokenSymbol(ok);
      assert.ok(isMiniSymbol(ok));
    }
    for (const bad of ['AB-14AM', 'ABC-14GM', 'ABC-14AN', 'abc-14AM', 'ABC-14A0M', 'ABC.B-14AM']) {
      assert.ok(!isMiniSymbol(bad), bad);
    }
    assert.ok(!isMiniSymbol('ABC-14A'));
    assert.throws(() => validateTokenSymbol('ABC-14GM'));
  });

  it('a BEP2 record keeps its bytes; a mini record carries type and URI (fields 7, 8)', () => {
    const bep2: Token = { name: 'n', symbol: 'AAA-000', originalSymbol: 'AAA', totalSupply: 5n, owner: alice.addr, mintable: true };
    const b = encodeTokenRecord(bep2);
    // fields 1..6 only: the last byte is the mintable bool of field 6
    assert.equal(toHex(b.subarray(b.length - 2)), '3001');
    assert.deepEqual(decodeTokenRecord(b), bep2);
    const mini: Token = { ...bep2, symbol: 'AAA-000M', tokenType: 1, tokenUri: 'u' };
    const mb = encodeTokenRecord(mini);
    const plain = encodeTokenRecord({ ...bep2, symbol: 'AAA-000M' });
    assert.deepEqual(mb.subarray(0, plain.length), plain);
    assert.equal(toHex(mb.subarray(plain.length)), '3801' + '420175');
    assert.deepEqual(decodeTokenRecord(mb), mini);
    assert.deepEqual(decodeTokenRecord(encodeTokenRecord({ ...mini, tokenType: 2, tokenUri: '' })), { ...mini, tokenType: 2, tokenUri: '' });
  });
});

describe('modules/tokens BEP8: msg codecs and sign bytes', () => {
  it('amino prefixes are the registered names of spec §4.2', () => {
    assert.equal(toHex(msgPrefix('tokens/IssueMiniMsg')).toUpperCase(), 'A3F16C41');
    assert.equal(toHex(msgPrefix('tokens/IssueTinyMsg')).toUpperCase(), 'ED2832D4');
    assert.equal(toHex(msgPrefix('tokens/SetURIMsg')).toUpperCase(), '7B1D34E7');
  });

  it('binary and sign bytes equal what the SDK builds for the same msgs', () => {
    const msgs = [
      issueMini('MIN', 100n * BNB, { mintable: true }),
      issueTiny('tiny1', BNB, { token_uri: '' }),
      issueMini('MIN', 1_000_000n * BNB, { name: 'a "quoted" \\ name', token_uri: 'ipfs://Qm/x?y=1' }),
      setUri('MIN-ABCM', 'https://x.example/m.json'),
    ];
    for (const m of msgs) {
      assert.equal(toHex(encodeMsg(m)), sdkAmino.marshalBinaryBare(sdkMsg(m).getMsg()).toString('hex'), m.type);
      assert.equal(ourSignBytes(m, 7, 3, 'memo'), sdkSignBytes(m, 7, 3, 'memo'), m.type);
    }
    // token_uri is in the sign JSON even when empty (Go json.Marshal, no omitempty)
    assert.match(ourSignBytes(issueTiny('TNY', BNB, { token_uri: '' }), 0, 0, ''), /"token_uri":""/);
  });

  const addrArb = fc.uint8Array({ minLength: 20, maxLength: 20 });
  const issueArb = fc.record({
    type: fc.constantFrom('tokens/IssueMiniMsg' as const, 'tokens/IssueTinyMsg' as const),
    from: addrArb,
    name: fc.string({ unit: 'binary', maxLength: 40 }),
    symbol: fc.string({ maxLength: 12 }),
    total_supply: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
    mintable: fc.boolean(),
    token_uri: fc.string({ unit: 'binary', maxLength: 300 }),
  });
  const setArb = fc.record({ type: fc.constant('tokens/SetURIMsg' as const), from: addrArb, symbol: fc.string({ maxLength: 12 }), token_uri: fc.string({ unit: 'binary', maxLength: 300 }) });

  it('property: decode(encode(m)) = m for all three msgs', () => {
    fc.assert(
      fc.property(fc.oneof(issueArb, setArb), (m) => {
        const back = decodeMsg(encodeMsg(m as Msg | { type: string }));
        assert.deepEqual(back, { ...m });
      }),
      { numRuns: 300 },
    );
  });

  it('property: the SDK encodes and signs the same bytes (plain ASCII text, JS-safe supply)', () => {
    // Go escapes < > & in sign JSON and JSON.stringify does not: texts avoid them here.
    const text = (max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9 ./:?=_-]{0,${max}}$`));
    const arb = fc.record({
      type: fc.constantFrom('tokens/IssueMiniMsg' as const, 'tokens/IssueTinyMsg' as const),
      from: addrArb,
      name: text(32),
      symbol: fc.stringMatching(/^[A-Za-z0-9]{3,8}$/),
      total_supply: fc.bigInt({ min: 1n, max: BigInt(Number.MAX_SAFE_INTEGER) }),
      mintable: fc.boolean(),
      token_uri: text(200),
    });
    fc.assert(
      fc.property(fc.oneof(arb, setArb.map((s) => ({ ...s, symbol: 'ABC-123M', token_uri: s.token_uri.replace(/[^A-Za-z0-9]/g, '') }))), (m) => {
        assert.equal(toHex(encodeMsg(m)), sdkAmino.marshalBinaryBare(sdkMsg(m).getMsg()).toString('hex'));
        assert.equal(ourSignBytes(m, 1, 2, ''), sdkSignBytes(m, 1, 2, ''));
      }),
      { numRuns: 150 },
    );
  });

  it('the live SDK client (HTTP stubbed): issueMiniToken / issueTinyToken / setTokenUri decode and verify', async function () {
    this.timeout(20_000);
    const client = new sdk.BncClient('http://127.0.0.1:1');
    client.chooseNetwork('testnet');
    client._httpClient.request = async () => ({ result: { sequence: 5, account_number: 7 } });
    await client.setPrivateKey('30c5e838578a29e3e9273edddd753d6c9b38aca2446dd84bdfe2e5988b0da0a1', true);
    client.chainId = CHAIN;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let cap: any;
    client.setBroadcastDelegate(async (tx: unknown) => (cap = tx));
    const addr = client.getClientKeyAddress();
    const check = async (run: () => Promise<unknown>, type: string) => {
      await run();
      const d = decodeTx(Buffer.from(cap.serialize(), 'hex'));
      assert.equal(d.tx.msgs[0]!.type, type);
      const s = d.tx.signatures[0]!;
      assert.ok(verifySig(s.signature, txSignBytes(d.tx, s, CHAIN, HRP), s.pub_key), type);
      return d.tx.msgs[0] as unknown;
    };
    const mini = (await check(() => client.tokens.issueMiniToken(addr, 'Mini', 'MIN', 12.5, true, 'https://a.example/t'), 'tokens/IssueMiniMsg')) as IssueMiniMsg;
    assert.equal(mini.total_supply, 1_250_000_000n);
    assert.equal(mini.token_uri, 'https://a.example/t');
    assert.equal(mini.mintable, true);
    const tiny = (await check(() => client.tokens.issueTinyToken(addr, 'Tiny', 'TNY', 100, false, ''), 'tokens/IssueTinyMsg')) as IssueTinyMsg;
    assert.equal(tiny.total_supply, 100n * BNB);
    assert.equal(tiny.token_uri, '');
    const su = (await check(() => client.tokens.setTokenUri({ fromAddress: addr, tokenUri: 'https://b.example', symbol: 'MIN-ABCM' }), 'tokens/SetURIMsg')) as SetURIMsg;
    assert.equal(su.symbol, 'MIN-ABCM');
    assert.equal(su.token_uri, 'https://b.example');
  });
});

async function setup(): Promise<Harness> {
  return newApp({ bnb: [[alice, START], [bob, 1000n * BNB]] });
}

/** Issues a mini/tiny token through a block; returns its symbol. */
async function issued(h: Harness, m: IssueMiniMsg | IssueTinyMsg): Promise<string> {
  const tx = signNext(h, alice, m as unknown as Msg);
  const symbol = `${m.symbol.toUpperCase()}-${decodeTx(tx).hash.slice(0, 3)}M`;
  await deliverOk(h, tx);
  return symbol;
}

function query(h: Harness, path: string): unknown {
  const r = h.app.query(path, new Uint8Array(0));
  if (r.code !== 0) throw new Error(`query ${path}: ${r.code} ${r.log}`);
  return JSON.parse(dec.decode(r.value));
}

describe('modules/tokens BEP8: issue and SetURI through the app', () => {
  it('issue mini: symbol BASE-XXXM from the tx hash, supply to the issuer, 3 BNB fee, type and URI kept', async () => {
    const h = await setup();
    const tx = signNext(h, alice, issueMini('mnt', 500n * BNB) as unknown as Msg);
    const hash = decodeTx(tx).hash;
    const symbol = `MNT-${hash.slice(0, 3)}M`;
    const r = await deliverOk(h, tx);
    const data = JSON.parse(dec.decode(r.data));
    assert.deepEqual(data, {
      name: 'Mini Token',
      symbol,
      original_symbol: 'MNT',
      total_supply: '500.00000000',
      owner: alice.bech32,
      mintable: false,
      token_type: 2,
      token_uri: 'https://example.org/mini.json',
    });
    assert.equal(bal(h, alice, symbol), 500n * BNB);
    assert.equal(bal(h, alice), START - MINI_FEE);
    const t = h.app.tokens.getToken(view(h), symbol)!;
    assert.equal(t.tokenType, 2);
    assert.equal(t.tokenUri, 'https://example.org/mini.json');
    // BEP2 lists leave it out; the mini list and info carry it
    assert.ok(!h.app.queries.tokens(0, 100).some((x) => x.symbol === symbol));
    assert.ok(h.app.queries.token(symbol), '/api/v1/tokens/{symbol} finds a mini symbol');
    assert.deepEqual(query(h, `mini-tokens/info/${symbol}`), data);
    assert.deepEqual(query(h, 'mini-tokens/list/0/10'), [data]);
  });

  it('issue tiny: 2 BNB fee, token_type 1; the cap 10,000 tokens is allowed exactly', async () => {
    const h = await setup();
    const symbol = await issued(h, issueTiny('tny', 10_000n * BNB, { token_uri: '' }));
    assert.ok(/^TNY-[0-9A-F]{3}M$/.test(symbol));
    assert.equal(bal(h, alice, symbol), 10_000n * BNB);
    assert.equal(bal(h, alice), START - TINY_FEE);
    assert.equal(h.app.tokens.getToken(view(h), symbol)!.tokenType, 1);
  });

  it('supply bounds: tiny ≤ 10,000e8, mini ≤ 1,000,000e8, both ≥ 1e8 → invalidAmount', async () => {
    const h = await setup();
    await expectRejected(h, signNext(h, alice, issueTiny('TNY', 10_000n * BNB + 1n) as unknown as Msg), tok('invalidAmount'), 'tiny token total supply');
    await expectRejected(h, signNext(h, alice, issueMini('MNT', 1_000_000n * BNB + 1n) as unknown as Msg), tok('invalidAmount'), 'mini token total supply');
    await expectRejected(h, signNext(h, alice, issueMini('MNT', BNB - 1n) as unknown as Msg), tok('invalidAmount'));
    await expectRejected(h, signNext(h, alice, issueTiny('TNY', 0n) as unknown as Msg), tok('invalidAmount'));
    await issued(h, issueMini('MNT', 1_000_000n * BNB));
  });

  it('symbol, name and URI rules', async () => {
    const h = await setup();
    for (const s of ['AB', 'ABCDEFGHI', 'AB_C', 'BNB', 'bnb', 'ABC.B', '']) {
      await expectRejected(h, signNext(h, alice, issueMini(s, BNB) as unknown as Msg), tok('invalidSymbol'));
    }
    await expectRejected(h, signNext(h, alice, issueMini('ABC', BNB, { name: '' }) as unknown as Msg), tok('invalidName'));
    await expectRejected(h, signNext(h, alice, issueMini('ABC', BNB, { name: 'n'.repeat(33) }) as unknown as Msg), tok('invalidName'));
    await expectRejected(h, signNext(h, alice, issueTiny('ABC', BNB, { token_uri: 'u'.repeat(2049) }) as unknown as Msg), tok('invalidTokenUri'));
    // 2048 bytes is allowed; the byte length counts (é is 2 bytes)
    await expectRejected(h, signNext(h, alice, issueTiny('ABC', BNB, { token_uri: 'é'.repeat(1025) }) as unknown as Msg), tok('invalidTokenUri'));
    await issued(h, issueTiny('ABC', BNB, { token_uri: 'u'.repeat(2048) }));
  });

  it('too little BNB for the 3 BNB fee → insufficientFunds', async () => {
    const h = await newApp({ bnb: [[bob, MINI_FEE - 1n]] });
    await expectRejected(h, signNext(h, bob, issueMini('ABC', BNB, { from: bob.addr }) as unknown as Msg), root('insufficientFunds'));
  });

  it('SetURI: owner only, mini tokens only, URI 1–2048 bytes, fee 37,500', async () => {
    const h = await setup();
    const symbol = await issued(h, issueMini('MNT', 10n * BNB));
    const before = bal(h, alice);
    const r = await deliverOk(h, signNext(h, alice, setUri(symbol, 'ipfs://new') as unknown as Msg));
    assert.equal(dec.decode(r.data), 'ipfs://new');
    assert.equal(h.app.tokens.getToken(view(h), symbol)!.tokenUri, 'ipfs://new');
    assert.equal(bal(h, alice), before - SET_URI_FEE);
    await expectRejected(h, signNext(h, bob, setUri(symbol, 'ipfs://bob', bob.addr) as unknown as Msg), tok('notOwner'));
    await expectRejected(h, signNext(h, alice, setUri(symbol, '') as unknown as Msg), tok('invalidTokenUri'));
    await expectRejected(h, signNext(h, alice, setUri(symbol, 'x'.repeat(2049)) as unknown as Msg), tok('invalidTokenUri'));
    await expectRejected(h, signNext(h, alice, setUri('NOPE-000M', 'x') as unknown as Msg), tok('unknownSymbol'));
    // a BEP2 symbol is not a mini symbol
    await expectRejected(h, signNext(h, alice, setUri('BNB', 'x') as unknown as Msg), tok('invalidSymbol'));
    await deliverOk(h, signNext(h, alice, setUri(symbol, 'y'.repeat(2048)) as unknown as Msg));
  });
});

describe('modules/tokens BEP8: BEP2 ops on mini tokens', () => {
  it('mint: mintable only, owner only, ≥ 1e8, and the range cap holds (tiny 10,000 tokens)', async () => {
    const h = await setup();
    const sym = await issued(h, issueTiny('TNY', 9_000n * BNB, { mintable: true }));
    const fixed = await issued(h, issueTiny('FIX', 10n * BNB));
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, fixed, BNB)), tok('notMintable'));
    await expectRejected(h, signNext(h, bob, amountMsg('tokens/MintMsg', bob.addr, sym, BNB)), tok('notOwner'));
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, sym, BNB - 1n)), tok('invalidAmount'));
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, sym, 1_000n * BNB + 1n)), tok('invalidAmount'), 'may not exceed 1000000000000');
    await deliverOk(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, sym, 1_000n * BNB)));
    assert.equal(h.app.tokens.getToken(view(h), sym)!.totalSupply, 10_000n * BNB);
    assert.equal(bal(h, alice, sym), 10_000n * BNB);
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, sym, BNB)), tok('invalidAmount'));
  });

  it('mint cap of a mini token is 1,000,000 tokens', async () => {
    const h = await setup();
    const sym = await issued(h, issueMini('MNT', 999_999n * BNB, { mintable: true }));
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, sym, 2n * BNB)), tok('invalidAmount'));
    await deliverOk(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, sym, BNB)));
  });

  it('transfer, freeze/unfreeze and burn work on a mini token; under 1 token only as the whole balance', async () => {
    const h = await setup();
    const sym = await issued(h, issueMini('MNT', 100n * BNB));
    await deliverOk(h, signNext(h, alice, send(alice.addr, bob.addr, sym, 10n * BNB + 50n)));
    assert.equal(bal(h, bob, sym), 10n * BNB + 50n);
    assert.equal(bal(h, alice, sym), 90n * BNB - 50n);
    // freeze: ≥ 1e8, or all of the free balance
    await expectRejected(h, signNext(h, bob, amountMsg('tokens/FreezeMsg', bob.addr, sym, 50n)), tok('invalidAmount'));
    await deliverOk(h, signNext(h, bob, amountMsg('tokens/FreezeMsg', bob.addr, sym, 10n * BNB)));
    await deliverOk(h, signNext(h, bob, amountMsg('tokens/FreezeMsg', bob.addr, sym, 50n)));
    assert.equal(bal(h, bob, sym), 0n);
    // unfreeze: ≥ 1e8, or all of the frozen balance
    await expectRejected(h, signNext(h, bob, amountMsg('tokens/UnfreezeMsg', bob.addr, sym, 50n)), tok('invalidAmount'));
    await deliverOk(h, signNext(h, bob, amountMsg('tokens/UnfreezeMsg', bob.addr, sym, 10n * BNB + 50n)));
    // burn (any holder, own free balance): ≥ 1e8 or the whole balance
    await expectRejected(h, signNext(h, bob, amountMsg('tokens/BurnMsg', bob.addr, sym, 50n)), tok('invalidAmount'));
    await deliverOk(h, signNext(h, bob, amountMsg('tokens/BurnMsg', bob.addr, sym, 10n * BNB)));
    await deliverOk(h, signNext(h, bob, amountMsg('tokens/BurnMsg', bob.addr, sym, 50n)));
    assert.equal(bal(h, bob, sym), 0n);
    assert.equal(h.app.tokens.getToken(view(h), sym)!.totalSupply, 90n * BNB - 50n);
    // beyond the balance is the bank's error, as for BEP2
    await expectRejected(h, signNext(h, bob, amountMsg('tokens/BurnMsg', bob.addr, sym, BNB)), root('insufficientCoins'));
  });

  it('ownership transfer moves SetURI rights', async () => {
    const h = await setup();
    const sym = await issued(h, issueMini('MNT', 10n * BNB));
    await deliverOk(h, signNext(h, alice, { type: 'tokens/TransferOwnershipMsg', from: alice.addr, symbol: sym, new_owner: bob.addr }));
    await expectRejected(h, signNext(h, alice, setUri(sym, 'a') as unknown as Msg), tok('notOwner'));
    await deliverOk(h, signNext(h, bob, setUri(sym, 'b', bob.addr) as unknown as Msg));
    assert.equal(h.app.tokens.getToken(view(h), sym)!.tokenUri, 'b');
  });
});

describe('modules/tokens BEP8: genesis', () => {
  const owner = key('mini-genesis-owner');
  const doc = (extra: Record<string, unknown>) => {
    const d = genesisDoc({ tokens: [{ symbol: 'GEN-1A2M', owner, supply: 1_000n * BNB }] }) as { app_state: { tokens: Record<string, unknown>[] } };
    Object.assign(d.app_state.tokens.find((t) => t.symbol === 'GEN-1A2M')!, extra);
    return d;
  };

  it('a BASE-XXXM symbol needs its token_type and stays within that range; the token is then mini', () => {
    assert.throws(() => validateGenesis(doc({})), /token_type/);
    assert.throws(() => validateGenesis(doc({ token_type: 3 })), /token_type/);
    // 1,000 tokens fits tiny (≤ 10,000) and mini; 20,000 does not fit tiny
    const g = validateGenesis(doc({ token_type: 2, token_uri: 'https://example.org/gen' }));
    const t = g.tokens.find((x) => x.symbol === 'GEN-1A2M')!;
    assert.equal(t.tokenType, 2);
    assert.equal(t.tokenUri, 'https://example.org/gen');
    const big = genesisDoc({ tokens: [{ symbol: 'GEN-1A2M', owner, supply: 20_000n * BNB }] }) as { app_state: { tokens: Record<string, unknown>[] } };
    Object.assign(big.app_state.tokens.find((x) => x.symbol === 'GEN-1A2M')!, { token_type: 1 });
    assert.throws(() => validateGenesis(big), /total_supply/);
  });

  it('a BEP2 symbol carries no token_type or token_uri', () => {
    const d = genesisDoc({ tokens: [{ symbol: 'GEN-1A2', owner, supply: 1_000n * BNB }] }) as { app_state: { tokens: Record<string, unknown>[] } };
    Object.assign(d.app_state.tokens.find((x) => x.symbol === 'GEN-1A2')!, { token_type: 2 });
    assert.throws(() => validateGenesis(d), /only mini-token symbols/);
  });
});
