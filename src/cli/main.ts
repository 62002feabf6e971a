/**
 * `dexchain`: the operator's and issuer's command line.
 */
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homePaths } from '../node/config.js';
import { initHome } from '../node/init.js';
import { readGenesis, writeGenesis, addGenesisAccount, parseCoinList } from '../node/genesis-file.js';
import { encodeAddress, formatFixed8 } from '../codec/index.js';
import { fromHex } from '../crypto/hash.js';
import { NodeClient } from '../client/http.js';
import { registerTx } from './tx.js';
import { registerLoad } from './load.js';
import { registerTestnet } from './testnet.js';
import { registerDexGenesis, registerDexTx, registerDexQuery } from './dex.js';
import { registerDexTools } from './dex-tools.js';
import { registerPeg, registerRelayer } from './peg.js';
import { CliError, homePrefix, nodeUrl, openKeyring, passwordOf, printJson, resolveHome } from './common.js';

function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a node home: config, validator key, operator key and a one-validator genesis')
    .option('--home <dir>', 'node home directory')
    .option('--chain-id <id>', 'chain id', 'dexchain-local')
    .option('--moniker <name>', 'node name', 'node0')
    .option('--address-prefix <hrp>', 'bech32 account prefix: tbnb or bnb', 'tbnb')
    .option('--overwrite', 'replace an existing config and genesis', false)
    .action((o: { home?: string; chainId: string; moniker: string; addressPrefix: string; overwrite: boolean }) => {
      if (o.addressPrefix !== 'tbnb' && o.addressPrefix !== 'bnb') throw new CliError(`--address-prefix must be tbnb or bnb, got "${o.addressPrefix}"`);
      const r = initHome({ home: resolveHome(o.home), chainId: o.chainId, moniker: o.moniker, addressPrefix: o.addressPrefix, overwrite: o.overwrite });
      printJson({ home: r.home, chain_id: r.chainId, moniker: r.moniker, validator_address: r.validatorAddress, operator: r.operator });
    });
}

function registerGenesis(program: Command): Command {
  const g = program.command('genesis').description('edit the genesis file of a home (before the chain starts)');
  g.command('add-account <address> <coins>')
    .description('give ADDRESS coins at genesis (AMOUNT:SYMBOL[,AMOUNT:SYMBOL…], whole tokens); moved from the token owner\'s genesis balance')
    .option('--home <dir>', 'node home directory')
    .action((address: string, coins: string, o: { home?: string }) => {
      const paths = homePaths(resolveHome(o.home));
      const doc = readGenesis(paths.genesisFile);
      addGenesisAccount(doc, address, parseCoinList(coins));
      writeGenesis(paths.genesisFile, doc);
      printJson({ address, coins: parseCoinList(coins).map((c) => `${formatFixed8(c.amount)}:${c.denom}`) });
    });
  g.command('validate').description('check the genesis file').option('--home <dir>').action((o: { home?: string }) => {
    const doc = readGenesis(homePaths(resolveHome(o.home)).genesisFile);
    printJson({ ok: true, chain_id: doc.chain_id, accounts: doc.app_state.accounts.length, validators: doc.app_state.validators.length });
  });
  return g;
}

function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the node')
    .option('--home <dir>', 'node home directory')
    .option('--rpc.laddr <addr>', 'RPC listen address, e.g. tcp://127.0.0.1:26657')
    .option('--p2p.laddr <addr>', 'p2p listen address, e.g. tcp://0.0.0.0:26656')
    .option('--log_level <level>', 'trace|debug|info|warn|error')
    .option('--web <bool>', 'serve the web page (true|false)')
    .option('--demo', 'initialise the home with a funded demo account if it does not exist yet', false)
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', '\nAny config option can be overridden as --section.key VALUE (e.g. --consensus.timeout_commit_ms 500).')
    .action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
      const { startNode } = await import('./start.js');
      const overrides: Record<string, string> = {};
      if (o['rpc.laddr']) overrides['rpc.laddr'] = String(o['rpc.laddr']);
      if (o['p2p.laddr']) overrides['p2p.laddr'] = String(o['p2p.laddr']);
      if (o['log_level']) overrides['log_level'] = String(o['log_level']);
      if (o['web'] !== undefined) overrides['rpc.web'] = String(o['web']);
      const rest = cmd.args;
      for (let i = 0; i < rest.length; i++) {
        const a = rest[i]!;
        if (!a.startsWith('--')) throw new CliError(`unexpected argument "${a}"`);
        const eq = a.indexOf('=');
        if (eq > 0) overrides[a.slice(2, eq)] = a.slice(eq + 1);
        else {
          const v = rest[i + 1];
          if (v === undefined || v.startsWith('--')) throw new CliError(`option ${a} needs a value`);
          overrides[a.slice(2)] = v;
          i++;
        }
      }
      await startNode({ home: o.home as string | undefined, demo: !!o.demo, overrides });
    });
}

function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage account keys');
  const common = (c: Command): Command =>
    c.option('--home <dir>', 'node home directory').option('--keyring-backend <backend>', 'test or file', 'file').option('--password <pw>', 'keyring password (file backend; or DEXCHAIN_KEYRING_PASSWORD)');
  common(keys.command('add <name>').description('create a key (prints its mnemonic once)').option('--recover', 'read a mnemonic from --mnemonic or stdin').option('--mnemonic <words>').option('--index <i>', 'HD index', '0').option('--address-prefix <hrp>')).action(
    async (name: string, o: { home?: string; keyringBackend?: string; password?: string; recover?: boolean; mnemonic?: string; index: string; addressPrefix?: string }) => {
      let mnemonic = o.mnemonic;
      if (o.recover && !mnemonic) mnemonic = readFileSync(0, 'utf8').trim();
      const { info, mnemonic: m } = openKeyring(o).add(name, { mnemonic, index: Number(o.index), password: passwordOf(o) });
      const hrp = o.addressPrefix ?? homePrefix(o.home);
      printJson({ name: info.name, address: encodeAddress(fromHex(info.address), hrp), pubkey: info.pubkey, file: info.path, ...(o.recover ? {} : { mnemonic: m }) });
    },
  );
  common(keys.command('import <name> <keyfile>').description('import a private key (hex file) or an SDK keystore JSON').option('--keystore-password <pw>', 'password of the keystore being imported')).action(
    async (name: string, keyfile: string, o: { home?: string; keyringBackend?: string; password?: string; keystorePassword?: string }) => {
      if (!existsSync(keyfile)) throw new CliError(`file not found: ${keyfile}`);
      const raw = readFileSync(keyfile, 'utf8').trim();
      let priv: Uint8Array;
      if (raw.startsWith('{')) {
        const { decryptKeystore } = await import('../crypto/keystore.js');
        const pw = o.keystorePassword ?? passwordOf(o);
        if (!pw) throw new CliError('--keystore-password is required to import a keystore');
        priv = decryptKeystore(JSON.parse(raw), pw);
      } else priv = fromHex(raw.replace(/^0x/, ''));
      const info = openKeyring(o).importPrivateKey(name, priv, { password: passwordOf(o) });
      printJson({ name: info.name, address: encodeAddress(fromHex(info.address), homePrefix(o.home)), file: info.path });
    },
  );
  common(keys.command('export <name>').description('export a key as an encrypted SDK keystore JSON').option('--output <file>').option('--export-password <pw>', 'password of the exported keystore')).action(
    (name: string, o: { home?: string; keyringBackend?: string; password?: string; output?: string; exportPassword?: string }) => {
      const kr = openKeyring(o);
      const pw = o.exportPassword ?? passwordOf(o);
      if (!pw) throw new CliError('--export-password (or --password) is required');
      const ks = kr.exportKeystore(name, pw, passwordOf(o));
      if (o.output) writeFileSync(o.output, JSON.stringify(ks, null, 2) + '\n', { mode: 0o600 });
      else printJson(ks);
    },
  );
  common(keys.command('list').description('list keys').option('--address-prefix <hrp>')).action((o: { home?: string; keyringBackend?: string; addressPrefix?: string }) => {
    const hrp = o.addressPrefix ?? homePrefix(o.home);
    printJson(openKeyring(o).list().map((k) => ({ name: k.name, address: encodeAddress(fromHex(k.address), hrp), pubkey: k.pubkey })));
  });
  common(keys.command('show <name>').description('show a key\'s address').option('--address-prefix <hrp>').option('-a, --address', 'print only the address')).action(
    (name: string, o: { home?: string; keyringBackend?: string; addressPrefix?: string; address?: boolean }) => {
      const k = openKeyring(o).show(name);
      const addr = encodeAddress(fromHex(k.address), o.addressPrefix ?? homePrefix(o.home));
      if (o.address) process.stdout.write(addr + '\n');
      else printJson({ name: k.name, address: addr, pubkey: k.pubkey, file: k.path });
    },
  );
}

function registerQuery(program: Command): Command {
  const q = program.command('query').alias('q').description('query a node');
  const common = (c: Command): Command => c.option('--node <url>', 'node RPC URL').option('--home <dir>', 'home whose RPC address to use');
  common(q.command('account <address>')).action(async (address: string, o: { node?: string; home?: string }) => {
    const a = await new NodeClient(nodeUrl(o)).account(address);
    if (!a) throw new CliError(`account ${address} not found (it has never received coins)`);
    printJson(a);
  });
  common(q.command('token <symbol>')).action(async (symbol: string, o: { node?: string; home?: string }) => {
    printJson(await new NodeClient(nodeUrl(o)).get(`/api/v1/tokens/${encodeURIComponent(symbol)}`));
  });
  common(q.command('tokens').option('--limit <n>', '', '100').option('--offset <n>', '', '0')).action(async (o: { node?: string; home?: string; limit: string; offset: string }) => {
    printJson(await new NodeClient(nodeUrl(o)).get(`/api/v1/tokens?limit=${Number(o.limit)}&offset=${Number(o.offset)}`));
  });
  common(q.command('tx <hash>')).action(async (hash: string, o: { node?: string; home?: string }) => {
    printJson(await new NodeClient(nodeUrl(o)).tx(hash.replace(/^0x/, ''), 'json'));
  });
  common(q.command('block [height]')).action(async (height: string | undefined, o: { node?: string; home?: string }) => {
    if (height !== undefined && !/^\d+$/.test(height)) throw new CliError('height must be a number');
    printJson(await new NodeClient(nodeUrl(o)).rpc('block', height ? { height } : {}));
  });
  common(q.command('status')).action(async (o: { node?: string; home?: string }) => {
    printJson(await new NodeClient(nodeUrl(o)).rpc('status'));
  });
  common(q.command('timelocks <address>')).action(async (address: string, o: { node?: string; home?: string }) => {
    printJson(await new NodeClient(nodeUrl(o)).get(`/api/v1/timelocks/${address}`));
  });
  return q;
}

export function buildProgram(): Command {
  const program = new Command();
  program.name('dexchain').description('dexchain: a Binance-Chain-compatible DEX chain node').version('0.1.0');
  program.showHelpAfterError('(run with --help for usage)');
  registerInit(program);
  registerDexGenesis(registerGenesis(program));
  registerStart(program);
  registerKeys(program);
  registerDexTx(registerTx(program));
  registerDexQuery(registerQuery(program));
  registerDexTools(program);
  registerPeg(program);
  registerRelayer(program);
  registerLoad(program);
  registerTestnet(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`Error: ${msg}\n`);
    process.exitCode = 1;
  }
}

