/**
 * `dexchain testnet --validators N --output DIR`: homes `DIR/node0…` for a local N-validator
 * network (see `node/testnet.ts`). Start them with `scripts/localnet.sh start N DIR` or
 * `dexchain start --home DIR/nodeI`.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { generateTestnet, DEFAULT_BASE_PORT } from '../node/testnet.js';
import { CliError, printJson } from './common.js';

export function registerTestnet(program: Command): void {
  program
    .command('testnet')
    .description('write the homes of a local multi-validator network (one shared genesis, peers on 127.0.0.1)')
    .requiredOption('--validators <n>', 'number of validators')
    .requiredOption('--output <dir>', 'directory for node0, node1, …')
    .option('--chain-id <id>', 'chain id', 'dexchain-localnet')
    .option('--address-prefix <hrp>', 'bech32 account prefix: tbnb or bnb', 'tbnb')
    .option('--base-port <p>', `p2p port of node0; node i uses P+10i (p2p) and P+10i+1 (RPC)`, String(DEFAULT_BASE_PORT))
    .option('--host <host>', 'host peers dial (persistent_peers)', '127.0.0.1')
    .option('--hostname-prefix <prefix>', 'peers dial <prefix><i> instead of --host (docker compose service names)')
    .option('--rpc-host <host>', 'RPC listen host', '127.0.0.1')
    .action(async (o: { validators: string; output: string; chainId: string; addressPrefix: string; basePort: string; host: string; hostnamePrefix?: string; rpcHost: string }) => {
      const n = Number(o.validators);
      if (!Number.isInteger(n) || n < 1) throw new CliError(`--validators must be a positive integer, got "${o.validators}"`);
      const port = Number(o.basePort);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`--base-port must be a port number, got "${o.basePort}"`);
      if (o.addressPrefix !== 'tbnb' && o.addressPrefix !== 'bnb') throw new CliError(`--address-prefix must be tbnb or bnb, got "${o.addressPrefix}"`);
      const prefix = o.hostnamePrefix;
      const r = await generateTestnet({
        validators: n,
        output: resolve(o.output),
        chainId: o.chainId,
        addressPrefix: o.addressPrefix,
        basePort: port,
        host: o.host,
        hostOf: prefix ? (i) => `${prefix}${i}` : undefined,
        rpcHost: o.rpcHost,
      });
      printJson({
        chain_id: r.chainId,
        nodes: r.nodes.map((x) => ({
          home: x.home,
          moniker: x.moniker,
          validator_address: x.validatorAddress,
          operator: x.operator,
          node_id: x.nodeId,
          p2p: `tcp://0.0.0.0:${x.p2pPort}`,
          rpc: x.rpcUrl,
        })),
      });
    });
}
