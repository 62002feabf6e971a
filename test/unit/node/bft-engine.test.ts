/**
 * BftEngine: four validators (real DexNodes) over a MemoryNetwork in one process.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from './cluster.js';
import { homePaths } from '../../../src/node/config.js';
import { decodeWalFrames } from '../../../src/consensus/wal.js';
import { decodeVote } from '../../../src/consensus/block.js';
import { decodeEvidenceFile } from '../../../src/node/evidence-file.js';
import { bytesEqual, toHex } from '../../../src/crypto/hash.js';
import type { Network } from '../../../src/p2p/types.js';
import { decodeProposalMsgHead } from '../../../src/node/consensus-msgs.js';
import pb from 'protobufjs/minimal.js';

function walEntries(home: string) {
  const dir = homePaths(home).walDir;
  const all = readdirSync(dir).sort().map((f) => new Uint8Array(readFileSync(join(dir, f))));
  return all.flatMap((b) => decodeWalFrames(b).entries);
}

/**
 * Node `i`'s network, where each proposal is followed, once node i's core has taken it (its step
 * moved past propose at that height and round), by a copy whose block is garbage: the engine must
 * drop the copy as the proposal it holds without decoding the block (which would fail and
 * penalise the sender). Penalties for bad proposals are recorded.
 */
function resendingProposals(c: Cluster, i: number, net: Network, out: { held: number; penalties: string[] }): Network {
  const subscribe = net.subscribe.bind(net);
  const penalize = net.penalize.bind(net);
  net.penalize = (peer, reason, points) => {
    if (/proposal/.test(reason)) out.penalties.push(reason);
    penalize(peer, reason, points);
  };
  net.subscribe = (topic, handler) => {
    if (topic !== 'proposals') return subscribe(topic, handler);
    return subscribe(topic, (data, from) => {
      handler(data, from);
      const { proposal } = decodeProposalMsgHead(data);
      const copy = withGarbageBlock(data);
      let tries = 0;
      const later = (): void => {
        const st = c.nodes[i]?.engine.status();
        if (!st || st.height !== proposal.height || st.round !== proposal.round || tries++ > 200) return;
        if (st.step === 'propose' || st.step === 'new_height' || st.step === 'new_round') {
          setTimeout(later, 1);
          return;
        }
        out.held++;
        handler(copy, from);
      };
      setTimeout(later, 1);
    });
  };
  return net;
}

/** The proposal message with its proposal field kept and its block replaced by bytes that decode as no block. */
function withGarbageBlock(msg: Uint8Array): Uint8Array {
  const r = pb.Reader.create(msg);
  let proposal: Uint8Array | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 10) proposal = r.bytes();
    else r.skipType(tag & 7);
  }
  const w = pb.Writer.create();
  w.uint32(10).bytes(proposal!);
  w.uint32(18).bytes(Uint8Array.of(0xff, 0xff, 0xff, 0x01, 0x02));
  return w.finish();
}

describe('BftEngine: 4 validators over MemoryNetwork', function () {
  this.timeout(120_000);
  let c: Cluster;
  const walViolations: string[] = [];
  let votesChecked = 0;
  const resent = { held: 0, penalties: [] as string[] };

  before(async () => {
    c = await Cluster.create(4, 'four');
    // node1: every own vote must already be in the WAL file when it is handed to the network
    c.wrap = (i, net) => {
      if (i === 2) return resendingProposals(c, 2, net, resent);
      if (i !== 1) return net;
      const home = c.net.nodes[1]!.home;
      const publish = net.publish.bind(net);
      net.publish = async (topic, data) => {
        if (topic === 'votes') {
          const v = decodeVote(data);
          const logged = walEntries(home).some((e) => e.kind === 'vote' && e.own && bytesEqual(e.vote.signature, v.signature));
          if (!logged) walViolations.push(`${v.height}/${v.round}/${v.type}`);
          votesChecked++;
        }
        return publish(topic, data);
      };
      return net;
    };
    await c.startAll();
  });

  after(async () => {
    await c?.close();
  });

  it('commits blocks with identical hashes on every node', async () => {
    await c.waitHeight(4);
    for (let h = 1; h <= 4; h++) {
      const hashes = new Set(c.seen.map((s) => s.hashes.get(h)));
      assert.equal(hashes.size, 1, `height ${h}: ${[...hashes].join(' ')}`);
    }
    // every block carries a verifiable +2/3 commit of the previous one and proposers rotate
    const proposers = new Set(c.seen[0]!.blocks.map((b) => toHex(b.block.header.proposerAddress)));
    assert.ok(proposers.size >= 2, 'proposer rotates');
    assert.ok(votesChecked > 0, 'node1 voted');
    assert.deepEqual(walViolations, [], 'a vote left node1 before it was in its WAL');
    const st = c.nodes[0]!.engine.status();
    assert.equal(st.catchingUp, false);
  });

  it('a re-sent copy of the proposal the core holds is dropped before its block is decoded', async () => {
    await c.waitFor(() => resent.held >= 2, 'copies of held proposals delivered to node2');
    // each copy carried an undecodable block: decoding it would have penalised the sender
    assert.deepEqual(resent.penalties, []);
    const h = c.height(2);
    await c.waitHeight(h + 1);
  });

  it('a tx submitted at node0 is committed on every node', async () => {
    const to = c.net.nodes[3]!.operator;
    const tx = c.signSend(0, to, 12_345n);
    const res = c.nodes[0]!.mempool.add(tx.bytes);
    assert.equal(res.code, 0, res.log);
    await c.waitFor(() => c.seen.every((s) => s.txs.has(tx.hash)), 'tx committed everywhere');
    // node2 got it through gossip into its mempool too, or through the block: either way the state agrees
    const bal = (i: number) => c.nodes[i]!.app.queries.account(to)!.balances.find((b) => b.symbol === 'BNB')!.free;
    await c.waitFor(() => new Set([0, 1, 2, 3].map(bal)).size === 1, 'same balance everywhere');
  });

  it('keeps committing with one validator down, and the restarted one catches up (WAL replay + block sync)', async () => {
    await c.stop(3);
    const h0 = Math.max(...[0, 1, 2].map((i) => c.height(i)));
    await c.waitHeight(h0 + 4, [0, 1, 2]);
    // a torn write at the end of the WAL, as a crash mid-append leaves it
    const walDir = homePaths(c.net.nodes[3]!.home).walDir;
    const seg = readdirSync(walDir).sort().pop()!;
    appendFileSync(join(walDir, seg), Buffer.from([0, 0, 0, 9, 0, 0]));
    const down = c.height(3);
    await c.start(3);
    const target = Math.max(...[0, 1, 2].map((i) => c.height(i))) + 2;
    await c.waitHeight(target, [0, 1, 2, 3]);
    assert.ok(c.height(3) > down);
    for (let h = 1; h <= target; h++) {
      const hs = new Set([0, 1, 2, 3].map((i) => c.seen[i]!.hashes.get(h)).filter((x) => x !== undefined));
      assert.ok(hs.size <= 1, `fork at ${h}`);
    }
    assert.deepEqual(walViolations, []);
  });

  it('a validator restarted within a height replays its WAL and never double-signs', async () => {
    for (let k = 0; k < 3; k++) {
      await c.stop(2);
      await c.start(2);
      const h = Math.max(...[0, 1, 2, 3].map((i) => c.height(i)));
      await c.waitHeight(h + 1, [0, 1, 2, 3]);
    }
    const evidence = c.seen.flatMap((s) => s.blocks.flatMap((b) => b.block.evidence));
    assert.equal(evidence.length, 0, 'no duplicate-vote evidence against honest validators');
    for (const n of c.nodes) assert.equal((n!.engine as unknown as { evidencePending: number }).evidencePending, 0);
  });

  it('a non-validator full node follows the chain (block sync + consensus observer) and signs nothing', async () => {
    const i = await c.addFullNode();
    await c.start(i);
    const target = Math.max(...[0, 1, 2, 3].map((k) => c.height(k))) + 2;
    await c.waitHeight(target, [0, 1, 2, 3, i]);
    for (let h = 1; h <= target; h++) {
      const hs = new Set([0, 1, 2, 3, i].map((k) => c.seen[k]!.hashes.get(h)).filter((x) => x !== undefined));
      assert.ok(hs.size <= 1, `fork at ${h}`);
    }
    assert.equal(c.seen[i]!.hashes.get(target), c.seen[0]!.hashes.get(target));
    const { existsSync } = await import('node:fs');
    assert.equal(existsSync(homePaths(c.net.nodes[i]!.home).privValidatorState), false, 'a full node never signs');
    for (const b of c.seen[0]!.blocks.filter((x) => x.block.header.height > target - 2)) {
      assert.ok(!b.block.lastCommit.signatures.some((s) => toHex(s.validatorAddress).toUpperCase() === c.net.nodes[i]!.validatorAddress));
    }
  });
});

describe('BftEngine: an equivocating validator', function () {
  this.timeout(120_000);
  let c: Cluster;

  before(async () => {
    c = await Cluster.create(4, 'equivocate');
    const { loadValidatorKey } = await import('../../../src/node/privval.js');
    const { voteSignBytes, encodeVote } = await import('../../../src/consensus/block.js');
    const { ed25519Sign } = await import('../../../src/crypto/ed25519.js');
    const key = loadValidatorKey(homePaths(c.net.nodes[0]!.home).privValidatorKey);
    // node0 signs a second, conflicting prevote for every prevote it casts
    c.wrap = (i, net): Network => {
      if (i !== 0) return net;
      const publish = net.publish.bind(net);
      net.publish = async (topic, data) => {
        await publish(topic, data);
        if (topic !== 'votes') return;
        const v = decodeVote(data);
        if (v.type !== 1) return;
        const other = { ...v, blockId: { hash: v.blockId.hash.length ? new Uint8Array(0) : new Uint8Array(32).fill(7) } };
        other.signature = ed25519Sign(voteSignBytes(c.net.chainId, other), key.privKey);
        await publish(topic, encodeVote(other));
      };
      return net;
    };
    await c.startAll();
  });

  after(async () => {
    await c?.close();
  });

  it('its evidence lands in a block, the app jails it and it leaves the validator set', async () => {
    const byz = c.net.nodes[0]!.validatorAddress;
    let evHeight = 0;
    await c.waitFor(() => {
      const b = c.seen[1]!.blocks.find((x) => x.block.evidence.length > 0);
      if (b) evHeight = b.block.header.height;
      return !!b;
    }, 'a block with evidence', 60_000);
    const blk = c.seen[1]!.blocks.find((x) => x.block.header.height === evHeight)!;
    assert.equal(toHex(blk.block.evidence[0]!.voteA.validatorAddress).toUpperCase(), byz);
    assert.deepEqual(blk.response.validatorUpdates.map((u) => u.power), [0n]);
    assert.ok(blk.response.events.some((e) => e.type === 'slash'), 'slash event');
    const v = c.nodes[1]!.app.queries.validators().find((x) => x.consensus_address === byz)!;
    assert.equal(v.jailed, true);
    // the honest nodes kept the evidence on disk while it was pending; committed, it left the file
    const kept = decodeEvidenceFile(readFileSync(homePaths(c.net.nodes[1]!.home).evidence));
    assert.ok(!kept.some((e) => e.voteA.height === blk.block.evidence[0]!.voteA.height && toHex(e.voteA.validatorAddress).toUpperCase() === byz), 'committed evidence left the file');
    // H+2: the set no longer has it, and the chain goes on without it
    await c.waitHeight(evHeight + 3, [1, 2, 3]);
    const set = c.nodes[2]!.valsets.get(evHeight + 2)!;
    assert.equal(set.size, 3);
    assert.ok(!set.validators.some((x) => toHex(x.address).toUpperCase() === byz));
    assert.ok(c.nodes[1]!.valsets.get(evHeight + 1)!.size === 4, 'still in the set at H+1');
    const last = c.seen[1]!.blocks[c.seen[1]!.blocks.length - 1]!;
    assert.ok(!last.block.lastCommit.signatures.some((s) => toHex(s.validatorAddress).toUpperCase() === byz) || last.block.header.height <= evHeight + 2);
  });
});
