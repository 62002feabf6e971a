import { P2PHost } from '../../../src/p2p/host.js';
import type { Network } from '../../../src/p2p/types.js';
import { portOf, quiet, tempDir, TEST_LIMITS } from './helpers.js';
import { CHAIN, networkSemantics, type Harness } from './semantics.js';

function libp2pHarness(): Harness {
  const dir = tempDir('dexchain-p2p-');
  const hosts: P2PHost[] = [];
  const made: { keyPath: string; chainId: string; peers: string[] }[] = [];
  let n = 0;
  const build = (i: number, port: number): P2PHost => new P2PHost({
    chainId: made[i]!.chainId,
    listen: `tcp://127.0.0.1:${port}`,
    nodeKeyPath: made[i]!.keyPath,
    persistentPeers: made[i]!.peers,
    logger: quiet,
    limits: TEST_LIMITS,
  });
  return {
    async create({ chainId = CHAIN, peers }): Promise<Network> {
      const i = n++;
      made[i] = {
        keyPath: `${dir.path}/node${i}/config/node_key.json`,
        chainId,
        peers: peers.map((j) => `${hosts[j]!.peerId}@127.0.0.1:${portOf(hosts[j]!)}`),
      };
      const host = build(i, 0);
      await host.start();
      hosts[i] = host;
      return host;
    },
    async restart(i: number): Promise<Network> {
      const old = hosts[i]!;
      const port = portOf(old);
      await old.stop();
      const host = build(i, port);
      await host.start();
      hosts[i] = host;
      return host;
    },
    async cleanup(): Promise<void> {
      await Promise.all(hosts.map((h) => h.stop()));
      dir.remove();
    },
  };
}

networkSemantics('P2PHost (libp2p)', libp2pHarness);
