/**
 * publishBlockEvents' account events: one per address a block's txs touched, sorted, with the
 * committed balances formatted once; raw addresses the app named are read by bytes, the rest
 * (no addresses named) through the bech32 account query.
 */
import assert from 'node:assert/strict';
import { publishBlockEvents } from '../../../src/node/live-events.js';
import type { AppliedBlock } from '../../../src/node/executor.js';
import type { AccountEvent, LiveFeed } from '../../../src/rpc/websocket.js';
import type { BalanceView, RpcNode } from '../../../src/rpc/types.js';
import { decodeAddress, encodeAddress } from '../../../src/codec/index.js';
import { toHex } from '../../../src/crypto/hash.js';

const HRP = 'tbnb';
const addr = (n: number): Uint8Array => new Uint8Array(20).fill(n);

function block(addresses: (Uint8Array[] | undefined)[]): AppliedBlock {
  return {
    block: { header: { height: 7, timeMs: 1_700_000_000_000 }, txs: addresses.map(() => new Uint8Array([1])), evidence: [], lastCommit: { signatures: [] } },
    hash: new Uint8Array(32),
    results: addresses.map((a, i) => ({ code: 0, log: '', data: new Uint8Array(), events: [], hash: `H${i}`, ...(a ? { addresses: a } : {}) })),
    response: { txResults: [], events: [], validatorUpdates: [], appHash: new Uint8Array(32) },
    appHash: new Uint8Array(32),
    stored: Promise.resolve(),
  } as unknown as AppliedBlock;
}

function node(balances: Map<string, BalanceView[]>, calls: string[]): RpcNode {
  return {
    balancesOf(a: Uint8Array) {
      calls.push(`raw:${toHex(a).slice(0, 4)}`);
      return balances.get(toHex(a));
    },
    account(address: string) {
      calls.push(`bech32:${address.slice(0, 8)}`);
      const b = balances.get(toHex(decodeAddress(address, HRP)));
      return b ? { address, accountNumber: 0n, sequence: 0n, flags: 0n, balances: b } : undefined;
    },
  } as unknown as RpcNode;
}

describe('publishBlockEvents: account events', () => {
  it('one event per touched address, sorted, balances as fixed-8 strings; unknown accounts skipped', () => {
    const events: AccountEvent[] = [];
    const live: LiveFeed = { publishBlock() {}, publishAccount: (e) => events.push(e) };
    const balances = new Map<string, BalanceView[]>([
      [toHex(addr(1)), [{ symbol: 'BNB', free: 150_000_000n, frozen: 1n, locked: 0n }]],
      [toHex(addr(2)), [{ symbol: 'ABC-123', free: 0n, frozen: 0n, locked: 2_500_000_000n }, { symbol: 'BNB', free: 7n, frozen: 0n, locked: 0n }]],
    ]);
    const calls: string[] = [];
    // addr(3) is named but has no account; addr(1) appears twice
    publishBlockEvents(live, block([[addr(2), addr(1)], [addr(1), addr(3)]]), node(balances, calls), HRP);
    const want = [addr(1), addr(2)].map((a) => encodeAddress(a, HRP)).sort();
    assert.deepEqual(
      events.map((e) => e.address),
      want,
    );
    const e1 = events.find((e) => e.address === encodeAddress(addr(1), HRP))!;
    assert.equal(e1.height, 7);
    assert.deepEqual(e1.balances, [{ symbol: 'BNB', free: '1.50000000', frozen: '0.00000001', locked: '0.00000000' }]);
    const e2 = events.find((e) => e.address === encodeAddress(addr(2), HRP))!;
    assert.deepEqual(e2.balances[0], { symbol: 'ABC-123', free: '0.00000000', frozen: '0.00000000', locked: '25.00000000' });
    // read by raw bytes, once per address, never through the bech32 query
    assert.equal(calls.filter((c) => c.startsWith('raw:')).length, 3);
    assert.equal(calls.filter((c) => c.startsWith('bech32:')).length, 0);
  });

  it('a node without balancesOf is read through account(address)', () => {
    const events: AccountEvent[] = [];
    const live: LiveFeed = { publishBlock() {}, publishAccount: (e) => events.push(e) };
    const calls: string[] = [];
    const n = node(new Map([[toHex(addr(4)), [{ symbol: 'BNB', free: 1n, frozen: 0n, locked: 0n }]]]), calls);
    delete (n as { balancesOf?: unknown }).balancesOf;
    publishBlockEvents(live, block([[addr(4)]]), n, HRP);
    assert.deepEqual(events.map((e) => e.balances), [[{ symbol: 'BNB', free: '0.00000001', frozen: '0.00000000', locked: '0.00000000' }]]);
    assert.deepEqual(calls, [`bech32:${encodeAddress(addr(4), HRP).slice(0, 8)}`]);
  });

  it('stops at 500 addresses per block', () => {
    const events: AccountEvent[] = [];
    const live: LiveFeed = { publishBlock() {}, publishAccount: (e) => events.push(e) };
    const balances = new Map<string, BalanceView[]>();
    const txs: Uint8Array[][] = [];
    for (let i = 0; i < 300; i++) {
      const a = new Uint8Array(20);
      a[0] = i >> 8;
      a[1] = i & 255;
      const b = new Uint8Array(20).fill(7);
      b[0] = 200 + (i >> 8);
      b[1] = i & 255;
      for (const x of [a, b]) balances.set(toHex(x), [{ symbol: 'BNB', free: 1n, frozen: 0n, locked: 0n }]);
      txs.push([a, b]);
    }
    publishBlockEvents(live, block(txs), node(balances, []), HRP);
    assert.equal(events.length, 500);
  });
});
