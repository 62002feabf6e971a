/**
 * Shared pieces of the peg EVM end-to-end tests: a hand-assembled ERC-20 (no compiler here), a
 * ganache chain, an in-process dexchain app that produces blocks, and the chain port the
 * relayers use to reach it.
 *
 * The token (runtime ≈ 170 bytes), written out opcode by opcode below:
 *   - balances live at storage slot = holder address; the constructor gives the deployer the supply;
 *   - `transfer(address,uint256)` (0xa9059cbb): reverts on insufficient balance, moves the value,
 *     emits `Transfer(from, to, value)`, returns true; trailing call data is ignored (the relayer
 *     appends a payout tag);
 *   - `balanceOf(address)` (0x70a08231) and `decimals()` (0x313ce567, = 6) for reads.
 */
import ganache from 'ganache';
import { Wallet } from 'ethers';
import { DexApp } from '../../src/app/app.js';
import type { AppEvent } from '../../src/app/abci.js';
import { memoryStateStore } from '../../src/state/index.js';
import { pegInvariants, type PegKeeper } from '../../src/modules/peg/index.js';
import type { ChainPort, SubmitResult } from '../../src/relayer/index.js';
import { JsonRpc } from '../../src/relayer/index.js';
import { countingVerifier, genesisDoc, runBlock, view, type Harness, type Key } from '../unit/app/helpers.js';

// ---------------------------------------------------------------------------------------------
// a tiny assembler: opcodes, pushes and labels

type Item = string | { push: string } | { label: string } | { ref: string };

const OP: Record<string, number> = {
  STOP: 0x00, ADD: 0x01, SUB: 0x03, LT: 0x10, EQ: 0x14, AND: 0x16, SHR: 0x1c, CALLER: 0x33, CALLDATALOAD: 0x35,
  CODECOPY: 0x39, MSTORE: 0x52, SLOAD: 0x54, SSTORE: 0x55, JUMPI: 0x57, JUMPDEST: 0x5b, DUP1: 0x80, DUP2: 0x81,
  DUP3: 0x82, SWAP1: 0x90, LOG3: 0xa3, RETURN: 0xf3, REVERT: 0xfd,
};

function assemble(items: Item[]): Uint8Array {
  const size = (it: Item) => (typeof it === 'string' ? 1 : 'push' in it ? 1 + it.push.length / 2 : 'ref' in it ? 3 : 1);
  const labels = new Map<string, number>();
  let pc = 0;
  for (const it of items) {
    if (typeof it === 'object' && 'label' in it) labels.set(it.label, pc);
    pc += size(it);
  }
  const out: number[] = [];
  for (const it of items) {
    if (typeof it === 'string') {
      const op = OP[it];
      if (op === undefined) throw new Error(`unknown opcode ${it}`);
      out.push(op);
    } else if ('push' in it) {
      const n = it.push.length / 2;
      out.push(0x5f + n, ...Buffer.from(it.push, 'hex'));
    } else if ('label' in it) {
      out.push(OP.JUMPDEST!);
    } else {
      const dest = labels.get(it.ref);
      if (dest === undefined) throw new Error(`unknown label ${it.ref}`);
      out.push(0x61, dest >> 8, dest & 0xff);
    }
  }
  return new Uint8Array(out);
}

const p = (hex: string): Item => ({ push: hex.length % 2 ? '0' + hex : hex });
const MASK = 'ff'.repeat(20);
const TRANSFER_TOPIC = 'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

export function tokenRuntime(): Uint8Array {
  return assemble([
    p('00'), 'CALLDATALOAD', p('e0'), 'SHR',
    'DUP1', p('a9059cbb'), 'EQ', { ref: 'transfer' }, 'JUMPI',
    'DUP1', p('70a08231'), 'EQ', { ref: 'balanceOf' }, 'JUMPI',
    'DUP1', p('313ce567'), 'EQ', { ref: 'decimals' }, 'JUMPI',
    p('00'), 'DUP1', 'REVERT',
    { label: 'transfer' },
    p('24'), 'CALLDATALOAD', //                       [amt]
    'CALLER', 'SLOAD', //                             [bal, amt]
    'DUP2', 'DUP2', 'LT', { ref: 'fail' }, 'JUMPI', //  bal < amt → revert
    'DUP2', 'SWAP1', 'SUB', 'CALLER', 'SSTORE', //     balance[caller] = bal − amt; [amt]
    p('04'), 'CALLDATALOAD', p(MASK), 'AND', //        [to, amt]
    'DUP1', 'SLOAD', 'DUP3', 'ADD', 'DUP2', 'SSTORE', // balance[to] += amt; [to, amt]
    'SWAP1', p('00'), 'MSTORE', //                     mem[0] = amt; [to]
    'CALLER', p(TRANSFER_TOPIC), p('20'), p('00'), 'LOG3', // Transfer(caller, to, amt)
    p('01'), p('00'), 'MSTORE', p('20'), p('00'), 'RETURN',
    { label: 'balanceOf' },
    p('04'), 'CALLDATALOAD', p(MASK), 'AND', 'SLOAD', p('00'), 'MSTORE', p('20'), p('00'), 'RETURN',
    { label: 'decimals' },
    p('06'), p('00'), 'MSTORE', p('20'), p('00'), 'RETURN',
    { label: 'fail' },
    p('00'), 'DUP1', 'REVERT',
  ]);
}

/** Init code: balance[deployer] = supply, then return the runtime. */
export function tokenInitCode(supply: bigint): string {
  const rt = tokenRuntime();
  const head = (offset: number) =>
    assemble([
      p(supply.toString(16).padStart(64, '0')), 'CALLER', 'SSTORE',
      p(rt.length.toString(16).padStart(4, '0')), p(offset.toString(16).padStart(4, '0')), p('00'), 'CODECOPY',
      p(rt.length.toString(16).padStart(4, '0')), p('00'), 'RETURN',
    ]);
  const h = head(0);
  const init = head(h.length);
  return '0x' + Buffer.from(init).toString('hex') + Buffer.from(rt).toString('hex');
}

// ---------------------------------------------------------------------------------------------
// ganache

export interface Evm {
  url: string;
  rpc: JsonRpc;
  chainId: number;
  close(): Promise<void>;
  send(wallet: Wallet, tx: { to?: string; data: string; gasLimit?: number }): Promise<{ hash: string; status: string; contractAddress?: string }>;
  balanceOf(token: string, who: string): Promise<bigint>;
  mine(n: number): Promise<void>;
}

export async function startGanache(port: number, keys: string[]): Promise<Evm> {
  const server = ganache.server({
    wallet: { accounts: keys.map((k) => ({ secretKey: k, balance: '0x' + (10n ** 21n).toString(16) })) },
    chain: { chainId: 1337 },
    logging: { quiet: true },
    miner: { instamine: 'eager' },
  });
  await server.listen(port, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const rpc = new JsonRpc(url);
  const evm: Evm = {
    url,
    rpc,
    chainId: 1337,
    close: () => server.close(),
    async send(wallet, tx) {
      const nonce = Number(await rpc.call<string>('eth_getTransactionCount', [wallet.address, 'pending']));
      const raw = await wallet.signTransaction({
        type: 2,
        chainId: 1337n,
        nonce,
        to: tx.to ?? null,
        data: tx.data,
        gasLimit: tx.gasLimit ?? 300_000,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 10n ** 9n,
        value: 0n,
      });
      const hash = await rpc.call<string>('eth_sendRawTransaction', [raw]);
      const rcpt = await rpc.call<{ status: string; contractAddress?: string }>('eth_getTransactionReceipt', [hash]);
      return { hash, status: rcpt.status, contractAddress: rcpt.contractAddress ?? undefined };
    },
    async balanceOf(token, who) {
      const r = await rpc.call<string>('eth_call', [{ to: token, data: '0x70a08231' + who.slice(2).toLowerCase().padStart(64, '0') }, 'latest']);
      return BigInt(r);
    },
    async mine(n) {
      for (let i = 0; i < n; i++) await rpc.call('evm_mine', []);
    },
  };
  return evm;
}

/** Deploys the hand-assembled token with `supply` (raw units) held by `deployer`; its address. */
export async function deployToken(evm: Evm, deployer: Wallet, supply: bigint): Promise<string> {
  const r = await evm.send(deployer, { data: tokenInitCode(supply), gasLimit: 500_000 });
  if (r.status !== '0x1' || !r.contractAddress) throw new Error(`token deployment failed (status ${r.status})`);
  return r.contractAddress;
}

/** The token's `Transfer` logs sent from `from` (all blocks): how many payouts custody made. */
export async function transfersFrom(evm: Evm, token: string, from: string): Promise<{ tx: string; to: string; value: bigint }[]> {
  const logs = await evm.rpc.call<{ transactionHash: string; topics: string[]; data: string }[]>('eth_getLogs', [
    { fromBlock: '0x0', toBlock: 'latest', address: token, topics: ['0x' + TRANSFER_TOPIC, '0x' + from.slice(2).toLowerCase().padStart(64, '0')] },
  ]);
  return logs.map((l) => ({ tx: l.transactionHash, to: '0x' + l.topics[2]!.slice(26), value: BigInt(l.data) }));
}

export function transferData(to: string, amount: bigint): string {
  return '0xa9059cbb' + to.slice(2).toLowerCase().padStart(64, '0') + amount.toString(16).padStart(64, '0');
}

// ---------------------------------------------------------------------------------------------
// an in-process chain that makes a block whenever txs wait (or every `idleMs`)

export class InProcessChain implements ChainPort {
  readonly hrp = 'tbnb';
  readonly h: Harness;
  readonly peg: PegKeeper;
  private queue: { tx: Uint8Array; resolve: (r: SubmitResult) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  readonly events: AppEvent[] = [];
  txCount = 0;
  invariantError: string | undefined;

  private constructor(h: Harness, peg: PegKeeper) {
    this.h = h;
    this.peg = peg;
  }

  static async create(genesis: Record<string, unknown>): Promise<InProcessChain> {
    const store = memoryStateStore();
    const app = new DexApp({ store, verifier: countingVerifier() }); // the app registers peg and insurance itself
    await app.initChain(genesis);
    const c = new InProcessChain({ app, store, verifier: countingVerifier(), height: 0, timeMs: Date.parse('2024-01-01T00:00:00Z') }, app.peg);
    return c;
  }

  start(intervalMs = 30): void {
    this.timer = setInterval(() => void this.produce(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async produce(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const batch = this.queue;
      this.queue = [];
      const res = await runBlock(this.h, batch.map((b) => b.tx));
      this.txCount += batch.length;
      for (const r of res.txResults) this.events.push(...r.events);
      this.events.push(...res.events);
      const breaches = [...this.h.app.checkInvariants(), ...pegInvariants(view(this.h), this.peg)];
      if (breaches.length && !this.invariantError) this.invariantError = `height ${this.h.height}: ${breaches.join('; ')}`;
      batch.forEach((b, i) => b.resolve({ code: res.txResults[i]!.code, log: res.txResults[i]!.log, hash: res.txResults[i]!.hash }));
    } finally {
      this.busy = false;
    }
  }

  async chainId(): Promise<string> {
    return this.h.app.chain().chainId;
  }

  async account(bech32: string) {
    const acc = this.h.app.queries.account(bech32);
    return acc ? { accountNumber: BigInt(acc.account_number), sequence: BigInt(acc.sequence) } : undefined;
  }

  broadcast(tx: Uint8Array): Promise<SubmitResult> {
    return new Promise((resolve) => this.queue.push({ tx, resolve }));
  }

  async query(path: string): Promise<unknown> {
    const r = this.h.app.query(path, new Uint8Array(0));
    if (r.code === ((1 << 16) | 29)) return undefined;
    if (r.code !== 0) throw new Error(r.log);
    return JSON.parse(new TextDecoder().decode(r.value));
  }

  balance(addr: Uint8Array, denom: string): bigint {
    return this.h.app.bank.getBalance(view(this.h), addr, denom);
  }
}

export function chainGenesis(custodians: Key[], users: Key[], token: string, custody: string): Record<string, unknown> {
  const doc = genesisDoc({ bnb: [...custodians, ...users].map((k) => [k, 100n * 100_000_000n] as [Key, bigint]) });
  (doc.app_state as Record<string, unknown>).peg = {
    custodians: custodians.map((c) => ({ address: c.bech32, weight: 1 })),
    params: {},
    assets: [
      {
        symbol: 'USDT',
        name: 'Pegged Tether',
        limits: { window_ms: 86_400_000, outflow_pct_bps: 0, large_withdrawal: 0 },
        networks: [{ name: 'erc20', kind: 'evm', decimals: 6, confirmations: 1, custody_addresses: [custody], reserve: 0 }],
      },
    ],
  };
  void token;
  return doc;
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// ---------------------------------------------------------------------------------------------
// the scenario: deposit → mint, withdraw → payout on the EVM → attest → burn

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex } from '../../src/crypto/hash.js';
import { pegDenom } from '../../src/modules/peg/index.js';
import { EvmAdapter, Relayer, RelayerState, TxSigner } from '../../src/relayer/index.js';
import { signTx } from '../../src/client/sign.js';
import type { Msg } from '../../src/codec/types.js';
import { key, keyFromPriv } from '../unit/app/helpers.js';
import { freePort } from './harness.js';

export interface ScenarioOpts {
  /** Also restart a relayer from its state file and check it repeats nothing. */
  restart: boolean;
}

export async function pegEvmScenario(o: ScenarioOpts): Promise<void> {
  const K_DEPLOYER = '0x' + '11'.repeat(32);
  const K_CUSTODY = '0x' + '22'.repeat(32);
  const K_USER = '0x' + '33'.repeat(32);
  const deployer = new Wallet(K_DEPLOYER);
  const custody = new Wallet(K_CUSTODY);
  const userEvm = new Wallet(K_USER);
  const user = keyFromPriv(fromHex(K_USER.slice(2))); // the same key's chain account
  const C = [key('evm-custodian0'), key('evm-custodian1'), key('evm-custodian2')];
  const USDT = pegDenom('USDT');
  const dir = mkdtempSync(join(tmpdir(), 'dexchain-peg-evm-'));
  const evm = await startGanache(await freePort(), [K_DEPLOYER, K_CUSTODY, K_USER]);
  let chain: InProcessChain | undefined;
  let relayers: Relayer[] = [];
  let runs: Promise<void>[] = [];
  process.env.PEG_E2E_CUSTODY_KEY = K_CUSTODY;
  try {
    const deployed = await evm.send(deployer, { data: tokenInitCode(10n ** 12n), gasLimit: 500_000 });
    assert.equal(deployed.status, '0x1');
    const token = deployed.contractAddress!;
    assert.equal((await evm.send(deployer, { to: token, data: transferData(userEvm.address, 1000n * 10n ** 6n) })).status, '0x1');

    chain = await InProcessChain.create(chainGenesis(C, [user], token, custody.address));
    chain.start();
    const chainId = await chain.chainId();
    const adapter = (i: number) =>
      new EvmAdapter(
        { type: 'evm', asset: 'USDT', network: 'erc20', rpc_url: evm.url, token, custody: custody.address, decimals: 6, confirmations: 2, start_block: 0, ...(i === 0 ? { payer_key_env: 'PEG_E2E_CUSTODY_KEY' } : {}) },
        { chainId, hrp: 'tbnb' },
      );
    const makeRelayer = (i: number) => new Relayer({ signer: new TxSigner(C[i]!.priv, chain!), adapters: [adapter(i)], state: new RelayerState(join(dir, `custodian${i}.json`)) });
    relayers = [0, 1, 2].map(makeRelayer);
    runs = relayers.map((r) => r.run(100));

    // deposit 250 USDT from the user's EVM wallet to custody
    assert.equal((await evm.send(userEvm, { to: token, data: transferData(custody.address, 250n * 10n ** 6n) })).status, '0x1');
    await evm.mine(2);
    await waitFor('the deposit to mint', () => chain!.balance(user.addr, USDT) === 250n * 10n ** 8n);
    const asset = (await chain.query('peg/asset/USDT')) as { supply: string; reserves: string };
    assert.equal(asset.supply, '250.00000000');
    assert.equal(asset.reserves, '250.00000000');

    // withdraw 100 USDT to the user's EVM address
    const acc = (await chain.account(user.bech32))!;
    const w = { type: 'peg/Withdraw', from: user.addr, asset: 'USDT', network: 'erc20', ext_address: userEvm.address, amount: 100n * 10n ** 8n };
    const signed = signTx(user.priv, w as unknown as Msg, { chainId, hrp: 'tbnb', accountNumber: acc.accountNumber, sequence: acc.sequence });
    const r = await chain.broadcast(signed.bytes);
    assert.equal(r.code, 0, r.log);
    await waitFor('the payout on the EVM', async () => (await evm.balanceOf(token, userEvm.address)) === 850n * 10n ** 6n);
    await waitFor('the payout to be attested and burned', async () => {
      await evm.mine(1); // confirmations for the payout log
      return ((await chain!.query('peg/withdrawal/1')) as { status: string }).status === 'completed';
    });
    assert.equal(await evm.balanceOf(token, custody.address), 150n * 10n ** 6n);
    const after = (await chain.query('peg/asset/USDT')) as { supply: string; escrow: string; burned: string };
    assert.deepEqual([after.supply, after.escrow, after.burned], ['150.00000000', '0.00000000', '100.00000000']);
    const wd = (await chain.query('peg/withdrawal/1')) as { payout_claims: { custodians: string[] }[]; ext_tx_id: string };
    assert.ok(wd.payout_claims[0]!.custodians.length >= 2);
    assert.match(wd.ext_tx_id, /^[0-9a-f]{64}$/);

    if (o.restart) {
      for (const x of relayers) x.stop();
      await Promise.all(runs);
      runs = [];
      const before = chain.txCount;
      const again = makeRelayer(0); // the payer, from its state file
      await again.tick();
      await again.tick();
      assert.equal(chain.txCount, before, 'a restarted relayer re-submitted claims');
      assert.equal(await evm.balanceOf(token, custody.address), 150n * 10n ** 6n, 'a restarted payer paid again');
      // and it keeps working: a second deposit mints through the restarted relayer plus one more
      relayers = [again, makeRelayer(1)];
      runs = relayers.map((x) => x.run(100));
      assert.equal((await evm.send(userEvm, { to: token, data: transferData(custody.address, 5n * 10n ** 6n) })).status, '0x1');
      await evm.mine(2);
      await waitFor('the second deposit', () => chain!.balance(user.addr, USDT) === 155n * 10n ** 8n);
    }
    assert.equal(chain.invariantError, undefined);
    assert.ok(chain.events.some((e) => e.type === 'peg_burn'));
  } finally {
    for (const x of relayers) x.stop();
    await Promise.all(runs);
    chain?.stop();
    await evm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
