/**
 * The peg against a REAL node: `dexchain init` (the default local peg), the USDT `erc20`
 * network pointed at a ganache chain with the hand-assembled ERC-20 (`dexchain genesis
 * peg-network`), `dexchain start`, and three `dexchain peg relayer` processes (custodian0..2,
 * EVM adapter for USDT/erc20, JSON-lines feed for BTC/bitcoin; custodian0 holds the custody
 * key and pays). Walks: reserves attested → USDT deposit on the EVM minted → traded on
 * USDT-A85_BNB → withdrawn, paid on the EVM by the payer, attested, burned → BTC deposit via
 * the feed minted, with a relayer killed (-9) mid-attestation and restarted. Reserves and
 * invariants are checked after every step. Every process is killed in `after`.
 *
 * Runs the compiled CLI (`bin/dexchain.js`, built by `npm test`'s pretest); set
 * DEXCHAIN_E2E_BIN to run another build.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { parseFixed8 } from '../../src/codec/index.js';
import { BIN, NodeProcess, cleanup, freePort, sleep, tempDir } from './harness.js';
import { deployToken, startGanache, transferData, transfersFrom, type Evm } from './peg-evm-lib.js';

const DEXCHAIN = process.env.DEXCHAIN_E2E_BIN ?? BIN;
const COIN = 100_000_000n;
const USDT6 = 1_000_000n; // one token on the EVM (6 decimals)

const K_DEPLOYER = '0x' + '11'.repeat(32);
const K_CUSTODY = '0x' + '22'.repeat(32);
const K_USER = '0x' + '33'.repeat(32);

/** Runs the CLI to completion and parses its JSON output. */
function dx<T = Record<string, unknown>>(args: string[]): T {
  const r = spawnSync(process.execPath, [DEXCHAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`dexchain ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`dexchain ${args.join(' ')} printed no JSON: ${r.stdout} ${r.stderr}`);
  }
}

/** The node, started from DEXCHAIN (the harness class starts bin/dexchain.js). */
class PegNode extends NodeProcess {
  override start(): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(
      process.execPath,
      [DEXCHAIN, 'start', '--home', this.home, '--rpc.laddr', `tcp://127.0.0.1:${this.port}`, '--consensus.timeout_commit_ms', '200', '--log_level', 'warn', '--web', 'false', ...this.extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.child = child;
  }
}

/** A `dexchain peg relayer` process; its log (pino JSON lines) goes to a file. */
class RelayerProc {
  child: ChildProcess | undefined;
  readonly logFile: string;
  constructor(
    readonly home: string,
    readonly key: string,
    readonly config: string,
    readonly env: Record<string, string> = {},
  ) {
    this.logFile = join(home, `relayer-${key}.log`);
  }

  start(): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [DEXCHAIN, 'peg', 'relayer', '--home', this.home, '--key', this.key, '--keyring-backend', 'test', '--config', this.config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.env },
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.child = child;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    return new Promise((res) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
      c.once('exit', () => {
        clearTimeout(t);
        res();
      });
      c.kill(signal);
    });
  }

  /** Parsed log lines. */
  lines(): Record<string, unknown>[] {
    if (!existsSync(this.logFile)) return [];
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  tail(n = 1500): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').slice(-n) : '';
  }
}

interface ReserveRow {
  asset: string;
  denom: string;
  supply: string;
  escrow: string;
  reserves: string;
  coverage_bps: number | null;
  networks: { name: string; reserve: string; reserve_ext_height: string; pending_out: string }[];
}
interface WithdrawalRow {
  id: string;
  asset: string;
  amount: string;
  status: string;
  ext_tx_id: string;
  payout_claims: { ext_tx_id: string; custodians: string[] }[];
}
interface DepositRow {
  status: string;
  claims: { asset: string; recipient: string; amount: string; custodians: string[] }[];
}

describe('e2e (ci): the peg on a real node with relayer processes', function () {
  this.timeout(90_000);

  let dir = '';
  let home = '';
  let node: PegNode | undefined;
  let evm: Evm | undefined;
  let relayers: RelayerProc[] = [];
  let token = '';
  let alice = ''; // the user: the same secp256k1 key on the EVM and on the chain
  let validator = '';
  const custodians: string[] = [];
  const feed = () => join(dir, 'feeds', 'bitcoin.jsonl');
  const custody = new Wallet(K_CUSTODY);
  const userEvm = new Wallet(K_USER);

  const api = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${node!.url}/api/v1/${path}`);
    if (r.status === 404 || r.status === 204) return undefined as T;
    if (r.status !== 200) throw new Error(`GET /api/v1/${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const balance = async (addr: string, denom: string): Promise<bigint> => {
    const a = await api<{ balances: { symbol: string; free: string }[] } | undefined>(`account/${addr}`);
    const b = a?.balances.find((x) => x.symbol === denom);
    return b ? parseFixed8(b.free) : 0n;
  };
  const sequence = async (addr: string): Promise<number> => (await api<{ sequence: number }>(`account/${addr}`)).sequence;
  const reserves = async (sym: string): Promise<ReserveRow> => (await api<ReserveRow[]>('peg/reserves')).find((r) => r.asset === sym)!;
  const deposit = (key: string) => api<DepositRow | undefined>(`peg/deposits/${encodeURIComponent(key)}`);
  const abciInvariants = async (): Promise<unknown[]> => {
    const r = await fetch(`${node!.url}/abci_query?path=${encodeURIComponent('"peg/invariants"')}`);
    const j = (await r.json()) as { result: { response: { code: number; log: string; value: string | null } } };
    assert.equal(j.result.response.code, 0, j.result.response.log);
    return JSON.parse(Buffer.from(j.result.response.value ?? 'W10=', 'base64').toString('utf8')) as unknown[];
  };

  const waitFor = async <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) {
        const tails = relayers.map((r) => `--- ${r.key}\n${r.tail(800)}`).join('\n');
        throw new Error(`timed out waiting for ${what}\n--- node\n${node?.tail(800)}\n${tails}`);
      }
      if (node?.child && node.child.exitCode !== null) throw new Error(`the node exited: ${node.tail()}`);
      await sleep(150);
    }
  };

  /**
   * The reserves view agrees with itself and with the withdrawals: every asset's supply is
   * covered by attested reserves, escrow equals the open requests, a network never owes more
   * than it holds, and the module's own invariants hold.
   */
  const checkConsistent = async (step: string): Promise<void> => {
    for (const r of await api<ReserveRow[]>('peg/reserves')) {
      const supply = parseFixed8(r.supply);
      assert.ok(supply <= parseFixed8(r.reserves), `${step}: ${r.asset} supply ${r.supply} exceeds attested reserves ${r.reserves}`);
      let open = 0n;
      for (const status of ['pending', 'delayed', 'ready']) {
        for (const w of await api<WithdrawalRow[]>(`peg/withdrawals?status=${status}&limit=1000`)) if (w.asset === r.asset) open += parseFixed8(w.amount);
      }
      assert.equal(parseFixed8(r.escrow), open, `${step}: ${r.asset} escrow ${r.escrow} is not the open requests' ${open}`);
      const pendingOut = r.networks.reduce((s, n) => s + parseFixed8(n.pending_out), 0n);
      assert.equal(pendingOut, open, `${step}: ${r.asset} pending_out ${pendingOut} is not the open requests' ${open}`);
    }
    assert.deepEqual(await abciInvariants(), [], `${step}: peg invariants`);
  };

  before(async function () {
    this.timeout(60_000);
    dir = tempDir('peg-localnet');
    home = join(dir, 'home');
    const [rpcPort, p2pPort, evmPort] = [await freePort(), await freePort(), await freePort()];

    // the EVM side: ganache, the token, 1,000 USDT in the user's wallet
    evm = await startGanache(evmPort, [K_DEPLOYER, K_CUSTODY, K_USER]);
    const deployer = new Wallet(K_DEPLOYER);
    token = await deployToken(evm, deployer, 1_000_000n * USDT6);
    assert.equal((await evm.send(deployer, { to: token, data: transferData(userEvm.address, 1000n * USDT6) })).status, '0x1');

    // the chain: the default local peg, the user's key imported, erc20 custody set at genesis
    dx(['init', '--home', home, '--chain-id', `peg-localnet-${process.pid}`]);
    writeFileSync(join(dir, 'alice.hex'), K_USER.slice(2));
    alice = dx<{ address: string }>(['keys', 'import', 'alice', join(dir, 'alice.hex'), '--keyring-backend', 'test', '--home', home]).address;
    const keys = dx<{ name: string; address: string }[]>(['keys', 'list', '--keyring-backend', 'test', '--home', home]);
    validator = keys.find((k) => k.name === 'validator')!.address;
    for (let i = 0; i < 3; i++) custodians.push(keys.find((k) => k.name === `custodian${i}`)!.address);
    dx(['genesis', 'add-account', alice, '10:BNB', '--home', home]); // fees
    const net = dx<{ network: { custody_addresses: string[]; confirmations: string } }>(['genesis', 'peg-network', 'USDT', 'erc20', '--custody', custody.address, '--confirmations', '2', '--home', home]);
    assert.deepEqual(net.network.custody_addresses, [custody.address]);
    dx(['genesis', 'peg-network', 'BTC', 'bitcoin', '--custody', 'bcrt1qcustody0000000000000000000000000000', '--confirmations', '1', '--home', home]);
    dx(['genesis', 'peg-limits', 'USDT', '--per-account-outflow', '100', '--home', home]);
    dx(['genesis', 'validate', '--home', home]);

    node = new PegNode(home, rpcPort, ['--p2p.laddr', `tcp://127.0.0.1:${p2pPort}`]);
    node.start();
    await node.waitReady(1, 40_000);

    // three relayers; custodian0 holds the custody key and pays
    mkdirSync(join(dir, 'feeds'), { recursive: true });
    for (let i = 0; i < 3; i++) {
      const cfg = {
        node: node.url,
        poll_ms: 200,
        state_file: `relayer/custodian${i}.state.json`,
        adapters: [
          { type: 'evm', asset: 'USDT', network: 'erc20', rpc_url: evm.url, token, custody: custody.address, decimals: 6, confirmations: 2, start_block: 0, reserve_every_blocks: 1, ...(i === 0 ? { payer_key_env: 'PEG_CUSTODY_KEY' } : {}) },
          { type: 'jsonl', asset: 'BTC', network: 'bitcoin', feed: feed(), ...(i === 0 ? { instructions: join(dir, 'feeds', 'bitcoin-payouts.jsonl') } : {}) },
        ],
      };
      const file = join(home, `relayer-custodian${i}.json`);
      writeFileSync(file, JSON.stringify(cfg, null, 2));
      relayers.push(new RelayerProc(home, `custodian${i}`, file, i === 0 ? { PEG_CUSTODY_KEY: K_CUSTODY } : {}));
    }
    for (const r of relayers) r.start();
    await waitFor('the relayers to start', async () => relayers.every((r) => r.lines().some((l) => l.msg === 'relayer starting')), 20_000);
  });

  after(async () => {
    await Promise.all(relayers.map((r) => r.stop('SIGKILL')));
    await node?.stop('SIGKILL');
    await evm?.close();
    if (dir && !process.env.KEEP_PEG_E2E) cleanup(dir);
  });

  it('attests reserves from the feed', async () => {
    appendFileSync(feed(), JSON.stringify({ kind: 'reserve', amount: '10', ext_height: 100 }) + '\n');
    const btc = await waitFor('BTC reserves', async () => {
      const r = await reserves('BTC');
      return r.reserves === '10.00000000' ? r : undefined;
    });
    assert.equal(btc.networks.find((n) => n.name === 'bitcoin')!.reserve_ext_height, '100');
    assert.equal(btc.supply, '0.00000000');
    await checkConsistent('reserves');
  });

  let usdtDepositKey = '';
  it('a USDT deposit on the EVM chain is attested and minted', async () => {
    const sent = await evm!.send(userEvm, { to: token, data: transferData(custody.address, 300n * USDT6) });
    assert.equal(sent.status, '0x1');
    await evm!.mine(2); // the relayers wait for 2 confirmations
    await waitFor('the USDT mint', async () => (await balance(alice, 'USDT-A85')) === 300n * COIN);
    usdtDepositKey = `erc20:${sent.hash.slice(2).toLowerCase()}:0`;
    const d = (await deposit(usdtDepositKey))!;
    assert.equal(d.status, 'minted');
    assert.equal(d.claims.length, 1);
    assert.equal(d.claims[0]!.recipient, alice);
    assert.equal(d.claims[0]!.amount, '300.00000000');
    const r = await reserves('USDT');
    assert.deepEqual([r.supply, r.escrow, r.reserves, r.coverage_bps], ['300.00000000', '0.00000000', '300.00000000', 10_000]);
    await checkConsistent('USDT minted');
  });

  it('the minted USDT trades on USDT-A85_BNB against another account\'s BNB', async () => {
    const common = ['--symbol', 'USDT-A85_BNB', '--price', '0.0015', '--quantity', '100', '--keyring-backend', 'test', '--home', home, '--node', node!.url];
    const sell = dx<{ code: number; log?: string }>(['tx', 'order', '--side', 'sell', '--from', 'alice', ...common]);
    assert.equal(sell.code, 0, sell.log);
    const buy = dx<{ code: number; log?: string }>(['tx', 'order', '--side', 'buy', '--from', 'validator', ...common]);
    assert.equal(buy.code, 0, buy.log);
    const trade = await waitFor('the trade', async () => {
      const t = await api<{ trade: { symbol: string; price: string; quantity: string; buyerId: string; sellerId: string }[] }>('trades?symbol=USDT-A85_BNB');
      return t.trade.find((x) => x.sellerId === alice && x.buyerId === validator);
    });
    assert.deepEqual([trade.price, trade.quantity], ['0.00150000', '100.00000000']);
    await waitFor('settled balances', async () => (await balance(alice, 'USDT-A85')) === 200n * COIN && (await balance(validator, 'USDT-A85')) === 100n * COIN);
    await checkConsistent('traded');
  });

  it('a withdrawal is escrowed, paid on the EVM chain by the payer, attested and burned', async () => {
    const w = dx<{ code: number; log?: string }>(['tx', 'peg', 'withdraw', '--asset', 'USDT', '--network', 'erc20', '--to', userEvm.address, '--amount', '20', '--from', 'alice', '--keyring-backend', 'test', '--home', home, '--node', node!.url]);
    assert.equal(w.code, 0, w.log);
    const [req] = await api<WithdrawalRow[]>(`peg/withdrawals?address=${alice}`);
    assert.ok(req, 'the request is listed');
    assert.equal(req.amount, '20.00000000');
    assert.equal(await balance(alice, 'USDT-A85'), 180n * COIN);
    await checkConsistent('escrowed'); // escrow (0 or 20) matches the open requests, whatever stage the payer is at
    await waitFor('the payout on the EVM chain', async () => (await evm!.balanceOf(token, userEvm.address)) === 720n * USDT6);
    const done = await waitFor('the completion attestations', async () => {
      await evm!.mine(1); // confirmations for the payout's log
      const x = await api<WithdrawalRow>(`peg/withdrawals/${req.id}`);
      return x.status === 'completed' ? x : undefined;
    });
    assert.equal(await evm!.balanceOf(token, custody.address), 280n * USDT6);
    const payouts = await transfersFrom(evm!, token, custody.address);
    assert.equal(payouts.length, 1, 'custody paid exactly once');
    assert.equal(payouts[0]!.tx.slice(2).toLowerCase(), done.ext_tx_id);
    assert.equal(done.payout_claims.length, 1);
    assert.ok(done.payout_claims[0]!.custodians.length >= 2);
    assert.equal(new Set(done.payout_claims[0]!.custodians).size, done.payout_claims[0]!.custodians.length);
    const r = await reserves('USDT');
    assert.deepEqual([r.supply, r.escrow], ['280.00000000', '0.00000000']);
    assert.equal(parseFixed8(r.reserves), 280n * COIN);
    await checkConsistent('burned');
  });

  it('a BTC deposit via the feed is minted; kill -9 of a relayer mid-run repeats nothing', async () => {
    const victim = relayers[1]!;
    const victimAddr = custodians[1]!;
    const stateFile = join(home, 'relayer', 'custodian1.state.json');
    type State = { cursors: Record<string, { offset?: number }>; pending: { event: { kind: string } }[] };
    const readState = (): State | undefined => (existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as State) : undefined);
    const txid = 'ab'.repeat(32);
    const key = `bitcoin:${txid}:0`;
    // the feed moves on: the next reserve, then the deposit it covers
    appendFileSync(feed(), JSON.stringify({ kind: 'reserve', amount: '10.5', ext_height: 101 }) + '\n' + JSON.stringify({ kind: 'deposit', ext_tx_id: txid, ext_index: 0, recipient: alice, amount: '0.5', ext_height: 101 }) + '\n');
    const feedLen = readFileSync(feed()).length;
    // kill -9 the victim as soon as it has read the lines (cursor and queue saved together),
    // i.e. while it is submitting them one block at a time
    const end = Date.now() + 20_000;
    while (readState()?.cursors['jsonl:BTC:bitcoin']?.offset !== feedLen) {
      if (Date.now() > end) throw new Error(`the victim never read the feed: ${victim.tail()}`);
      await sleep(5);
    }
    await victim.stop('SIGKILL');
    const pendingAtKill = readState()!.pending.length;
    await waitFor('the BTC mint by the other two', async () => (await balance(alice, 'BTC-702')) === COIN / 2n);
    await sleep(500); // a tx the victim had in flight is committed (or dropped) by now
    const seqBefore = await sequence(victimAddr);

    victim.start();
    await waitFor('the restarted relayer to catch up', async () => {
      const st = readState();
      return !!st && st.cursors['jsonl:BTC:bitcoin']?.offset === feedLen && st.pending.length === 0 && victim.lines().filter((l) => l.msg === 'relayer starting').length === 2;
    });
    await sleep(1000); // a few more ticks: anything it would repeat, it would repeat now
    // only what was still queued at the kill may be submitted again (and the chain refuses repeats)
    assert.ok((await sequence(victimAddr)) - seqBefore <= pendingAtKill, `the restarted relayer sent more than its ${pendingAtKill} queued claims`);
    const accepted = victim.lines().filter((l) => l.msg === 'attested').map((l) => String(l.claim));
    assert.equal(new Set(accepted).size, accepted.length, `a claim attested twice by the victim: ${accepted.join(' ')}`);

    const d = (await deposit(key))!;
    assert.equal(d.status, 'minted');
    assert.equal(d.claims.length, 1);
    const who = d.claims[0]!.custodians;
    assert.ok(who.length >= 2);
    assert.equal(new Set(who).size, who.length, `double attestation: ${who.join(',')}`);
    assert.equal(await balance(alice, 'BTC-702'), COIN / 2n, 'minted once');
    const usdt = (await deposit(usdtDepositKey))!;
    assert.equal(new Set(usdt.claims[0]!.custodians).size, usdt.claims[0]!.custodians.length);
    const r = await reserves('BTC');
    assert.deepEqual([r.supply, r.reserves], ['0.50000000', '10.50000000']);
    // the payer was never killed: one payout on the EVM chain, and nothing more
    assert.equal((await transfersFrom(evm!, token, custody.address)).length, 1);
    assert.ok(relayers.every((x) => x.running), 'a relayer died');
    await checkConsistent('BTC minted after a relayer restart');
  });
});
