/**
 * EVM adapter: an ERC-20 custody address on an Ethereum-like chain, over plain JSON-RPC.
 *
 * Deposits: `Transfer(from, to = custody, value)` logs of the token, read with `eth_getLogs` in
 * block ranges up to `head - confirmations + 1`. `ext_tx_id` is the tx hash, `ext_index` the
 * log index. The chain recipient is the account of the *same secp256k1 key* that signed the
 * deposit tx (its public key is recovered from the tx signature: RIPEMD160(SHA256(compressed
 * key)), so a user deposits from a wallet whose key also controls their chain account), or the
 * `address_map` entry of the sender; transfers made by contracts on someone's behalf need a map
 * entry and are skipped (and logged) otherwise. Values are converted from the token's decimals
 * to 1e-8 units, truncating dust below 1e-8.
 *
 * Reserves: `balanceOf(custody)` at every block that holds a deposit and at every multiple of
 * `reserve_every_blocks` — heights every relayer picks alike, so their claims meet.
 *
 * Payouts: a paying relayer (`payer_key_env` / `payer_key_file`: the custody key; one payer
 * per network) sends `transfer(ext_address, amount)` with a 32-byte tag appended to the call
 * data (`sha256("dexchain-peg:" + chain_id)[0..16] ‖ uint128 request id`); the token ignores
 * trailing call data. Every relayer finds `Transfer(custody → …)` logs, reads the tag from the
 * tx input and attests the payout. The signed payout tx is stored in the relayer state before
 * it is broadcast, so a restart re-sends the same tx (same nonce) instead of paying twice.
 */
import { readFileSync } from 'node:fs';
import { encodeAddress } from '../../codec/index.js';
import { addressFromPubKey, fromHex, sha256, toHex } from '../../crypto/hash.js';
import type { AdapterScratch, PollResult, ReadyWithdrawal, RelayEvent, RelayerLogger, SourceAdapter } from '../types.js';
import { quietLogger } from '../types.js';

export const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
const TRANSFER_SELECTOR = 'a9059cbb';
const BALANCE_OF_SELECTOR = '70a08231';

export interface EvmAdapterConfig {
  type: 'evm';
  asset: string;
  network: string;
  rpc_url: string;
  token: string;
  custody: string;
  /** Token decimals (default 18). */
  decimals?: number;
  confirmations?: number;
  start_block?: number;
  /** Largest eth_getLogs range (default 2000 blocks). */
  max_range?: number;
  reserve_every_blocks?: number;
  /** EVM sender (lower-case 0x…) → bech32 recipient, for senders whose key is not the user's. */
  address_map?: Record<string, string>;
  payer_key_env?: string;
  payer_key_file?: string;
  /** Gas limit of a payout (default 100000). */
  payout_gas?: number;
}

interface Log {
  blockNumber: string;
  transactionHash: string;
  logIndex: string;
  topics: string[];
  data: string;
}

const pad32 = (hex: string) => hex.replace(/^0x/, '').toLowerCase().padStart(64, '0');
const hexBig = (h: string) => BigInt(h);
const qty = (n: bigint | number) => '0x' + BigInt(n).toString(16);

export class JsonRpc {
  private id = 0;
  constructor(readonly url: string) {}
  async call<T>(method: string, params: unknown[]): Promise<T> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
      signal: AbortSignal.timeout(30_000),
    });
    const j = (await res.json()) as { result?: T; error?: { message: string } };
    if (j.error) throw new Error(`${method}: ${j.error.message}`);
    return j.result as T;
  }
}

/** Converts between the token's decimals and 1e-8 units. */
export function toChainUnits(raw: bigint, decimals: number): bigint {
  return decimals >= 8 ? raw / 10n ** BigInt(decimals - 8) : raw * 10n ** BigInt(8 - decimals);
}
export function fromChainUnits(amount: bigint, decimals: number): bigint {
  return decimals >= 8 ? amount * 10n ** BigInt(decimals - 8) : amount / 10n ** BigInt(8 - decimals);
}

export function payoutTag(chainId: string, requestId: bigint): string {
  return toHex(sha256(new TextEncoder().encode(`dexchain-peg:${chainId}`)).slice(0, 16)) + requestId.toString(16).padStart(32, '0');
}

export function parsePayoutTag(input: string, chainId: string): bigint | undefined {
  const hex = input.replace(/^0x/, '').toLowerCase();
  if (hex.length !== 8 + 64 + 64 + 64 || !hex.startsWith(TRANSFER_SELECTOR)) return undefined;
  const tag = hex.slice(8 + 128);
  const magic = toHex(sha256(new TextEncoder().encode(`dexchain-peg:${chainId}`)).slice(0, 16));
  if (!tag.startsWith(magic)) return undefined;
  return BigInt('0x' + tag.slice(32));
}

interface Cursor {
  block: number;
}

export class EvmAdapter implements SourceAdapter {
  readonly id: string;
  readonly asset: string;
  readonly network: string;
  private readonly rpc: JsonRpc;
  private readonly decimals: number;
  private readonly custodyTopic: string;
  private payerKey: string | undefined;

  constructor(
    private readonly cfg: EvmAdapterConfig,
    private readonly chain: { chainId: string; hrp: string },
    private readonly log: RelayerLogger = quietLogger,
  ) {
    this.id = `evm:${cfg.asset}:${cfg.network}`;
    this.asset = cfg.asset;
    this.network = cfg.network;
    this.rpc = new JsonRpc(cfg.rpc_url);
    this.decimals = cfg.decimals ?? 18;
    this.custodyTopic = '0x' + pad32(cfg.custody);
    if (cfg.payer_key_env) this.payerKey = process.env[cfg.payer_key_env];
    else if (cfg.payer_key_file) this.payerKey = readFileSync(cfg.payer_key_file, 'utf8').trim();
    if ((cfg.payer_key_env || cfg.payer_key_file) && !this.payerKey) throw new Error(`${this.id}: payer key not found (${cfg.payer_key_env ?? cfg.payer_key_file})`);
    if (this.payerKey) {
      // defined only for payers; the key must be the custody key
      this.handleReady = this.pay.bind(this);
    }
  }

  handleReady?: (w: ReadyWithdrawal, s: AdapterScratch, persist: () => void) => Promise<boolean>;

  async poll(cursor: unknown): Promise<PollResult> {
    const c = (cursor as Cursor | undefined) ?? { block: (this.cfg.start_block ?? 1) - 1 };
    const head = Number(hexBig(await this.rpc.call<string>('eth_blockNumber', [])));
    const safe = head - (this.cfg.confirmations ?? 1) + 1;
    const from = c.block + 1;
    if (from > safe) return { events: [], cursor: c };
    const to = Math.min(safe, from + (this.cfg.max_range ?? 2000) - 1);
    const range = { fromBlock: qty(from), toBlock: qty(to), address: this.cfg.token };
    const [ins, outs] = await Promise.all([
      this.rpc.call<Log[]>('eth_getLogs', [{ ...range, topics: [TRANSFER_TOPIC, null, this.custodyTopic] }]),
      this.rpc.call<Log[]>('eth_getLogs', [{ ...range, topics: [TRANSFER_TOPIC, this.custodyTopic] }]),
    ]);
    const events: RelayEvent[] = [];
    const reserveBlocks = new Set<number>();
    for (const l of ins) {
      const amount = toChainUnits(hexBig(l.data), this.decimals);
      if (amount <= 0n) continue;
      const sender = '0x' + l.topics[1]!.slice(26);
      const recipient = await this.recipientOf(l.transactionHash, sender);
      if (!recipient) {
        this.log.warn({ tx: l.transactionHash, sender }, 'deposit from a sender whose chain account is unknown (add it to address_map); skipped');
        continue;
      }
      const block = Number(hexBig(l.blockNumber));
      reserveBlocks.add(block);
      events.push({ kind: 'deposit', asset: this.asset, network: this.network, extTxId: l.transactionHash, extIndex: hexBig(l.logIndex), recipient, amount, extHeight: BigInt(block) });
    }
    for (const l of outs) {
      const tx = await this.rpc.call<{ input: string; to: string } | null>('eth_getTransactionByHash', [l.transactionHash]);
      if (!tx || tx.to?.toLowerCase() !== this.cfg.token.toLowerCase()) continue;
      const id = parsePayoutTag(tx.input, this.chain.chainId);
      if (id !== undefined) events.push({ kind: 'payout', requestId: id, extTxId: l.transactionHash, extHeight: hexBig(l.blockNumber) });
    }
    const every = this.cfg.reserve_every_blocks ?? 0;
    if (every > 0) {
      const m = Math.floor(to / every) * every;
      if (m >= from) reserveBlocks.add(m);
    }
    for (const b of [...reserveBlocks].sort((x, y) => x - y)) {
      const raw = await this.rpc.call<string>('eth_call', [{ to: this.cfg.token, data: '0x' + BALANCE_OF_SELECTOR + pad32(this.cfg.custody) }, qty(b)]);
      events.push({ kind: 'reserve', asset: this.asset, network: this.network, amount: toChainUnits(hexBig(raw), this.decimals), extHeight: BigInt(b) });
    }
    return { events, cursor: { block: to } satisfies Cursor };
  }

  /** The chain account of the key that signed the deposit tx (or the address map). */
  private async recipientOf(txHash: string, sender: string): Promise<string | undefined> {
    const mapped = this.cfg.address_map?.[sender.toLowerCase()];
    if (mapped) return mapped;
    const tx = await this.rpc.call<Record<string, string> | null>('eth_getTransactionByHash', [txHash]);
    if (!tx || tx.from?.toLowerCase() !== sender.toLowerCase()) return undefined;
    const { Transaction, SigningKey } = await import('ethers');
    const t = Transaction.from({
      type: Number(tx.type ?? '0x0'),
      to: tx.to,
      nonce: Number(tx.nonce),
      gasLimit: tx.gas,
      gasPrice: tx.type === '0x2' ? undefined : tx.gasPrice,
      maxFeePerGas: tx.maxFeePerGas,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
      data: tx.input,
      value: tx.value,
      chainId: tx.chainId ?? undefined,
      accessList: (tx.accessList as unknown as []) ?? undefined,
      signature: { r: tx.r!, s: tx.s!, v: Number(tx.v) },
    });
    if (!t.from || t.from.toLowerCase() !== sender.toLowerCase() || !t.fromPublicKey) return undefined;
    const compressed = fromHex(SigningKey.computePublicKey(t.fromPublicKey, true).slice(2));
    return encodeAddress(addressFromPubKey(compressed), this.chain.hrp);
  }

  /** Pays a ready withdrawal from the custody key; the signed tx is kept for re-sending. */
  private async pay(w: ReadyWithdrawal, scratch: AdapterScratch, persist: () => void): Promise<boolean> {
    const key = `payout:${w.id}`;
    let raw = scratch[key] as string | undefined;
    if (!raw) {
      const { Wallet } = await import('ethers');
      const wallet = new Wallet(this.payerKey!);
      if (wallet.address.toLowerCase() !== this.cfg.custody.toLowerCase()) throw new Error(`${this.id}: the payer key is not the custody address ${this.cfg.custody}`);
      const [nonce, gasPrice, chainId] = await Promise.all([
        this.rpc.call<string>('eth_getTransactionCount', [wallet.address, 'pending']),
        this.rpc.call<string>('eth_gasPrice', []),
        this.rpc.call<string>('eth_chainId', []),
      ]);
      const data = '0x' + TRANSFER_SELECTOR + pad32(w.extAddress) + pad32(fromChainUnits(w.amount, this.decimals).toString(16)) + payoutTag(this.chain.chainId, w.id);
      raw = await wallet.signTransaction({
        type: 0,
        to: this.cfg.token,
        nonce: Number(nonce),
        gasLimit: this.cfg.payout_gas ?? 100_000,
        gasPrice: BigInt(gasPrice),
        chainId: BigInt(chainId),
        data,
        value: 0n,
      });
      scratch[key] = raw;
      persist(); // on disk before it can reach the network
    }
    try {
      await this.rpc.call<string>('eth_sendRawTransaction', [raw]);
    } catch (e) {
      // already known / nonce too low: the same tx is in the pool or mined — never sign anew
      if (!/known|nonce too low|already/i.test((e as Error).message)) throw e;
    }
    this.log.info({ request: w.id.toString(), to: w.extAddress }, 'payout sent');
    return true;
  }
}
