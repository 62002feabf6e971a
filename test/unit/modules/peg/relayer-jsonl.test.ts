/** The relayer with the JSON-lines feed adapter: three custodians, deposits and reserves from a feed, payout instructions, restart safety. */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlAdapter, Relayer, RelayerState, TxSigner, type ChainPort, type SubmitResult } from '../../../../src/relayer/index.js';
import { ALICE, BNB, BTC, C, bal, block, newPegApp, ok, q, type PegHarness } from './helpers.js';

/** A port that runs one block per submitted tx (invariants checked by `block`). */
function port(h: PegHarness): ChainPort & { submitted: number } {
  return {
    hrp: 'tbnb',
    submitted: 0,
    async chainId() {
      return h.app.chain().chainId;
    },
    async account(bech32) {
      const a = h.app.queries.account(bech32);
      return a ? { accountNumber: BigInt(a.account_number), sequence: BigInt(a.sequence) } : undefined;
    },
    async broadcast(tx): Promise<SubmitResult> {
      this.submitted++;
      h.seq.clear();
      const r = (await block(h, [tx])).txResults[0]!;
      return { code: r.code, log: r.log, hash: r.hash };
    },
    async query(path) {
      const r = h.app.query(path, new Uint8Array(0));
      if (r.code !== 0) return undefined;
      return JSON.parse(new TextDecoder().decode(r.value));
    },
  };
}

describe('relayer (JSON-lines feed)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'peg-relayer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('feed → reserves + deposit attested by three relayers → mint; ready withdrawal → instruction → payout record → burn; a restart repeats nothing', async () => {
    const h = await newPegApp();
    const p = port(h);
    const feed = join(dir, 'bitcoin.jsonl');
    const make = (i: number) =>
      new Relayer({
        signer: new TxSigner(C[i]!.priv, p),
        adapters: [new JsonlAdapter({ type: 'jsonl', asset: 'BTC', network: 'bitcoin', feed, instructions: join(dir, `payouts-${i}.jsonl`) })],
        state: new RelayerState(join(dir, `state-${i}.json`)),
      });
    const rs = [0, 1, 2].map(make);
    writeFileSync(feed, JSON.stringify({ kind: 'reserve', amount: '10', ext_height: 840000 }) + '\n');
    appendFileSync(feed, JSON.stringify({ kind: 'deposit', ext_tx_id: 'aa'.repeat(32), ext_index: 1, recipient: ALICE.bech32, amount: '1.5', ext_height: 840000 }) + '\n');
    appendFileSync(feed, 'this is not json\n{"kind":"deposit","ext_tx_id":"bb"'); // a bad line, and a partial one
    for (const r of rs) await r.tick();
    assert.equal(bal(h, ALICE, BTC), 150_000_000n);
    assert.equal(q(h, 'peg/reserves')[0].networks[0].reserve, '10.00000000');

    await ok(h, ALICE, { type: 'peg/Withdraw', from: ALICE.addr, asset: 'BTC', network: 'bitcoin', ext_address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', amount: BNB });
    for (const r of rs) await r.tick();
    const instr = readFileSync(join(dir, 'payouts-0.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(instr, [{ kind: 'payout_instruction', request_id: '1', asset: 'BTC', network: 'bitcoin', ext_address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', amount: '1.00000000', owner: ALICE.bech32 }]);
    // the wallet paid; the feed says so (finishing the partial line first)
    appendFileSync(feed, `,"recipient":"${ALICE.bech32}","amount":"0.1"}\n` + JSON.stringify({ kind: 'payout', request_id: '1', ext_tx_id: 'cc'.repeat(32) }) + '\n');
    for (const r of rs) await r.tick();
    assert.equal(q(h, 'peg/withdrawal/1').status, 'completed');
    assert.equal(q(h, 'peg/withdrawal/1').ext_tx_id, 'cc'.repeat(32));

    // restarts from the state files: nothing submitted again, no second instruction
    const before = p.submitted;
    for (const i of [0, 1, 2]) {
      await make(i).tick();
      await make(i).tick();
    }
    assert.equal(p.submitted, before);
    assert.equal(readFileSync(join(dir, 'payouts-0.jsonl'), 'utf8').trim().split('\n').length, 1);
    assert.ok(existsSync(join(dir, 'state-2.json')));
  });
});
