import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BatchScheduler, type BatchRequest } from '../../../src/node/block-sync-scheduler.js';

type Behaviour = 'honest' | 'liar' | 'error' | 'silent';

interface SimPeer {
  id: string;
  /** What its status claims. */
  claimed: number;
  /** What it really has (a peer behind serves short batches). */
  real: number;
  base: number;
  behaviour: Behaviour;
}

interface Item {
  valid: boolean;
}

const peerArb = fc.record({
  claimed: fc.integer({ min: 0, max: 60 }),
  lag: fc.integer({ min: 0, max: 20 }),
  base: fc.integer({ min: 1, max: 4 }),
  behaviour: fc.constantFrom<Behaviour>('honest', 'honest', 'liar', 'error', 'silent'),
});

const caseArb = fc.record({
  target: fc.integer({ min: 1, max: 60 }),
  batch: fc.integer({ min: 1, max: 12 }),
  perPeer: fc.integer({ min: 1, max: 3 }),
  maxInFlight: fc.integer({ min: 1, max: 8 }),
  peers: fc.array(peerArb, { minLength: 1, maxLength: 5 }),
  /** Drives which outstanding request is answered next, and when consensus commits a height itself. */
  choices: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 400 }),
});

describe('block sync batch scheduler', () => {
  it('hands out non-overlapping batches across peers, respecting per-peer and total limits', () => {
    const s = new BatchScheduler<Item>({
      from: 1, target: 100, batch: 10, perPeer: 2, maxInFlight: 16,
      peers: [{ id: 'a', height: 100 }, { id: 'b', height: 100 }, { id: 'c', height: 45 }],
    });
    const reqs = s.assign();
    assert.equal(reqs.length, 6);
    const perPeer = new Map<string, number>();
    for (const r of reqs) perPeer.set(r.peer, (perPeer.get(r.peer) ?? 0) + 1);
    assert.deepEqual([...perPeer.entries()].sort(), [['a', 2], ['b', 2], ['c', 2]]);
    const covered = reqs.flatMap((r) => Array.from({ length: r.count }, (_, i) => r.from + i)).sort((x, y) => x - y);
    assert.deepEqual(covered, [...new Set(covered)], 'a height was asked twice');
    assert.equal(covered[0], 1);
    for (const r of reqs) if (r.peer === 'c') assert.ok(r.from + r.count - 1 <= 45, 'asked c past its height');
  });

  it('asks the rest of a short answer from another peer and lowers the short peer', () => {
    const s = new BatchScheduler<Item>({ from: 1, target: 10, batch: 10, perPeer: 1, maxInFlight: 4, peers: [{ id: 'a', height: 10 }, { id: 'b', height: 10 }] });
    const [r1] = s.assign();
    assert.ok(r1);
    s.received(r1.id, [{ valid: true }, { valid: true }, { valid: true }]);
    const [r2, ...more] = s.assign();
    assert.equal(more.length, 0);
    assert.ok(r2);
    assert.notEqual(r2.peer, r1.peer, 'the short peer was asked again for heights it does not have');
    assert.deepEqual([r2.from, r2.count], [4, 7]);
  });

  it('gives a failed peer\'s batches and unapplied blocks to others and never asks it again', () => {
    const s = new BatchScheduler<Item>({ from: 1, target: 20, batch: 5, perPeer: 2, maxInFlight: 8, peers: [{ id: 'a', height: 20 }, { id: 'b', height: 20 }] });
    const reqs = s.assign();
    const fromA = reqs.filter((r) => r.peer === 'a');
    assert.equal(fromA.length, 2);
    s.received(fromA[0]!.id, Array.from({ length: fromA[0]!.count }, () => ({ valid: true })));
    s.failed('a');
    assert.equal(s.isLive(fromA[1]!.id), false);
    assert.equal(s.peek(fromA[0]!.from), undefined, 'kept a block from a failed peer');
    const again = s.assign();
    assert.ok(again.every((r) => r.peer === 'b'));
    assert.deepEqual(s.failedPeers(), ['a']);
  });

  it('ends with every height applied once in order, or stalls only when no honest peer has the next one', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const peers: SimPeer[] = c.peers.map((p, i) => ({
          id: `p${i}`, claimed: p.claimed, real: Math.max(0, p.claimed - p.lag), base: p.base, behaviour: p.behaviour,
        }));
        const byId = new Map(peers.map((p) => [p.id, p]));
        const s = new BatchScheduler<Item>({
          from: 1, target: c.target, batch: c.batch, perPeer: c.perPeer, maxInFlight: c.maxInFlight,
          peers: peers.map((p) => ({ id: p.id, height: p.claimed, base: p.base })),
        });
        const applied: number[] = [];
        const outstanding: BatchRequest[] = [];
        let step = 0;
        let choice = 0;
        const pick = (): number => c.choices[choice++ % c.choices.length]! + choice;
        for (; step < 10_000; step++) {
          // Apply what is ready, strictly in order; a lie is caught by verification.
          let r = s.peekNext();
          while (r !== undefined) {
            if (r.item.valid) {
              applied.push(r.height);
              s.applied();
            } else {
              s.failed(r.peer);
            }
            r = s.peekNext();
          }
          if (s.done) break;
          const fresh = s.assign();
          for (const r of fresh) {
            const p = byId.get(r.peer)!;
            assert.ok(r.count >= 1 && r.count <= c.batch);
            assert.ok(r.from >= s.next && r.from + r.count - 1 <= c.target);
            assert.ok(r.from >= p.base && r.from <= p.claimed, 'asked a peer for heights it does not claim');
          }
          outstanding.push(...fresh);
          const live = outstanding.filter((r) => s.isLive(r.id));
          assert.ok(live.length <= c.maxInFlight);
          for (const p of peers) assert.ok(live.filter((r) => r.peer === p.id).length <= c.perPeer);
          if (s.stalled) break;
          const n = pick();
          if (n % 17 === 0) {
            // Consensus committed the next height by itself.
            applied.push(s.next);
            s.skipTo(s.next + 1);
            continue;
          }
          if (outstanding.length === 0) continue;
          const [req] = outstanding.splice(n % outstanding.length, 1);
          const p = byId.get(req!.peer)!;
          if (p.behaviour === 'error') {
            s.requestFailed(req!.id);
          } else if (p.behaviour === 'silent') {
            s.requestFailed(req!.id); // its timeout fired
          } else {
            const last = Math.min(req!.from + req!.count - 1, p.real);
            const items: Item[] = [];
            for (let h = req!.from; h <= last; h++) items.push({ valid: p.behaviour === 'honest' || h % 3 !== 0 });
            s.received(req!.id, items);
          }
        }
        assert.ok(step < 10_000, 'the round did not end');
        assert.deepEqual(applied, Array.from({ length: applied.length }, (_, i) => i + 1), 'heights not applied once each, in order');
        if (s.done) {
          assert.equal(applied.length, c.target);
        } else {
          assert.ok(s.stalled);
          const next = s.next;
          assert.equal(applied.length, next - 1);
          for (const p of peers) {
            const canServe = p.behaviour === 'honest' && p.base <= next && Math.min(p.real, p.claimed) >= next;
            assert.ok(!canServe, `stalled at ${next} although honest ${p.id} has it`);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
