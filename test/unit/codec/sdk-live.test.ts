/**
 * Drives the real SDK client methods offline (HTTP stubbed, broadcast captured) for the msg
 * types sdk-tx.json lacks, and decodes our query encodings with the SDK's own amino decoder.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  decodeTx,
  encodeTx,
  txSignBytes,
  encodeAppAccount,
  encodeToken,
  encodeTokenList,
  decodeAppAccount,
  escrowAddress,
  type SubmitProposalMsg,
  type VoteMsg,
  type DepositMsg,
  type ListMsg,
  type TimeLockMsg,
  type TimeRelockMsg,
  type TimeUnlockMsg,
} from '../../../src/codec/index.js';
import { hex, verifySig, loadVectors } from './helpers.js';

const require = createRequire(import.meta.url);
const sdk = require('@binance-chain/javascript-sdk');
const decoder = require('@binance-chain/javascript-sdk/lib/amino/decoder');
const rpcTypes = require('@binance-chain/javascript-sdk/lib/types/rpc');

const PK = '30c5e838578a29e3e9273edddd753d6c9b38aca2446dd84bdfe2e5988b0da0a1';
const CHAIN = 'Binance-Chain-Ganges';

async function makeClient(): Promise<{ client: any; captured: () => any; addr: string }> {
  const client = new sdk.BncClient('http://127.0.0.1:1');
  client.chooseNetwork('testnet');
  client._httpClient.request = async () => ({ result: { sequence: 5, account_number: 7 } });
  await client.setPrivateKey(PK, true);
  client.chainId = CHAIN;
  let cap: any;
  client.setBroadcastDelegate(async (tx: any) => {
    cap = tx;
    return tx;
  });
  return { client, captured: () => cap, addr: client.getClientKeyAddress() };
}

describe('codec: txs produced live by the SDK client', function () {
  this.timeout(30000);
  let env: Awaited<ReturnType<typeof makeClient>>;
  before(async () => {
    env = await makeClient();
  });

  async function roundTrip(run: () => Promise<unknown>) {
    await run();
    const bytes = hex(env.captured().serialize());
    const d = decodeTx(bytes);
    assert.deepEqual(encodeTx(d.tx), bytes, 're-encode');
    const s = d.tx.signatures[0]!;
    assert.equal(s.account_number, 7n);
    assert.equal(s.sequence, 5n);
    const sb = txSignBytes(d.tx, s, CHAIN, 'tbnb');
    assert.ok(verifySig(s.signature, sb, s.pub_key), `signature over ${new TextDecoder().decode(sb)}`);
    return { d, sb: new TextDecoder().decode(sb) };
  }

  it('gov.submitProposal', async () => {
    const { d, sb } = await roundTrip(() => env.client.gov.submitProposal(env.addr, 'list XYZ', 'please', 4, 10, 3600));
    const m = d.tx.msgs[0] as SubmitProposalMsg;
    assert.equal(m.type, 'cosmos-sdk/MsgSubmitProposal');
    assert.equal(m.proposal_type, 4);
    assert.equal(m.voting_period, 3600n * 1_000_000_000n);
    assert.deepEqual(m.initial_deposit, [{ denom: 'BNB', amount: 1_000_000_000n }]);
    assert.match(sb, /"initial_deposit":\[\{"amount":"1000000000","denom":"BNB"\}\],"proposal_type":"ListTradingPair"/);
    assert.match(sb, /"voting_period":"3600000000000"/);
  });

  it('gov.vote', async () => {
    const { d, sb } = await roundTrip(() => env.client.gov.vote(3, env.addr, 1));
    const m = d.tx.msgs[0] as VoteMsg;
    assert.deepEqual([m.type, m.proposal_id, m.option], ['cosmos-sdk/MsgVote', 3n, 1]);
    assert.match(sb, /\{"option":"Yes","proposal_id":"3","voter":"tbnb1/);
  });

  it('gov.deposit', async () => {
    const { d, sb } = await roundTrip(() => env.client.gov.deposit(3, env.addr, [{ denom: 'BNB', amount: 2 }]));
    const m = d.tx.msgs[0] as DepositMsg;
    assert.equal(m.type, 'cosmos-sdk/MsgDeposit');
    assert.deepEqual(m.amount, [{ denom: 'BNB', amount: 200_000_000n }]);
    assert.match(sb, /"depositer":"tbnb1/);
  });

  it('list', async () => {
    const { d, sb } = await roundTrip(() => env.client.list(env.addr, 3, 'XYZ-14A', 'BNB', 1.5));
    const m = d.tx.msgs[0] as ListMsg;
    assert.deepEqual([m.type, m.proposal_id, m.init_price], ['dex/ListMsg', 3n, 150_000_000n]);
    assert.match(sb, /"init_price":150000000,/);
  });

  it('tokens.timeLock / timeRelock / timeUnlock', async () => {
    const a = await roundTrip(() => env.client.tokens.timeLock(env.addr, 'lock it', [{ denom: 'BNB', amount: 1 }], 1900000000));
    const lock = a.d.tx.msgs[0] as TimeLockMsg;
    assert.equal(lock.type, 'tokens/TimeLockMsg');
    assert.equal(lock.lock_time, 1900000000n);
    const b = await roundTrip(() =>
      env.client.tokens.timeRelock(env.addr, 9, 'again', [{ denom: 'BNB', amount: 2 }], 1900000100),
    );
    const relock = b.d.tx.msgs[0] as TimeRelockMsg;
    assert.deepEqual([relock.type, relock.time_lock_id, relock.description], ['tokens/TimeRelockMsg', 9n, 'again']);
    const c = await roundTrip(() => env.client.tokens.timeUnlock(env.addr, 9));
    const unlock = c.d.tx.msgs[0] as TimeUnlockMsg;
    assert.deepEqual([unlock.type, unlock.time_lock_id], ['tokens/TimeUnlockMsg', 9n]);
  });
});

describe('codec: query values decoded by the SDK rpc decoder', () => {
  const keys = loadVectors().keys;
  const owner = hex(keys.sender.address_hex);
  const pub = hex(keys.sender.pubkey_compressed_hex);

  it('bnbchain/Account (bare) as getAccount decodes it', () => {
    const value = {
      address: owner,
      // one coin per list: the SDK decoder skips a byte after every list element, so it reads
      // only the first element of any Go-encoded list (bnb-chain/javascript-sdk#317)
      coins: [{ denom: 'BNB', amount: 123_456_789n }],
      pubKey: pub,
      accountNumber: 7n,
      sequence: 42n,
      name: 'alice',
      frozen: [{ denom: 'BNB', amount: 3n }],
      locked: [{ denom: 'XYZ-14A', amount: 4n }],
      flags: 0n,
    };
    const bytes = encodeAppAccount(value);
    assert.equal(Buffer.from(bytes.subarray(0, 4)).toString('hex').toUpperCase(), '4BDC4C27');
    assert.deepEqual(decodeAppAccount(bytes), value);
    const acc = new rpcTypes.AppAccount();
    decoder.unMarshalBinaryBare(Buffer.from(bytes), acc);
    assert.equal(sdk.crypto.encodeAddress(acc.base.address, 'tbnb'), keys.sender.address_tbnb);
    assert.deepEqual(acc.base.coins.map((c: any) => [c.denom, c.amount]), [['BNB', 123456789]]);
    assert.equal(Buffer.from(acc.base.public_key).toString('hex'), 'eb5ae98721' + keys.sender.pubkey_compressed_hex);
    assert.equal(acc.base.account_number, 7);
    assert.equal(acc.base.sequence, 42);
    assert.equal(acc.name, 'alice');
    // the SDK names Go's field 3 (frozen) "locked" and field 4 "frozen" (client-api §3)
    assert.deepEqual(acc.locked.map((c: any) => [c.denom, c.amount]), [['BNB', 3]]);
    assert.deepEqual(acc.frozen.map((c: any) => [c.denom, c.amount]), [['XYZ-14A', 4]]);
  });

  it('bnbchain/Token (length-prefixed) as getTokenInfo decodes it', () => {
    const t = { name: 'Test Token', symbol: 'XYZ-14A', originalSymbol: 'XYZ', totalSupply: 100_000_000_000_000n, owner, mintable: true };
    const bytes = encodeToken(t);
    const tok = new rpcTypes.Token();
    decoder.unMarshalBinaryLengthPrefixed(Buffer.from(bytes), tok);
    assert.deepEqual(
      [tok.name, tok.symbol, tok.original_symbol, tok.total_supply, tok.mintable],
      ['Test Token', 'XYZ-14A', 'XYZ', 100000000000000, true],
    );
    assert.equal(Buffer.from(tok.owner).toString('hex'), keys.sender.address_hex);
    assert.equal(Buffer.from(encodeToken(t, false).subarray(0, 4)).toString('hex').toUpperCase(), '140364E6');
  });

  it('account with several coins and flags round-trips through our decoder', () => {
    const value = {
      address: owner,
      coins: [
        { denom: 'BNB', amount: 1n },
        { denom: 'XYZ-14A', amount: 9_000_000_000_000_000_000n },
      ],
      accountNumber: 0n,
      sequence: 0n,
      name: '',
      frozen: [],
      locked: [{ denom: 'BNB', amount: 2n }, { denom: 'XYZ-14A', amount: 3n }],
      flags: 1n,
    };
    assert.deepEqual(decodeAppAccount(encodeAppAccount(value)), value);
  });

  it('token list as listAllTokens decodes it', () => {
    const esc = escrowAddress('BinanceChainTimeLockCoins');
    const list = [
      { name: 'Binance Chain Native Token', symbol: 'BNB', originalSymbol: 'BNB', totalSupply: 20_000_000_000_000_000n, owner, mintable: false },
      { name: 'Test Token', symbol: 'XYZ-14A', originalSymbol: 'XYZ', totalSupply: 100_000_000_000_000n, owner: esc, mintable: true },
    ];
    const bytes = Buffer.from(encodeTokenList(list));
    // exactly what rpc.listAllTokens does
    const { val } = decoder.unMarshalBinaryLengthPrefixed(bytes, [new rpcTypes.TokenOfList()]);
    decoder.unMarshalBinaryLengthPrefixed(bytes, val);
    const shape = (x: any) => [x.name, x.symbol, x.original_symbol, x.total_supply, x.mintable, Buffer.from(x.owner).toString('hex')];
    const ours = (x: (typeof list)[number]) => [x.name, x.symbol, x.originalSymbol, Number(x.totalSupply), x.mintable, Buffer.from(x.owner).toString('hex')];
    // the SDK decoder returns only the first element of a multi-element list (sdk#317) ...
    assert.deepEqual(val.map(shape), [ours(list[0]!)]);
    // ... and every element of a one-element list
    for (const t of list) {
      const one = Buffer.from(encodeTokenList([t]));
      const r = decoder.unMarshalBinaryLengthPrefixed(one, [new rpcTypes.TokenOfList()]).val;
      decoder.unMarshalBinaryLengthPrefixed(one, r);
      assert.deepEqual(r.map(shape), [ours(t)]);
    }
    const empty = Buffer.from(encodeTokenList([]));
    assert.deepEqual(decoder.unMarshalBinaryLengthPrefixed(empty, [new rpcTypes.TokenOfList()]).val, []);
  });
});
