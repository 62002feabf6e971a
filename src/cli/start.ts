/**
 * `dexchain start`: loads the home, applies flag overrides, runs the node until SIGINT/SIGTERM.
 * With `--demo` (what `npm start` uses) a missing home is first initialised with a funded demo
 * account whose key sits in the home's test keyring.
 */
import { existsSync } from 'node:fs';
import { applyOverrides, homePaths, loadConfig } from '../node/config.js';
import { initHome } from '../node/init.js';
import { readGenesis, writeGenesis, addGenesisAccount } from '../node/genesis-file.js';
import { Keyring } from '../node/keyring.js';
import { DexNode } from '../node/node.js';
import { encodeAddress } from '../codec/index.js';
import { formatFixed8 } from '../codec/fixed8.js';
import { fromHex } from '../crypto/hash.js';
import { resolveHome } from './common.js';
import { addGenesisPair, addGenesisToken } from '../modules/dex/genesis.js';

const DEMO_KEY = 'demo';
const DEMO_BNB = 10_000_000n * 100_000_000n; // 10,000,000 BNB
/** A BEP2 token the demo account holds, listed against BNB, so orders work from the start. */
const DEMO_TOKEN = 'DEMO';
const DEMO_TOKEN_SUPPLY = 1_000_000_000n * 100_000_000n; // 1,000,000,000 DEMO
const DEMO_PAIR_PRICE = 100_000_000n; // 1 BNB

function ensureDemoHome(home: string): void {
  const paths = homePaths(home);
  if (existsSync(paths.genesisFile)) return;
  initHome({ home, chainId: 'dexchain-local', moniker: 'local', addressPrefix: 'tbnb' });
  const kr = new Keyring(home, 'test');
  const { info } = kr.has(DEMO_KEY) ? { info: kr.show(DEMO_KEY) } : kr.add(DEMO_KEY);
  const doc = readGenesis(paths.genesisFile);
  const address = encodeAddress(fromHex(info.address), doc.address_prefix);
  addGenesisAccount(doc, address, [{ denom: 'BNB', amount: DEMO_BNB }]);
  const token = addGenesisToken(doc, { symbol: DEMO_TOKEN, totalSupply: DEMO_TOKEN_SUPPLY, owner: address, name: 'Demo token', mintable: true });
  addGenesisPair(doc, token, 'BNB', DEMO_PAIR_PRICE);
  writeGenesis(paths.genesisFile, doc);
}

export async function startNode(o: { home?: string; demo: boolean; overrides: Record<string, string> }): Promise<void> {
  const home = resolveHome(o.home);
  if (o.demo) ensureDemoHome(home);
  const paths = homePaths(home);
  if (!existsSync(paths.genesisFile)) throw new Error(`${home} has no genesis: run "dexchain init --home ${home}" first (or "npm start" for a demo chain)`);
  const cfg = loadConfig(paths);
  applyOverrides(cfg, o.overrides);
  const node = new DexNode({ home, config: cfg });
  let stopping = false;
  const stop = async (sig: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    node.log.info({ signal: sig }, 'shutting down');
    await node.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await node.start();
  const rpc = node.rpcAddress.replace('tcp://', 'http://');
  const lines = [
    '',
    `  dexchain node running`,
    `  chain id      ${node.chainId}`,
    `  RPC           ${rpc}   (try: curl ${rpc}/status)`,
    `  web page      ${rpc}/${node.config.rpc.web ? '' : '   (disabled: --web=false)'}`,
    `  home          ${home}`,
  ];
  const kr = new Keyring(home, 'test');
  if (kr.has(DEMO_KEY)) {
    const k = kr.show(DEMO_KEY);
    const raw = fromHex(k.address);
    // what the committed state holds now (after a restart, not necessarily the genesis amount)
    const held = (node.app.queries.balancesOf(raw) ?? []).filter((b) => b.free > 0n);
    lines.push(`  demo account  ${encodeAddress(raw, node.hrp)}`);
    lines.push(`  demo balance  ${held.length > 0 ? held.map((b) => `${formatFixed8(b.free)} ${b.symbol}`).join(', ') : 'none yet'}`);
    lines.push(`  demo key      ${k.path}  (use: --from ${DEMO_KEY} --keyring-backend test --home ${home})`);
  }
  process.stdout.write(lines.join('\n') + '\n\n');
}
