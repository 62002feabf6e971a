/**
 * DEX and governance commands: genesis tokens and pairs for local and test nets, orders,
 * listing, proposals and votes, and market queries.
 */
import type { Command } from 'commander';
import { decodeAddress, parseFixed8, formatFixed8 } from '../codec/index.js';
import { ProposalKind, VoteOption, type Msg } from '../codec/types.js';
import { toHex } from '../crypto/hash.js';
import { homePaths } from '../node/config.js';
import { readGenesis, writeGenesis } from '../node/genesis-file.js';
import { addGenesisToken, addGenesisPair } from '../modules/dex/index.js';
import { NodeClient } from '../client/http.js';
import { commonTxFlags, signAndSend, type TxFlags } from './tx.js';
import { CliError, nodeUrl, printJson, resolveHome } from './common.js';

function decimal(name: string, v: string | undefined): bigint {
  if (v === undefined) throw new CliError(`--${name} is required`);
  let x: bigint;
  try {
    x = parseFixed8(v);
  } catch (e) {
    throw new CliError(`--${name}: ${(e as Error).message}`);
  }
  if (x <= 0n) throw new CliError(`--${name} must be positive`);
  return x;
}

function pairFlag(v: string | undefined): string {
  if (!v || !/^[A-Za-z0-9.\-]+_[A-Za-z0-9.\-]+$/.test(v)) throw new CliError('--symbol must be a pair BASE_QUOTE, e.g. XYZ-14A_BNB');
  return v.toUpperCase();
}

export function registerDexGenesis(genesis: Command): void {
  genesis
    .command('add-token <symbol> <total-supply>')
    .description('add a BEP2 token at genesis (creates SYMBOL-XXX owned by --owner, who holds the supply); prints the full symbol')
    .requiredOption('--owner <address>', 'owner and initial holder')
    .option('--name <name>', 'token name (default: the symbol)')
    .option('--mintable', 'the owner may mint later', false)
    .option('--home <dir>', 'node home directory')
    .action((symbol: string, supply: string, o: { owner: string; name?: string; mintable: boolean; home?: string }) => {
      const paths = homePaths(resolveHome(o.home));
      const doc = readGenesis(paths.genesisFile);
      const full = addGenesisToken(doc, { symbol, totalSupply: decimal('total-supply', supply), owner: o.owner, name: o.name ?? symbol.toUpperCase(), mintable: !!o.mintable });
      writeGenesis(paths.genesisFile, doc);
      printJson({ symbol: full, total_supply: formatFixed8(decimal('total-supply', supply)), owner: o.owner });
    });
  genesis
    .command('add-pair <base> <quote>')
    .description('list a trading pair at genesis (tick and lot size from the price)')
    .requiredOption('--price <price>', 'list price in quote per base, decimal')
    .option('--home <dir>', 'node home directory')
    .action((base: string, quote: string, o: { price: string; home?: string }) => {
      const paths = homePaths(resolveHome(o.home));
      const doc = readGenesis(paths.genesisFile);
      addGenesisPair(doc, base, quote, decimal('price', o.price));
      writeGenesis(paths.genesisFile, doc);
      printJson({ pair: `${base.toUpperCase()}_${quote.toUpperCase()}`, list_price: formatFixed8(decimal('price', o.price)) });
    });
}

export function registerDexTx(tx: Command): void {
  commonTxFlags(
    tx
      .command('order')
      .description('place a limit order')
      .requiredOption('--symbol <pair>', 'BASE_QUOTE')
      .requiredOption('--side <side>', 'buy or sell')
      .requiredOption('--price <price>', 'decimal')
      .requiredOption('--quantity <qty>', 'decimal, a multiple of the lot size')
      .option('--tif <tif>', 'gte (good till expiry) or ioc (immediate or cancel)', 'gte'),
  ).action(async (f: TxFlags & { symbol: string; side: string; price: string; quantity: string; tif: string }) => {
    const side = f.side.toLowerCase() === 'buy' ? 1 : f.side.toLowerCase() === 'sell' ? 2 : 0;
    if (!side) throw new CliError('--side must be buy or sell');
    const tif = f.tif.toLowerCase() === 'gte' ? 1 : f.tif.toLowerCase() === 'ioc' ? 3 : 0;
    if (!tif) throw new CliError('--tif must be gte or ioc');
    const symbol = pairFlag(f.symbol);
    const price = decimal('price', f.price);
    const quantity = decimal('quantity', f.quantity);
    await signAndSend(f, (from, _hrp, seq): Msg => ({
      type: 'dex/NewOrder',
      sender: from,
      id: `${toHex(from).toUpperCase()}-${seq + 1n}`,
      symbol,
      ordertype: 2,
      side,
      price,
      quantity,
      timeinforce: tif,
    }));
  });

  commonTxFlags(tx.command('cancel').description('cancel an open order').requiredOption('--symbol <pair>').requiredOption('--id <orderId>', 'order id (HEXADDRESS-N)')).action(
    async (f: TxFlags & { symbol: string; id: string }) => {
      await signAndSend(f, (from): Msg => ({ type: 'dex/CancelOrder', sender: from, symbol: pairFlag(f.symbol), refid: f.id }));
    },
  );

  commonTxFlags(
    tx
      .command('list')
      .description('list a pair after its ListTradingPair proposal passed')
      .requiredOption('--proposal-id <id>')
      .requiredOption('--base <symbol>')
      .requiredOption('--quote <symbol>')
      .requiredOption('--init-price <price>'),
  ).action(async (f: TxFlags & { proposalId: string; base: string; quote: string; initPrice: string }) => {
    if (!/^\d+$/.test(f.proposalId)) throw new CliError('--proposal-id must be a number');
    await signAndSend(f, (from): Msg => ({
      type: 'dex/ListMsg',
      from,
      proposal_id: BigInt(f.proposalId),
      base_asset_symbol: f.base.toUpperCase(),
      quote_asset_symbol: f.quote.toUpperCase(),
      init_price: decimal('init-price', f.initPrice),
    }));
  });

  const gov = tx.command('gov').description('governance: proposals, deposits, votes');
  commonTxFlags(
    gov
      .command('submit-list-proposal')
      .description('propose listing a pair (deposit in BNB)')
      .requiredOption('--base <symbol>')
      .requiredOption('--quote <symbol>')
      .requiredOption('--init-price <price>')
      .requiredOption('--title <title>')
      .option('--description <text>', 'free text', '')
      .requiredOption('--deposit <bnb>', 'initial deposit in BNB')
      .option('--voting-period <seconds>', 'voting period', '3600')
      .option('--expire <seconds>', 'listing must happen within this many seconds', '86400'),
  ).action(async (f: TxFlags & { base: string; quote: string; initPrice: string; title: string; description: string; deposit: string; votingPeriod: string; expire: string }) => {
    const params = {
      base_asset_symbol: f.base.toUpperCase(),
      quote_asset_symbol: f.quote.toUpperCase(),
      init_price: Number(decimal('init-price', f.initPrice)),
      description: f.description,
      expire_time: new Date(Date.now() + Number(f.expire) * 1000).toISOString(),
    };
    await signAndSend(f, (from): Msg => ({
      type: 'cosmos-sdk/MsgSubmitProposal',
      title: f.title,
      description: JSON.stringify(params),
      proposal_type: ProposalKind.ListTradingPair,
      proposer: from,
      initial_deposit: [{ denom: 'BNB', amount: decimal('deposit', f.deposit) }],
      voting_period: BigInt(Number(f.votingPeriod)) * 1_000_000_000n,
    }));
  });
  commonTxFlags(
    gov
      .command('submit-proposal')
      .description('submit any proposal kind with a JSON/text description')
      .requiredOption('--type <kind>', `one of ${Object.keys(ProposalKind).filter((k) => k !== 'Nil').join(', ')}`)
      .requiredOption('--title <title>')
      .requiredOption('--description <text>')
      .requiredOption('--deposit <bnb>')
      .option('--voting-period <seconds>', '', '3600'),
  ).action(async (f: TxFlags & { type: string; title: string; description: string; deposit: string; votingPeriod: string }) => {
    const kind = (ProposalKind as Record<string, number>)[f.type];
    if (kind === undefined || kind === 0) throw new CliError(`--type must be one of ${Object.keys(ProposalKind).filter((k) => k !== 'Nil').join(', ')}`);
    await signAndSend(f, (from): Msg => ({
      type: 'cosmos-sdk/MsgSubmitProposal',
      title: f.title,
      description: f.description,
      proposal_type: kind,
      proposer: from,
      initial_deposit: [{ denom: 'BNB', amount: decimal('deposit', f.deposit) }],
      voting_period: BigInt(Number(f.votingPeriod)) * 1_000_000_000n,
    }));
  });
  commonTxFlags(gov.command('deposit').requiredOption('--proposal-id <id>').requiredOption('--amount <bnb>')).action(async (f: TxFlags & { proposalId: string; amount: string }) => {
    if (!/^\d+$/.test(f.proposalId)) throw new CliError('--proposal-id must be a number');
    await signAndSend(f, (from): Msg => ({ type: 'cosmos-sdk/MsgDeposit', proposal_id: BigInt(f.proposalId), depositor: from, amount: [{ denom: 'BNB', amount: decimal('amount', f.amount) }] }));
  });
  commonTxFlags(gov.command('vote').requiredOption('--proposal-id <id>').requiredOption('--option <option>', 'yes, no, abstain or no_with_veto')).action(
    async (f: TxFlags & { proposalId: string; option: string }) => {
      if (!/^\d+$/.test(f.proposalId)) throw new CliError('--proposal-id must be a number');
      const map: Record<string, number> = { yes: VoteOption.Yes, no: VoteOption.No, abstain: VoteOption.Abstain, no_with_veto: VoteOption.NoWithVeto };
      const option = map[f.option.toLowerCase()];
      if (option === undefined) throw new CliError('--option must be yes, no, abstain or no_with_veto');
      await signAndSend(f, (from): Msg => ({ type: 'cosmos-sdk/MsgVote', proposal_id: BigInt(f.proposalId), voter: from, option }));
    },
  );
}

export function registerDexQuery(q: Command): void {
  const common = (c: Command): Command => c.option('--node <url>', 'node RPC URL').option('--home <dir>', 'home whose RPC address to use');
  common(q.command('markets')).action(async (o: { node?: string; home?: string }) => printJson(await new NodeClient(nodeUrl(o)).get('/api/v1/markets')));
  common(q.command('depth <pair>').option('--limit <n>', '', '20')).action(async (pair: string, o: { node?: string; home?: string; limit: string }) =>
    printJson(await new NodeClient(nodeUrl(o)).get(`/api/v1/depth?symbol=${encodeURIComponent(pair)}&limit=${Number(o.limit)}`)),
  );
  common(q.command('orders <address>').option('--symbol <pair>')).action(async (address: string, o: { node?: string; home?: string; symbol?: string }) => {
    decodeAddress(address);
    printJson(await new NodeClient(nodeUrl(o)).get(`/api/v1/orders/open?address=${address}${o.symbol ? `&symbol=${encodeURIComponent(o.symbol)}` : ''}`));
  });
  common(q.command('trades').option('--symbol <pair>')).action(async (o: { node?: string; home?: string; symbol?: string }) =>
    printJson(await new NodeClient(nodeUrl(o)).get(`/api/v1/trades${o.symbol ? `?symbol=${encodeURIComponent(o.symbol)}` : ''}`)),
  );
  common(q.command('proposals')).action(async (o: { node?: string; home?: string }) => {
    const r = await new NodeClient(nodeUrl(o)).rpc<{ response: { code: number; log: string; value: string | null } }>('abci_query', { path: '"gov/proposals"' });
    if (r.response.code !== 0) throw new CliError(r.response.log);
    const text = Buffer.from(r.response.value ?? '', 'base64').toString('utf8');
    try {
      printJson(JSON.parse(text));
    } catch {
      printJson({ value: r.response.value });
    }
  });
}
