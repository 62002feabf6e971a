/** Test helpers: keys, signing, genesis, running blocks, state digests. */
import { MemoryIndex } from '../../../src/store/memory-index.js';
import { DexHistory } from '../../../src/modules/dex/history.js';
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeAddress, encodeTx, stdSignBytes } from '../../../src/codec/index.js';
import type { Msg, StdSignature } from '../../../src/codec/types.js';
import { addressFromPubKey, consensusAddress, fromHex, sha256, toHex } from '../../../src/crypto/hash.js';
import { publicKeyFromPrivate, signHash, SECP256K1_N, bytesToBigInt } from '../../../src/crypto/secp256k1.js';
import { createVerifier, type SignatureVerifier } from '../../../src/crypto/verifier.js';
import { memoryStateStore } from '../../../src/state/index.js';
import type { StateStore } from '../../../src/state/types.js';
import { DexApp } from '../../../src/app/app.js';
import type { FinalizeBlockResponse, VoteInfo } from '../../../src/app/abci.js';

export const CHAIN_ID = 'Binance-Chain-Ganges';
export const HRP = 'tbnb';
export const GENESIS_TIME = '2024-01-01T00:00:00Z';
export const GENESIS_MS = Date.parse(GENESIS_TIME);
export const BNB_SUPPLY = 20_000_000_000_000_000n;
export const BNB = 100_000_000n;

export interface Key {
  priv: Uint8Array;
  pub: Uint8Array;
  addr: Uint8Array;
  bech32: string;
}

export function keyFromPriv(priv: Uint8Array): Key {
  const pub = publicKeyFromPrivate(priv);
  const addr = addressFromPubKey(pub);
  return { priv, pub, addr, bech32: encodeAddress(addr, HRP) };
}

/** Deterministic key from a label. */
export function key(label: string): Key {
  return keyFromPriv(sha256(new TextEncoder().encode(`dexchain-test-key-${label}`)));
}

// ---------------------------------------------------------------------------------------------
// SDK vectors

export interface SdkVector {
  name: string;
  tx_bytes_hex: string;
  tx_hash: string;
  memo: string;
  expected_issued_symbol_on_real_chain?: string;
  sign_msg: Record<string, unknown>;
}

export const sdkVectors = JSON.parse(
  readFileSync(new URL('../../../../shared/vectors/sdk-tx.json', import.meta.url), 'utf8'),
) as { keys: Record<string, { private_key: string; address_tbnb: string; address_hex: string }>; vectors: SdkVector[] };

export const sdkSender = keyFromPriv(fromHex(sdkVectors.keys.sender!.private_key));
export const sdkRecipient1 = keyFromPriv(fromHex(sdkVectors.keys.recipient1!.private_key));
export const sdkRecipient2 = keyFromPriv(fromHex(sdkVectors.keys.recipient2!.private_key));

export function sdkTx(name: string): { bytes: Uint8Array; v: SdkVector } {
  const v = sdkVectors.vectors.find((x) => x.name === name);
  if (!v) throw new Error(`no SDK vector ${name}`);
  return { bytes: fromHex(v.tx_bytes_hex), v };
}

// ---------------------------------------------------------------------------------------------
// signing

export interface SignOpts {
  chainId?: string;
  accountNumber: bigint | number;
  sequence: bigint | number;
  memo?: string;
  source?: bigint;
  hrp?: string;
}

export function signature(priv: Uint8Array, msg: Msg, o: SignOpts): StdSignature {
  const signBytes = stdSignBytes({
    chainId: o.chainId ?? CHAIN_ID,
    accountNumber: BigInt(o.accountNumber),
    sequence: BigInt(o.sequence),
    memo: o.memo ?? '',
    source: o.source ?? 0n,
    msgs: [msg],
    hrp: o.hrp ?? HRP,
  });
  return {
    pub_key: publicKeyFromPrivate(priv),
    signature: signHash(sha256(signBytes), priv),
    account_number: BigInt(o.accountNumber),
    sequence: BigInt(o.sequence),
  };
}

export function signTx(priv: Uint8Array, msg: Msg, o: SignOpts): Uint8Array {
  return encodeTx({ msgs: [msg], signatures: [signature(priv, msg, o)], memo: o.memo ?? '', source: o.source ?? 0n, data: new Uint8Array(0) });
}

/** Several signers (multi-input send): one SignOpts per signer; memo/chain from the first. */
export function signTxMulti(privs: Uint8Array[], msg: Msg, opts: SignOpts[]): Uint8Array {
  const sigs = privs.map((p, i) => signature(p, msg, { ...opts[i]!, memo: opts[0]!.memo, chainId: opts[0]!.chainId }));
  return encodeTx({ msgs: [msg], signatures: sigs, memo: opts[0]!.memo ?? '', source: 0n, data: new Uint8Array(0) });
}

/** Same tx with the signature's s replaced by n - s (valid math, non-canonical). */
export function highS(priv: Uint8Array, msg: Msg, o: SignOpts): Uint8Array {
  const sig = signature(priv, msg, o);
  const s = bytesToBigInt(sig.signature.subarray(32));
  const hs = (SECP256K1_N - s).toString(16).padStart(64, '0');
  const bad = new Uint8Array(64);
  bad.set(sig.signature.subarray(0, 32), 0);
  bad.set(fromHex(hs), 32);
  return encodeTx({ msgs: [msg], signatures: [{ ...sig, signature: bad }], memo: o.memo ?? '', source: 0n, data: new Uint8Array(0) });
}

// ---------------------------------------------------------------------------------------------
// genesis

export interface Validator {
  name: string;
  edPub: Uint8Array;
  consAddr: Uint8Array;
  operator: Key;
}

export function validator(label: string): Validator {
  const edPub = ed25519.getPublicKey(sha256(new TextEncoder().encode(`val-${label}`)));
  return { name: label, edPub, consAddr: consensusAddress(edPub), operator: key(`op-${label}`) };
}

export const VAL1 = validator('v1');
export const VAL2 = validator('v2');
export const VAL3 = validator('v3');
export const TREASURY = key('treasury');

export interface GenesisOpts {
  /** address → BNB base units (taken out of the treasury). */
  bnb?: [Key | string, bigint][];
  /** extra tokens: symbol, owner, supply (all held by the owner). */
  tokens?: { symbol: string; owner: Key; supply: bigint; mintable?: boolean; name?: string }[];
  validators?: Validator[];
  chainId?: string;
  params?: unknown;
}

export function genesisDoc(o: GenesisOpts = {}): Record<string, unknown> {
  const vals = o.validators ?? [VAL1, VAL2, VAL3];
  const accounts = new Map<string, Map<string, bigint>>();
  const credit = (addr: string, denom: string, amt: bigint) => {
    const m = accounts.get(addr) ?? new Map<string, bigint>();
    m.set(denom, (m.get(denom) ?? 0n) + amt);
    accounts.set(addr, m);
  };
  let rest = BNB_SUPPLY;
  for (const [k, amt] of o.bnb ?? [[sdkSender, 100_000n * BNB]]) {
    credit(typeof k === 'string' ? k : k.bech32, 'BNB', amt);
    rest -= amt;
  }
  credit(TREASURY.bech32, 'BNB', rest);
  const tokens: Record<string, unknown>[] = [
    { name: 'Binance Chain Native Token', symbol: 'BNB', original_symbol: 'BNB', total_supply: BNB_SUPPLY.toString(), owner: TREASURY.bech32, mintable: false },
  ];
  for (const t of o.tokens ?? []) {
    tokens.push({
      name: t.name ?? `${t.symbol} token`,
      symbol: t.symbol,
      original_symbol: t.symbol.split('-')[0],
      total_supply: t.supply.toString(),
      owner: t.owner.bech32,
      mintable: t.mintable ?? true,
    });
    credit(t.owner.bech32, t.symbol, t.supply);
  }
  const app_state: Record<string, unknown> = {
    accounts: [...accounts.entries()].map(([address, coins]) => ({
      address,
      coins: [...coins.entries()].map(([denom, amount]) => ({ denom, amount: amount.toString() })),
    })),
    tokens,
    validators: vals.map((v) => ({
      name: v.name,
      consensus_pub_key: Buffer.from(v.edPub).toString('base64'),
      operator: v.operator.bech32,
      power: '10',
    })),
  };
  if (o.params !== undefined) app_state.params = o.params;
  return { chain_id: o.chainId ?? CHAIN_ID, address_prefix: HRP, genesis_time: GENESIS_TIME, app_state };
}

// ---------------------------------------------------------------------------------------------
// app harness

/** Counts verify calls so tests can see the signature cache at work. */
export function countingVerifier(inner: SignatureVerifier = createVerifier()): SignatureVerifier & { calls: number } {
  const v = {
    backend: inner.backend,
    calls: 0,
    verify(sig: Uint8Array, h: Uint8Array, p: Uint8Array) {
      v.calls++;
      return inner.verify(sig, h, p);
    },
  };
  return v;
}

export interface Harness {
  app: DexApp;
  store: StateStore;
  verifier: SignatureVerifier & { calls: number };
  height: number;
  timeMs: number;
  /** The node's DEX history index, in memory: `runBlock` writes each block's history there. */
  historyIndex?: MemoryIndex;
  history?: DexHistory;
}

/** A history index in memory and its reader (what the node keeps beside its block store). */
export function newHistory(): { historyIndex: MemoryIndex; history: DexHistory } {
  const historyIndex = new MemoryIndex();
  return { historyIndex, history: new DexHistory(historyIndex) };
}

export async function newApp(o: GenesisOpts = {}, store: StateStore = memoryStateStore()): Promise<Harness> {
  const verifier = countingVerifier();
  const app = new DexApp({ store, verifier });
  await app.initChain(genesisDoc(o));
  return { app, store, verifier, height: 0, timeMs: GENESIS_MS, ...newHistory() };
}

export interface BlockOpts {
  timeMs?: number;
  proposer?: Validator;
  votes?: Validator[];
}

/** finalizeBlock + commit; block time advances 1 s per block unless given. */
export async function runBlock(h: Harness, txs: Uint8Array[], o: BlockOpts = {}): Promise<FinalizeBlockResponse> {
  h.height++;
  h.timeMs = o.timeMs ?? h.timeMs + 1000;
  const votes: VoteInfo[] = (o.votes ?? (h.height === 1 ? [] : [VAL1, VAL2, VAL3])).map((v) => ({
    validatorAddress: v.consAddr,
    power: 10n,
    signedLastBlock: true,
  }));
  const res = h.app.finalizeBlock({
    height: h.height,
    timeMs: h.timeMs,
    proposerAddress: (o.proposer ?? VAL1).consAddr,
    txs,
    lastCommitVotes: votes,
    misbehavior: [],
    hash: toHex(sha256(new TextEncoder().encode(`block-${h.height}`))).toUpperCase(),
  });
  await h.app.commit();
  const history = h.history;
  if (history) await h.historyIndex!.apply((w) => history.write(w, h.height, res.history));
  return res;
}

/** The state the app answers queries from (genesis waits in the working view until block 1). */
export function view(h: Harness) {
  return h.store.height === 0 ? h.store.working() : h.store.committed();
}

/** Free balance. */
export function bal(h: Harness, k: Key | Uint8Array, denom = 'BNB'): bigint {
  const addr = k instanceof Uint8Array ? k : k.addr;
  return h.app.bank.getBalance(view(h), addr, denom);
}

export function acc(h: Harness, k: Key) {
  return h.app.bank.getAccount(view(h), k.addr);
}

/** Every committed key/value except the last block time (which moves every block). */
export function stateDigest(h: Harness): string {
  // Per-block bookkeeping that changes whatever the txs do: the last block time and the DEX's
  // last processed height and its record of each UTC day's breathe-block height.
  const skip = 'app/lastBlockTime';
  const parts: string[] = [];
  for (const [k, v] of view(h).iterate(new Uint8Array(0))) {
    const key = Buffer.from(k).toString('latin1');
    if (key === skip || key === 'dex/h' || key.startsWith('dex/bh/')) continue;
    parts.push(`${toHex(k)}=${toHex(v)}`);
  }
  return parts.join('\n');
}

export function assertInvariants(h: Harness): void {
  const breaches = h.app.checkInvariants();
  if (breaches.length > 0) throw new Error(`invariants broken:\n${breaches.join('\n')}`);
}

/**
 * Delivers one tx that must fail with `code`: checks the result, that no state changed at all
 * (no fee, no sequence bump) and that the invariants hold.
 */
export async function expectRejected(h: Harness, tx: Uint8Array, code: number, logIncludes?: string): Promise<string> {
  const before = stateDigest(h);
  const res = await runBlock(h, [tx]);
  const r = res.txResults[0]!;
  if (r.code !== code) throw new Error(`expected code ${code}, got ${r.code}: ${r.log}`);
  if (logIncludes && !r.log.includes(logIncludes)) throw new Error(`log ${JSON.stringify(r.log)} lacks ${JSON.stringify(logIncludes)}`);
  const after = stateDigest(h);
  if (before !== after) {
    const b = new Set(before.split('\n'));
    const diff = after.split('\n').filter((l) => !b.has(l)).map((l) => Buffer.from(l.split('=')[0]!, 'hex').toString('latin1'));
    throw new Error(`state changed by a rejected tx (${r.log}); changed keys: ${diff.join(', ')}`);
  }
  assertInvariants(h);
  return r.log;
}

/** Signs with the account number and sequence the committed state expects now. */
export function signNext(h: Harness, k: Key, msg: Msg, o: Partial<SignOpts> = {}): Uint8Array {
  const a = h.app.bank.getAccount(view(h), k.addr);
  return signTx(k.priv, msg, { accountNumber: a?.accountNumber ?? 0n, sequence: a?.sequence ?? 0n, ...o });
}

/** Runs one tx in its own block and asserts success; returns the result. */
export async function deliverOk(h: Harness, tx: Uint8Array, o: BlockOpts = {}) {
  const res = await runBlock(h, [tx], o);
  const r = res.txResults[0]!;
  if (r.code !== 0) throw new Error(`tx failed: code ${r.code}: ${r.log}`);
  assertInvariants(h);
  return r;
}
