import assert from 'node:assert/strict';
import { MemoryHub, type MemoryNetwork } from '../../../src/p2p/memory-network.js';
import type { Network } from '../../../src/p2p/types.js';
import { bytes, text, waitFor } from './helpers.js';
import { CHAIN, networkSemantics, type Harness } from './semantics.js';

function memoryHarness(): Harness {
  const hub = new MemoryHub();
  const nets: MemoryNetwork[] = [];
  const made: { chainId: string; peers: string[] }[] = [];
  const build = (i: number): MemoryNetwork =>
    hub.createNetwork({ peerId: `12D3KooWMemory${i}`, chainId: made[i]!.chainId, persistentPeers: made[i]!.peers });
  return {
    async create({ chainId = CHAIN, peers }): Promise<Network> {
      const i = made.length;
      made.push({ chainId, peers: peers.map((j) => `${nets[j]!.peerId}@127.0.0.1:26656`) });
      nets[i] = build(i);
      await nets[i]!.start();
      return nets[i]!;
    },
    async restart(i: number): Promise<Network> {
      await nets[i]!.stop();
      nets[i] = build(i);
      await nets[i]!.start();
      return nets[i]!;
    },
    async cleanup(): Promise<void> {
      await Promise.all(nets.map((n) => n.stop()));
    },
  };
}

networkSemantics('MemoryNetwork', memoryHarness);

describe('MemoryHub extras', () => {
  it('relays gossip along a line and stops at a partition until healed', async () => {
    const hub = new MemoryHub();
    const a = hub.createNetwork({ peerId: 'a', chainId: CHAIN });
    const b = hub.createNetwork({ peerId: 'b', chainId: CHAIN, persistentPeers: ['a'] });
    const c = hub.createNetwork({ peerId: 'c', chainId: CHAIN, persistentPeers: ['b'] });
    await Promise.all([a.start(), b.start(), c.start()]);
    try {
      await waitFor('line a-b-c', () => b.peers().length === 2);
      assert.deepEqual(a.peers().map((p) => p.id), ['b']);
      const atC: string[] = [];
      c.subscribe('txs', (d, from) => atC.push(`${text(d)}<${from}`));
      await a.publish('txs', bytes('x'));
      await waitFor('x relayed to c', () => atC.length === 1);
      assert.deepEqual(atC, ['x<b']);

      hub.partition('b', 'c');
      await waitFor('c cut off', () => c.peers().length === 0);
      await a.publish('txs', bytes('y'));
      await assert.rejects(a.sendDirect('c', 'txs', bytes('z')));
      hub.heal('b', 'c');
      await waitFor('c back', () => c.peers().length === 1);
      await a.publish('txs', bytes('w'));
      await waitFor('w relayed to c', () => atC.length === 2);
      assert.deepEqual(atC, ['x<b', 'w<b']);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });
});
