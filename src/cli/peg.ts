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
 *   dexchain genesis peg-network USDT erc20 --custody 0x… [--confirmations 12] [--decimals 6] [--add --kind evm]
 *   dexchain genesis peg-limits USDT [--outflow-pct-bps 0] [--per-account-outflow 500] [--large-withdrawal 1000] …
 *   dexchain genesis peg-params [--gov-authority ADDR] [--attest-threshold 2/3] [--guardian-threshold 1/3]
 *
 * Amounts are whole tokens with up to 8 decimals. Common tx flags as for `dexchain tx`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { decodeAddress, parseFixed8 } from '../codec/index.js';
import type { Msg } from '../codec/types.js';
import { NodeClient } from '../client/http.js';
import { parseCoinList, readGenesis, writeGenesis, type GenesisDoc } from '../node/genesis-file.js';
import { homePaths } from '../node/config.js';
import { NETWORK_KINDS, parseLimits, parseNetwork, parseParams } from '../modules/peg/genesis.js';
import '../modules/peg/msgs.js';
import { signAndSend, type TxFlags } from './tx.js';
import { CliError, homePrefix, nodeUrl, openKeyring, passwordOf, printJson, resolveHome } from './common.js';

type Flags = TxFlags;

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
  // the genesis editor is registered before us in main.ts; hang the peg steps on it
  const genesis = program.commands.find((c) => c.name() === 'genesis');
  if (genesis) registerPegGenesis(genesis);
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
      log.info({ address: signer.bech32, node: url, chain_id: chainId, adapters: cfg.adapters.map((a) => `${a.type}:${a.asset}:${a.network}`) }, 'relayer starting');
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

// ---------------------------------------------------------------------------------------------
// genesis steps: edit `app_state.peg` of a home before the chain starts (afterwards the same
// changes are `peg/network`, `peg/limits` and `peg/params` governance actions)

type J = Record<string, unknown>;

function pegSection(doc: GenesisDoc): { custodians?: unknown[]; params?: J; assets: J[] } {
  const peg = doc.app_state.peg as { custodians?: unknown[]; params?: J; assets?: J[] } | undefined;
  if (!peg || !Array.isArray(peg.assets)) throw new CliError('the genesis has no peg section (app_state.peg); run dexchain init, which writes the default peg');
  return peg as { custodians?: unknown[]; params?: J; assets: J[] };
}

function genesisAsset(doc: GenesisDoc, symbol: string): J {
  const peg = pegSection(doc);
  const a = peg.assets.find((x) => String(x.symbol).toUpperCase() === symbol.toUpperCase());
  if (!a) throw new CliError(`no pegged asset ${symbol.toUpperCase()} in the genesis (have: ${peg.assets.map((x) => x.symbol).join(', ') || 'none'})`);
  return a;
}

function editGenesis(home: string | undefined, edit: (doc: GenesisDoc) => unknown): void {
  const file = homePaths(resolveHome(home)).genesisFile;
  const doc = readGenesis(file);
  let out: unknown;
  try {
    out = edit(doc);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message);
  }
  writeGenesis(file, doc);
  printJson(out);
}

const boolFlag = (v: string | undefined, name: string): boolean | undefined => {
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw new CliError(`--${name} must be true or false`);
  return v === 'true';
};

const units = (v: string | undefined, name: string): string | undefined => (v === undefined ? undefined : amount(v, name, true).toString());
const count = (v: string | undefined, name: string): string | undefined => (v === undefined ? undefined : int(v, name).toString());

function fraction(v: string | undefined, name: string): { num: string; den: string } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{1,18})\/(\d{1,18})$/.exec(v);
  if (!m) throw new CliError(`--${name} must be NUM/DEN, e.g. 2/3`);
  return { num: m[1]!, den: m[2]! };
}

/** Drops undefined fields, so a partial edit keeps what the genesis had. */
const defined = (o: J): J => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * `dexchain genesis peg-network|peg-limits|peg-params`. Registered by `registerPeg` when the
 * program already has a `genesis` command; calling it again on the same command is harmless.
 */
export function registerPegGenesis(genesis: Command): void {
  if (genesis.commands.some((c) => c.name() === 'peg-network')) return;

  genesis
    .command('peg-network <asset> <network>')
    .description('set a pegged asset\'s network at genesis: custody addresses, confirmations, decimals, enabled directions (--add creates it)')
    .option('--custody <addresses>', 'custody addresses, comma-separated (replaces the list)')
    .option('--confirmations <n>', 'confirmations the relayers wait for (informational on chain)')
    .option('--decimals <n>', 'decimals of the asset on that network')
    .option('--kind <kind>', `network kind: ${NETWORK_KINDS.join(', ')}`)
    .option('--deposits-enabled <bool>', 'true or false')
    .option('--withdrawals-enabled <bool>', 'true or false')
    .option('--add', 'add the network if the asset does not have it', false)
    .option('--home <dir>', 'node home directory')
    .action((sym: string, network: string, o: { custody?: string; confirmations?: string; decimals?: string; kind?: string; depositsEnabled?: string; withdrawalsEnabled?: string; add: boolean; home?: string }) =>
      editGenesis(o.home, (doc) => {
        const a = genesisAsset(doc, sym);
        const nets = (a.networks ?? []) as J[];
        let n = nets.find((x) => x.name === network);
        if (!n) {
          if (!o.add) throw new CliError(`${String(a.symbol)} has no network "${network}" (have: ${nets.map((x) => x.name).join(', ')}); pass --add to create it`);
          n = { name: network };
          nets.push(n);
          a.networks = nets;
        }
        Object.assign(
          n,
          defined({
            kind: o.kind,
            custody_addresses: o.custody === undefined ? undefined : o.custody.split(',').map((x) => x.trim()).filter(Boolean),
            confirmations: count(o.confirmations, 'confirmations'),
            decimals: count(o.decimals, 'decimals'),
            deposits_enabled: boolFlag(o.depositsEnabled, 'deposits-enabled'),
            withdrawals_enabled: boolFlag(o.withdrawalsEnabled, 'withdrawals-enabled'),
          }),
        );
        parseNetwork(n, `.assets[${String(a.symbol)}].networks[${network}]`); // the node's own check, now rather than at start
        return { asset: a.symbol, network: n };
      }),
    );

  genesis
    .command('peg-limits <asset>')
    .description('set a pegged asset\'s limits at genesis (amounts in whole tokens; 0 = not set)')
    .option('--window-ms <n>', 'length of the quota window')
    .option('--per-account-outflow <amount>', 'withdrawals per account per window')
    .option('--outflow-abs <amount>', 'aggregate withdrawals per window')
    .option('--outflow-pct-bps <n>', 'aggregate withdrawals per window, in bps of the supply at the window start')
    .option('--inflow-abs <amount>', 'aggregate deposits (mints) per window')
    .option('--inflow-pct-bps <n>', 'aggregate deposits per window, in bps of the supply at the window start')
    .option('--large-withdrawal <amount>', 'withdrawals at or above this wait --delay-blocks')
    .option('--delay-blocks <n>', 'delay of a large withdrawal (guardians may cancel meanwhile)')
    .option('--min-withdrawal <amount>', 'smallest withdrawal')
    .option('--home <dir>', 'node home directory')
    .action((sym: string, o: Record<string, string | undefined>) =>
      editGenesis(o.home, (doc) => {
        const a = genesisAsset(doc, sym);
        const limits = Object.assign(
          (a.limits ?? {}) as J,
          defined({
            window_ms: count(o.windowMs, 'window-ms'),
            per_account_outflow: units(o.perAccountOutflow, 'per-account-outflow'),
            outflow_abs: units(o.outflowAbs, 'outflow-abs'),
            outflow_pct_bps: count(o.outflowPctBps, 'outflow-pct-bps'),
            inflow_abs: units(o.inflowAbs, 'inflow-abs'),
            inflow_pct_bps: count(o.inflowPctBps, 'inflow-pct-bps'),
            large_withdrawal: units(o.largeWithdrawal, 'large-withdrawal'),
            delay_blocks: count(o.delayBlocks, 'delay-blocks'),
            min_withdrawal: units(o.minWithdrawal, 'min-withdrawal'),
          }),
        );
        a.limits = limits;
        parseLimits(limits, `.assets[${String(a.symbol)}].limits`);
        return { asset: a.symbol, limits };
      }),
    );

  genesis
    .command('peg-params')
    .description('set peg parameters at genesis')
    .option('--gov-authority <address>', 'account that may send peg/GovAction and insurance payouts directly ("" = none)')
    .option('--attest-threshold <num/den>', 'custodian weight needed to attest (more than 1/2)')
    .option('--guardian-threshold <num/den>', 'custodian weight needed to pause or cancel (0/1 = any one custodian)')
    .option('--withdrawal-timeout-blocks <n>', 'after this, an unpaid request may be refunded by governance')
    .option('--custodian-change-delay-blocks <n>', 'delay of a custodian set change')
    .option('--home <dir>', 'node home directory')
    .action((o: { govAuthority?: string; attestThreshold?: string; guardianThreshold?: string; withdrawalTimeoutBlocks?: string; custodianChangeDelayBlocks?: string; home?: string }) =>
      editGenesis(o.home, (doc) => {
        const peg = pegSection(doc);
        const params = Object.assign(
          peg.params ?? {},
          defined({
            gov_authority: o.govAuthority,
            attest_threshold: fraction(o.attestThreshold, 'attest-threshold'),
            guardian_threshold: fraction(o.guardianThreshold, 'guardian-threshold'),
            withdrawal_timeout_blocks: count(o.withdrawalTimeoutBlocks, 'withdrawal-timeout-blocks'),
            custodian_change_delay_blocks: count(o.custodianChangeDelayBlocks, 'custodian-change-delay-blocks'),
          }),
        );
        peg.params = params;
        parseParams(params, doc.address_prefix);
        return { params };
      }),
    );
}
