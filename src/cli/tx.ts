/**
 * `dexchain tx …`: build a msg from flags, sign it with a keyring key, broadcast it and print
 * the hash and the result. `dexchain tx decode` decodes and verifies any tx offline.
 */
import type { Command } from 'commander';
import type { Coin, Msg } from '../codec/types.js';
import { decodeAddress, decodeTx, parseFixed8, txSignBytes, txToJson, encodeAddress } from '../codec/index.js';
import { addressFromPubKey, fromHex, sha256 } from '../crypto/hash.js';
import { createVerifier } from '../crypto/verifier.js';
import { signTx } from '../client/sign.js';
import { NodeClient, NodeRequestError } from '../client/http.js';
import { parseCoinList } from '../node/genesis-file.js';
import { CliError, homePrefix, nodeUrl, openKeyring, passwordOf, printJson } from './common.js';

export interface TxFlags {
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

function sortedCoins(coins: Coin[]): Coin[] {
  const merged = new Map<string, bigint>();
  for (const c of coins) merged.set(c.denom, (merged.get(c.denom) ?? 0n) + c.amount);
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([denom, amount]) => ({ denom, amount }));
}

function amountFlag(v: string | undefined, name = 'amount'): bigint {
  if (v === undefined) throw new CliError(`--${name} is required`);
  let a: bigint;
  try {
    a = parseFixed8(v);
  } catch (e) {
    throw new CliError(`--${name}: ${(e as Error).message}`);
  }
  if (a <= 0n) throw new CliError(`--${name} must be positive`);
  return a;
}

function symbolFlag(v: string | undefined): string {
  if (!v) throw new CliError('--symbol is required');
  return v.toUpperCase();
}

/** Unix seconds from `UNIX`, `+SECONDS` (from now) or an ISO time. */
function lockTimeFlag(v: string | undefined): bigint {
  if (v === undefined) throw new CliError('--lock-time is required');
  if (/^\+\d+$/.test(v)) return BigInt(Math.floor(Date.now() / 1000) + Number(v.slice(1)));
  if (/^\d+$/.test(v)) return BigInt(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new CliError(`--lock-time must be unix seconds, +SECONDS or an ISO time, got "${v}"`);
  return BigInt(Math.floor(ms / 1000));
}

export async function signAndSend(flags: TxFlags, build: (from: Uint8Array, hrp: string, seq: bigint) => Msg): Promise<void> {
  const keyring = openKeyring(flags);
  const priv = keyring.privateKey(flags.from, passwordOf(flags));
  const info = keyring.show(flags.from);
  const hrp = flags.addressPrefix ?? homePrefix(flags.home);
  const fromAddr = fromHex(info.address);
  const client = new NodeClient(nodeUrl(flags));
  const chainId = flags.chainId ?? (await client.nodeInfo()).node_info.network;
  const bech = encodeAddress(fromAddr, hrp);
  const acc = await client.account(bech);
  if (!acc) throw new CliError(`account ${bech} does not exist on chain ${chainId} yet: send it some BNB first`);
  const msg = build(fromAddr, hrp, BigInt(acc.sequence));
  const signed = signTx(priv, msg, { chainId, hrp, accountNumber: BigInt(acc.account_number), sequence: BigInt(acc.sequence), memo: flags.memo ?? '' });
  try {
    const rows = await client.broadcast([signed.bytes], !flags.async);
    const r = rows[0]!;
    printJson({ hash: r.hash, code: r.code, ok: r.ok, log: r.log, data: r.data, height: r.height });
    if (r.code !== 0) process.exitCode = 1;
  } catch (e) {
    if (e instanceof NodeRequestError) {
      printJson({ hash: signed.hash, code: e.code, ok: false, log: e.message });
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

export function commonTxFlags(c: Command): Command {
  return c
    .requiredOption('--from <key>', 'name of the signing key')
    .option('--keyring-backend <backend>', 'test or file', 'file')
    .option('--home <dir>', 'node home (keys, default node URL)')
    .option('--node <url>', 'node RPC URL (default: the home\'s rpc.laddr)')
    .option('--chain-id <id>', 'chain id (default: asked from the node)')
    .option('--memo <text>', 'tx memo (≤ 128 bytes)')
    .option('--password <pw>', 'keyring password (file backend; or DEXCHAIN_KEYRING_PASSWORD)')
    .option('--address-prefix <hrp>', 'bech32 prefix (default: from the home genesis)')
    .option('--async', 'return after checkTx instead of waiting for the block');
}

export function registerTx(program: Command): Command {
  const tx = program.command('tx').description('sign and broadcast transactions');

  commonTxFlags(tx.command('send <to> <coins>').description('send coins: COINS is AMOUNT:SYMBOL[,AMOUNT:SYMBOL…]')).action(async (to: string, coins: string, f: TxFlags) => {
    await signAndSend(f, (from, hrp) => {
      const c = sortedCoins(parseCoinList(coins));
      return { type: 'cosmos-sdk/Send', inputs: [{ address: from, coins: c }], outputs: [{ address: decodeAddress(to, hrp), coins: c }] };
    });
  });

  commonTxFlags(
    tx.command('multi-send').description('send to several recipients in one tx').requiredOption('--to <ADDRESS=COINS...>', 'recipient and coins, repeatable (ADDRESS=AMOUNT:SYMBOL[,…])'),
  ).action(async (f: TxFlags & { to: string[] | string }) => {
    const specs = Array.isArray(f.to) ? f.to : [f.to];
    await signAndSend(f, (from, hrp) => {
      const outputs = specs.map((s) => {
        const i = s.indexOf('=');
        if (i < 0) throw new CliError(`--to "${s}" must be ADDRESS=AMOUNT:SYMBOL[,…]`);
        return { address: decodeAddress(s.slice(0, i), hrp), coins: sortedCoins(parseCoinList(s.slice(i + 1))) };
      });
      return { type: 'cosmos-sdk/Send', inputs: [{ address: from, coins: sortedCoins(outputs.flatMap((o) => o.coins)) }], outputs };
    });
  });

  commonTxFlags(
    tx.command('issue').description('issue a BEP2 token').requiredOption('--name <name>').requiredOption('--symbol <sym>').requiredOption('--total-supply <amount>', 'whole tokens').option('--mintable', 'allow minting later', false),
  ).action(async (f: TxFlags & { name: string; symbol: string; totalSupply: string; mintable: boolean }) => {
    await signAndSend(f, (from) => ({ type: 'tokens/IssueMsg', from, name: f.name, symbol: f.symbol.toUpperCase(), total_supply: amountFlag(f.totalSupply, 'total-supply'), mintable: !!f.mintable }));
  });

  for (const [cmd, type] of [
    ['mint', 'tokens/MintMsg'],
    ['burn', 'tokens/BurnMsg'],
    ['freeze', 'tokens/FreezeMsg'],
    ['unfreeze', 'tokens/UnfreezeMsg'],
  ] as const) {
    commonTxFlags(tx.command(cmd).description(`${cmd} tokens`).requiredOption('--symbol <sym>').requiredOption('--amount <amount>', 'whole tokens')).action(
      async (f: TxFlags & { symbol: string; amount: string }) => {
        await signAndSend(f, (from) => ({ type, from, symbol: symbolFlag(f.symbol), amount: amountFlag(f.amount) }) as Msg);
      },
    );
  }

  commonTxFlags(
    tx.command('timelock').description('lock coins until a time').requiredOption('--amount <coins>', 'AMOUNT:SYMBOL[,…]').requiredOption('--lock-time <t>', 'unix seconds, +SECONDS or ISO time').requiredOption('--description <text>'),
  ).action(async (f: TxFlags & { amount: string; lockTime: string; description: string }) => {
    await signAndSend(f, (from) => ({ type: 'tokens/TimeLockMsg', from, description: f.description, amount: sortedCoins(parseCoinList(f.amount)), lock_time: lockTimeFlag(f.lockTime) }));
  });

  commonTxFlags(tx.command('timeunlock').description('unlock a time lock after its time').requiredOption('--id <n>', 'time lock id')).action(async (f: TxFlags & { id: string }) => {
    if (!/^\d+$/.test(f.id)) throw new CliError('--id must be a number');
    await signAndSend(f, (from) => ({ type: 'tokens/TimeUnlockMsg', from, time_lock_id: BigInt(f.id) }));
  });

  commonTxFlags(
    tx.command('timerelock').description('extend a time lock (more coins and/or a later time)').requiredOption('--id <n>').option('--amount <coins>').option('--lock-time <t>').option('--description <text>'),
  ).action(async (f: TxFlags & { id: string; amount?: string; lockTime?: string; description?: string }) => {
    if (!/^\d+$/.test(f.id)) throw new CliError('--id must be a number');
    await signAndSend(f, (from) => ({
      type: 'tokens/TimeRelockMsg',
      from,
      time_lock_id: BigInt(f.id),
      description: f.description ?? '',
      amount: f.amount ? sortedCoins(parseCoinList(f.amount)) : [],
      lock_time: f.lockTime ? lockTimeFlag(f.lockTime) : 0n,
    }));
  });

  commonTxFlags(tx.command('set-account-flags').description('set account flags (1 = memo required on incoming transfers)').requiredOption('--flags <n>')).action(
    async (f: TxFlags & { flags: string }) => {
      if (!/^\d+$/.test(f.flags)) throw new CliError('--flags must be a number');
      await signAndSend(f, (from) => ({ type: 'scripts/SetAccountFlagsMsg', from, flags: BigInt(f.flags) }));
    },
  );

  commonTxFlags(tx.command('transfer-ownership').description('give a token to a new owner').requiredOption('--symbol <sym>').requiredOption('--new-owner <address>')).action(
    async (f: TxFlags & { symbol: string; newOwner: string }) => {
      await signAndSend(f, (from, hrp) => ({ type: 'tokens/TransferOwnershipMsg', from, symbol: symbolFlag(f.symbol), new_owner: decodeAddress(f.newOwner, hrp) }));
    },
  );

  tx.command('decode <hex>')
    .description('decode a signed tx and verify its signatures for a chain id')
    .requiredOption('--chain-id <id>', 'chain id the signatures must be for')
    .option('--address-prefix <hrp>', 'bech32 prefix (default: taken from the tx\'s own sign bytes: tries tbnb then bnb)')
    .action((hex: string, f: { chainId: string; addressPrefix?: string }) => {
      const s = hex.trim().replace(/^0x/, '');
      if (s.length === 0 || s.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(s)) throw new CliError('the tx must be given as hex');
      const d = decodeTx(new Uint8Array(Buffer.from(s, 'hex')));
      const verifier = createVerifier();
      const prefixes = f.addressPrefix ? [f.addressPrefix] : ['tbnb', 'bnb'];
      let valid = false;
      let hrp = prefixes[0]!;
      for (const p of prefixes) {
        const ok =
          d.tx.signatures.length > 0 &&
          d.tx.signatures.every((sig) => verifier.verify(sig.signature, sha256(txSignBytes(d.tx, sig, f.chainId, p)), sig.pub_key));
        if (ok) {
          valid = true;
          hrp = p;
          break;
        }
      }
      const signers = d.tx.signatures.map((sig) => encodeAddress(addressFromPubKey(sig.pub_key), hrp));
      printJson({ hash: d.hash, valid, chain_id: f.chainId, address_prefix: hrp, signers, tx: txToJson(d.tx, hrp) });
    });
  return tx;
}

