/**
 * `dexchain load`: the load generator for operators (see src/client/load.ts).
 */
import type { Command } from 'commander';
import { runLoad } from '../client/load.js';
import { CliError, openKeyring, passwordOf, printJson } from './common.js';

function parseMix(s: string): { transfer: number; order: number } {
  const mix = { transfer: 0, order: 0 };
  for (const part of s.split(',')) {
    const m = /^(transfer|order):(\d+)$/.exec(part.trim());
    if (!m) throw new CliError(`--mix "${s}": expected e.g. transfer:70,order:30`);
    mix[m[1] as 'transfer' | 'order'] = Number(m[2]);
  }
  if (mix.transfer + mix.order === 0) throw new CliError('--mix must give a positive share');
  return mix;
}

function posInt(name: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new CliError(`--${name} must be a positive integer`);
  return Number(v);
}

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('send a steady load of signed txs to a node and report throughput and commit latency')
    .requiredOption('--rpc <url>', 'node RPC URL, e.g. http://127.0.0.1:26657')
    .requiredOption('--from <key>', 'funded key that pays for the load accounts')
    .option('--keyring-backend <backend>', 'test or file', 'file')
    .option('--home <dir>', 'home holding the keyring')
    .option('--password <pw>', 'keyring password (file backend)')
    .option('--accounts <n>', 'sending accounts', '100')
    .option('--rate <r>', 'txs per second', '1000')
    .option('--duration <s>', 'seconds of load', '10')
    .option('--mix <mix>', 'transfer:N,order:M shares', 'transfer:100')
    .option('--pair <BASE_QUOTE>', 'pair for orders (default: the first listed market whose tokens --from can fund for every account)')
    .option('--batch <n>', 'txs per HTTP request')
    .option('--drain <s>', 'seconds to wait for the last txs to commit', '30')
    .action(async (o: Record<string, string>) => {
      const priv = openKeyring({ home: o.home, keyringBackend: o.keyringBackend }).privateKey(o.from!, passwordOf(o));
      const tty = process.stderr.isTTY;
      const report = await runLoad({
        rpc: o.rpc!,
        sourcePriv: priv,
        accounts: posInt('accounts', o.accounts!),
        rate: posInt('rate', o.rate!),
        durationSec: posInt('duration', o.duration!),
        mix: parseMix(o.mix!),
        pair: o.pair,
        batch: o.batch ? posInt('batch', o.batch) : undefined,
        drainSec: posInt('drain', o.drain!),
        log: (l) => process.stderr.write(l + '\n'),
        onProgress: (p) => {
          const line = `t=${p.elapsedSec.toFixed(1)}s submitted=${p.submitted} accepted=${p.accepted} committed=${p.committed} rejected=${p.rejected} retried=${p.retried} height=${p.height}`;
          process.stderr.write(tty ? `\r${line}   ` : line + '\n');
        },
      });
      if (tty) process.stderr.write('\n');
      printJson(report);
    });
}
