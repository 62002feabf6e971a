/**
 * The relayer's view of the chain: sign and submit one msg at a time (waiting for its block, so
 * sequences never race), and read peg queries. `HttpChainPort` talks to a node over HTTP; tests
 * plug in an in-process port.
 */
import { encodeAddress } from '../codec/index.js';
import type { Msg } from '../codec/types.js';
import { addressFromPubKey } from '../crypto/hash.js';
import { publicKeyFromPrivate } from '../crypto/secp256k1.js';
import { signTx } from '../client/sign.js';
import '../modules/peg/msgs.js'; // the peg msgs must be in the codec registry to sign them
import { NodeClient, NodeRequestError } from '../client/http.js';

export interface SubmitResult {
  code: number;
  log: string;
  hash: string;
}

export interface ChainPort {
  chainId(): Promise<string>;
  readonly hrp: string;
  /** Account number and next sequence, undefined when the account does not exist. */
  account(bech32: string): Promise<{ accountNumber: bigint; sequence: bigint } | undefined>;
  /** Submits a signed tx and waits for its block result (or the checkTx rejection). */
  broadcast(tx: Uint8Array): Promise<SubmitResult>;
  /** An abci query path (`peg/…`); the JSON value, or undefined when not found. */
  query(path: string): Promise<unknown>;
}

const NOT_FOUND = (1 << 16) | 29;

export class HttpChainPort implements ChainPort {
  private readonly client: NodeClient;
  private cachedChainId: string | undefined;
  constructor(url: string, readonly hrp: string, chainId?: string) {
    this.client = new NodeClient(url);
    this.cachedChainId = chainId;
  }

  async chainId(): Promise<string> {
    this.cachedChainId ??= (await this.client.nodeInfo()).node_info.network;
    return this.cachedChainId;
  }

  async account(bech32: string) {
    const a = await this.client.account(bech32);
    return a ? { accountNumber: BigInt(a.account_number), sequence: BigInt(a.sequence) } : undefined;
  }

  async broadcast(tx: Uint8Array): Promise<SubmitResult> {
    try {
      const r = (await this.client.broadcast([tx], true))[0]!;
      return { code: r.code, log: r.log, hash: r.hash };
    } catch (e) {
      if (e instanceof NodeRequestError && e.code !== undefined) return { code: e.code, log: e.message, hash: '' };
      throw e;
    }
  }

  async query(path: string): Promise<unknown> {
    const r = await this.client.rpc<{ response: { code: number; log: string; value: string | null } }>('abci_query', { path: JSON.stringify(path) });
    if (r.response.code === NOT_FOUND) return undefined;
    if (r.response.code !== 0) throw new Error(`query ${path}: ${r.response.log}`);
    return r.response.value ? JSON.parse(Buffer.from(r.response.value, 'base64').toString('utf8')) : undefined;
  }
}

/** Signs msgs for one custodian key and submits them through a port. */
export class TxSigner {
  readonly address: Uint8Array;
  constructor(
    private readonly priv: Uint8Array,
    readonly port: ChainPort,
  ) {
    this.address = addressFromPubKey(publicKeyFromPrivate(priv));
  }

  get bech32(): string {
    return encodeAddress(this.address, this.port.hrp);
  }

  async submit(msg: { type: string }): Promise<SubmitResult> {
    const acc = await this.port.account(this.bech32);
    if (!acc) return { code: (1 << 16) | 9, log: `account ${this.bech32} does not exist on chain`, hash: '' };
    const signed = signTx(this.priv, msg as Msg, { chainId: await this.port.chainId(), hrp: this.port.hrp, accountNumber: acc.accountNumber, sequence: acc.sequence });
    return this.port.broadcast(signed.bytes);
  }
}
