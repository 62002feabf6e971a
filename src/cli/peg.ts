/**
 * Peg and insurance commands:
 *
 *   dexchain tx peg attest-deposit --asset BTC --network bitcoin --ext-tx-id HEX --ext-index 0 --recipient ADDR --amount 1.5 --from custodian0 …
 *   dexchain tx peg withdraw --asset BTC --network bitcoin --to EXT_ADDRESS --amount 0.5 --from alice …
 *   dexchain tx peg attest-withdrawal --id 7 --ext-tx-id HEX --from custodian0 …
 *   dexchain tx peg cancel --id 7 [--reason TEXT] --from custodian2 …
 *   dexchain tx peg pause --asset BTC --direction withdraw|deposit|both --from custodian1 …
 *   dexchain tx peg attest-reserves --asset BTC --network bitcoin --amount 1200 --ext-height 840000 --from custodian0 …
 *   dexchain tx peg gov-action --action JSON|@FILE --from authority …        (only with a gov_authority)
 *   dexchain tx insurance payout --recipient ADDR --amount 10:BNB --reason TEXT --from authority …
 *   dexchain query peg assets|asset SYM|deposit KEY|deposits ADDR|withdrawals [--address --status]|withdrawal ID|reserves|limits [--asset --address]|params
 *   dexchain query insurance
 *   dexchain peg relayer --home DIR --key NAME --config FILE
 *
 * Amounts are whole tokens with up to 8 decimals. Common tx flags as for `dexchain tx`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { decodeAddress, parseFixed8 } from '../codec/index.js';
import type { Msg } from '../codec/types.js';
import { NodeClient } from '../client/http.js';
import { parseCoinList } from '../node/genesis-file.js';
import '../modules/peg/msgs.js';
import { signAndSend } from './tx.js';
import { CliError, homePrefix, nodeUrl, openKeyring, passwordOf, printJson, resolveHome } from './common.js';

interface Flags {
  from: string;
  keyringBackend?: string;
  home?: string;
  node?: string;
  chainId?: string;
  memo?: string;
  password?: string;
  async?: boolean;
  addressPrefix?: string;
}

function txFlags(c: Command): Command {
  return c
    .requiredOption('--from <key>', 'name of the signing key')
    .option('--keyring-backend <backend>', 'test or file', 'file')
    .option('--home <dir>', 'node home (keys, default node URL)')
    .option('--node <url>', "node RPC URL (default: the home's rpc.laddr)")
    .option('--chain-id <id>', 'chain id (default: asked from the node)')
    .option('--memo <text>', 'tx memo (≤ 128 bytes)')
    .option('--password <pw>', 'keyring password (file backend; or DEXCHAIN_KEYRING_PASSWORD)')
    .option('--address-prefix <hrp>', 'bech32 prefix (default: from the home genesis)')
    .option('--async', 'return after checkTx instead of waiting for the block');
}

function amount(v: string | undefined, name = 'amount', allowZero = false): bigint {
  if (v === undefined) throw new CliError(`--${name} is required`);
  let a: bigint;
  try {
    a = parseFixed8(v);
  } catch (e) {
    throw new CliError(`--${name}: ${(e as Error).message}`);
  }
  if (a < 0n || (!allowZero && a === 0n)) throw new CliError(`--${name} must be positive`);
  return a;
}

function int(v: string | undefined, name: string, min = 0n): bigint {
  if (v === undefined || !/^\d{1,19}$/.test(v)) throw new CliError(`--${name} must be a non-negative integer`);
  const b = BigInt(v);
  if (b < min) throw new CliError(`--${name} must be at least ${min}`);
  return b;
}

const asset = (v: string) => v.toUpperCase();
const send = (f: Flags, build: (from: Uint8Array, hrp: string) => { type: string }) => signAndSend(f, (from, hrp) => build(from, hrp) as Msg);

function sub(parent: Command, name: string, description: string): Command {
  return parent.commands.find((c) => c.name() === name) ?? parent.command(name).description(description);
}

export function registerPeg(program: Command): void {
  const tx = sub(program, 'tx', 'sign and broadcast transactions');
  const p = tx.command('peg').description('peg: deposits, withdrawals, attestations, pause');

  txFlags(
    p.command('attest-deposit')
      .description('custodian: attest an external deposit')
      .requiredOption('--asset <sym>', 'base symbol, e.g. BTC')
      .requiredOption('--network <name>', 'source network, e.g. bitcoin, omni, erc20')
      .requiredOption('--ext-tx-id <hex>', 'external tx id')
      .option('--ext-index <n>', 'output / log index in that tx', '0')
      .requiredOption('--recipient <address>', 'chain address to credit')
      .requiredOption('--amount <amount>', 'whole tokens'),
  ).action(async (f: Flags & { asset: string; network: string; extTxId: string; extIndex: string; recipient: string; amount: string }) => {
    await send(f, (from, hrp) => ({
      type: 'peg/AttestDeposit',
      from,
      asset: asset(f.asset),
      network: f.network,
      ext_tx_id: f.extTxId,
      ext_index: int(f.extIndex, 'ext-index'),
      recipient: decodeAddress(f.recipient, hrp),
      amount: amount(f.amount),
    }));
  });

  txFlags(
    p.command('withdraw')
      .description('take pegged tokens out to an external address')
      .requiredOption('--asset <sym>')
      .requiredOption('--network <name>')
      .requiredOption('--to <ext-address>', 'external address')
      .requiredOption('--amount <amount>', 'whole tokens'),
  ).action(async (f: Flags & { asset: string; network: string; to: string; amount: string }) => {
    await send(f, (from) => ({ type: 'peg/Withdraw', from, asset: asset(f.asset), network: f.network, ext_address: f.to, amount: amount(f.amount) }));
  });

  txFlags(
    p.command('attest-withdrawal').description('custodian: attest the external payout of a withdrawal').requiredOption('--id <n>', 'request id').requiredOption('--ext-tx-id <hex>'),
  ).action(async (f: Flags & { id: string; extTxId: string }) => {
    await send(f, (from) => ({ type: 'peg/AttestWithdrawal', from, request_id: int(f.id, 'id', 1n), ext_tx_id: f.extTxId }));
  });

  txFlags(p.command('cancel').description('guardian (or owner): cancel a delayed withdrawal; it is refunded').requiredOption('--id <n>').option('--reason <text>', '', '')).action(
    async (f: Flags & { id: string; reason: string }) => {
      await send(f, (from) => ({ type: 'peg/CancelWithdrawal', from, request_id: int(f.id, 'id', 1n), reason: f.reason }));
    },
  );

  txFlags(p.command('pause').description('guardian: pause an asset (unpausing is governance\'s)').requiredOption('--asset <sym>').requiredOption('--direction <dir>', 'deposit, withdraw or both')).action(
    async (f: Flags & { asset: string; direction: string }) => {
      if (!['deposit', 'withdraw', 'both'].includes(f.direction)) throw new CliError('--direction must be deposit, withdraw or both');
      await send(f, (from) => ({ type: 'peg/Pause', from, asset: asset(f.asset), direction: f.direction }));
    },
  );

  txFlags(
    p.command('attest-reserves')
      .description('custodian: attest the custody balance of a network at an external height')
      .requiredOption('--asset <sym>')
      .requiredOption('--network <name>')
      .requiredOption('--amount <amount>', 'whole tokens')
      .requiredOption('--ext-height <n>', 'external block height of the balance'),
  ).action(async (f: Flags & { asset: string; network: string; amount: string; extHeight: string }) => {
    await send(f, (from) => ({ type: 'peg/AttestReserves', from, asset: asset(f.asset), network: f.network, amount: amount(f.amount, 'amount', true), ext_height: int(f.extHeight, 'ext-height', 1n) }));
  });

  txFlags(p.command('gov-action').description('gov_authority: run a peg governance action (JSON, or @FILE)').requiredOption('--action <json>')).action(async (f: Flags & { action: string }) => {
    const action = f.action.startsWith('@') ? readFileSync(f.action.slice(1), 'utf8') : f.action;
    try {
      JSON.parse(action);
    } catch (e) {
      throw new CliError(`--action is not JSON: ${(e as Error).message}`);
    }
    await send(f, (from) => ({ type: 'peg/GovAction', from, action }));
  });

  const ins = sub(tx, 'insurance', 'insurance fund');
  txFlags(ins.command('payout').description('gov_authority: pay from the insurance fund').requiredOption('--recipient <address>').requiredOption('--amount <coins>', 'AMOUNT:SYMBOL[,…]').option('--reason <text>', '', '')).action(
    async (f: Flags & { recipient: string; amount: string; reason: string }) => {
      await send(f, (from, hrp) => ({
        type: 'insurance/GovPayout',
        from,
        recipient: decodeAddress(f.recipient, hrp),
        amount: parseCoinList(f.amount).sort((a, b) => (a.denom < b.denom ? -1 : 1)),
        reason: f.reason,
      }));
    },
  );

  // queries
  const q = sub(program, 'query', 'query a node');
  const common = (c: Command): Command => c.option('--node <url>', 'node RPC URL').option('--home <dir>', 'home whose RPC address to use');
  const get = async (o: { node?: string; home?: string }, path: string) => printJson(await new NodeClient(nodeUrl(o)).get(`/api/v1/${path}`));
  const qp = q.command('peg').description('peg state');
  common(qp.command('assets')).action((o) => get(o, 'peg/assets'));
  common(qp.command('asset <symbol>')).action((s: string, o) => get(o, `peg/assets/${encodeURIComponent(s.toUpperCase())}`));
  common(qp.command('deposit <key>').description('KEY is network:txid:index')).action((k: string, o) => get(o, `peg/deposits/${encodeURIComponent(k)}`));
  common(qp.command('deposits <recipient>')).action((a: string, o) => get(o, `peg/deposits?recipient=${encodeURIComponent(a)}`));
  common(qp.command('withdrawals').option('--address <addr>').option('--status <s>', 'pending, delayed, ready, completed, cancelled, refunded').option('--offset <n>', '', '0').option('--limit <n>', '', '100')).action(
    (o: { node?: string; home?: string; address?: string; status?: string; offset: string; limit: string }) => {
      const qs = new URLSearchParams({ ...(o.address ? { address: o.address } : {}), ...(o.status ? { status: o.status } : {}), offset: o.offset, limit: o.limit });
      return get(o, `peg/withdrawals?${qs}`);
    },
  );
  common(qp.command('withdrawal <id>')).action((id: string, o) => get(o, `peg/withdrawals/${encodeURIComponent(id)}`));
  common(qp.command('reserves')).action((o) => get(o, 'peg/reserves'));
  common(qp.command('limits').option('--asset <sym>').option('--address <addr>')).action((o: { node?: string; home?: string; asset?: string; address?: string }) => {
    const qs = new URLSearchParams({ ...(o.asset ? { asset: o.asset.toUpperCase() } : {}), ...(o.address ? { address: o.address } : {}) });
    return get(o, `peg/limits${qs.size ? '?' + qs : ''}`);
  });
  common(qp.command('params')).action((o) => get(o, 'peg/params'));
  common(q.command('insurance').description('insurance fund: balance, totals, payouts')).action((o) => get(o, 'insurance'));
}

export function registerRelayer(program: Command): void {
  const pegCmd = sub(program, 'peg', 'peg tools');
  pegCmd
    .command('relayer')
    .description('run the custodian relayer: attest deposits, reserves and payouts; pay or instruct ready withdrawals')
    .requiredOption('--key <name>', 'custodian key in the keyring')
    .requiredOption('--config <file>', 'relayer config (JSON, see src/relayer/config.ts)')
    .option('--home <dir>', 'node home')
    .option('--keyring-backend <backend>', 'test or file', 'file')
    .option('--password <pw>')
    .option('--node <url>', 'node RPC URL (default: config "node", then the home\'s rpc.laddr)')
    .option('--once', 'one pass, then exit')
    .action(async (o: { key: string; config: string; home?: string; keyringBackend?: string; password?: string; node?: string; once?: boolean }) => {
      const { loadRelayerConfig, HttpChainPort, TxSigner, Relayer, RelayerState, buildAdapters } = await import('../relayer/index.js');
      const { createLogger } = await import('../node/logger.js');
      const home = resolveHome(o.home);
      const cfg = loadRelayerConfig(o.config, home);
      const hrp = homePrefix(o.home);
      const url = o.node ?? cfg.node ?? nodeUrl({ home: o.home });
      const port = new HttpChainPort(url, hrp, cfg.chain_id);
      const priv = openKeyring(o).privateKey(o.key, passwordOf(o));
      const signer = new TxSigner(priv, port);
      const log = createLogger('info', { destination: 2 }).child({ module: 'relayer', custodian: o.key });
      const chainId = await port.chainId();
      const state = new RelayerState(cfg.state_file ?? join(home, 'relayer', `${o.key}.state.json`));
      const relayer = new Relayer({ signer, adapters: buildAdapters(cfg, { chainId, hrp }, log), state, logger: log });
      log.info({ custodian: signer.bech32, node: url, chain_id: chainId, adapters: cfg.adapters.map((a) => `${a.type}:${a.asset}:${a.network}`) }, 'relayer starting');
      if (o.once) {
        await relayer.tick();
        return;
      }
      const stop = () => relayer.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await relayer.run(cfg.poll_ms);
    });
}
