/**
 * App throughput: signed BNB transfers per second through checkTx + finalizeBlock + commit
 * (blocks of 5,000 by default), on the memory store and on LevelDB, next to the raw signature
 * verifies per second of the same verifier backend measured in the same run.
 *
 *   npx tsx scripts/bench/app.ts [--blocks 2] [--block-txs 5000] [--senders 1000]
 *
 * Signing happens before timing (noble, ~1 ms per tx). Each run builds a fresh app (own
 * signature cache), so each tx is verified once, in checkTx; deliverTx hits the cache, as on a node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodeAddress, encodeTx, stdSignBytes, txSignBytes, decodeTx } from '../../src/codec/index.js';
import type { SendMsg } from '../../src/codec/types.js';
import { addressFromPubKey, sha256 } from '../../src/crypto/hash.js';
import { publicKeyFromPrivate, signHash } from '../../src/crypto/secp256k1.js';
import { createVerifier, type SignatureVerifier } from '../../src/crypto/verifier.js';
import { memoryStateStore, openStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/types.js';
import { DexApp } from '../../src/app/app.js';

const CHAIN_ID = 'bench-chain';
const HRP = 'tbnb';
const SUPPLY = 20_000_000_000_000_000n;

export interface AppBenchOptions {
  blocks?: number;
  blockTxs?: number;
  senders?: number;
  log?: (line: string) => void;
}

export interface AppBenchResult {
  backend: string;
  rawVerifiesPerSec: number;
  memory: { txPerSec: number; ratio: number };
  leveldb: { txPerSec: number; ratio: number };
  txs: number;
}

interface Sender {
  priv: Uint8Array;
  pub: Uint8Array;
  addr: Uint8Array;
}

function makeSenders(n: number): Sender[] {
  const out: Sender[] = [];
  for (let i = 0; i < n; i++) {
    const priv = sha256(new TextEncoder().encode(`bench-sender-${i}`));
    const pub = publicKeyFromPrivate(priv);
    out.push({ priv, pub, addr: addressFromPubKey(pub) });
  }
  return out;
}

function genesis(senders: Sender[]): unknown {
  const each = 1_000_000_000_000n;
  const treasury = sha256(new TextEncoder().encode('bench-treasury')).slice(0, 20);
  const rest = SUPPLY - each * BigInt(senders.length);
  return {
    chain_id: CHAIN_ID,
    address_prefix: HRP,
    genesis_time: '2024-01-01T00:00:00Z',
    app_state: {
      accounts: [
        ...senders.map((s) => ({ address: encodeAddress(s.addr, HRP), coins: [{ denom: 'BNB', amount: each.toString() }] })),
        { address: encodeAddress(treasury, HRP), coins: [{ denom: 'BNB', amount: rest.toString() }] },
      ],
      tokens: [{ name: 'BNB', symbol: 'BNB', original_symbol: 'BNB', total_supply: SUPPLY.toString(), owner: encodeAddress(treasury, HRP), mintable: false }],
      validators: [],
    },
  };
}

/** blocks × blockTxs signed transfers, round-robin over the senders (account number = index). */
function signAll(senders: Sender[], blocks: number, blockTxs: number): Uint8Array[][] {
  const seq = new Array<bigint>(senders.length).fill(0n);
  const out: Uint8Array[][] = [];
  let n = 0;
  for (let b = 0; b < blocks; b++) {
    const block: Uint8Array[] = [];
    for (let i = 0; i < blockTxs; i++, n++) {
      const si = n % senders.length;
      const s = senders[si]!;
      const to = senders[(si + 1) % senders.length]!;
      const msg: SendMsg = {
        type: 'cosmos-sdk/Send',
        inputs: [{ address: s.addr, coins: [{ denom: 'BNB', amount: 1n }] }],
        outputs: [{ address: to.addr, coins: [{ denom: 'BNB', amount: 1n }] }],
      };
      const accountNumber = BigInt(si);
      const sequence = seq[si]!;
      seq[si] = sequence + 1n;
      const sb = stdSignBytes({ chainId: CHAIN_ID, accountNumber, sequence, memo: '', source: 0n, msgs: [msg], hrp: HRP });
      const signature = signHash(sha256(sb), s.priv);
      block.push(encodeTx({ msgs: [msg], signatures: [{ pub_key: s.pub, signature, account_number: accountNumber, sequence }], memo: '', source: 0n, data: new Uint8Array(0) }));
    }
    out.push(block);
  }
  return out;
}

function rawVerifyRate(verifier: SignatureVerifier, txs: Uint8Array[]): number {
  const jobs = txs.map((t) => {
    const d = decodeTx(t).tx;
    const sig = d.signatures[0]!;
    return { sig: sig.signature, hash: sha256(txSignBytes(d, sig, CHAIN_ID, HRP)), pub: sig.pub_key };
  });
  const t0 = performance.now();
  for (const j of jobs) if (!verifier.verify(j.sig, j.hash, j.pub)) throw new Error('bench signature does not verify');
  return jobs.length / ((performance.now() - t0) / 1000);
}

async function runOn(store: StateStore, verifier: SignatureVerifier, senders: Sender[], blocks: Uint8Array[][]): Promise<number> {
  const app = new DexApp({ store, verifier });
  await app.initChain(genesis(senders));
  const proposer = new Uint8Array(20);
  let timeMs = Date.parse('2024-01-01T00:00:01Z');
  let total = 0;
  const t0 = performance.now();
  for (let i = 0; i < blocks.length; i++) {
    const txs = blocks[i]!;
    for (const tx of txs) {
      const r = app.checkTx(tx, 'new');
      if (r.code !== 0) throw new Error(`checkTx failed: ${r.log}`);
    }
    const res = app.finalizeBlock({ height: i + 1, timeMs, proposerAddress: proposer, txs, lastCommitVotes: [], misbehavior: [], hash: '' });
    for (const r of res.txResults) if (r.code !== 0) throw new Error(`deliverTx failed: ${r.log}`);
    await app.commit();
    total += txs.length;
    timeMs += 1000;
  }
  return total / ((performance.now() - t0) / 1000);
}

export async function runAppBench(o: AppBenchOptions = {}): Promise<AppBenchResult> {
  const blocks = o.blocks ?? 2;
  const blockTxs = o.blockTxs ?? 5000;
  const log = o.log ?? ((l: string) => console.log(l));
  const senders = makeSenders(Math.min(o.senders ?? 1000, blockTxs));
  log(`signing ${blocks * blockTxs} transfers from ${senders.length} senders…`);
  const signed = signAll(senders, blocks, blockTxs);
  const verifier = createVerifier();
  const raw = rawVerifyRate(verifier, signed.flat());
  log(`verifier backend ${verifier.backend}: ${raw.toFixed(0)} raw verifies/s`);

  // JIT warm-up on a throwaway store (first block only), so the first measured store is not penalised
  await runOn(memoryStateStore(), verifier, senders, signed.slice(0, 1));
  const mem = await runOn(memoryStateStore(), verifier, senders, signed);
  log(`memory store : ${mem.toFixed(0)} tx/s (checkTx + finalizeBlock + commit), ${(mem / raw).toFixed(3)} × raw verify`);

  const dir = mkdtempSync(join(tmpdir(), 'dexchain-bench-app-'));
  let lvl: number;
  try {
    const store = await openStateStore(dir);
    try {
      lvl = await runOn(store, verifier, senders, signed);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log(`LevelDB store: ${lvl.toFixed(0)} tx/s (checkTx + finalizeBlock + commit), ${(lvl / raw).toFixed(3)} × raw verify`);
  return {
    backend: verifier.backend,
    rawVerifiesPerSec: raw,
    memory: { txPerSec: mem, ratio: mem / raw },
    leveldb: { txPerSec: lvl, ratio: lvl / raw },
    txs: blocks * blockTxs,
  };
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAppBench({ blocks: arg('--blocks'), blockTxs: arg('--block-txs'), senders: arg('--senders') }).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
